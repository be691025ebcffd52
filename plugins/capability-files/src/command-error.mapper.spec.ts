import { describe, expect, it } from '@jest/globals';
import type { CollectedOutput } from '@sandboxed/plugin-sdk';
import { commandError } from './command-error.mapper.js';

function failed(stderr: string): CollectedOutput {
  return {
    stdout: Buffer.alloc(0),
    stderr: Buffer.from(stderr),
    truncated: false,
    exit: { exitCode: 1, signal: null, timedOut: false },
  } as CollectedOutput;
}

describe('commandError', () => {
  it('says a read-only file system is one, as a 403', () => {
    const err = commandError(
      failed('sh: 1: cannot create /usr/.x.tmp: Read-only file system\n'),
      "Cannot write '/usr/x'",
    );
    expect({ status: err.status, code: err.code, message: err.message }).toEqual({
      status: 403,
      code: 'forbidden',
      message: "Cannot write '/usr/x': Read-only file system (the sandbox mounts this path read-only)",
    });
  });

  it('keeps permission errors as a 403 Permission denied', () => {
    const err = commandError(failed("mkdir: cannot create directory '/etc/x': Permission denied\n"), 'Cannot create');
    expect([err.status, err.message]).toEqual([403, 'Cannot create: Permission denied']);
  });

  it('maps a busy mount point to a 409 that says why', () => {
    const err = commandError(failed("mv: cannot move 'a' to '/etc/hosts': Device or resource busy\n"), 'Cannot move');
    expect([err.status, err.code]).toEqual([409, 'conflict']);
    expect(err.message).toMatch(/^Cannot move: Device or resource busy \(.*mount point.*\)$/);
  });
});
