import { describe, expect, it } from '@jest/globals';
import { invalidArguments, ToolArgumentsValidator } from './tool-arguments.validator.js';

const schema = {
  type: 'object',
  properties: {
    sandbox_id: { type: 'string', description: 'Id of the sandbox' },
    command: { type: 'string' },
    timeoutMs: { type: 'integer', minimum: 1 },
    language: { type: 'string', enum: ['python', 'bash'] },
    name: { type: 'string', pattern: '^[a-z]+$', description: 'Lower-case letters' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    resources: {
      type: 'object',
      properties: { cpu: { type: 'number' } },
      additionalProperties: false,
    },
  },
  required: ['sandbox_id'],
  additionalProperties: false,
};

describe('tool argument checks', () => {
  const check = new ToolArgumentsValidator().compile(schema);

  it('passes good arguments', () => {
    expect(check({ sandbox_id: 'x', command: 'ls', labels: { a: 'b' } })).toBeUndefined();
  });

  it('names each bad field and says what it should be', () => {
    expect(
      check({
        command: 7,
        timeoutMs: 0,
        language: 'cobol',
        name: 'A B',
        labels: { team: 1 },
        resources: { gpu: 1 },
        extra: true,
      }),
    ).toEqual([
      { path: 'sandbox_id', problems: ['required: a string (Id of the sandbox)'] },
      {
        path: 'extra',
        problems: [
          'unknown field (this tool takes: sandbox_id, command, timeoutMs, language, name, labels, resources)',
        ],
      },
      { path: 'command', problems: ['must be a string (got number)'] },
      { path: 'timeoutMs', problems: ['must be >= 1 (got 0)'] },
      { path: 'language', problems: ['must be one of: "python", "bash" (got "cobol")'] },
      { path: 'name', problems: ['must match ^[a-z]+$; Lower-case letters (got "A B")'] },
      { path: 'labels.team', problems: ['must be a string (got number)'] },
      { path: 'resources.gpu', problems: ['unknown field (resources takes: cpu)'] },
    ]);
  });

  it('makes one invalid_argument error whose message lists every field', () => {
    const fields = check({ command: [1] })!;
    const error = invalidArguments('shell_exec', fields).toJSON();
    expect(error).toEqual({
      code: 'invalid_argument',
      message:
        'Invalid arguments for tool shell_exec: sandbox_id: required: a string (Id of the sandbox); ' +
        'command: must be a string (got array)',
      details: { fields },
    });
  });

  it('cuts long values it quotes', () => {
    const [problem] = check({ sandbox_id: 'x', language: 'y'.repeat(500) })!;
    expect(problem.problems[0].length).toBeLessThan(120);
  });
});
