import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  closeMcp,
  connectMcpHttp,
  startTestGateway,
  structuredOf,
  textOf,
  waitFor,
  type TestGateway,
} from '@sandboxed/testing';

const BOUND_MS = 3000;
const SLOW = 90_000;
/** The timeout of a command that names none, over MCP (transport-mcp's commandTimeoutMs). */
const COMMAND_MS = 15_000;

type Result = CallToolResult & { structuredContent?: any };

/** Calls answer within transport-mcp's toolTimeoutMs; longer commands come back as a process handle. */
describe('MCP long-running calls: bounded shell_exec, code_run and bash, continued with process_wait', () => {
  let gw: TestGateway;
  let mcp: Client;
  let agent: Client;
  let full: Client;
  let sandboxId: string;
  const call = async (client: Client, name: string, args: Record<string, unknown>, signal?: AbortSignal) =>
    (await client.callTool({ name, arguments: { sandbox_id: sandboxId, ...args } }, undefined, {
      signal,
      timeout: SLOW,
    })) as Result;

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: [
        'runtime-local',
        'capability-shell',
        'capability-files',
        'capability-processes',
        'capability-code',
        'transport-rest',
      ],
      extraPlugins: [{ use: 'transport-mcp', options: { toolTimeoutMs: BOUND_MS, commandTimeoutMs: COMMAND_MS } }],
    });
    mcp = await connectMcpHttp(gw.url, 'streamable');
    agent = await connectMcpHttp(gw.url, 'streamable', { profile: 'agent' });
    full = await connectMcpHttp(gw.url, 'streamable', { profile: 'full' });
    sandboxId = structuredOf(await mcp.callTool({ name: 'sandbox_create', arguments: {} })).id;
  }, SLOW);
  afterAll(async () => {
    await closeMcp(mcp);
    await closeMcp(agent);
    await closeMcp(full);
    await gw?.close();
  }, SLOW);

  it(
    'a command still running at the bound comes back as a handle; process_wait gets the rest and the exit',
    async () => {
      const started = Date.now();
      const first = await call(mcp, 'shell_exec', { command: 'echo start; sleep 6; echo done; exit 3' });
      expect(Date.now() - started).toBeLessThan(6000);
      expect(first.isError).toBeFalsy();
      const handle = first.structuredContent;
      expect(handle).toMatchObject({ running: true, process_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
      expect('start\n'.startsWith(handle.stdout)).toBe(true);
      expect(textOf(first)).toContain(`process_wait {sandbox_id: "${sandboxId}", process_id: "${handle.process_id}"`);
      let cursor = handle.cursor as number;
      let lines: string[] = handle.stdout ? ['start'] : [];
      let done: Record<string, any> | undefined;
      while (!done) {
        const page = structuredOf(
          await call(mcp, 'process_wait', { process_id: handle.process_id, cursor, timeout_ms: 30_000 }),
        );
        lines = [...lines, ...page.lines.map((l: { text: string }) => l.text)];
        cursor = page.cursor;
        if (page.done) done = page;
      }
      expect(lines).toEqual(['start', 'done']);
      expect(done.process).toMatchObject({ id: handle.process_id, status: 'exited', exitCode: 3 });
    },
    SLOW,
  );

  it(
    'a command that ends in time answers as shell.exec does, with its stdin, exit code and process id',
    async () => {
      const r = await call(mcp, 'shell_exec', { command: 'cat; echo err >&2; exit 2', stdin: 'from stdin\n' });
      expect(r.structuredContent).toMatchObject({
        stdout: 'from stdin\n',
        stderr: 'err\n',
        exitCode: 2,
        timedOut: false,
        truncated: false,
        process_id: expect.any(String),
      });
      expect(r.structuredContent.running).toBeUndefined();
      // A command whose own timeout fits in the bound runs as one exec: no process, output byte for byte.
      const exact = await call(mcp, 'shell_exec', { command: 'printf "no newline"', timeoutMs: 2000 });
      expect(exact.structuredContent).toMatchObject({ stdout: 'no newline', exitCode: 0 });
      expect(exact.structuredContent.process_id).toBeUndefined();
    },
    SLOW,
  );

  it(
    'its timeoutMs still applies after the handle: the process is killed then',
    async () => {
      const first = await call(mcp, 'shell_exec', { command: 'sleep 300', timeoutMs: 5000 });
      const { process_id } = first.structuredContent;
      expect(first.structuredContent.running).toBe(true);
      const page = structuredOf(await call(mcp, 'process_wait', { process_id, timeout_ms: 60_000 }));
      expect(page).toMatchObject({ done: true, process: { status: 'killed', timedOut: true } });
    },
    SLOW,
  );

  it(
    'a command that names no timeout gets commandTimeoutMs, not the REST default',
    async () => {
      const first = await call(mcp, 'shell_exec', { command: 'sleep 300' });
      expect(first.structuredContent.running).toBe(true);
      const { process_id } = first.structuredContent;
      const info = structuredOf(await call(full, 'process_get', { process_id }));
      expect(info.status).toBe('running');
      // 40 s: past COMMAND_MS, well short of limits.exec.timeoutMs (60 s), the timeout it would have had before.
      const page = structuredOf(await call(mcp, 'process_wait', { process_id, timeout_ms: 40_000 }));
      expect(page).toMatchObject({ done: true, process: { status: 'killed', timedOut: true } });
    },
    SLOW,
  );

  it(
    'cancelling the call kills the command',
    async () => {
      const abort = new AbortController();
      const pending = call(mcp, 'shell_exec', { command: 'echo up; sleep 300', timeoutMs: 600_000 }, abort.signal);
      pending.catch(() => undefined);
      const running = await waitFor(
        async () => {
          const list = structuredOf(await call(full, 'process_list', { status: 'running' }));
          return list.processes.find((p: { name: string | null }) => p.name === 'shell_exec');
        },
        { what: 'the command to run as a process' },
      );
      abort.abort();
      await expect(pending).rejects.toThrow();
      await waitFor(
        async () => {
          const list = structuredOf(await call(full, 'process_list', {}));
          const p = list.processes.find((x: { id: string }) => x.id === running.id);
          return p && p.status !== 'running';
        },
        { what: 'the cancelled command to be killed' },
      );
    },
    SLOW,
  );

  it(
    'code_run still running at the bound comes back as a handle too, and ends as code.run would',
    async () => {
      const program = 'import time\nprint("start", flush=True)\ntime.sleep(6)\nprint("done")\nraise SystemExit(4)';
      const first = await call(mcp, 'code_run', { language: 'python', code: program });
      expect(first.isError).toBeFalsy();
      const handle = first.structuredContent;
      expect(handle).toMatchObject({ running: true, process_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
      const page = structuredOf(
        await call(mcp, 'process_wait', { process_id: handle.process_id, cursor: handle.cursor, timeout_ms: 30_000 }),
      );
      expect(page).toMatchObject({ done: true, process: { status: 'exited', exitCode: 4 } });
      const lines = [...(handle.stdout ? ['start'] : []), ...page.lines.map((l: { text: string }) => l.text)];
      expect(lines).toEqual(['start', 'done']);
      // The program's folder went with it, as after code.run.
      const left = await call(mcp, 'shell_exec', { command: 'ls -a /tmp | grep -c "^.sandboxed-code-" || true' });
      expect(left.structuredContent.stdout.trim()).toBe('0');
      // One that ends in time answers in code.run's shape.
      const quick = await call(mcp, 'code_run', { language: 'python', code: 'print(6 * 7)', timeoutMs: 2000 });
      expect(quick.structuredContent).toMatchObject({ stdout: '42\n', exitCode: 0, language: 'python' });
    },
    SLOW,
  );

  it(
    'bash on the agent profile answers within the bound too',
    async () => {
      const first = await call(agent, 'bash', { command: 'echo one; sleep 6; echo two' });
      expect(first.structuredContent).toMatchObject({ running: true, process_id: expect.any(String) });
      expect(textOf(first)).toMatch(/Still running after \d+ s as process [0-9a-f]{16}/);
      const page = structuredOf(
        await call(agent, 'process_wait', { process_id: first.structuredContent.process_id, timeout_ms: 30_000 }),
      );
      expect(page).toMatchObject({ done: true, process: { status: 'exited', exitCode: 0 } });
      expect(page.lines.map((l: { text: string }) => l.text)).toEqual(['one', 'two']);
    },
    SLOW,
  );
});
