import { describe, expect, it } from '@jest/globals';
import { containerStateError, mapEngineError } from './docker-error.mapper.js';

const FULL_ID = '1cf587c9ebfd0b60676a75898727b439dfa10e245913b780bcdaa94095ee5a47';
const SANDBOX = 'c8f53b755ce521f170e22673be7a7082';

/** An error as docker-modem builds it from an engine answer. */
function engineError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message} `), {
    statusCode,
    json: { message },
  });
}

describe('docker error mapping', () => {
  // Messages as Docker 20.10 sent them while a DELETE raced an exec (issue 8, items 12 and 17).
  it.each([
    [500, `Container ${FULL_ID} is not running: Removal In Progress`, 'not_found'],
    [409, `Container ${FULL_ID} is marked for removal and cannot be started`, 'not_found'],
    [404, `No such container: sandboxed-${SANDBOX}`, 'not_found'],
    [500, 'cannot exec in a deleted state: unknown', 'not_found'],
    [409, `Container ${FULL_ID} is not running`, 'conflict'],
    [409, `Container sandboxed-${SANDBOX} is paused, unpause the container before exec`, 'conflict'],
  ])('maps %d "%s" to %s, naming the sandbox', (status, message, code) => {
    const err = containerStateError(engineError(status, message), SANDBOX);
    expect(err).toMatchObject({ code });
    expect(err!.message).toContain(SANDBOX);
    expect(err!.message).not.toContain(FULL_ID.slice(0, 13));
  });

  it('leaves other engine errors to the general mapping', () => {
    expect(containerStateError(engineError(404, 'No such exec instance: abc'), SANDBOX)).toBeUndefined();
    expect(containerStateError(engineError(400, 'invalid reference format'), SANDBOX)).toBeUndefined();
    expect(containerStateError(new Error('socket hang up'), SANDBOX)).toBeUndefined();
  });

  it('never repeats a full 64-hex engine id in a message', () => {
    const err = mapEngineError(engineError(409, `Conflict. The container ${FULL_ID} is in use by ${FULL_ID}`), {
      endpoint: '/var/run/docker.sock',
    });
    expect(err).toMatchObject({ code: 'conflict', status: 409 });
    expect(err.message).toBe(`Conflict. The container ${FULL_ID.slice(0, 12)} is in use by ${FULL_ID.slice(0, 12)}`);
  });
});
