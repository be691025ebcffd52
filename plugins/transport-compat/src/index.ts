export const COMPAT_PLACEHOLDER = true;
