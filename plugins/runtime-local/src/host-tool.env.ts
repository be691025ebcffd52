/** A fixed environment for every program the runtime starts on the host: nothing from a caller. */
export const HOST_TOOL_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
});
