import {
  NotFoundError,
  sandboxHttpPath,
  sandboxOperation,
  sandboxTunnel,
  type OperationDefinition,
  type TunnelDefinition,
} from '@sandboxed/plugin-sdk';
import type { ExposureCache } from './exposure.cache.js';
import { PortExposureStore } from './port-exposure.store.js';
import { ExposedPort, ListPortsInput, PortInput, PortList } from './port.dto.js';
import type { PortsOptions } from './ports-options.dto.js';

export const PORT_TUNNEL_PATH = 'ports/{port}';

function exposed(options: PortsOptions, sandboxId: string, port: number): ExposedPort {
  return { port, url: `${options.publicUrl}${sandboxHttpPath(sandboxId, `ports/${port}/`)}` };
}

export function portOperations(options: PortsOptions, cache: ExposureCache): OperationDefinition[] {
  return [
    sandboxOperation({
      id: 'port.expose',
      summary: 'Expose a port',
      description:
        'Makes a TCP port inside the sandbox reachable at `url` (HTTP and WebSocket), through the gateway and ' +
        'with the same credentials as every other route. Nothing is reachable before it is exposed.',
      input: PortInput,
      output: ExposedPort,
      hints: { readOnly: false, destructive: false, idempotent: true },
      http: { method: 'POST', path: 'ports' },
      handler: async (ctx, input) => {
        await new PortExposureStore(ctx).add(input.port);
        return exposed(options, ctx.sandbox.id, input.port);
      },
    }),
    sandboxOperation({
      id: 'port.list',
      summary: 'List exposed ports',
      input: ListPortsInput,
      output: PortList,
      hints: { readOnly: true, idempotent: true },
      http: { method: 'GET', path: 'ports' },
      handler: async (ctx, input) => {
        const ports = (await new PortExposureStore(ctx).list()).filter(
          (p) => input.port === undefined || p === input.port,
        );
        return { ports: ports.map((p) => exposed(options, ctx.sandbox.id, p)) };
      },
    }),
    sandboxOperation({
      id: 'port.unexpose',
      summary: 'Stop exposing a port',
      description: 'The port’s URL answers 404 from then on (on other gateway replicas within a few seconds).',
      input: PortInput,
      hints: { readOnly: false, destructive: true, idempotent: true },
      http: { method: 'DELETE', path: 'ports/{port}' },
      handler: async (ctx, input) => {
        cache.forget(ctx.sandbox.id, input.port);
        if (!(await new PortExposureStore(ctx).remove(input.port)))
          throw new NotFoundError(`Port ${input.port} is not exposed`);
      },
    }),
  ];
}

/** The bytes behind an exposed port's URL; HTTP transports mount it as a reverse proxy. */
export function portTunnel(cache: ExposureCache): TunnelDefinition<PortInput> {
  return sandboxTunnel({
    id: 'port.connect',
    summary: 'Connection to an exposed port',
    input: PortInput,
    hints: { readOnly: false, destructive: false, idempotent: false },
    path: PORT_TUNNEL_PATH,
    protocol: 'http',
    open: async (ctx, input) => {
      if (!cache.has(ctx.sandbox.id, input.port)) {
        if (!(await new PortExposureStore(ctx).has(input.port)))
          throw new NotFoundError(`Port ${input.port} is not exposed`);
        cache.remember(ctx.sandbox.id, input.port);
      }
      return ctx.runtime.connect(ctx.sandbox.id, input.port);
    },
  });
}
