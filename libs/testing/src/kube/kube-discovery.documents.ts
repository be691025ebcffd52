/**
 * The legacy discovery documents (/version, /api, /api/v1, /apis, /apis/networking.k8s.io/v1)
 * and a minimal OpenAPI v3 index. Clients that ask for aggregated discovery (apidiscovery.k8s.io
 * v2) get these with Content-Type application/json, which the protocol allows and client-go
 * falls back to. Only the verbs the fake serves are advertised.
 */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4+fake-kube',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T00:00:00Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export const CORE_V1_RESOURCES = {
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [
    {
      name: 'namespaces',
      singularName: 'namespace',
      namespaced: false,
      kind: 'Namespace',
      verbs: ['get', 'list'],
      shortNames: ['ns'],
    },
    {
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['create', 'delete', 'get', 'list', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
    },
    { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
    {
      name: 'pods/portforward',
      singularName: '',
      namespaced: true,
      kind: 'PodPortForwardOptions',
      verbs: ['create', 'get'],
    },
  ],
};

export const NETWORKING_V1_RESOURCES = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'networking.k8s.io/v1',
  resources: [
    {
      name: 'networkpolicies',
      singularName: 'networkpolicy',
      namespaced: true,
      kind: 'NetworkPolicy',
      verbs: ['create', 'delete', 'get', 'list'],
      shortNames: ['netpol'],
    },
  ],
};

const NETWORKING_GROUP = {
  name: 'networking.k8s.io',
  versions: [{ groupVersion: 'networking.k8s.io/v1', version: 'v1' }],
  preferredVersion: { groupVersion: 'networking.k8s.io/v1', version: 'v1' },
};

export const API_GROUP_LIST = { kind: 'APIGroupList', apiVersion: 'v1', groups: [NETWORKING_GROUP] };

export const NETWORKING_GROUP_DOC = { kind: 'APIGroup', apiVersion: 'v1', ...NETWORKING_GROUP };

/**
 * /openapi/v3 and its per-group documents, reduced to what kubectl reads: each PATCH operation
 * names its GroupVersionKind and the `fieldValidation` query parameter, which tells kubectl that
 * the server validates fields itself (so it skips downloading schemas for client-side checks).
 */
export const OPENAPI_V3_PATHS = {
  paths: {
    'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=FAKE0001' },
    'apis/networking.k8s.io/v1': { serverRelativeURL: '/openapi/v3/apis/networking.k8s.io/v1?hash=FAKE0001' },
  },
};

function patchOp(group: string, kind: string): Record<string, unknown> {
  return {
    patch: {
      operationId: `patch${kind}`,
      parameters: [
        { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
        { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
        { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
      ],
      responses: {},
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': { group, version: 'v1', kind },
    },
  };
}

export function openApiV3(group: 'core' | 'networking'): Record<string, unknown> {
  const paths =
    group === 'core'
      ? {
          '/api/v1/namespaces/{namespace}/pods/{name}': patchOp('', 'Pod'),
          '/api/v1/namespaces/{name}': patchOp('', 'Namespace'),
        }
      : {
          '/apis/networking.k8s.io/v1/namespaces/{namespace}/networkpolicies/{name}': patchOp(
            'networking.k8s.io',
            'NetworkPolicy',
          ),
        };
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion },
    paths,
    components: { schemas: {} },
  };
}
