import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Client as V2Client,
  fromJsonSchema,
  StreamableHTTPClientTransport as V2HttpTransport,
} from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1HttpTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  GetTaskResultSchema,
  CancelTaskResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { SignJWT } from 'jose';
import { startTestGateway, structuredOf, waitFor, type TestGateway } from '@sandboxed/testing';

const SECRET = 'mcp-tasks-test-secret-that-is-at-least-32-bytes';
const SLOW = 120_000;
const TASKS = 'io.modelcontextprotocol/tasks';
const info = { name: 'tasks-test', version: '0.0.0' };
const anyResult = fromJsonSchema<any>({ type: 'object' });

async function bearer(sub: string): Promise<Record<string, string>> {
  const jwt = await new SignJWT({ scope: 'sandbox:read sandbox:write' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(SECRET));
  return { authorization: `Bearer ${jwt}` };
}

async function v1(base: string, headers: Record<string, string>, profile = 'full'): Promise<V1Client> {
  const client = new V1Client(info);
  await client.connect(new V1HttpTransport(new URL(`${base}/mcp/${profile}`), { requestInit: { headers } }));
  return client;
}

async function v2Modern(
  base: string,
  headers: Record<string, string>,
  tasks: boolean,
  profile = 'full',
): Promise<V2Client> {
  const client = new V2Client(info, {
    versionNegotiation: { mode: { pin: '2026-07-28' } },
    capabilities: tasks ? { extensions: { [TASKS]: {} } } : {},
  });
  await client.connect(new V2HttpTransport(new URL(`${base}/mcp/${profile}`), { requestInit: { headers } }));
  return client;
}

const close = async (client: V1Client | V2Client | undefined): Promise<void> => {
  const transport = client?.transport as { terminateSession?: () => Promise<void> } | undefined;
  await transport?.terminateSession?.().catch(() => undefined);
  await client?.close();
};

/** MCP tasks: shell_exec and bash as tasks (2025-11-25 core tasks, 2026-07-28 io.modelcontextprotocol/tasks). */
describe('MCP tasks: long commands as tasks whose state is their background process', () => {
  let gw: TestGateway;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  let legacy: V1Client;
  let sandboxId: string;

  /** The sandbox's process, as process_list reports it (inside the sandbox). */
  const processOf = async (processId: string) => {
    const list = structuredOf(
      await legacy.callTool({ name: 'process_list', arguments: { sandbox_id: sandboxId } }),
    ) as { processes: Array<{ id: string; status: string }> };
    return list.processes.find((p) => p.id === processId);
  };

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'capability-files', 'capability-processes'],
      extraPlugins: [{ use: 'transport-mcp', options: { toolTimeoutMs: 3000 } }],
      config: { auth: { jwt: { secret: SECRET } } },
    });
    alice = await bearer('alice');
    bob = await bearer('bob');
    legacy = await v1(gw.url, alice);
    sandboxId = structuredOf(await legacy.callTool({ name: 'sandbox_create', arguments: {} })).id;
  }, SLOW);
  afterAll(async () => {
    await close(legacy);
    await gw?.close();
  }, SLOW);

  describe('2025-11-25 (v1 SDK client, experimental core tasks)', () => {
    it('advertises tasks for tools/call, and shell_exec and bash as optional task tools', async () => {
      expect(legacy.getServerCapabilities()?.tasks).toEqual({ cancel: {}, requests: { tools: { call: {} } } });
      const { tools } = await legacy.listTools();
      expect(tools.find((t) => t.name === 'shell_exec')?.execution).toEqual({ taskSupport: 'optional' });
      expect(tools.find((t) => t.name === 'sandbox_list')?.execution).toBeUndefined();
      const agent = await v1(gw.url, alice, 'agent');
      const agentTools = (await agent.listTools()).tools;
      expect(agentTools.find((t) => t.name === 'bash')?.execution).toEqual({ taskSupport: 'optional' });
      await close(agent);
    });

    it(
      'create → get → result for a short command',
      async () => {
        const created = await legacy.request(
          {
            method: 'tools/call',
            params: { name: 'shell_exec', arguments: { sandbox_id: sandboxId, command: 'echo hi; exit 4' }, task: {} },
          },
          CreateTaskResultSchema,
        );
        const { taskId } = created.task;
        expect(created.task).toMatchObject({ status: 'working', ttl: null, pollInterval: expect.any(Number) });
        const result = await legacy.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema);
        expect(result.structuredContent).toMatchObject({ stdout: 'hi\n', exitCode: 4, timedOut: false });
        expect(result._meta?.['io.modelcontextprotocol/related-task']).toEqual({ taskId });
        const got = await legacy.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
        expect(got).toMatchObject({ taskId, status: 'completed', createdAt: expect.any(String) });
      },
      SLOW,
    );

    it(
      'tasks/cancel kills a sleep 120 (the process is gone in the sandbox); a second cancel is -32602',
      async () => {
        const created = await legacy.request(
          {
            method: 'tools/call',
            params: { name: 'shell_exec', arguments: { sandbox_id: sandboxId, command: 'sleep 120' }, task: {} },
          },
          CreateTaskResultSchema,
        );
        const { taskId } = created.task;
        const processId = JSON.parse(Buffer.from(taskId, 'base64url').toString())[2] as string;
        expect((await processOf(processId))?.status).toBe('running');
        const cancelled = await legacy.request({ method: 'tasks/cancel', params: { taskId } }, CancelTaskResultSchema);
        expect(cancelled).toMatchObject({ taskId, status: 'cancelled' });
        expect((await processOf(processId))?.status).toBe('killed');
        const ps = structuredOf(
          await legacy.callTool({ name: 'shell_exec', arguments: { sandbox_id: sandboxId, command: 'ps -eo args' } }),
        ) as { stdout: string };
        expect(ps.stdout).not.toContain('sleep 120');
        await expect(
          legacy.request({ method: 'tasks/cancel', params: { taskId } }, CancelTaskResultSchema),
        ).rejects.toMatchObject({ code: -32602 });
      },
      SLOW,
    );

    it(
      "another principal's task is not found",
      async () => {
        const created = await legacy.request(
          {
            method: 'tools/call',
            params: { name: 'shell_exec', arguments: { sandbox_id: sandboxId, command: 'sleep 30' }, task: {} },
          },
          CreateTaskResultSchema,
        );
        const other = await v1(gw.url, bob);
        try {
          const { taskId } = created.task;
          for (const method of ['tasks/get', 'tasks/cancel', 'tasks/result'] as const) {
            await expect(other.request({ method, params: { taskId } }, GetTaskResultSchema)).rejects.toMatchObject({
              code: -32602,
              message: expect.stringContaining('Task not found'),
            });
          }
          await expect(
            other.request({ method: 'tasks/get', params: { taskId: 'nonsense' } }, GetTaskResultSchema),
          ).rejects.toMatchObject({ code: -32602 });
          // Still running: bob's cancel did nothing.
          const got = await legacy.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
          expect(got.status).toBe('working');
          await legacy.request({ method: 'tasks/cancel', params: { taskId } }, CancelTaskResultSchema);
        } finally {
          await close(other);
        }
      },
      SLOW,
    );

    it(
      'without a task param, shell_exec answers as before (a handle at the bound)',
      async () => {
        const r = await legacy.callTool({
          name: 'shell_exec',
          arguments: { sandbox_id: sandboxId, command: 'echo plain' },
        });
        expect(structuredOf(r)).toMatchObject({ stdout: 'plain\n', exitCode: 0 });
      },
      SLOW,
    );
  });

  describe('2026-07-28 (v2 SDK client, io.modelcontextprotocol/tasks)', () => {
    let modern: V2Client;
    let undeclared: V2Client;
    let agentModern: V2Client;
    beforeAll(async () => {
      modern = await v2Modern(gw.url, alice, true);
      agentModern = await v2Modern(gw.url, alice, true, 'agent');
      undeclared = await v2Modern(gw.url, alice, false);
    }, SLOW);
    afterAll(async () => {
      await close(modern);
      await close(undeclared);
      await close(agentModern);
    }, SLOW);

    /**
     * tools/call with the tasks extension declared, over plain HTTP: the v2 SDK client serves no tasks (it refuses a
     * `resultType: "task"` result), so the call that creates one is sent as the spec has it; the task methods then go
     * through the SDK client.
     */
    let nextId = 1;
    const callAsTask = async (
      args: Record<string, unknown>,
      name = 'shell_exec',
      profile = name === 'bash' ? 'agent' : 'full',
    ): Promise<Record<string, any>> => {
      const res = await fetch(`${gw.url}/mcp/${profile}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2026-07-28',
          'mcp-method': 'tools/call',
          'mcp-name': name,
          ...alice,
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: nextId++,
          method: 'tools/call',
          params: {
            name,
            arguments: { sandbox_id: sandboxId, ...args },
            _meta: {
              'io.modelcontextprotocol/protocolVersion': '2026-07-28',
              'io.modelcontextprotocol/clientCapabilities': { extensions: { [TASKS]: {} } },
              'io.modelcontextprotocol/clientInfo': info,
            },
          },
        }),
      });
      const text = await res.text();
      const data = text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? text);
      const message = JSON.parse(data) as { result?: Record<string, any>; error?: unknown };
      if (!message.result) throw new Error(`tools/call failed: ${text}`);
      return message.result;
    };

    it('advertises the extension in server/discover, not the 2025 tasks capability', () => {
      const caps = modern.getServerCapabilities() as Record<string, any>;
      expect(caps.extensions?.[TASKS]).toEqual({});
      expect(caps.tasks).toBeUndefined();
    });

    it(
      'a long command comes back as a task; tasks/get inlines the result once it ends',
      async () => {
        const created = await callAsTask({ command: 'sleep 1; echo later' });
        expect(created).toMatchObject({ resultType: 'task', status: 'working', ttlMs: null, pollIntervalMs: 2000 });
        expect(created.task).toBeUndefined();
        const done = await waitFor(
          async () => {
            const got = await modern.request({ method: 'tasks/get', params: { taskId: created.taskId } }, anyResult);
            return got.status === 'completed' ? got : undefined;
          },
          { what: 'the task to complete', timeoutMs: 60_000 },
        );
        expect(done.result.structuredContent).toMatchObject({ stdout: 'later\n', exitCode: 0 });
        expect(done.result._meta?.['io.modelcontextprotocol/related-task']).toBeUndefined();
      },
      SLOW,
    );

    it(
      'tasks/cancel kills a sleep 120 inside the sandbox; bash runs as a task too',
      async () => {
        for (const [name, args] of [
          ['shell_exec', { command: 'sleep 120' }],
          ['bash', { command: 'sleep 120' }],
        ] as const) {
          // A task belongs to the endpoint whose tool made it: bash's to /mcp/agent.
          const client = name === 'bash' ? agentModern : modern;
          const created = await callAsTask(args, name);
          expect(created.resultType).toBe('task');
          const processId = JSON.parse(Buffer.from(created.taskId, 'base64url').toString())[2] as string;
          expect((await processOf(processId))?.status).toBe('running');
          const ack = await client.request({ method: 'tasks/cancel', params: { taskId: created.taskId } }, anyResult);
          expect(Object.keys(ack).filter((k) => k !== 'resultType' && k !== '_meta')).toEqual([]);
          await waitFor(async () => (await processOf(processId))?.status === 'killed', { what: 'the kill' });
          const got = await client.request({ method: 'tasks/get', params: { taskId: created.taskId } }, anyResult);
          expect(got.status).toBe('cancelled');
        }
      },
      SLOW,
    );

    it(
      'without the extension: no task, and tasks/* answer -32021',
      async () => {
        const r = await undeclared.callTool({
          name: 'shell_exec',
          arguments: { sandbox_id: sandboxId, command: 'sleep 4; echo sync' },
        });
        expect((r as Record<string, unknown>).taskId).toBeUndefined();
        // The bounded call as before: a handle at the bound (3 s here), no task.
        expect(r.structuredContent).toMatchObject({ running: true, process_id: expect.any(String) });
        await expect(
          undeclared.request({ method: 'tasks/get', params: { taskId: 'x' } }, anyResult),
        ).rejects.toMatchObject({ code: -32021 });
      },
      SLOW,
    );

    it(
      "another principal's task is not found",
      async () => {
        const created = await callAsTask({ command: 'sleep 30' });
        const other = await v2Modern(gw.url, bob, true);
        try {
          await expect(
            other.request({ method: 'tasks/get', params: { taskId: created.taskId } }, anyResult),
          ).rejects.toMatchObject({ code: -32602 });
          await expect(
            other.request({ method: 'tasks/cancel', params: { taskId: created.taskId } }, anyResult),
          ).rejects.toMatchObject({ code: -32602 });
          const got = await modern.request({ method: 'tasks/get', params: { taskId: created.taskId } }, anyResult);
          expect(got.status).toBe('working');
          await modern.request({ method: 'tasks/cancel', params: { taskId: created.taskId } }, anyResult);
        } finally {
          await close(other);
        }
      },
      SLOW,
    );
  });
});
