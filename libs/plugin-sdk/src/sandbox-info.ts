import type { SandboxInfo, SandboxStatus } from './runtime.types.js';

/** What a runtime keeps about a sandbox on its engine object: everything but status and where it runs. */
export type SandboxRecord = Omit<SandboxInfo, 'status' | 'runtime' | 'workdir'>;

/** The SandboxInfo of a stored record, with copies of its maps. */
export function sandboxInfo(
  record: SandboxRecord,
  at: { status: SandboxStatus; runtime: string; workdir: string },
): SandboxInfo {
  return {
    id: record.id,
    owner: record.owner,
    template: record.template,
    labels: { ...record.labels },
    resources: { ...record.resources },
    status: at.status,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    runtime: at.runtime,
    workdir: at.workdir,
  };
}
