import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ApiClient } from './api.client.js';
import { relay } from './sandbox.commands.js';

/** `sandboxed run --language python file.py` (or `-` for stdin): a one-shot sandbox through `code.execute`. */
export async function runCommand(api: ApiClient, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { language: { type: 'string', short: 'l' }, timeout: { type: 'string' } },
  });
  const file = positionals[0];
  if (!values.language || !file) throw new Error('usage: sandboxed run --language <lang> <file|->');
  const code = readFileSync(file === '-' ? 0 : file, 'utf8');
  const timeoutMs = values.timeout ? Number(values.timeout) * 1000 : undefined;
  return relay(await api.call('POST', '/v1/execute', { language: values.language, code, timeoutMs }));
}
