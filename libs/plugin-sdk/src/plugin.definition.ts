import type { DynamicModule } from '@nestjs/common';
import type { Class } from './operation.types.js';

export type PluginKind = 'runtime' | 'capability' | 'transport';

export interface PluginManifest<O extends object = object> {
  /** Unique id, kebab-case, e.g. `runtime-docker` or `acme-git`. */
  id: string;
  kind: PluginKind;
  version: string;
  /** Semver range of the sandboxed plugin API this plugin targets, e.g. `^1`. */
  engine: string;
  /** Ids of plugins that must be loaded too. */
  requires?: string[];
  description?: string;
  /** class-validator class for this plugin's `options` from config; validated at boot. */
  options?: Class<O>;
  /** The plugin's providers. Kernel tokens (registries, limits, auth) are injectable globally. */
  module(options: O): DynamicModule;
}

const PLUGIN_BRAND = Symbol.for('sandboxed.plugin');

export type Plugin<O extends object = object> = Readonly<PluginManifest<O>> & { readonly [PLUGIN_BRAND]: true };

/** Declares a plugin. A package's default export (or a named `plugin` export) is what the loader imports. */
export function definePlugin<O extends object = object>(manifest: PluginManifest<O>): Plugin<O> {
  return Object.freeze({ ...manifest, [PLUGIN_BRAND]: true as const });
}

export function isPlugin(value: unknown): value is Plugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}

/** The plugin API version this SDK implements; plugins declare a compatible `engine` range. */
export const PLUGIN_API_VERSION = '1.0.0';
