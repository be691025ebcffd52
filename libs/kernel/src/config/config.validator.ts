import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { ConfigError } from './config.error.js';
import { GatewayConfig } from './config.schema.js';

function describe(errors: ValidationError[], prefix = ''): string[] {
  const lines: string[] = [];
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    for (const msg of Object.values(e.constraints ?? {})) {
      if (msg.endsWith('should not exist')) lines.push(`${path}: unknown key`);
      else lines.push(`${path}: ${msg.replace(e.property, 'value')}`);
    }
    lines.push(...describe(e.children ?? [], path));
  }
  return lines;
}

function normalizePlugins(raw: Record<string, unknown>): void {
  if (!Array.isArray(raw.plugins)) return;
  raw.plugins = raw.plugins.map((p) => (typeof p === 'string' ? { use: p } : p));
}

function checkStringMap(value: unknown, path: string, problems: string[]): void {
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string' || !v) problems.push(`${path}.${k}: must be a non-empty string`);
  }
}

function serverTimeoutProblems({ server, limits }: GatewayConfig): string[] {
  if (!server || !limits?.exec) return [];
  const problems: string[] = [];
  if (server.requestTimeoutMs > 0 && server.headersTimeoutMs > server.requestTimeoutMs) {
    problems.push('server.headersTimeoutMs: must not exceed server.requestTimeoutMs');
  }
  // A unary call answers only when it is done: a silent connection that short would cut long execs.
  if (server.connectionTimeoutMs > 0 && server.connectionTimeoutMs <= limits.exec.maxTimeoutMs) {
    problems.push(
      `server.connectionTimeoutMs: must be 0 or more than limits.exec.maxTimeoutMs (${limits.exec.maxTimeoutMs})`,
    );
  }
  return problems;
}

function poolProblems({ sandbox }: GatewayConfig): string[] {
  const seen = new Map<string, number>();
  const problems: string[] = [];
  (Array.isArray(sandbox?.pools) ? sandbox.pools : []).forEach((pool, i) => {
    if (typeof pool?.template !== 'string') return;
    const first = seen.get(pool.template);
    if (first !== undefined) {
      problems.push(`sandbox.pools.${i}.template: "${pool.template}" already has a pool (sandbox.pools.${first})`);
    }
    seen.set(pool.template, i);
  });
  return problems;
}

function absoluteUrlProblem(value: string, path: string, originOnly: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${path}: "${value}" is not an absolute URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${path}: must be an http(s) URL`;
  if (url.search || url.hash) return `${path}: must have no query or fragment`;
  if (originOnly && url.pathname !== '/') return `${path}: must be an origin (scheme, host, port) with no path`;
  return undefined;
}

function discoveryProblems({ server, auth }: GatewayConfig): string[] {
  const problems: Array<string | undefined> = [];
  if (typeof server?.publicUrl === 'string') {
    problems.push(absoluteUrlProblem(server.publicUrl, 'server.publicUrl', true));
  }
  (Array.isArray(auth?.jwt?.authorizationServers) ? auth.jwt.authorizationServers : []).forEach((as, i) => {
    if (typeof as === 'string') problems.push(absoluteUrlProblem(as, `auth.jwt.authorizationServers.${i}`, false));
  });
  return problems.filter((p): p is string => p !== undefined);
}

/** Validates the merged config tree. Unknown or ill-typed keys fail with their dotted path. */
export function validateConfig(raw: Record<string, unknown>): GatewayConfig {
  normalizePlugins(raw);
  const config = plainToInstance(GatewayConfig, raw, { enableImplicitConversion: true });
  const problems = describe(validateSync(config, { whitelist: true, forbidNonWhitelisted: true }));
  checkStringMap(config.auth?.apiKeys, 'auth.apiKeys', problems);
  if (config.sandbox && config.sandbox.defaultTtlSeconds > config.sandbox.maxTtlSeconds) {
    problems.push('sandbox.defaultTtlSeconds: must not exceed sandbox.maxTtlSeconds');
  }
  if (config.limits?.exec && config.limits.exec.timeoutMs > config.limits.exec.maxTimeoutMs) {
    problems.push('limits.exec.timeoutMs: must not exceed limits.exec.maxTimeoutMs');
  }
  problems.push(...serverTimeoutProblems(config), ...poolProblems(config), ...discoveryProblems(config));
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
