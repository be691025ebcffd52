import { sandboxMessageChannel, type MessageChannelDefinition } from '@sandboxed/plugin-sdk';
import { OpenTerminalInput } from './terminal.dto.js';
import { TerminalSession } from './terminal.session.js';

/** bash when the sandbox has it, else sh; interactive, in the workdir. */
const SHELL = 'if command -v bash >/dev/null 2>&1; then exec bash -i; else exec sh -i; fi';

export const terminalChannel: MessageChannelDefinition<OpenTerminalInput> = sandboxMessageChannel({
  id: 'terminal.open',
  summary: 'Interactive shell on a terminal',
  description:
    'A shell on a pseudo-terminal. Send `{"type":"input","data":"..."}` (keystrokes) and ' +
    '`{"type":"resize","cols":N,"rows":N}`; receive `{"type":"output","data":"..."}` and a final ' +
    '`{"type":"exit","exitCode":N}`. Disconnecting kills the shell and everything it started.',
  input: OpenTerminalInput,
  hints: { readOnly: false, destructive: false, idempotent: false },
  path: 'terminal',
  accepts: ['input', 'resize'],
  emits: ['output', 'exit', 'error'],
  open: async (ctx, input) => {
    const session = await ctx.runtime.exec(ctx.sandbox.id, {
      argv: ['/bin/sh', '-c', SHELL],
      tty: true,
      cwd: ctx.sandbox.workdir,
    });
    if (input.cols || input.rows) await session.resize(input.cols ?? 80, input.rows ?? 24);
    return new TerminalSession(session);
  },
});
