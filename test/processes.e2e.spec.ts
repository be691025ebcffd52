import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createDockerClient, LOCAL_IMAGES } from '@sandboxed/runtime-docker';
import { KubernetesRuntime, resolveKubernetesRuntimeOptions } from '@sandboxed/runtime-kubernetes';
import { LocalRuntime } from '@sandboxed/runtime-local';
import { HttpClient, readSse, waitFor, type SseEvent } from '@sandboxed/testing';
import { spawnGateway, type GatewayProcess } from './support/gateway.process.js';
import { describeWithDocker, dockerUnavailableReason } from './support/docker-engine.support.js';
import { kubeTarget } from './support/kube-fake.support.js';
import { WsTestClient } from './support/ws-test.client.js';

const ALICE = { authorization: 'Bearer k_alice' };
/** Live in-sandbox log readers, from /proc; `[l]` keeps this command out of the count, and the
 * docker runtime's exec wrappers (whose command lines repeat the argv) are left out. */
const COUNT_LOG_READERS =
  'for p in /proc/[0-9]*; do tr "\\0\\n" "  " <"$p/cmdline" 2>/dev/null; echo; done | grep -v " sandboxed-[e]xec " | grep -c "sandboxed-[l]ogs " || true';
/** Reads an SSE response in the background; the test polls `events`. */
class SseCollector {
  readonly events: SseEvent[] = [];
  ended = false;
  failed?: unknown;
  constructor(res: Response) {
    void (async () => {
      try {
        for await (const e of readSse(res)) this.events.push(e);
      } catch (err) {
        this.failed = err;
      } finally {
        this.ended = true;
      }
    })();
  }
  outputs(): Array<{ line: number; data: string; cursor: number }> {
    return this.events.filter((e) => e.event === 'output').map((e) => e.data);
  }
}

interface RuntimeSetup {
  config(dataDir: string): Record<string, unknown>;
  plugin(dataDir: string): string | { use: string; options?: Record<string, unknown> };
  sandbox: Record<string, unknown>;
  destroy(dataDir: string, sandboxId: string): Promise<void>;
  /** Whether a second gateway may share the runtime (local: one gateway per data dir). */
  replicas: boolean;
}

/**
 * The acceptance story, with real gateway processes on the local runtime: a background web server,
 * an exposed port, logs over SSE and WebSocket, kill; then a gateway SIGKILLed mid-stream, a
 * second replica and a restart that resume the log exactly where the reader left off.
 */
