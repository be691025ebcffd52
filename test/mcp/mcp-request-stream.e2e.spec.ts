import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client as V2Client, StreamableHTTPClientTransport as V2HttpTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1HttpTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { RawMcpHttp, readSse, startTestGateway, structuredOf, waitFor, type TestGateway } from '@sandboxed/testing';

const SLOW = 120_000;
const MODERN = '2026-07-28';
const info = { name: 'request-stream-test', version: '0.0.0' };
const envelope = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': info,
};

type AnyClient = V1Client | V2Client;
const ERAS: Array<{ era: string; connect(url: string): Promise<AnyClient> }> = [
  {
    era: '2025-11-25 (v1 SDK client, session)',
    async connect(url) {
      const client = new V1Client(info);
      await client.connect(new V1HttpTransport(new URL(url)));
      return client;
    },
  },
  {
    era: `${MODERN} (v2 SDK client, stateless)`,
    async connect(url) {
      const client = new V2Client(info, { versionNegotiation: { mode: { pin: MODERN } } });
      await client.connect(new V2HttpTransport(new URL(url)));
      return client;
    },
  },
];

/** What goes on a tool call's own stream while it runs, and what closing that stream does. */
describe("MCP: a call's own stream carries its output as it arrives; closing it cancels the call", () => {
  let gw: TestGateway;
  let admin: V1Client;
  let sandboxId: string;
  const call = (client: AnyClient, name: string, args: Record<string, unknown>) =>
    client.callTool({ name, arguments: { sandbox_id: sandboxId, ...args } });
  const processes = async () =>
    (structuredOf(await call(admin, 'process_list', {})) as { processes: Array<Record<string, any>> }).processes;

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'capability-files', 'capability-processes', 'transport-mcp'],
    });
    admin = (await ERAS[0].connect(`${gw.url}/mcp/full`)) as V1Client;
    sandboxId = structuredOf(await call(admin, 'sandbox_create', {})).id;
  }, SLOW);
  afterAll(async () => {
    await admin?.close();
    await gw?.close();
  }, SLOW);

  describe.each(ERAS.slice(0, 1))('$era', ({ era, connect }) => {
    let client: AnyClient;
    beforeAll(async () => {
      client = await connect(`${gw.url}/mcp/full`);
    }, SLOW);
    afterAll(async () => client?.close(), SLOW);

    it(
      'process_logs_stream sends a line as a progress notification while the process still runs',
      async () => {
        const gate = `/tmp/go-${era.slice(0, 4)}`;
        // The process prints one line, then waits for a file only the test writes after it saw that line.
        const started = structuredOf(
          await call(admin, 'process_start', {
            command: `echo first; while [ ! -f ${gate} ]; do sleep 0.05; done; echo second`,
          }),
        ) as { id: string };
        let sawFirst!: () => void;
        const first = new Promise<void>((resolve) => (sawFirst = resolve));
        const messages: string[] = [];
        const pending = client.callTool(
          { name: 'process_logs_stream', arguments: { sandbox_id: sandboxId, process_id: started.id } },
          undefined,
          {
            timeout: SLOW,
            resetTimeoutOnProgress: true,
            onprogress: (p: { message?: string }) => {
              messages.push(p.message ?? '');
              if (p.message === 'first\n') sawFirst();
            },
          },
        );
        let settled = false;
        void pending.then(() => (settled = true)).catch(() => (settled = true));
        await first;
        expect(settled).toBe(false);
        const info = structuredOf(await call(admin, 'process_get', { process_id: started.id })) as { status: string };
        expect(info.status).toBe('running');
        await call(admin, 'shell_exec', { command: `touch ${gate}`, timeoutMs: 5000 });
        const result = structuredOf(await pending) as { stdout: string; exitCode: number };
        expect(result).toMatchObject({ stdout: 'first\nsecond\n', exitCode: 0 });
        expect(messages).toEqual(['first\n', 'second\n']);
      },
      SLOW,
    );
  });

  it(
    `${MODERN}: process_logs_stream sends a line on the call's own stream while the process still runs`,
    async () => {
      // Over plain HTTP: the v2 SDK client (2.4) sends no progressToken on a 2026-07-28 callTool, so its
      // onprogress never fires; the server's stream is read as the spec has it.
      const gate = '/tmp/go-modern-raw';
      const started = structuredOf(
        await call(admin, 'process_start', {
          command: `echo first; while [ ! -f ${gate} ]; do sleep 0.05; done; echo second`,
        }),
      ) as { id: string };
      const res = await fetch(`${gw.url}/mcp/full`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': MODERN,
          'mcp-method': 'tools/call',
          'mcp-name': 'process_logs_stream',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: {
            name: 'process_logs_stream',
            arguments: { sandbox_id: sandboxId, process_id: started.id },
            _meta: { ...envelope, progressToken: 'logs' },
          },
        }),
      });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const progress: string[] = [];
      let result: Record<string, any> | undefined;
      for await (const event of readSse(res)) {
        const message = event.data as { method?: string; params?: { message?: string }; result?: any };
        if (message.method === 'notifications/progress') {
          progress.push(message.params?.message ?? '');
          if (message.params?.message === 'first\n') {
            const now = structuredOf(await call(admin, 'process_get', { process_id: started.id })) as {
              status: string;
            };
            expect(now.status).toBe('running');
            await call(admin, 'shell_exec', { command: `touch ${gate}`, timeoutMs: 5000 });
          }
        } else if (message.result) result = message.result;
      }
      expect(progress).toEqual(['first\n', 'second\n']);
      expect(result?.structuredContent).toMatchObject({ stdout: 'first\nsecond\n', exitCode: 0 });
    },
    SLOW,
  );

  describe('closing the stream of a running shell_exec kills its command', () => {
    const runThenClose = async (post: (body: object, signal: AbortSignal) => Promise<Response>, marker: string) => {
      const abort = new AbortController();
      // A 2026-07-28 answer without notifications is one JSON body, whose headers come with it: no awaiting here.
      const pending = post(
        {
          jsonrpc: '2.0',
          id: 7,
          method: 'tools/call',
          params: {
            name: 'shell_exec',
            arguments: { sandbox_id: sandboxId, command: `sleep 300 # ${marker}`, timeoutMs: 600_000 },
          },
        },
        abort.signal,
      );
      pending.catch(() => undefined);
      const running = await waitFor(
        async () => (await processes()).find((p) => p.status === 'running' && String(p.command).includes(marker))!,
        { what: 'the command to run' },
      );
      // Closes the stream: the connection for a pending JSON answer, the SSE body where it already streams.
      abort.abort();
      await pending.catch(() => undefined);
      await waitFor(async () => (await processes()).find((p) => p.id === running.id && p.status !== 'running'), {
        what: 'the command to be killed after its stream closed',
        timeoutMs: 20_000,
      });
    };

    it(
      '2025-11-25: the POST stream of a call on a session',
      async () => {
        const raw = new RawMcpHttp(`${gw.url}/mcp/full`);
        await raw.initialize('2025-11-25');
        await runThenClose(
          (body, signal) =>
            fetch(`${gw.url}/mcp/full`, {
              method: 'POST',
              signal,
              headers: {
                'content-type': 'application/json',
                accept: 'application/json, text/event-stream',
                'mcp-session-id': raw.sessionId!,
                'mcp-protocol-version': '2025-11-25',
              },
              body: JSON.stringify(body),
            }),
          'legacy-stream',
        );
      },
      SLOW,
    );

    it(
      `${MODERN}: the response stream of a stateless call`,
      async () => {
        await runThenClose(
          (body, signal) =>
            fetch(`${gw.url}/mcp/full`, {
              method: 'POST',
              signal,
              headers: {
                'content-type': 'application/json',
                accept: 'application/json, text/event-stream',
                'mcp-protocol-version': MODERN,
                'mcp-method': 'tools/call',
                'mcp-name': 'shell_exec',
              },
              body: JSON.stringify({ ...body, params: { ...(body as any).params, _meta: envelope } }),
            }),
          'modern-stream',
        );
      },
      SLOW,
    );
  });
});
