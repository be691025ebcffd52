import { sandboxMessageChannel, type MessageChannelDefinition } from '@sandboxed/plugin-sdk';
import { OpenTerminalInput } from './terminal.dto.js';
import { TerminalSession } from './terminal.session.js';

/**
 * The initial size is set from inside the PTY before the shell starts (a resize from outside
 * can race the PTY's creation on the local runtime), and from outside once it runs; then bash
 * when the sandbox has it, else sh, interactive.
 */
const SHELL =
  'stty cols "$1" rows "$2" 2>/dev/null; if command -v bash >/dev/null 2>&1; then exec bash -i; else exec sh -i; fi';
const DEFAULT_SIZE = { cols: 80, rows: 24 };

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
    const cols = String(input.cols ?? DEFAULT_SIZE.cols);
    const rows = String(input.rows ?? DEFAULT_SIZE.rows);
    const session = await ctx.runtime.exec(ctx.sandbox.id, {
      argv: ['/bin/sh', '-c', SHELL, 'sandboxed-terminal', cols, rows],
      tty: true,
      cwd: ctx.sandbox.workdir,
      env: { COLUMNS: cols, LINES: rows },
    });
    // Runtimes with a native PTY (Docker) may set their own size once the exec runs; override it.
    await session.resize(Number(cols), Number(rows));
    return new TerminalSession(session);
  },
});
