import { Module, type DynamicModule, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { GatewayConfig, ServerConfig } from '../config/config.schema.js';
import { KernelModule } from '../kernel.module.js';
import { ErrorEnvelopeFilter } from './error-envelope.filter.js';
import { loadPlugins } from '../plugins/plugin.loader.js';
import { guardPluginStartup } from '../plugins/plugin-startup.guard.js';

export interface GatewayOptions {
  config: GatewayConfig;
  version: string;
  /** Listen on the configured host/port (default true). */
  listen?: boolean;
}

export interface Gateway {
  app: NestFastifyApplication;
  /** Base URL it listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  close(): Promise<void>;
}

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

function logLevels(level: string): LogLevel[] | false {
  if (level === 'silent') return false;
  const nest = ({ info: 'log', trace: 'verbose' } as Record<string, LogLevel>)[level] ?? (level as LogLevel);
  return LEVELS.slice(0, LEVELS.indexOf(nest) + 1);
}

@Module({})
class GatewayModule {}

/** Body limit and the timeouts that cut slow (trickled) and idle clients. */
function fastifyOptions(server: ServerConfig): ConstructorParameters<typeof FastifyAdapter>[0] {
  const shortest = Math.min(server.headersTimeoutMs, server.requestTimeoutMs || Infinity);
  return {
    bodyLimit: server.bodyLimitBytes,
    trustProxy: server.trustProxy,
    return503OnClosing: true,
    requestTimeout: server.requestTimeoutMs,
    keepAliveTimeout: server.keepAliveTimeoutMs,
    connectionTimeout: server.connectionTimeoutMs,
    http: {
      headersTimeout: server.headersTimeoutMs,
      // Node checks the header and request timeouts only this often (default 30 s).
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(shortest / 4))),
    },
  };
}

/** Composes the kernel and the configured plugins into one NestJS app on Fastify. */
export async function createGateway({ config, version, listen = true }: GatewayOptions): Promise<Gateway> {
  const plugins = await loadPlugins(config.plugins);
  const root: DynamicModule = {
    module: GatewayModule,
    imports: [
      KernelModule.forRoot({ config, version }),
      ...plugins.map((p) => guardPluginStartup(p.module, p.plugin.id)),
    ],
  };
  const adapter = new FastifyAdapter(fastifyOptions(config.server));
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    logger: logLevels(config.log.level),
    abortOnError: false,
  });
  app.useGlobalFilters(new ErrorEnvelopeFilter());
  app.enableShutdownHooks();
  await app.init();
  let url = '';
  if (listen) {
    await app.listen(config.server.port, config.server.host);
    const addr = app.getHttpServer().address();
    const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
    const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
    url = `http://${host}:${port}`;
  }
  return { app, url, close: () => app.close() };
}
