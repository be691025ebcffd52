import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './config.error.js';
import type { GatewayConfig } from './config.schema.js';
import { validateConfig } from './config.validator.js';

type Tree = Record<string, unknown>;

export interface ConfigSources {
  /** Folder holding default.yaml and the profiles; default `$SANDBOXED_CONFIG_DIR`, `./config`, then the repo's. */
  configDir?: string;
  profile?: string;
  env?: NodeJS.ProcessEnv;
  /** CLI flags: `--server.port=9000`, `--server.port 9000`, `--profile docker`. */
  argv?: string[];
  /** Applied last (tests, embedding). */
  overrides?: Tree;
}

const ENV_PREFIX = 'SANDBOXED_';
/** Not config keys: how to find the config, and the client's variables (the CLI and SDKs read them). */
const RESERVED_ENV = new Set(['SANDBOXED_PROFILE', 'SANDBOXED_CONFIG_DIR', 'SANDBOXED_URL', 'SANDBOXED_TOKEN']);

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepMerge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isTree(v) && isTree(out[k]) ? deepMerge(out[k] as Tree, v) : v;
  }
  return out;
}

function readYaml(file: string): Tree {
  try {
    const doc: unknown = parseYaml(readFileSync(file, 'utf8'));
    if (doc == null) return {};
    if (!isTree(doc)) throw new Error('top level must be a mapping');
    return doc;
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${file}: ${(err as Error).message}`);
  }
}

function findConfigDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  const fromCwd = resolve('config');
  if (existsSync(join(fromCwd, 'default.yaml'))) return fromCwd;
  // libs/kernel/{src|dist}/config → repo root
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../../config');
}

/** Finds the key at this level that an env segment names (`BODY_LIMIT_BYTES` → `bodyLimitBytes`). */
function keyFor(node: unknown, segment: string): string {
  const folded = segment.replace(/_/g, '').toLowerCase();
  if (isTree(node)) {
    const hit = Object.keys(node).find((k) => k.replace(/[_-]/g, '').toLowerCase() === folded);
    if (hit) return hit;
  }
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Env and flag values are text. Numbers stay strings (validation converts them where the schema wants a
 * number, so a numeric secret keeps its digits); booleans and JSON/YAML lists or maps are parsed.
 */
function scalar(raw: string): unknown {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^\s*[[{]/.test(raw)) {
    try {
      return parseYaml(raw) as unknown;
    } catch {
      throw new ConfigError(`Cannot parse "${raw}" as a list or map`);
    }
  }
  return raw;
}

function setPath(tree: Tree, path: string[], value: unknown): Tree {
  const [head, ...rest] = path;
  if (rest.length === 0) return { ...tree, [head]: value };
  const child = isTree(tree[head]) ? (tree[head] as Tree) : {};
  return { ...tree, [head]: setPath(child, rest, value) };
}

function resolvePath(tree: Tree, segments: string[]): string[] {
  const path: string[] = [];
  let node: unknown = tree;
  for (const seg of segments) {
    const key = keyFor(node, seg);
    path.push(key);
    node = isTree(node) ? node[key] : undefined;
  }
  return path;
}

function applyEnv(tree: Tree, env: NodeJS.ProcessEnv): Tree {
  let out = tree;
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || RESERVED_ENV.has(name) || value === undefined) continue;
    const segments = name.slice(ENV_PREFIX.length).split('__').filter(Boolean);
    if (segments.length === 0) continue;
    // A single word that names no top-level key is someone else's variable (SANDBOXED_API_KEY for a
    // client, say), not config; a nested one (SANDBOXED_SERVR__PORT) is a typo, and validation names it.
    if (segments.length === 1 && !Object.hasOwn(tree, keyFor(tree, segments[0]!))) continue;
    out = setPath(out, resolvePath(out, segments), scalar(value));
  }
  return out;
}

interface ParsedFlags {
  profile?: string;
  configDir?: string;
  values: Array<[string[], string]>;
}

export function parseFlags(argv: string[]): ParsedFlags {
  const flags: ParsedFlags = { values: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--'))
      throw new ConfigError(`Unexpected argument "${arg}"; flags look like --server.port=9000`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let value = eq >= 0 ? arg.slice(eq + 1) : argv[i + 1];
    if (eq < 0) {
      if (value === undefined || value.startsWith('--')) value = 'true';
      else i++;
    }
    if (name === 'profile') flags.profile = value;
    else if (name === 'config-dir') flags.configDir = value;
    else flags.values.push([name.split('.'), value]);
  }
  return flags;
}

/** default.yaml < <profile>.yaml < SANDBOXED_* env < CLI flags < overrides; validated. */
export function loadConfig(sources: ConfigSources = {}): GatewayConfig {
  const env = sources.env ?? process.env;
  const flags = parseFlags(sources.argv ?? []);
  const dir = findConfigDir(flags.configDir ?? sources.configDir ?? env.SANDBOXED_CONFIG_DIR);
  const defaults = join(dir, 'default.yaml');
  if (!existsSync(defaults))
    throw new ConfigError(`Missing ${defaults}; set SANDBOXED_CONFIG_DIR to the config folder`);
  let tree = readYaml(defaults);
  const profile = flags.profile ?? sources.profile ?? env.SANDBOXED_PROFILE;
  if (profile) {
    if (!/^[a-z0-9][a-z0-9-]*$/i.test(profile)) throw new ConfigError(`Invalid profile name "${profile}"`);
    const file = isAbsolute(profile) ? profile : join(dir, `${profile}.yaml`);
    if (!existsSync(file)) throw new ConfigError(`Profile "${profile}" not found: ${file} does not exist`);
    tree = deepMerge(tree, readYaml(file));
  }
  tree = applyEnv(tree, env);
  for (const [segments, value] of flags.values) tree = setPath(tree, resolvePath(tree, segments), scalar(value));
  if (sources.overrides) tree = deepMerge(tree, sources.overrides);
  return validateConfig(tree);
}
