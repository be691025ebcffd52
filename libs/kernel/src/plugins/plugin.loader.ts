import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamicModule } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import semver from 'semver';
import { isPlugin, PLUGIN_API_VERSION, type Plugin } from '@sandboxed/plugin-sdk';
import type { PluginEntry } from '../config/config.schema.js';
import { PluginLoadError } from './plugin-load.error.js';

export interface LoadedPlugin {
  plugin: Plugin;
  module: DynamicModule;
  source: string;
}

const KINDS = new Set(['runtime', 'capability', 'transport']);
const BUILTIN_ID = /^[a-z][a-z0-9-]*$/;

/** `runtime-local` → `@sandboxed/runtime-local`; paths resolve from the working directory; else an npm package. */
export function specifierFor(use: string): string {
  if (use.startsWith('.') || isAbsolute(use)) return pathToFileURL(resolve(use)).href;
  if (BUILTIN_ID.test(use) && !use.includes('/')) return `@sandboxed/${use}`;
  return use;
}

async function importPlugin(use: string): Promise<Plugin> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifierFor(use))) as Record<string, unknown>;
  } catch (err) {
    throw new PluginLoadError(use, `cannot be imported (${(err as Error).message})`);
  }
  const candidate = [mod.default, mod.plugin].find(isPlugin);
  if (!candidate)
    throw new PluginLoadError(use, 'does not export a plugin made by definePlugin (default or `plugin` export)');
  return candidate;
}

function validateOptions(plugin: Plugin, raw: Record<string, unknown> | undefined): object {
  if (!plugin.options) {
    if (raw && Object.keys(raw).length > 0) throw new PluginLoadError(plugin.id, 'takes no options');
    return {};
  }
  const options = plainToInstance(plugin.options as new () => object, raw ?? {}, { enableImplicitConversion: true });
  const errors = validateSync(options, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    const lines = errors.flatMap((e) => optionErrorLines(e, 'options'));
    throw new PluginLoadError(plugin.id, `invalid options: ${lines.join('; ')}`);
  }
  return options;
}

/** One `options.a.b: message` line per failed constraint, nested objects (@ValidateNested) included. */
function optionErrorLines(e: ValidationError, parent: string): string[] {
  const path = `${parent}.${e.property}`;
  const own = Object.values(e.constraints ?? {}).map((m) =>
    m.endsWith('should not exist') ? `${path}: unknown key` : `${path}: ${m}`,
  );
  const nested = (e.children ?? []).flatMap((c) => optionErrorLines(c, path));
  return own.length + nested.length > 0 ? [...own, ...nested] : [`${path}: is invalid`];
}

function checkManifest(plugin: Plugin): void {
  if (!plugin.id || !BUILTIN_ID.test(plugin.id)) throw new PluginLoadError(plugin.id ?? '?', 'id must be kebab-case');
  if (!KINDS.has(plugin.kind)) throw new PluginLoadError(plugin.id, `unknown kind "${plugin.kind}"`);
  if (!semver.validRange(plugin.engine))
    throw new PluginLoadError(plugin.id, `engine "${plugin.engine}" is not a semver range`);
  if (!semver.satisfies(PLUGIN_API_VERSION, plugin.engine)) {
    throw new PluginLoadError(
      plugin.id,
      `targets engine ${plugin.engine}, but this gateway provides ${PLUGIN_API_VERSION}`,
    );
  }
  if (typeof plugin.module !== 'function') throw new PluginLoadError(plugin.id, 'module must be a function');
}

/** Imports, checks and composes the configured plugins. Any problem stops boot, naming the plugin. */
export async function loadPlugins(entries: PluginEntry[]): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = [];
  const ids = new Map<string, string>();
  for (const entry of entries) {
    const plugin = await importPlugin(entry.use);
    checkManifest(plugin);
    const prior = ids.get(plugin.id);
    if (prior) throw new PluginLoadError(plugin.id, `duplicate id (from "${prior}" and "${entry.use}")`);
    ids.set(plugin.id, entry.use);
    const options = validateOptions(plugin, entry.options);
    let module: DynamicModule;
    try {
      module = plugin.module(options);
    } catch (err) {
      throw new PluginLoadError(plugin.id, `module factory threw: ${(err as Error).message}`);
    }
    loaded.push({ plugin, module, source: entry.use });
  }
  for (const { plugin } of loaded) {
    const missing = (plugin.requires ?? []).filter((id) => !ids.has(id));
    if (missing.length > 0)
      throw new PluginLoadError(plugin.id, `requires ${missing.map((m) => `"${m}"`).join(', ')}, which is not loaded`);
  }
  return loaded;
}
