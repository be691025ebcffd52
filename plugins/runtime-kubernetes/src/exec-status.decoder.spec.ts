import { describe, expect, it } from '@jest/globals';
import { decodeExecStatus } from './exec-status.decoder.js';

describe('decodeExecStatus', () => {
  it('reads exit codes from the status channel', () => {
    expect(decodeExecStatus({ status: 'Success' })).toEqual({ exitCode: 0 });
    expect(
      decodeExecStatus({
        status: 'Failure',
        reason: 'NonZeroExitCode',
        message: 'command terminated with non-zero exit code: exit code 3',
        details: { causes: [{ reason: 'ExitCode', message: '3' }] },
      }),
    ).toEqual({ exitCode: 3 });
  });

  it('reports any other failure as an error', () => {
    expect(
      decodeExecStatus({ status: 'Failure', reason: 'InternalError', message: 'executable file not found' }),
    ).toEqual({
      error: 'executable file not found',
    });
  });
});
