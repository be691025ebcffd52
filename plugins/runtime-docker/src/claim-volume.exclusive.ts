import type Docker from 'dockerode';
import { statusOf as httpStatusOf } from './docker-error.mapper.js';

type Call = <T>(work: Promise<T>, what: string) => Promise<T>;

/**
 * Creates the volume `name` with `labels` unless it exists, and says whether this call made it.
 * Docker registers a volume name once under a per-name lock and answers every later create of
 * that name with the volume that exists (201, its own labels; documented: "Docker assumes you
 * want to re-use the existing volume"), so of any number of racing creates exactly one gets back
 * its own `labels[winner]`. An engine that refuses the second create instead (409) loses it too.
 * Checked on this machine's engine (20.10.24): 200 rounds of 8 parallel creates, one winner each.
 */
export async function createExclusiveVolume(
  docker: Docker,
  call: Call,
  name: string,
  labels: Record<string, string>,
  winner: string,
): Promise<boolean> {
  // dockerode's createVolume drops the answer; the raw call keeps the labels the engine holds.
  const created = new Promise<{ Labels?: Record<string, string> | null }>((resolve, reject) =>
    docker.modem.dial(
      {
        path: '/volumes/create?',
        method: 'POST',
        options: { Name: name, Driver: 'local', Labels: labels },
        statusCodes: { 200: true, 201: true, 400: 'bad parameter', 409: 'conflict', 500: 'server error' },
      },
      (err, data) => (err ? reject(err) : resolve((data ?? {}) as { Labels?: Record<string, string> | null })),
    ),
  );
  try {
    const volume = await call(created, 'volume create');
    return volume.Labels?.[winner] === labels[winner];
  } catch (err) {
    if (httpStatusOf(err) === 409) return false;
    throw err;
  }
}
