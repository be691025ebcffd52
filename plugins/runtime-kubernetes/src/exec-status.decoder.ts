import type { V1Status } from '@kubernetes/client-node';

/**
 * The exit of a pods/exec call from its status channel (channel 3, v4 and later): `Success` is 0;
 * a non-zero exit is a `Failure` with reason NonZeroExitCode and the code as the ExitCode cause.
 * Anything else is an error the kubelet reports (e.g. the executable does not exist).
 */
export type ExecStatus = { exitCode: number } | { error: string };

export function decodeExecStatus(status: V1Status): ExecStatus {
  if (status.status === 'Success') return { exitCode: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return { exitCode: code };
  }
  return { error: status.message ?? status.reason ?? 'the exec failed' };
}
