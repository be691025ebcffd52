import type { HttpBinding, OperationDefinition } from '@sandboxed/plugin-sdk';

export interface RestRoute {
  op: OperationDefinition;
  method: HttpBinding['method'];
  /** OpenAPI form: `/v1/sandboxes/{id}/files/read`. */
  path: string;
  /** Fastify form: `/v1/sandboxes/:id/files/read`. */
  url: string;
  /** Path parameters that feed the operation's input (not the sandbox id). */
  inputParams: string[];
  sandboxScoped: boolean;
  /** Where the JSON input comes from. */
  inputFrom: 'body' | 'query';
  octets: boolean;
  status: number;
}

const SANDBOX_PREFIX = '/v1/sandboxes/{id}';
const PARAM = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

function defaultPath(op: OperationDefinition): string {
  const [, ...rest] = op.id.split('.');
  return op.scope === 'sandbox' ? rest.join('/') : op.id.split('.').join('/');
}

/** Derives an operation's REST route from its `http` binding, or POST `<area>/<verb>` without one. */
export function routeFor(op: OperationDefinition): RestRoute {
  const binding: HttpBinding = op.http ?? { method: 'POST', path: defaultPath(op) };
  const sub = binding.path.replace(/^\/+/, '');
  const sandboxScoped = op.scope === 'sandbox';
  const path = sandboxScoped ? `${SANDBOX_PREFIX}${sub ? `/${sub}` : ''}` : `/v1/${sub}`;
  const inputParams = [...sub.matchAll(PARAM)].map((m) => m[1]);
  if (sandboxScoped && inputParams.includes('id')) {
    throw new Error(`Operation ${op.id}: {id} is reserved for the sandbox in sandbox-scoped paths`);
  }
  const octets = binding.body === 'octets';
  const bodyless = binding.method === 'GET' || binding.method === 'DELETE';
  const noOutput = !op.stream && !('output' in op && op.output);
  return {
    op,
    method: binding.method,
    path,
    url: path.replace(PARAM, ':$1'),
    inputParams,
    sandboxScoped,
    inputFrom: bodyless || octets ? 'query' : 'body',
    octets,
    status: binding.status ?? (noOutput ? 204 : 200),
  };
}
