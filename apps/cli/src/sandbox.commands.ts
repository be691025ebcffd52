import { parseArgs } from 'node:util';
import type { ApiClient } from './api.client.js';

interface Sandbox {
  id: string;
  template: string;
  status: string;
  labels: Record<string, string>;
  expiresAt: string;
}

interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  timedOut: boolean;
}

function labelsOf(pairs: string[] = []): Record<string, string> {
  return Object.fromEntries(
    pairs.map((p) => {
      const eq = p.indexOf('=');
      if (eq <= 0) throw new Error(`--label "${p}" is not key=value`);
      return [p.slice(0, eq), p.slice(eq + 1)];
    }),
  );
}

/** Writes a command's output through and returns its exit code (124 on timeout, like `timeout(1)`). */
export function relay(result: ExecResult): number {
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  if (result.timedOut) return 124;
  return result.exitCode ?? 137;
}

export async function sandboxCommand(api: ApiClient, args: string[]): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'create': {
      const { values } = parseArgs({
        args: rest,
        options: { template: { type: 'string' }, label: { type: 'string', multiple: true }, ttl: { type: 'string' } },
      });
      const created = await api.call<Sandbox>('POST', '/v1/sandboxes', {
        template: values.template,
        labels: labelsOf(values.label),
        ttlSeconds: values.ttl ? Number(values.ttl) : undefined,
      });
      console.log(created.id);
      return 0;
    }
    case 'ls': {
      const { sandboxes } = await api.call<{ sandboxes: Sandbox[] }>('GET', '/v1/sandboxes');
      for (const s of sandboxes) {
        const labels = Object.entries(s.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        console.log([s.id, s.template, s.status, s.expiresAt, labels].join('\t'));
      }
      return 0;
    }
    case 'exec': {
      const [id, ...command] = rest;
      const argv = command[0] === '--' ? command.slice(1) : command;
      if (!id || argv.length === 0) throw new Error('usage: sandboxed sandbox exec <id> -- <command...>');
      return relay(await api.call<ExecResult>('POST', `/v1/sandboxes/${id}/exec`, { argv }));
    }
    case 'rm': {
      if (rest.length === 0) throw new Error('usage: sandboxed sandbox rm <id...>');
      for (const id of rest) await api.call('DELETE', `/v1/sandboxes/${id}`);
      return 0;
    }
    default:
      throw new Error('usage: sandboxed sandbox create|ls|exec|rm');
  }
}
