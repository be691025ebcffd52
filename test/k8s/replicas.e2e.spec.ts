import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { LOCAL_IMAGES } from '@sandboxed/plugin-sdk';
import { HttpClient, readSse, waitFor, type SseEvent } from '@sandboxed/testing';
import { describeWithDocker } from '../support/docker-engine.support.js';
import { spawnGateway, type GatewayProcess } from '../support/gateway.process.js';
import { kubeTarget } from '../support/kube-fake.support.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../support/round-robin.proxy.js';
import { WsTestClient } from '../support/ws-test.client.js';

const ALICE = { authorization: 'Bearer k_alice' };
const REPLICAS = 3;
const kube = await kubeTarget([LOCAL_IMAGES.python]);

/** The upstream that served the last request through the proxy. */
const lastUpstream = (proxy: RoundRobinProxy): number => proxy.served.at(-1)!.upstream;

async function sseUntil(res: Response, done: (events: SseEvent[]) => boolean): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const e of readSse(res)) {
    events.push(e);
    if (done(events)) break;
  }
  return events;
}

describeWithDocker(
  'three gateway replicas on one cluster (fake API server) behind a round-robin proxy',
  kube.unavailable,
  () => {
    const gateways: GatewayProcess[] = [];
    let proxy: RoundRobinProxy;
    let api: HttpClient;

    beforeAll(async () => {
      const overrides = {
        server: { host: '127.0.0.1', port: 0 },
        log: { level: 'info' },
        auth: { apiKeys: { k_alice: 'alice' } },
        runtime: { default: 'kubernetes' },
        sandbox: { reapIntervalSeconds: 1 },
        plugins: [
          kube.plugin,
          'capability-shell',
          'transport-rest',
          'capability-processes',
          'capability-ports',
          { use: 'transport-ws', options: { ticketSecret: randomBytes(32).toString('hex') } },
        ],
      };
      for (let i = 0; i < REPLICAS; i++) gateways.push(await spawnGateway({ overrides }));
      proxy = await startRoundRobinProxy(gateways.map((g) => g.url));
      api = new HttpClient(proxy.url, ALICE);
    }, 180_000);

    afterAll(async () => {
      await proxy?.close();
      for (const g of gateways) await g.kill('SIGKILL');
    }, 60_000);

    it('creates on one replica, execs on the next, resumes a process log on the third and serves a port through any', async () => {
      const id = await api.createSandbox({ template: 'python' });
      const createdOn = lastUpstream(proxy);
      const exec = await api.post(`/v1/sandboxes/${id}/exec`, { command: 'echo hi > hello.txt; hostname' });
      expect(exec.body).toMatchObject({ exitCode: 0, stdout: 'sandbox\n' });
      expect(lastUpstream(proxy)).not.toBe(createdOn);

      const counter = await api.post(`/v1/sandboxes/${id}/processes`, {
        command: 'i=0; while [ ! -e /workspace/stop ]; do i=$((i+1)); echo "tick $i"; sleep 0.02; done; echo done',
        name: 'counter',
      });
      expect(counter.status).toBe(201);
      const pid = counter.body.id;
      const streamUrl = (cursor: number) =>
        `${proxy.url}/v1/sandboxes/${id}/processes/${pid}/logs/stream?cursor=${cursor}`;
      const first = await sseUntil(await fetch(streamUrl(0), { headers: ALICE }), (e) => e.length >= 10);
      const firstOn = lastUpstream(proxy);
      const cursor = first.at(-1)!.data.cursor as number;
      const resumed = await sseUntil(await fetch(streamUrl(cursor), { headers: ALICE }), (e) => e.length >= 10);
      expect(lastUpstream(proxy)).not.toBe(firstOn);
      // The second replica carries on exactly where the first stopped: no line lost or repeated.
      [...first, ...resumed].forEach((e, i) => {
        expect(e.event).toBe('output');
        expect(e.data.line).toBe(i);
        expect(e.data.data).toBe(`tick ${i + 1}\n`);
      });
      await api.post(`/v1/sandboxes/${id}/exec`, { command: 'touch /workspace/stop' });

      const web = await api.post(`/v1/sandboxes/${id}/processes`, {
        command: 'python3 -m http.server 8000 --bind 127.0.0.1',
        name: 'web',
      });
      expect(web.status).toBe(201);
      const exposed = await api.post(`/v1/sandboxes/${id}/ports`, { port: 8000 });
      expect(exposed.status).toBe(200);
      await waitFor(
        async () => (await fetch(`${proxy.url}${exposed.body.url}hello.txt`, { headers: ALICE })).status === 200,
        {
          what: 'the web server to answer through the proxy',
        },
      );
      const servedBy = new Set<number>();
      for (let i = 0; i < REPLICAS; i++) {
        const res = await fetch(`${proxy.url}${exposed.body.url}hello.txt`, { headers: ALICE });
        expect(await res.text()).toBe('hi\n');
        servedBy.add(lastUpstream(proxy));
      }
      expect(servedBy.size).toBe(REPLICAS);
      expect((await api.delete(`/v1/sandboxes/${id}`)).status).toBe(204);
    }, 180_000);

    it('accepts a WebSocket ticket from one replica on another, and the replica that took it refuses it again', async () => {
      const id = await api.createSandbox({ template: 'python' });
      const { ticket } = (await api.post('/v1/ws/ticket')).body;
      const issuedOn = lastUpstream(proxy);
      const wsUrl = `${proxy.url.replace('http', 'ws')}/v1/ws`;
      const socket = await WsTestClient.connect(wsUrl);
      const redeemedOn = lastUpstream(proxy);
      expect(redeemedOn).not.toBe(issuedOn);
      socket.send({ ticket });
      socket.send({ id: 1, op: 'sandbox.get', sandboxId: id, input: {} });
      expect(await socket.next((f) => f.id === 1)).toMatchObject({ id: 1, result: { id } });
      socket.close();

      // Round robin: the socket after REPLICAS - 1 others lands on the replica that redeemed it.
      for (let i = 0; i < REPLICAS - 1; i++) (await WsTestClient.connect(wsUrl)).close();
      const replay = await WsTestClient.connect(wsUrl);
      expect(lastUpstream(proxy)).toBe(redeemedOn);
      replay.send({ ticket });
      expect(await replay.next()).toMatchObject({
        error: { code: 'unauthorized', message: expect.stringMatching(/already used/) },
      });
      await api.delete(`/v1/sandboxes/${id}`);
    }, 120_000);

    it('reaps each expired sandbox exactly once between the replicas', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push(await api.createSandbox({ template: 'base', ttlSeconds: 2 }));
      const paths = ids.map((id) => `/api/v1/namespaces/sandboxed/pods/sandbox-${id}`);
      const deleted = (path: string) =>
        kube.fake().requests.some((r) => r.method === 'DELETE' && r.path === path && r.status === 200);
      await waitFor(() => paths.every(deleted), {
        what: 'the replicas to reap the expired sandboxes',
        timeoutMs: 30_000,
      });
      expect((await kube.podNames()).filter((n) => paths.some((p) => p.endsWith(`/${n}`)))).toEqual([]);
      for (const id of ids) expect((await api.get(`/v1/sandboxes/${id}`)).status).toBe(404);
      // Every replica lists (and would reap) twice more after the deletions: a second delete would show.
      const lists = () =>
        kube.fake().requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/sandboxed/pods').length;
      const after = lists();
      await waitFor(() => lists() >= after + 2 * REPLICAS, { what: 'two more reaper passes on every replica' });
      for (const path of paths) {
        const deletes = kube.fake().requests.filter((r) => r.method === 'DELETE' && r.path === path);
        expect(deletes.filter((r) => r.status === 200)).toHaveLength(1);
        expect(deletes.every((r) => [200, 404, 409].includes(r.status))).toBe(true);
      }
      // More than one replica tried: the refusals were absorbed, not reported.
      for (const g of gateways) expect(g.output()).not.toMatch(/Could not reap sandbox/);
    }, 90_000);
  },
);
