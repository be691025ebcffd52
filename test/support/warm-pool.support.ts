import { expect } from '@jest/globals';
import type { HttpClient } from '@sandboxed/testing';

/**
 * Proves an exec ran in a sandbox of its own: each writes its id into a file that must not exist
 * yet, so two callers handed one sandbox would see each other's file.
 */
export async function claimMarker(api: HttpClient, id: string): Promise<void> {
  const res = await api.post(`/v1/sandboxes/${id}/exec`, {
    command: `test ! -e /tmp/owner && echo ${id} > /tmp/owner && cat /tmp/owner`,
  });
  expect({ id, status: res.status, stdout: res.body.stdout, exitCode: res.body.exitCode }).toEqual({
    id,
    status: 200,
    stdout: `${id}\n`,
    exitCode: 0,
  });
}

/**
 * A sandbox claimed from a pool looks made for its caller: the template and labels asked for, its
 * own createdAt and a ttl of 120 s from it (not the member's), found by label, invisible to carol.
 */
export async function expectClaimedAsCreated(
  owner: HttpClient,
  other: HttpClient,
  id: string,
  template: string,
  started: number,
): Promise<void> {
  const got = await owner.get(`/v1/sandboxes/${id}`);
  expect(got.body).toMatchObject({ id, template, labels: { team: 'blue' }, status: 'running' });
  const createdAt = Date.parse(got.body.createdAt);
  expect(createdAt).toBeGreaterThanOrEqual(started - 1000);
  expect(Date.parse(got.body.expiresAt) - createdAt).toBeGreaterThanOrEqual(119_000);
  expect(Date.parse(got.body.expiresAt) - createdAt).toBeLessThanOrEqual(121_000);
  const byLabel = await owner.get('/v1/sandboxes?labels=team=blue');
  expect(byLabel.body.sandboxes.map((s: { id: string }) => s.id)).toEqual([id]);
  expect((await other.get(`/v1/sandboxes/${id}`)).status).toBe(404);
  expect((await other.post(`/v1/sandboxes/${id}/exec`, { command: 'true' })).status).toBe(404);
  expect((await other.get('/v1/sandboxes')).body.sandboxes).toEqual([]);
}
