#!/usr/bin/env node
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, createGateway, loadConfig, PluginLoadError } from '@sandboxed/kernel';
import { GATEWAY_VERSION } from './version.js';

async function main(): Promise<void> {
  const config = loadConfig({ argv: process.argv.slice(2) });
  const gateway = await createGateway({ config, version: GATEWAY_VERSION });
  new Logger('Gateway').log(
    `sandboxed ${GATEWAY_VERSION} listening on ${gateway.url} (runtime: ${config.runtime.default}; docs: ${gateway.url}/docs)`,
  );
}

main().catch((err: unknown) => {
  const known = err instanceof ConfigError || err instanceof PluginLoadError;
  // Known boot errors already say what to fix; anything else gets its stack.
  console.error(
    `sandboxed: failed to start: ${known ? (err as Error).message : ((err as Error)?.stack ?? String(err))}`,
  );
  process.exit(1);
});
