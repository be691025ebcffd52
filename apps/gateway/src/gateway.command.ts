import { Logger } from '@nestjs/common';
import { createGateway, loadConfig, type Gateway } from '@sandboxed/kernel';
import { GATEWAY_VERSION } from './version.js';

/** Starts the HTTP gateway from config files, `SANDBOXED_*` env and the given CLI flags. */
export async function runGateway(argv: string[]): Promise<Gateway> {
  const config = loadConfig({ argv });
  const gateway = await createGateway({ config, version: GATEWAY_VERSION });
  new Logger('Gateway').log(
    `sandboxed ${GATEWAY_VERSION} listening on ${gateway.url} (runtime: ${config.runtime.default}; docs: ${gateway.url}/docs)`,
  );
  return gateway;
}
