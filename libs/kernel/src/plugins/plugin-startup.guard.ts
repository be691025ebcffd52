import type { DynamicModule, Provider } from '@nestjs/common';
import { PluginLoadError } from './plugin-load.error.js';

const HOOKS = ['onModuleInit', 'onApplicationBootstrap'] as const;
const GUARDED = Symbol('sandboxed.guarded');

function fail(pluginId: string, err: unknown): never {
  if (err instanceof PluginLoadError) throw err;
  throw new PluginLoadError(pluginId, `failed to start: ${err instanceof Error ? err.message : String(err)}`);
}

function guardClass(cls: unknown, pluginId: string): void {
  if (typeof cls !== 'function') return;
  const proto = (cls as { prototype: Record<string | symbol, unknown> }).prototype;
  if (!proto || proto[GUARDED]) return;
  proto[GUARDED] = true;
  for (const hook of HOOKS) {
    const original = proto[hook];
    if (typeof original !== 'function') continue;
    proto[hook] = async function (this: unknown, ...args: unknown[]) {
      try {
        return await (original as (...a: unknown[]) => unknown).apply(this, args);
      } catch (err) {
        fail(pluginId, err);
      }
    };
  }
}

function guardProvider(provider: Provider, pluginId: string): Provider {
  if (typeof provider === 'function') {
    guardClass(provider, pluginId);
    return provider;
  }
  if ('useClass' in provider) guardClass(provider.useClass, pluginId);
  if ('useFactory' in provider) {
    const factory = provider.useFactory;
    return {
      ...provider,
      useFactory: async (...args: unknown[]) => {
        try {
          const value: unknown = await factory(...args);
          guardClass((value as object | undefined)?.constructor, pluginId);
          return value;
        } catch (err) {
          fail(pluginId, err);
        }
      },
    };
  }
  return provider;
}

/**
 * Makes a plugin's failing construction or startup hook stop boot with an error that names the
 * plugin, instead of a bare stack trace from deep inside NestJS.
 */
export function guardPluginStartup(module: DynamicModule, pluginId: string): DynamicModule {
  guardStaticModule(module.module, pluginId, new Set());
  return {
    ...module,
    providers: module.providers?.map((p) => guardProvider(p, pluginId)),
    imports: module.imports?.map((m) =>
      m && typeof m === 'object' && 'module' in m ? guardPluginStartup(m as DynamicModule, pluginId) : m,
    ),
  };
}

/** Providers and imports declared in `@Module({...})` metadata, recursively. */
function guardStaticModule(cls: unknown, pluginId: string, seen: Set<unknown>): void {
  if (typeof cls !== 'function' || seen.has(cls)) return;
  seen.add(cls);
  guardClass(cls, pluginId);
  const providers = (Reflect.getMetadata('providers', cls) as Provider[] | undefined) ?? [];
  for (const p of providers) guardProvider(p, pluginId);
  const imports = (Reflect.getMetadata('imports', cls) as unknown[] | undefined) ?? [];
  for (const m of imports) {
    if (typeof m === 'function') guardStaticModule(m, pluginId, seen);
  }
}
