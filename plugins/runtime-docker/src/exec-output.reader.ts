import { PassThrough, type Readable } from 'node:stream';
import type { Container } from 'dockerode';
import { demuxDockerStream } from './docker-stream.demuxer.js';

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs a short helper command (no stdin) and returns its output once it ends. */
export async function runToEnd(
  container: Container,
  opts: { Cmd: string[]; User: string },
): Promise<{ stdout: string; stderr: string }> {
  const exec = await container.exec({ ...opts, AttachStdout: true, AttachStderr: true });
  const stream = (await exec.start({ Detach: false, Tty: false })) as Readable;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  demuxDockerStream(stream, stdout, stderr);
  const [out, err] = await Promise.all([text(stdout), text(stderr)]);
  return { stdout: out, stderr: err };
}
