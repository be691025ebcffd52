import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import * as tar from 'tar-stream';
import type { V1Pod } from '@kubernetes/client-node';
import { INSTANCE_LABEL, OWNER_PID_LABEL, POD_LABEL } from './fake-pod.containers.js';

/**
 * emptyDirs that more than one container of a pod mounts (an init container filling a volume the
 * app container reads) must outlive each container, so they are Docker volumes: local-driver
 * directories on the engine's disk, created before the first container starts and removed with
 * the pod. (A tmpfs-typed volume would not do: the local driver unmounts it, and loses its
 * contents, when its last running container stops.) An emptyDir only one container mounts stays
 * a tmpfs (fake-pod.containers.ts), which is what bounds it by sizeLimit; a shared one is not
 * bounded here, where a kubelet would evict the pod that overfills it.
 *
 * A kubelet creates every emptyDir world-writable (0777). A new Docker volume is root 0755, and
 * the engine copies an image directory's mode onto an empty volume mounted there when a container
 * is created: so each volume is mounted once into a created-never-started container of a one-
 * directory image, `/emptydir` 0777, that the fake imports itself (nothing is pulled).
 */
const MODE_IMAGE = 'sandboxed/fake-kube-emptydir:1';
const MODE_DIR = '/emptydir';

let modeImage: Promise<void> | undefined;

/** Which of the pod's emptyDir volumes are mounted by more than one of its containers (init ones too). */
export function sharedEmptyDirs(pod: V1Pod): Set<string> {
  const emptyDirs = new Set((pod.spec?.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name));
  const users = new Map<string, number>();
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const name of new Set((c.volumeMounts ?? []).map((m) => m.name))) {
      if (emptyDirs.has(name)) users.set(name, (users.get(name) ?? 0) + 1);
    }
  }
  return new Set([...users].filter(([, n]) => n > 1).map(([name]) => name));
}

export function volumeName(instance: string, pod: V1Pod, volume: string): string {
  return `fake-kube-${instance}-${pod.metadata!.uid}-${volume}`;
}

async function ensureModeImage(docker: Dockerode): Promise<void> {
  const present = await docker
    .getImage(MODE_IMAGE)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (present) return;
  const pack = tar.pack();
  pack.entry({ name: `${MODE_DIR.slice(1)}/`, type: 'directory', mode: 0o777, uid: 0, gid: 0 });
  pack.finalize();
  const [repo, tag] = MODE_IMAGE.split(':') as [string, string];
  const progress = await docker.importImage(Readable.from(pack) as unknown as NodeJS.ReadableStream, { repo, tag });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(progress, (err: Error | null) => (err ? reject(err) : resolve())),
  );
}

/** Creates the pod's shared emptyDirs, each 0777 and empty; returns volume name → Docker volume. */
export async function createSharedVolumes(
  docker: Dockerode,
  instance: string,
  pod: V1Pod,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const shared = sharedEmptyDirs(pod);
  if (shared.size === 0) return out;
  modeImage ??= ensureModeImage(docker).catch((err: unknown) => {
    modeImage = undefined;
    throw err;
  });
  await modeImage;
  const labels = {
    [INSTANCE_LABEL]: instance,
    [OWNER_PID_LABEL]: String(process.pid),
    [POD_LABEL]: `${pod.metadata!.namespace}/${pod.metadata!.name}`,
  };
  for (const volume of shared) {
    const name = volumeName(instance, pod, volume);
    await docker.createVolume({ Name: name, Labels: labels });
    const setup = await docker.createContainer({
      Image: MODE_IMAGE,
      Cmd: ['/none'],
      Labels: labels,
      HostConfig: { Mounts: [{ Type: 'volume', Source: name, Target: MODE_DIR }], NetworkMode: 'none' },
    });
    await setup.remove({ force: true });
    out.set(volume, name);
  }
  return out;
}

/** Removes every volume whose labels `select` picks (a pod's on delete, a fake's own on close, dead fakes'). */
export async function reapVolumes(
  docker: Dockerode,
  select: (labels: Record<string, string>) => boolean,
): Promise<number> {
  const listed = await docker.listVolumes({ filters: { label: [INSTANCE_LABEL] } }).catch(() => undefined);
  const mine = (listed?.Volumes ?? []).filter((v) => select(v.Labels ?? {}));
  await Promise.all(
    mine.map((v) =>
      docker
        .getVolume(v.Name)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
  return mine.length;
}
