/**
 * `Status` bodies exactly as the API server writes them (k8s.io/apimachinery/pkg/api/errors):
 * the same reasons, codes, details and message wording, so clients that branch on them
 * (client-node's ApiException, kubectl's error printing) see what a real cluster returns.
 */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** A resource as the API names it: `pods` (core) or `networkpolicies` in `networking.k8s.io`. */
export interface GroupResource {
  group: string;
  resource: string;
}

export class KubeStatusError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
  }
}

function failure(code: number, reason: string, message: string, details?: KubeStatus['details']): KubeStatusError {
  const status: KubeStatus = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details) {
    // Real bodies order the fields kind, apiVersion, metadata, status, message, reason, details, code.
    delete (status as Partial<KubeStatus>).code;
    status.details = details;
    status.code = code;
  }
  return new KubeStatusError(status);
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function detailsOf(gr: GroupResource, name: string): NonNullable<KubeStatus['details']> {
  return gr.group ? { name, group: gr.group, kind: gr.resource } : { name, kind: gr.resource };
}

export const kubeErrors = {
  notFound: (gr: GroupResource, name: string) =>
    failure(404, 'NotFound', `${qualified(gr)} "${name}" not found`, detailsOf(gr, name)),
  alreadyExists: (gr: GroupResource, name: string) =>
    failure(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, detailsOf(gr, name)),
  conflict: (gr: GroupResource, name: string, why: string) =>
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
      detailsOf(gr, name),
    ),
  forbidden: (gr: GroupResource, name: string, why: string) =>
    failure(403, 'Forbidden', `${qualified(gr)} "${name}" is forbidden: ${why}`, detailsOf(gr, name)),
  /** `causes`: one per field error, in the order the validator found them. */
  invalid: (kind: string, group: string, name: string, causes: Array<Required<StatusCause>>) => {
    const each = causes.map((c) => `${c.field}: ${c.message}`);
    const summary = each.length === 1 ? each[0] : `[${each.join(', ')}]`;
    const details = group ? { name, group, kind, causes } : { name, kind, causes };
    return failure(422, 'Invalid', `${kind} "${name}" is invalid: ${summary}`, details);
  },
  badRequest: (message: string) => failure(400, 'BadRequest', message),
  unauthorized: () => failure(401, 'Unauthorized', 'Unauthorized'),
  methodNotAllowed: () =>
    failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'),
  notAcceptable: (types: string) =>
    failure(406, 'NotAcceptable', `only the following media types are accepted: ${types}`),
  unsupportedMediaType: (type: string) =>
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got ${type})`,
    ),
  pathNotFound: () => failure(404, 'NotFound', 'the server could not find the requested resource', {}),
  expired: (message: string) => failure(410, 'Expired', message),
  internal: (message: string) =>
    failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }),
};

export function successStatus(details?: KubeStatus['details']): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    ...(details ? { details } : {}),
    code: 200,
  };
}
