import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HttpClient, startTestGateway, type TestGateway } from '@sandboxed/testing';

const ROUNDS = 30;
const PER_ROUND = 30;

/**
 * Operations racing a DELETE of their sandbox: each one either completes or finds the sandbox
 * gone (404), never an internal error.
 */
describe('operations racing a DELETE (local runtime)', () => {
  let gw: TestGateway;
  let api: HttpClient;
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'capability-files', 'transport-rest'],
    });
    api = new HttpClient(gw.url);
  });
  afterAll(async () => gw?.close());

  it('answers exec and files calls 200 or 404 while the sandbox is being deleted', async () => {
    const statuses: number[] = [];
    const failures: unknown[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const id = await api.createSandbox();
      const sb = `/v1/sandboxes/${id}`;
      const call = (i: number) =>
        i % 3 === 0
          ? api.post(`${sb}/exec`, { command: 'echo hi > out.txt; cat out.txt' })
          : i % 3 === 1
            ? api.post(`${sb}/files/write`, { path: `f${i}.txt`, content: 'x'.repeat(1000) })
            : api.post(`${sb}/files/read`, { path: 'out.txt' });
      const calls = Array.from({ length: PER_ROUND }, (_, i) => call(i));
      // The DELETE goes out while the calls above are in flight, and more calls follow it until it is done.
      let done = false;
      const deleted = api.delete(sb).finally(() => (done = true));
      for (let i = 0; !done; i++) {
        calls.push(call(i));
        await new Promise((resolve) => setImmediate(resolve)); // lets this call's request go out before the next
      }
      for (const res of await Promise.all(calls)) {
        statuses.push(res.status);
        if (res.status >= 500) failures.push(res.body);
      }
      expect((await deleted).status).toBe(204);
      expect((await api.get(sb)).status).toBe(404);
    }
    expect(failures).toEqual([]);
    // 404 for a missing file (read before any write) is fine too; 409 would be a conflict the runtime names.
    for (const status of statuses) expect([200, 404, 409]).toContain(status);
    // 900 calls and 30 creates: minutes on per-call exec (CI's agent-off pass) on a loaded machine.
  }, 400_000);
});
