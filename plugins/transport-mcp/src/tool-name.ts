/** `shell.execStream` → `shell_exec_stream`: dots become underscores, camelCase becomes snake_case. */
export function toolNameFor(opId: string): string {
  return opId
    .split('.')
    .map((part) =>
      part
        .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
        .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
        .toLowerCase(),
    )
    .join('_');
}