function acceptance(setup: RuntimeSetup): void {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandboxed-acceptance-'));
  const overrides = {
    server: { host: '127.0.0.1', port: 0 },
    log: { level: 'warn' },
    auth: { apiKeys: { k_alice: 'alice' } },
    ...setup.config(dataDir),
    plugins: [
      setup.plugin(dataDir),
      'capability-shell',
      'transport-rest',
      'capability-processes',
      'capability-ports',
      'transport-ws',
    ],
  };
  const gateways: GatewayProcess[] = [];
  const start = async (): Promise<GatewayProcess> => {
    const gw = await spawnGateway({ overrides });
    gateways.push(gw);
    return gw;
  };
  let gw: GatewayProcess;
  let api: HttpClient;
  let id: string;

  beforeAll(async () => {
    gw = await start();
    api = new HttpClient(gw.url, ALICE);
    id = await api.createSandbox(setup.sandbox);
  }, 300_000);

  afterAll(async () => {
    for (const g of gateways) await g.kill('SIGKILL');
    // Sandboxes outlive gateways by design: remove them through the engine.
    if (id) await setup.destroy(dataDir, id);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves a background python web server through an exposed port, streams its logs over SSE and WebSocket, and kills it', async () => {
    await api.post(`/v1/sandboxes/${id}/exec`, { command: "printf 'hello from the sandbox\\n' > hello.txt" });
    const web = await api.post(`/v1/sandboxes/${id}/processes`, {
      command: 'python3 -m http.server 8000 --bind 127.0.0.1',
      name: 'web',
    });
    expect(web.status).toBe(201);
    const pid = web.body.id;
    const exposed = await api.post(`/v1/sandboxes/${id}/ports`, { port: 8000 });
    expect(exposed.body.url).toBe(`/v1/sandboxes/${id}/ports/8000/`);
    const fetchFile = (query = '') => fetch(`${gw.url}${exposed.body.url}hello.txt${query}`, { headers: ALICE });
    await waitFor(async () => (await fetchFile()).status === 200, {
      what: 'the web server to answer through the proxy',
    });
    const file = await fetchFile();
    expect(await file.text()).toBe('hello from the sandbox\n');

    const sse = new SseCollector(
      await fetch(`${gw.url}/v1/sandboxes/${id}/processes/${pid}/logs/stream?cursor=0`, { headers: ALICE }),
    );
    const ws = await WsTestClient.connect(`${gw.url.replace('http', 'ws')}/v1/ws`, ALICE);
    ws.send({
      id: 'logs',
      op: 'process.logs.stream',
      sandboxId: id,
      input: { processId: pid, cursor: 0 },
      stream: true,
    });
    const wsEvents: any[] = [];
    for (let n = 1; n <= 5; n++) expect((await fetchFile(`?n=${n}`)).status).toBe(200);
    const logged = (events: Array<{ data: string }>) =>
      [1, 2, 3, 4, 5].every((n) => events.some((e) => e.data.includes(`GET /hello.txt?n=${n} `)));
    await waitFor(() => logged(sse.outputs()), { what: 'the requests in the SSE log stream' });
    while (!logged(wsEvents)) wsEvents.push((await ws.next((f) => f.id === 'logs')).event);

    // Both transports carry the same numbered lines, in order, each once.
    const sseLines = sse.outputs().map((e) => [e.line, e.data]);
    const wsLines = wsEvents.map((e) => [e.line, e.data]);
    const common = Math.min(sseLines.length, wsLines.length);
    expect(wsLines.slice(0, common)).toEqual(sseLines.slice(0, common));
    sseLines.forEach(([line], i) => expect(line).toBe(i));
    expect(
      sse
        .outputs()
        .filter((e) => /hello\.txt\?n=\d/.test(e.data))
        .map((e) => /n=(\d)/.exec(e.data)![1]),
    ).toEqual(['1', '2', '3', '4', '5']);

    const killed = await api.post(`/v1/sandboxes/${id}/processes/${pid}/kill`, { signal: 'SIGTERM' });
    expect(killed.body).toMatchObject({
      status: 'killed',
      exitCode: 143,
      signal: 'SIGTERM',
      endedAt: expect.any(String),
    });
    await waitFor(() => sse.ended, { what: 'the SSE stream to end' });
    expect(sse.events.at(-1)).toEqual({
      event: 'exit',
      data: expect.objectContaining({ status: 'killed', exitCode: 143, signal: 'SIGTERM' }),
    });
    const tail = await ws.collect('logs');
    expect(tail.at(-2).event).toMatchObject({ type: 'exit', status: 'killed', exitCode: 143 });
    expect(tail.at(-1)).toEqual({ id: 'logs', end: true });
    expect((await api.get(`/v1/sandboxes/${id}/processes/${pid}`)).body).toMatchObject({
      status: 'killed',
      exitCode: 143,
    });
    expect((await fetchFile()).status).toBe(502);
    ws.close();
  }, 120_000);

  it('keeps a process and its log through a SIGKILLed gateway; a replica and a restarted gateway resume the stream exactly', async () => {
    const counter = await api.post(`/v1/sandboxes/${id}/processes`, {
      command: 'i=0; while [ ! -e /workspace/stop ]; do i=$((i+1)); echo "tick $i"; sleep 0.02; done; echo done',
      name: 'counter',
    });
    const pid = counter.body.id;
    const first = new SseCollector(
      await fetch(`${gw.url}/v1/sandboxes/${id}/processes/${pid}/logs/stream`, { headers: ALICE }),
    );
    await waitFor(() => first.outputs().length >= 20, { what: 'twenty lines on the first stream' });

    // A second replica on the same engine sees the process while the first still runs; on the
    // local runtime a second gateway on the same data dir is refused, so the restart observes.
    let replica: GatewayProcess | undefined;
    if (setup.replicas) {
      replica = await start();
    } else {
      await expect(start()).rejects.toThrow(/in use by another gateway/);
    }
    let viaReplica = replica ? new HttpClient(replica.url, ALICE) : api;
    const listed = (await viaReplica.get(`/v1/sandboxes/${id}/processes?status=running`)).body.processes;
    expect(listed.map((p: { id: string }) => p.id)).toContain(pid);

    const readers = async () =>
      Number((await viaReplica.post(`/v1/sandboxes/${id}/exec`, { command: COUNT_LOG_READERS })).body.stdout);
    expect(await readers()).toBe(1);
    await gw.kill('SIGKILL');
    await waitFor(() => first.ended, { what: 'the first stream to break' });
    const early = replica ? undefined : await start();
    if (early) viaReplica = new HttpClient(early.url, ALICE);
    const seen = first.outputs();
    const cursor = seen.at(-1)!.cursor;
    // The dead gateway's reader inside the sandbox notices (its next write fails) and stops.
    await waitFor(async () => (await readers()) === 0, { what: 'the orphaned log reader to stop', timeoutMs: 20_000 });

    // The process kept running without any gateway attached to it.
    const progressed = await waitFor(
      async () => {
        const info = (await viaReplica.get(`/v1/sandboxes/${id}/processes/${pid}`)).body;
        return info.status === 'running' && info.lines > cursor + 20 ? info : undefined;
      },
      { what: 'the process to keep logging while its gateway is dead' },
    );
    expect(progressed.status).toBe('running');
    await replica?.kill('SIGKILL');

    const restarted = early ?? (await start());
    const resumed = new SseCollector(
      await fetch(`${restarted.url}/v1/sandboxes/${id}/processes/${pid}/logs/stream?cursor=${cursor}`, {
        headers: ALICE,
      }),
    );
    await waitFor(() => resumed.outputs().length >= 5, { what: 'the resumed stream' });
    await new HttpClient(restarted.url, ALICE).post(`/v1/sandboxes/${id}/exec`, { command: 'touch /workspace/stop' });
    await waitFor(() => resumed.ended, { what: 'the resumed stream to end', timeoutMs: 30_000 });
    expect(resumed.failed).toBeUndefined();
    expect(resumed.events.at(-1)).toEqual({
      event: 'exit',
      data: expect.objectContaining({ status: 'exited', exitCode: 0 }),
    });

    const all = [...seen, ...resumed.outputs()];
    all.forEach((e, i) => {
      expect(e.line).toBe(i);
      expect(e.cursor).toBe(i + 1);
    });
    const texts = all.map((e) => e.data);
    expect(texts.at(-1)).toBe('done\n');
    expect(texts.slice(0, -1)).toEqual(texts.slice(0, -1).map((_, i) => `tick ${i + 1}\n`));
    expect(texts.length).toBeGreaterThan(cursor + 20);
  }, 180_000);
}

