import { open } from 'node:fs/promises';

/**
 * A /proc file as text. /proc files report a size of 0, for which readFile allocates a 64 KiB buffer per
 * call; scanning every process's stat that way left tens of MB of buffers behind each sandbox start.
 * Small chunks (from Node's shared pool) fit a stat line in one read.
 */
export async function readProcFile(path: string, chunkBytes = 1024): Promise<string> {
  const file = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkBytes);
      const { bytesRead } = await file.read(chunk, 0, chunkBytes, null);
      if (bytesRead === 0) return Buffer.concat(chunks).toString('utf8');
      chunks.push(chunk.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
}

/** The argv of a live process, or undefined (gone, zombie, or not readable). */
export async function readCmdline(pid: number): Promise<string[] | undefined> {
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    const raw = await readProcFile(`/proc/${pid}/cmdline`, 4096);
    if (raw.length === 0) return undefined; // zombie or kernel thread
    return raw.split('\0').filter((s, i, all) => i < all.length - 1 || s !== '');
  } catch {
    return undefined;
  }
}

/** Sends a signal, ignoring "no such process". Negative pid = whole process group. */
export function signalQuietly(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Polls until `check` is true or the deadline passes. */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 10): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
