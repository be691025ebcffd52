/** Who runs everything in a sandbox, and where. */
export const SANDBOX_WORKDIR = '/workspace';
export const SANDBOX_UID = 1000;
export const SANDBOX_GID = 1000;
export const SANDBOX_USER = `${SANDBOX_UID}:${SANDBOX_GID}`;
