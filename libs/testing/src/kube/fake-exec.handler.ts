import type { Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import { ChannelConnection } from './exec-channel.protocol.js';
import { demuxDocker } from './docker-stream.demux.js';
import { kubeErrors } from './kube-status.js';

/**
 * pods/exec as the kubelet runs it (pkg/kubelet/cri/streaming/remotecommand): a `docker exec`
 * in the pod's container as the container's user, env and working directory; channel 0 is
 * stdin, 1 stdout, 2 stderr (not used with a tty), 3 the status, 4 resize
 * `{"Width":W,"Height":H}`. On exit, v4+ protocols get a metav1.Status JSON on channel 3
 * (Success, NonZeroExitCode with an ExitCode cause, or InternalError when the command could
 * not start); the older ones get the error text only. Then the socket closes.
 */
export interface ExecParams {
  command: string[];
  container?: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && v !== 'false' && v !== '0';
}

/** The query of a pods/exec request, with the API server's 400s for a bad one. */
export function parseExecParams(q: URLSearchParams): ExecParams {
  const command = q.getAll('command');
  const params: ExecParams = {
    command,
    container: q.get('container') ?? undefined,
    stdin: flag(q, 'stdin'),
    stdout: flag(q, 'stdout'),
    stderr: flag(q, 'stderr'),
    tty: flag(q, 'tty'),
  };
  if (command.length === 0) throw kubeErrors.badRequest('you must specify at least 1 command');
  if (!params.stdin && !params.stdout && !params.stderr) {
    throw kubeErrors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  }
  return params;
}

const OCI_START_FAILURE = 'OCI runtime exec failed';

export async function runExec(
  conn: ChannelConnection,
  docker: Dockerode,
  containerId: string,
  params: ExecParams,
): Promise<void> {
  const { tty } = params;
  // Clients send stdin (and a v5 close) right after the upgrade: keep what comes before the exec exists.
  const early: Array<[Buffer, boolean]> = [];
  const buffer = (raw: Buffer, isBinary: boolean): void => void early.push([raw, isBinary]);
  let clientGone = false;
  conn.ws.on('message', buffer);
  conn.ws.once('close', () => (clientGone = true));
  const container = docker.getContainer(containerId);
  let exec: Dockerode.Exec;
  let stream: Duplex;
  try {
    exec = await container.exec({
      Cmd: params.command,
      AttachStdin: params.stdin,
      AttachStdout: params.stdout,
      AttachStderr: params.stderr && !tty,
      Tty: tty,
    });
    stream = (await exec.start({ hijack: true, stdin: params.stdin, Tty: tty })) as Duplex;
  } catch (err) {
    await writeStatus(conn, internalError(`error executing command in container: ${String((err as Error).message)}`));
    conn.close();
    return;
  }
  stream.on('error', () => undefined);
  let finished = false;
  let started = false;
  const pendingResizes: Array<{ w: number; h: number }> = [];
  let resizing: Promise<unknown> = Promise.resolve();
  let lastByte = 0x0a;

  const onMessage = (raw: Buffer, isBinary: boolean): void => {
    const frame = conn.decode(raw, isBinary);
    if (!frame) return;
    if (frame.close) {
      if (frame.channel === 0) {
        resizing = resizing.then(() => {
          if (stream.writableEnded) return;
          // A tty's EOF is ^D at the start of a line; half-closing a tty attach hangs it up instead.
          if (tty) stream.write(lastByte === 0x0a ? '\x04' : '\x04\x04');
          else stream.end();
        });
      }
      return;
    }
    if (frame.channel === 0 && params.stdin && !stream.writableEnded) {
      if (frame.data.length > 0) lastByte = frame.data[frame.data.length - 1]!;
      // Behind any resize still being applied: keystrokes typed after a resize see the new size.
      resizing = resizing.then(() => void (stream.writableEnded || stream.write(frame.data)));
    } else if (frame.channel === 4 && tty) {
      try {
        const size = JSON.parse(frame.data.toString('utf8')) as { Width?: number; Height?: number };
        const r = { w: Math.max(1, Number(size.Width) || 80), h: Math.max(1, Number(size.Height) || 24) };
        if (started) resizing = resizing.then(() => exec.resize(r).catch(() => undefined));
        else pendingResizes.push(r);
      } catch {
        // the kubelet ignores a resize it cannot decode
      }
    }
  };
  // As on a kubelet, a client that goes away ends the streams, not the process: it sees its
  // stdin close and its next write fail (a tty is hung up).
  const onClose = (): void => {
    if (!finished) stream.destroy();
  };
  conn.ws.off('message', buffer);
  conn.ws.on('message', onMessage);
  conn.ws.on('close', onClose);
  started = true;
  for (const [raw, isBinary] of early.splice(0)) onMessage(raw, isBinary);
  if (clientGone) onClose();
  for (const r of pendingResizes) await exec.resize(r).catch(() => undefined);

  let heldBack: Buffer | undefined;
  let first = true;
  const forward = async (channel: number, data: Buffer): Promise<void> => {
    if (first) {
      first = false;
      if (data.toString('utf8', 0, OCI_START_FAILURE.length) === OCI_START_FAILURE) {
        heldBack = data;
        return;
      }
    }
    if (heldBack) {
      await conn.send(1, heldBack);
      heldBack = undefined;
    }
    await conn.send(channel, data);
  };
  try {
    if (tty) for await (const chunk of stream as AsyncIterable<Buffer>) await forward(1, chunk);
    else for await (const { stream: s, data } of demuxDocker(stream)) await forward(s, data);
  } catch {
    // the connection went away; the exit code still tells
  }
  finished = true;
  const exitCode = await exitCodeOf(exec);
  if (heldBack && (exitCode === 126 || exitCode === 127)) {
    await writeStatus(
      conn,
      internalError(
        `error executing command in container: failed to exec in container: failed to start exec "${exec.id}": ${heldBack.toString('utf8').trim()}`,
      ),
    );
  } else {
    if (heldBack) await conn.send(1, heldBack);
    await writeStatus(conn, exitCode === 0 ? { metadata: {}, status: 'Success' } : nonZero(params.command, exitCode));
  }
  conn.close();
}

async function exitCodeOf(exec: Dockerode.Exec): Promise<number> {
  for (let delay = 5; delay < 2000; delay *= 2) {
    const info = await exec.inspect().catch(() => undefined);
    if (!info) break;
    if (!info.Running && typeof info.ExitCode === 'number') return info.ExitCode;
    await new Promise((r) => setTimeout(r, delay));
  }
  return 137;
}

function goArray(argv: string[]): string {
  return `[${argv.join(' ')}]`;
}

function nonZero(command: string[], code: number): Record<string, unknown> {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command ${goArray(command)}, exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function internalError(message: string): Record<string, unknown> {
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  };
}

async function writeStatus(conn: ChannelConnection, status: Record<string, unknown>): Promise<void> {
  if (conn.version >= 4) {
    await conn.send(3, JSON.stringify(status));
  } else if (status.status !== 'Success') {
    await conn.send(3, String(status.message));
  }
}
