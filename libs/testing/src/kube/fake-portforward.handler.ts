import type { Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import { bridgeArgv } from '@sandboxed/plugin-sdk';
import { ChannelConnection } from './exec-channel.protocol.js';
import { demuxDocker } from './docker-stream.demux.js';
import { kubeErrors } from './kube-status.js';
import { killProcessTree } from './process-tree.kill.js';

/**
 * pods/portforward over WebSocket as the kubelet serves it
 * (pkg/kubelet/cri/streaming/portforward/websocket.go): for the i-th requested port, channel
 * 2i carries data and 2i+1 errors; right after the upgrade the server writes the port as a
 * uint16 little-endian on both. Client frames on 2i carry raw bytes (no port prefix). Each
 * port gets one connection to 127.0.0.1:port inside the pod's network namespace; when it
 * ends (or fails, after its error message), that port is done, and when every port is done
 * the socket closes.
 *
 * The in-pod connection is a `docker exec` of the SDK's port bridge (bash's /dev/tcp, python3
 * when the image has no bash) in the pod's first container, whose network namespace all its
 * containers share.
 */
/** The `ports` query (repeated or comma-separated), with the API server's 400s. */
export function parsePorts(q: URLSearchParams): number[] {
  const raw = q.getAll('ports');
  if (raw.length === 0) throw kubeErrors.badRequest('at least one port must be specified');
  const ports: number[] = [];
  for (const r of raw) {
    for (const p of r.split(',')) {
      const n = Number(p);
      if (!/^\d+$/.test(p) || n < 1 || n > 65535) {
        throw kubeErrors.badRequest(`port "${p}" is not valid: must be between 1 and 65535, inclusive`);
      }
      ports.push(n);
    }
  }
  return ports;
}

export interface PortForwardTarget {
  /** The pod's first container (its network namespace). */
  containerId: string;
  podUid: string;
}

export async function runPortForward(
  conn: ChannelConnection,
  docker: Dockerode,
  target: PortForwardTarget,
  ports: number[],
): Promise<void> {
  const streams: Array<Duplex | undefined> = ports.map(() => undefined);
  const queued: Buffer[][] = ports.map(() => []);
  const execs: Dockerode.Exec[] = [];
  let closed = false;

  conn.ws.on('message', (raw: Buffer, isBinary: boolean) => {
    const frame = conn.decode(raw, isBinary);
    if (!frame || frame.channel % 2 !== 0) return;
    const i = frame.channel / 2;
    if (i >= ports.length || frame.data.length === 0) return;
    const s = streams[i];
    if (s) s.write(frame.data);
    else queued[i]!.push(frame.data);
  });
  conn.ws.on('close', () => {
    closed = true;
    for (const s of streams) s?.destroy();
    for (const e of execs) {
      void e
        .inspect()
        .then((info) => info.Running && info.Pid && killProcessTree(info.Pid))
        .catch(() => undefined);
    }
  });

  for (const [i, port] of ports.entries()) {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    await conn.send(2 * i, prefix);
    await conn.send(2 * i + 1, prefix);
  }

  await Promise.all(
    ports.map(async (port, i) => {
      const refused = (): Promise<void> =>
        conn.send(
          2 * i + 1,
          `error forwarding port ${port} to pod ${target.containerId}, uid : failed to execute portforward in network namespace "/var/run/netns/cni-${target.podUid}": failed to connect to localhost:${port} inside namespace "${target.containerId}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `,
        );
      let stream: Duplex;
      try {
        const exec = await docker.getContainer(target.containerId).exec({
          Cmd: bridgeArgv(port),
          AttachStdin: true,
          AttachStdout: true,
          AttachStderr: true,
          Tty: false,
        });
        execs.push(exec);
        stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
      } catch {
        return refused();
      }
      stream.on('error', () => undefined);
      if (closed) {
        stream.destroy();
        return;
      }
      let connected = false;
      let failed = false;
      let errText = '';
      for await (const { stream: which, data } of demuxDocker(stream)) {
        if (which === 2 && !connected) {
          errText += data.toString('utf8');
          if (errText.includes('OK\n')) {
            connected = true;
            streams[i] = stream;
            for (const q of queued[i]!.splice(0)) stream.write(q);
          } else if (errText.includes('ERR')) failed = true;
          continue;
        }
        if (which === 1) await conn.send(2 * i, data);
      }
      if (failed || !connected) await refused();
    }),
  );
  conn.close();
}