describe('background processes survive the gateway (local runtime, gateway processes)', () =>
  acceptance({
    config: () => ({}),
    plugin: (dataDir) => ({ use: 'runtime-local', options: { dataDir } }),
    sandbox: {},
    destroy: async (dataDir, sandboxId) =>
      new LocalRuntime({ dataDir, isolation: 'bwrap', network: 'none' }).destroy(sandboxId),
    replicas: false,
  }));

describeWithDocker(
  'background processes survive the gateway (docker runtime, gateway processes)',
  await dockerUnavailableReason([LOCAL_IMAGES.python]),
  () =>
    acceptance({
      config: () => ({ runtime: { default: 'docker' } }),
      plugin: () => 'runtime-docker',
      sandbox: { template: 'python' },
      replicas: true,
      destroy: async (_dataDir, sandboxId) => {
        await createDockerClient()
          .docker.getContainer(`sandboxed-${sandboxId}`)
          .remove({ force: true, v: true })
          .catch(() => undefined);
      },
    }),
);

const kube = await kubeTarget([LOCAL_IMAGES.python]);
describeWithDocker(
  'background processes survive the gateway (kubernetes runtime, fake API server, gateway processes)',
  kube.unavailable,
  () =>
    acceptance({
      config: () => ({ runtime: { default: 'kubernetes' } }),
      plugin: () => kube.plugin,
      sandbox: { template: 'python' },
      replicas: true,
      destroy: async (_dataDir, sandboxId) =>
        new KubernetesRuntime(resolveKubernetesRuntimeOptions({ kubeconfig: kube.kubeconfig })).destroy(sandboxId),
    }),
);
