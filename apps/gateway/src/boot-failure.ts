import { ConfigError, PluginLoadError } from '@sandboxed/kernel';

/** Prints why boot failed and exits. Known boot errors already say what to fix; anything else gets its stack. */
export function exitOnBootFailure(prefix: string): (err: unknown) => never {
  return (err) => {
    const known = err instanceof ConfigError || err instanceof PluginLoadError;
    console.error(`${prefix}: ${known ? (err as Error).message : ((err as Error)?.stack ?? String(err))}`);
    process.exit(1);
  };
}
