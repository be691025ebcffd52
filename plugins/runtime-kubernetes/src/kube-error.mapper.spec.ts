import { describe, expect, it } from '@jest/globals';
import { mapKubeError } from './kube-error.mapper.js';

const opts = { endpoint: 'https://k8s.example:6443', namespace: 'sandboxed' };
const apiError = (code: number, message: string, reason = 'Forbidden') =>
  Object.assign(new Error(`HTTP-Code: ${code}`), {
    code,
    body: JSON.stringify({ kind: 'Status', status: 'Failure', code, reason, message }),
  });

describe('mapKubeError', () => {
  it('tells a namespace quota (429) from admission (503) and RBAC (503) refusals, quoting the API server', () => {
    const quota = mapKubeError(
      apiError(
        403,
        'pods "sandbox-x" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1',
      ),
      opts,
    );
    expect(quota).toMatchObject({ status: 429, code: 'quota_exceeded' });
    expect(quota.message).toMatch(/namespace sandboxed is at its quota: .*exceeded quota: q/);

    const admission = mapKubeError(
      apiError(
        403,
        'pods "sandbox-x" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false',
      ),
      opts,
    );
    expect(admission).toMatchObject({ status: 503 });
    expect(admission.message).toMatch(/^Admission refused the sandbox pod: .*violates PodSecurity/);

    const rbac = mapKubeError(
      apiError(
        403,
        'pods is forbidden: User "system:serviceaccount:x:y" cannot create resource "pods" in the namespace "sandboxed"',
      ),
      opts,
    );
    expect(rbac).toMatchObject({ status: 503 });
    expect(rbac.message).toMatch(/may not do this in namespace sandboxed \(RBAC\).*docs\/kubernetes.md/);
  });

  it('names the API server when it cannot be reached, and keeps 404, 409 and 422 apart', () => {
    const down = mapKubeError(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6443'), {}), opts);
    expect(down).toMatchObject({ status: 503 });
    expect(down.message).toMatch(/Cannot reach the Kubernetes API server at https:\/\/k8s.example:6443/);
    expect(mapKubeError(apiError(404, 'pods "x" not found', 'NotFound'), opts).status).toBe(404);
    expect(mapKubeError(apiError(409, 'Operation cannot be fulfilled', 'Conflict'), opts).status).toBe(409);
    expect(mapKubeError(apiError(422, 'Pod "X" is invalid', 'Invalid'), opts).status).toBe(400);
    expect(mapKubeError(apiError(401, 'Unauthorized', 'Unauthorized'), opts).message).toMatch(
      /does not accept the gateway's credentials/,
    );
  });
});
