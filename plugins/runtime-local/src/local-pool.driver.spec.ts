import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { collectOutput, type PoolMember } from '@sandboxed/plugin-sdk';
import { sandboxSpec } from '@sandboxed/testing';
import { LocalRuntime } from './local.runtime.js';
import { isOurHolderProcess } from './holder.process.js';
import { POOL_SWEEP_GRACE_MS } from './local-pool.driver.js';
import { poolEntry, slotName } from './pool-entry.names.js';

const quiet = { warn: () => undefined };
const TEMPLATE = 'base';
const fillSpec = () => ({
  template: TEMPLATE,
  resources: { cpu: 1, memoryMb: 256, pids: 128, diskMb: 64 },
  expiresAt: new Date(Date.now() + 3600_000),
});

describe('local warm pool driver', () => {
  let dataDir: string;
  let runtime: LocalRuntime;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sbx-local-pool-'));
    runtime = new LocalRuntime({ dataDir, isolation: 'bwrap', network: 'none' }, quiet);
  });
  afterEach(async () => {
    for (const m of await runtime.pool.members()) await runtime.pool.recycle(m.key);
    for (const s of await runtime.list()) await runtime.destroy(s.id);
    await runtime.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const holderOf = async (name: string) =>
    (JSON.parse(await readFile(join(dataDir, name, 'meta.json'), 'utf8')) as { holder: { childPid: number } }).holder;
  const sh = async (rt: LocalRuntime, id: string, script: string) =>
    (
      await collectOutput(await rt.exec(id, { argv: ['sh', '-c', script] }), { maxOutputBytes: 65536 })
    ).stdout.toString();

  it('a member runs, belongs to nobody, and becomes exactly the sandbox one claim describes', async () => {
    const member = await runtime.pool.fill(fillSpec());
    expect(member).toMatchObject({ template: TEMPLATE, status: 'running' });
    expect(await runtime.pool.members()).toEqual([expect.objectContaining({ key: member.key, status: 'running' })]);
    expect(await runtime.list()).toEqual([]);
    for (const guess of [member.key, slotName(member.key), poolEntry(member.key)]) {
      expect(await runtime.get(guess)).toBeUndefined();
    }
    const holder = await holderOf(poolEntry(member.key));
    expect(await isOurHolderProcess(holder.childPid, slotName(member.key))).toBe(true);

    const spec = sandboxSpec('alice', { template: TEMPLATE, labels: { team: 'blue' } });
    const other = sandboxSpec('bob', { template: TEMPLATE });
    const [won, lost] = await Promise.all([
      runtime.pool.claim(member.key, spec),
      runtime.pool.claim(member.key, other),
    ]);
    expect(lost).toBeUndefined();
    expect(won).toMatchObject({ id: spec.id, owner: 'alice', labels: { team: 'blue' }, status: 'running' });
    expect(await runtime.pool.members()).toEqual([]);
    expect((await runtime.list()).map((s) => s.id)).toEqual([spec.id]);
    expect(await runtime.get(other.id)).toBeUndefined();
    // The same holder (nothing was restarted), now serving the sandbox's execs.
    expect((await holderOf(spec.id)).childPid).toBe(holder.childPid);
    expect(await sh(runtime, spec.id, 'echo hi > /workspace/f; cat /workspace/f; id -u')).toMatch(/^hi\n\d+\n$/);
    // Its bounded workspace volume moved with the directory: mounted at the sandbox's path now.
    const mounts = () => readFile('/proc/self/mounts', 'utf8');
    expect(await mounts()).toContain(join(dataDir, spec.id, 'workspace'));
    expect(Number((await sh(runtime, spec.id, "df -k /workspace | tail -1 | awk '{print $2}'")).trim())).toBeLessThan(
      70_000,
    );
    expect(await runtime.pool.recycle(member.key)).toBe(false);
    expect(await runtime.pool.claim(member.key, sandboxSpec('carol'))).toBeUndefined();

    await runtime.destroy(spec.id);
    expect(await isOurHolderProcess(holder.childPid, slotName(member.key))).toBe(false);
    expect(await readdir(dataDir)).not.toContain(spec.id);
    expect(await mounts()).not.toContain(dataDir);
  });

  it('of a claim and a recycle racing for one member exactly one wins', async () => {
    const members: PoolMember[] = [];
    for (let i = 0; i < 4; i++) members.push(await runtime.pool.fill(fillSpec()));
    const outcomes = await Promise.all(
      members.map(async (m) => {
        const [claimed, recycled] = await Promise.all([
          runtime.pool.claim(m.key, sandboxSpec('alice')),
          runtime.pool.recycle(m.key),
        ]);
        return Number(claimed !== undefined) + Number(recycled);
      }),
    );
    expect(outcomes).toEqual([1, 1, 1, 1]);
    expect(await runtime.pool.members()).toEqual([]);
  });

  it('a restarted runtime keeps claimed sandboxes claimed and owned, and unclaimed members in the pool', async () => {
    const [a, b] = [await runtime.pool.fill(fillSpec()), await runtime.pool.fill(fillSpec())];
    const spec = sandboxSpec('alice', { labels: { kept: 'yes' } });
    await runtime.pool.claim(a.key, spec);
    await sh(runtime, spec.id, 'echo mine > /workspace/marker');
    await runtime.close();

    runtime = new LocalRuntime({ dataDir, isolation: 'bwrap', network: 'none' }, quiet);
    await runtime.start();
    expect(await runtime.get(spec.id)).toMatchObject({ owner: 'alice', labels: { kept: 'yes' }, status: 'running' });
    expect(await runtime.list({ owner: 'bob' })).toEqual([]);
    expect(await sh(runtime, spec.id, 'cat /workspace/marker')).toBe('mine\n');
    expect((await runtime.pool.members()).map((m) => m.key)).toEqual([b.key]);
    expect(await runtime.pool.claim(a.key, sandboxSpec('bob'))).toBeUndefined();
  });

  it('a sweep removes a claim cut short between its rename and its record, once the grace has passed', async () => {
    const member = await runtime.pool.fill(fillSpec());
    const holder = await holderOf(poolEntry(member.key));
    const id = sandboxSpec('alice').id;
    // What a gateway killed right after the exclusive rename leaves: the member's own record under the new name.
    await rename(join(dataDir, poolEntry(member.key)), join(dataDir, id));
    expect(await runtime.get(id)).toBeUndefined();
    expect(await runtime.list()).toEqual([]);
    expect(await runtime.pool.members()).toEqual([]);

    await runtime.pool.sweep();
    expect(existsSync(join(dataDir, id))).toBe(true);
    await runtime.pool.sweep(Date.now() + POOL_SWEEP_GRACE_MS + 1000);
    expect(existsSync(join(dataDir, id))).toBe(false);
    expect(await isOurHolderProcess(holder.childPid, slotName(member.key))).toBe(false);
  });
});
