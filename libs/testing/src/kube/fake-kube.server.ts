/**
 * fake-kube: a contract-faithful stand-in for a Kubernetes API server plus one kubelet, for
 * tests and demos where no cluster can run. Test-only code: it is never shipped as product.
 * Pods are real Docker containers (see fake-pod.containers.ts and fake-kubelet.ts).
 *
 * It serves https with a throwaway self-signed certificate (self-signed.certificate.ts): kubectl
 * sends a kubeconfig's token only to https servers. Every request needs `Authorization: Bearer <token>` (WebSocket clients may instead offer the
 * subprotocol `base64url.bearer.authorization.k8s.io.<base64url token>`); otherwise 401 Status.
 * Errors are metav1.Status bodies with the API server's reasons, codes and messages.
 *
 * Calls implemented (anything else: 404 "the server could not find the requested resource",
 * or 405 MethodNotAllowed for a known path):
 *   GET  /version, /healthz, /livez, /readyz
 *   GET  /api, /api/v1, /apis, /apis/networking.k8s.io, /apis/networking.k8s.io/v1
 *        (legacy discovery; aggregated-discovery Accept headers get the same JSON documents)
 *   GET  /openapi/v3, /openapi/v3/api/v1, /openapi/v3/apis/networking.k8s.io/v1 (PATCH ops with
 *        fieldValidation, so kubectl relies on server-side validation); /openapi/v2: 404
 *   GET  /api/v1/namespaces, /api/v1/namespaces/{ns}
 *   GET  /api/v1/pods (all namespaces; list and watch)
 *   GET  /api/v1/namespaces/{ns}/pods ?labelSelector ?fieldSelector ?limit ?continue ?resourceVersion
 *        ?watch=true|1 ?allowWatchBookmarks ?sendInitialEvents ?timeoutSeconds
 *        Accept `application/json;as=Table;v=v1;g=meta.k8s.io` → meta.k8s.io/v1 Table (?includeObject)
 *   POST /api/v1/namespaces/{ns}/pods ?dryRun=All (201; 400 BadRequest; 404 namespace;
 *        422 Invalid; 403 PodSecurity; 403 exceeded quota; 409 AlreadyExists)
 *   GET  /api/v1/namespaces/{ns}/pods/{name}
 *   PATCH /api/v1/namespaces/{ns}/pods/{name} merge or strategic-merge patch ?dryRun=All (fake-pod.patch.ts:
 *        metadata.resourceVersion and uid in the patch are preconditions, 409 Conflict when stale)
 *   DELETE /api/v1/namespaces/{ns}/pods/{name} body V1DeleteOptions or ?gracePeriodSeconds
 *        (200 with the pod; 404; 409 on a uid/resourceVersion precondition mismatch)
 *   GET  /api/v1/namespaces/{ns}/pods/{name}/log ?container ?follow ?tailLines ?timestamps
 *   GET|POST /api/v1/namespaces/{ns}/pods/{name}/exec ?command=…(repeated) ?container ?stdin
 *        ?stdout ?stderr ?tty — WebSocket only (SPDY is not spoken: 400)
 *   GET|POST /api/v1/namespaces/{ns}/pods/{name}/portforward ?ports=P[,Q] — WebSocket only
 *   GET|POST /apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies (list, watch, create)
 *   GET|DELETE /apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies/{name}
 *
 * Watch: chunked HTTP, one JSON object per line `{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR",
 * "object":{…}}`. Without resourceVersion (or "0") it starts with ADDED for what exists; with one it
 * replays every change after it (an object entering or leaving a selector is ADDED or DELETED),
 * or sends ERROR with a 410 Expired Status when that history is gone.
 *
 * Frames (exec-channel.protocol.ts): exec subprotocols v5.channel.k8s.io, v4.channel.k8s.io
 * (+ base64 variants, channel.k8s.io); binary messages `[channel, ...data]`: 0 stdin, 1 stdout,
 * 2 stderr, 3 status (v4+: metav1.Status JSON — Success, NonZeroExitCode with an ExitCode cause,
 * InternalError), 4 resize `{"Width":W,"Height":H}`; v5 client half-close `[255, 0]`.
 * Port-forward subprotocol v4.channel.k8s.io: port i uses data channel 2i and error channel 2i+1,
 * each first sent the port as uint16 LE by the server; a refused port gets the kubelet's message
 * on its error channel; the socket closes when every port's connection has ended.
 *
 * Not implemented: PUT and JSON patch (application/json-patch+json: 415), PATCH of other resources (405), SPDY exec/port-forward (kubectl port-forward), pods/attach,
 * other resources, strict field validation of unknown fields (ignored), events.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import Dockerode from 'dockerode';
import { WebSocketServer, type WebSocket } from 'ws';
import type { V1Pod } from '@kubernetes/client-node';
import { demuxDocker } from './docker-stream.demux.js';
import {
  ChannelConnection,
  EXEC_PROTOCOLS,
  negotiate,
  offeredProtocols,
  PORTFORWARD_PROTOCOLS,
} from './exec-channel.protocol.js';
import { parseExecParams, runExec } from './fake-exec.handler.js';
import { reapVolumes } from './fake-emptydir.volumes.js';
import { FakeKubelet, reapContainers } from './fake-kubelet.js';
import { FakeObjectStore, type KubeObject, type StoreEvent } from './fake-object.store.js';
import { OWNER_PID_LABEL } from './fake-pod.containers.js';
import { parsePorts, runPortForward } from './fake-portforward.handler.js';
import { matchesFields, parseFieldSelector, type FieldRequirement } from './field-selector.parser.js';
import {
  API_GROUP_LIST,
  apiVersions,
  CORE_V1_RESOURCES,
  NETWORKING_GROUP_DOC,
  NETWORKING_V1_RESOURCES,
  OPENAPI_V3_PATHS,
  openApiV3,
  SERVER_VERSION,
} from './kube-discovery.documents.js';
import { KubeStatusError, kubeErrors, successStatus, type GroupResource } from './kube-status.js';
import { toTable, wantsTable, type IncludeObject } from './kube-table.printer.js';
import { kubeconfigYaml, writeKubeconfigFile } from './kubeconfig.writer.js';
import { matchesLabels, parseLabelSelector, type LabelSelector } from './label-selector.parser.js';
import { podSecurityViolations, type PodSecurityLevel } from './pod-security-restricted.check.js';
import { applyPodDefaults, generatedName, kubeTime } from './pod-defaults.js';
import { validateLabels, validateObjectName, validatePod } from './pod.validator.js';
import { PATCH_TYPES, patchPod } from './fake-pod.patch.js';
import { selfSignedCertificate } from './self-signed.certificate.js';

export interface FakeKubeOptions {
  host?: string;
  port?: number;
  /** The bearer token every request must carry; default random. */
  token?: string;
  /** Namespace name → labels. Default: `sandboxed`, enforcing PodSecurity restricted:latest. */
  namespaces?: Record<string, Record<string, string>>;
  /** Namespace → most pods it may hold (like a ResourceQuota on `pods`). */
  podQuota?: Record<string, number>;
  /** The node's allocatable resources; default 64 CPUs and 256Gi, so only a test that asks for it hits Unschedulable. */
  nodeAllocatable?: { cpu: string; memory: string };
  docker?: Dockerode;
  /**
   * Serve https with a fresh self-signed certificate (default true). kubectl sends credentials
   * only to https servers, so plain http (false) suits only clients that always send the token.
   */
  tls?: boolean;
}

export interface FakeKube {
  /** `https://127.0.0.1:PORT` (or http:// with tls: false). */
  url: string;
  token: string;
  /** The serving certificate (PEM) clients must trust; undefined with tls: false. */
  caPem?: string;
  /** A kubeconfig (YAML) for this server, its token user and a current context with `namespace`. */
  kubeconfig(namespace?: string): string;
  writeKubeconfig(path: string, namespace?: string): void;
  /** Every call, in arrival order (path without the query). */
  requests: Array<{ method: string; path: string; query: string; status: number }>;
  /** Stops serving and removes every container this fake made. */
  close(): Promise<void>;
}

const DEFAULT_NAMESPACES: Record<string, Record<string, string>> = {
  sandboxed: {
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/enforce-version': 'latest',
  },
};

const PODS: GroupResource = { group: '', resource: 'pods' };
const NAMESPACES: GroupResource = { group: '', resource: 'namespaces' };
const NETPOLS: GroupResource = { group: 'networking.k8s.io', resource: 'networkpolicies' };
const MAX_BODY = 3 * 1024 * 1024;

interface Route {
  resource: 'pods' | 'networkpolicies' | 'namespaces';
  namespace?: string;
  name?: string;
  sub?: string;
}

function parseRoute(path: string): Route | undefined {
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  if (parts[0] === 'api' && parts[1] === 'v1') {
    const rest = parts.slice(2);
    if (rest.length === 1 && rest[0] === 'pods') return { resource: 'pods' };
    if (rest[0] !== 'namespaces') return undefined;
    if (rest.length === 1) return { resource: 'namespaces' };
    if (rest.length === 2) return { resource: 'namespaces', name: rest[1] };
    if (rest[2] !== 'pods') return undefined;
    if (rest.length === 3) return { resource: 'pods', namespace: rest[1] };
    if (rest.length === 4) return { resource: 'pods', namespace: rest[1], name: rest[3] };
    if (rest.length === 5) return { resource: 'pods', namespace: rest[1], name: rest[3], sub: rest[4] };
    return undefined;
  }
  if (parts[0] === 'apis' && parts[1] === 'networking.k8s.io' && parts[2] === 'v1' && parts[3] === 'namespaces') {
    const rest = parts.slice(4);
    if (rest[1] !== 'networkpolicies') return undefined;
    if (rest.length === 2) return { resource: 'networkpolicies', namespace: rest[0] };
    if (rest.length === 3) return { resource: 'networkpolicies', namespace: rest[0], name: rest[2] };
  }
  return undefined;
}

function typeMeta(resource: string): { apiVersion: string; kind: string } {
  if (resource === 'pods') return { apiVersion: 'v1', kind: 'Pod' };
  if (resource === 'namespaces') return { apiVersion: 'v1', kind: 'Namespace' };
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' };
}

function withType(resource: string, o: KubeObject): KubeObject {
  return { ...typeMeta(resource), ...o };
}

/** List items carry no apiVersion/kind, like a real typed list. */
function bare(o: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest as KubeObject;
}

export async function startFakeKube(opts: FakeKubeOptions = {}): Promise<FakeKube> {
  const docker = opts.docker ?? new Dockerode();
  const token = opts.token ?? randomBytes(24).toString('hex');
  const instance = randomBytes(4).toString('hex');
  const store = new FakeObjectStore();
  const kubelet = new FakeKubelet({
    docker,
    store,
    instance,
    allocatable: opts.nodeAllocatable ?? { cpu: '64', memory: '256Gi' },
  });
  const requests: FakeKube['requests'] = [];
  const sockets = new Set<Socket>();
  const websockets = new Set<WebSocket>();

  // Containers left by fakes whose process is gone (a crashed test run).
  const ownerGone = (labels: Record<string, string>): boolean => {
    const pid = Number(labels[OWNER_PID_LABEL]);
    if (!Number.isInteger(pid) || pid === process.pid) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  };
  await reapContainers(docker, ownerGone);
  await reapVolumes(docker, ownerGone);

  const nsLabels = { ...(opts.namespaces ?? DEFAULT_NAMESPACES) };
  for (const system of ['default', 'kube-system', 'kube-public']) nsLabels[system] ??= {};
  for (const [name, labels] of Object.entries(nsLabels)) {
    store.create('namespaces', '', {
      metadata: {
        name,
        uid: randomUUID(),
        resourceVersion: '',
        creationTimestamp: kubeTime(),
        labels: { 'kubernetes.io/metadata.name': name, ...labels },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }

  const tokenBuf = Buffer.from(token);
  const authorized = (req: IncomingMessage): boolean => {
    const header = req.headers.authorization ?? '';
    let presented = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (!presented) {
      const proto = offeredProtocols(req.headers['sec-websocket-protocol']).find((p) =>
        p.startsWith('base64url.bearer.authorization.k8s.io.'),
      );
      if (proto)
        presented = Buffer.from(proto.slice('base64url.bearer.authorization.k8s.io.'.length), 'base64url').toString();
    }
    if (!presented) return false;
    const b = Buffer.from(presented);
    return b.length === tokenBuf.length && timingSafeEqual(b, tokenBuf);
  };

  const tls = opts.tls === false ? undefined : await selfSignedCertificate(opts.host ?? '127.0.0.1');
  const listener: RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    res.on('finish', () =>
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.search.slice(1),
        status: res.statusCode,
      }),
    );
    handle(req, res, url).catch((err: unknown) => {
      if (res.headersSent) {
        res.end();
        return;
      }
      const status =
        err instanceof KubeStatusError
          ? err.status
          : kubeErrors.internal(String((err as Error)?.message ?? err)).status;
      sendJson(res, status.code, status);
    });
  };
  const server: Server = tls
    ? createHttpsServer({ key: tls.key, cert: tls.cert }, listener)
    : createHttpServer(listener);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (_protocols, req) =>
      (req as IncomingMessage & { chosenProtocol?: string }).chosenProtocol || false,
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const record = (status: number): void => {
      requests.push({ method: req.method ?? '', path: url.pathname, query: url.search.slice(1), status });
    };
    socket.on('error', () => undefined);
    const fail = (code: number, body: string, type = 'application/json'): void => {
      record(code);
      socket.end(
        `HTTP/1.1 ${code} ${statusText(code)}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    const failStatus = (err: unknown): void => {
      const s = err instanceof KubeStatusError ? err.status : kubeErrors.internal(String(err)).status;
      fail(s.code, JSON.stringify(s));
    };
    try {
      if (!authorized(req)) throw kubeErrors.unauthorized();
      const route = parseRoute(url.pathname);
      if (!route || route.resource !== 'pods' || !route.name || (route.sub !== 'exec' && route.sub !== 'portforward')) {
        throw kubeErrors.pathNotFound();
      }
      if (req.method !== 'GET' && req.method !== 'POST') throw kubeErrors.methodNotAllowed();
      if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
        throw kubeErrors.badRequest(
          `fake-kube speaks only the WebSocket ${route.sub} protocol, not ${req.headers.upgrade}`,
        );
      }
      const ns = route.namespace!;
      const pod = store.get('pods', ns, route.name);
      if (!pod) throw kubeErrors.notFound(PODS, route.name);
      const p = pod as unknown as V1Pod;
      const offered = offeredProtocols(req.headers['sec-websocket-protocol']).filter(
        (x) => !x.startsWith('base64url.bearer.authorization.k8s.io.'),
      );
      const upgrade = (supported: string[], run: (conn: ChannelConnection) => Promise<void>): void => {
        const protocol = negotiate(offered, supported);
        if (protocol === undefined)
          throw kubeErrors.badRequest(
            `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${supported.join(' ')}]`,
          );
        (req as IncomingMessage & { chosenProtocol?: string }).chosenProtocol = protocol;
        record(101);
        wss.handleUpgrade(req, socket, head, (ws) => {
          websockets.add(ws);
          ws.on('close', () => websockets.delete(ws));
          // A client that vanishes mid-stream (a SIGKILLed gateway) ends that stream, not the server.
          ws.on('error', () => ws.terminate());
          run(new ChannelConnection(ws, protocol)).catch(() => ws.terminate());
        });
      };
      if (route.sub === 'exec') {
        const params = parseExecParams(url.searchParams);
        const names = p.spec!.containers.map((c) => c.name);
        const container = params.container ?? (names.length === 1 ? names[0] : undefined);
        if (!container) throw kubeErrors.badRequest(chooseContainer(p));
        if (![...names, ...(p.spec!.initContainers ?? []).map((c) => c.name)].includes(container))
          throw kubeErrors.badRequest(`container ${container} is not valid for pod ${route.name}`);
        if (!p.spec!.nodeName) throw kubeErrors.badRequest(`pod ${route.name} does not have a host assigned`);
        const id = kubelet.runningContainer(ns, route.name, container);
        if (!id) return fail(500, `container not found ("${container}")`, 'text/plain; charset=utf-8');
        return upgrade(EXEC_PROTOCOLS, (conn) => runExec(conn, docker, id, { ...params, container }));
      }
      const ports = parsePorts(url.searchParams);
      if (!p.spec!.nodeName) throw kubeErrors.badRequest(`pod ${route.name} does not have a host assigned`);
      const sandbox = kubelet.sandboxContainer(ns, route.name);
      const running = p.spec!.containers.some((c) => kubelet.runningContainer(ns, route.name!, c.name));
      if (!sandbox || !running) return fail(500, `pod ${route.name} is not running`, 'text/plain; charset=utf-8');
      upgrade(PORTFORWARD_PROTOCOLS, (conn) =>
        runPortForward(conn, docker, { containerId: sandbox, podUid: pod.metadata.uid }, ports),
      );
    } catch (err) {
      failStatus(err);
    }
  });

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!authorized(req)) throw kubeErrors.unauthorized();
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const address = server.address() as AddressInfo;
    const docs: Record<string, unknown> = {
      '/version': SERVER_VERSION,
      '/api': apiVersions(`${address.address}:${address.port}`),
      '/api/v1': CORE_V1_RESOURCES,
      '/apis': API_GROUP_LIST,
      '/apis/networking.k8s.io': NETWORKING_GROUP_DOC,
      '/apis/networking.k8s.io/v1': NETWORKING_V1_RESOURCES,
      '/openapi/v3': OPENAPI_V3_PATHS,
      '/openapi/v3/api/v1': openApiV3('core'),
      '/openapi/v3/apis/networking.k8s.io/v1': openApiV3('networking'),
    };
    if (docs[path]) {
      if (method !== 'GET') throw kubeErrors.methodNotAllowed();
      return sendJson(res, 200, docs[path]);
    }
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    const route = parseRoute(path);
    if (!route) throw kubeErrors.pathNotFound();
    if (route.sub === 'exec' || route.sub === 'portforward') {
      throw kubeErrors.badRequest('Upgrade request required');
    }
    if (route.sub === 'log') {
      if (method !== 'GET') throw kubeErrors.methodNotAllowed();
      return serveLog(res, route.namespace!, route.name!, url.searchParams);
    }
    if (route.sub) throw kubeErrors.pathNotFound();
    const accept = req.headers.accept;
    if (accept && !/application\/json|\*\/\*|application\/\*/.test(accept)) {
      throw kubeErrors.notAcceptable('application/json, application/yaml');
    }

    if (route.resource === 'namespaces') {
      if (method !== 'GET') throw kubeErrors.methodNotAllowed();
      if (route.name) {
        const ns = store.get('namespaces', '', route.name);
        if (!ns) throw kubeErrors.notFound(NAMESPACES, route.name);
        return sendObject(req, res, 200, 'namespaces', url, ns);
      }
      return serveCollection(req, res, url, 'namespaces', '');
    }

    const resource = route.resource;
    const gr = resource === 'pods' ? PODS : NETPOLS;
    if (!route.name) {
      if (method === 'GET') return serveCollection(req, res, url, resource, route.namespace);
      if (method === 'POST' && route.namespace !== undefined) {
        const body = await readJson(req);
        const created =
          resource === 'pods' ? createPod(route.namespace, body, url) : createPolicy(route.namespace, body, url);
        return sendObject(req, res, 201, resource, url, created);
      }
      throw kubeErrors.methodNotAllowed();
    }
    const ns = route.namespace!;
    if (method === 'GET') {
      const o = store.get(resource, ns, route.name);
      if (!o) throw kubeErrors.notFound(gr, route.name);
      return sendObject(req, res, 200, resource, url, o);
    }
    if (method === 'DELETE') {
      const body = await readJson(req, true);
      if (resource === 'pods') return sendObject(req, res, 200, 'pods', url, deletePod(ns, route.name, body, url));
      const o = store.get(resource, ns, route.name);
      if (!o) throw kubeErrors.notFound(gr, route.name);
      checkPreconditions(gr, o, body);
      store.remove(resource, ns, route.name);
      return sendJson(
        res,
        200,
        successStatus({ name: route.name, group: gr.group, kind: gr.resource, uid: o.metadata.uid }),
      );
    }
    if (method === 'PATCH' && resource === 'pods') {
      const body = await readJson(req, false, PATCH_TYPES);
      const o = store.get('pods', ns, route.name);
      if (!o) throw kubeErrors.notFound(gr, route.name);
      // Synchronous from here: no other request runs between the precondition check and the write.
      const next = patchPod(PODS, o, body);
      if (url.searchParams.get('dryRun') === 'All') return sendObject(req, res, 200, 'pods', url, next);
      const stored = store.update('pods', ns, route.name, (x) => {
        x.metadata = next.metadata;
        x.spec = next.spec;
      })!;
      return sendObject(req, res, 200, 'pods', url, stored);
    }
    throw kubeErrors.methodNotAllowed();
  }

  function namespaceOrThrow(ns: string): KubeObject {
    const o = store.get('namespaces', '', ns);
    if (!o) throw kubeErrors.notFound(NAMESPACES, ns);
    return o;
  }

  function checkBodyType(body: unknown, apiVersion: string, kind: string, ns: string): Record<string, unknown> {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw kubeErrors.badRequest(
        `the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: expected an object`,
      );
    }
    const b = body as Record<string, unknown>;
    if (b.apiVersion !== undefined && b.apiVersion !== apiVersion) {
      throw kubeErrors.badRequest(
        `the API version in the data (${String(b.apiVersion)}) does not match the expected API version (${apiVersion})`,
      );
    }
    if (b.kind !== undefined && b.kind !== kind) {
      throw kubeErrors.badRequest(
        `the object provided is unrecognized (must be of type ${kind}): no kind "${String(b.kind)}" is registered for version "${apiVersion}"`,
      );
    }
    const meta = (b.metadata ?? {}) as Record<string, unknown>;
    if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== ns) {
      throw kubeErrors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    const clean = structuredClone(b);
    delete clean.apiVersion;
    delete clean.kind;
    const m = (clean.metadata ??= {}) as Record<string, unknown>;
    if (!m.name && typeof m.generateName === 'string' && m.generateName) m.name = generatedName(m.generateName);
    delete m.resourceVersion;
    delete m.uid;
    delete m.creationTimestamp;
    delete m.deletionTimestamp;
    delete m.managedFields;
    return clean;
  }

  function createPod(ns: string, body: unknown, url: URL): KubeObject {
    const raw = checkBodyType(body, 'v1', 'Pod', ns);
    const namespace = namespaceOrThrow(ns);
    const spec = raw.spec as { containers?: unknown } | undefined;
    if (spec && spec.containers !== undefined && !Array.isArray(spec.containers)) {
      throw kubeErrors.badRequest(
        'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal spec.containers into []v1.Container',
      );
    }
    const pod = raw as unknown as V1Pod;
    const name = String(pod.metadata?.name ?? '');
    if (pod.spec && Array.isArray(pod.spec.containers)) applyPodDefaults(pod, ns);
    const causes = validatePod(pod);
    if (causes.length) throw kubeErrors.invalid('Pod', '', name, causes);
    const labels = namespace.metadata.labels ?? {};
    const level = labels['pod-security.kubernetes.io/enforce'] as PodSecurityLevel | undefined;
    if (level === 'baseline' || level === 'restricted') {
      const violations = podSecurityViolations(level, pod);
      if (violations.length) {
        const version = labels['pod-security.kubernetes.io/enforce-version'] ?? 'latest';
        throw kubeErrors.forbidden(PODS, name, `violates PodSecurity "${level}:${version}": ${violations.join(', ')}`);
      }
    }
    const quota = opts.podQuota?.[ns];
    if (quota !== undefined) {
      const used = store
        .list('pods', ns)
        .filter((p) => !['Succeeded', 'Failed'].includes(String((p.status as { phase?: string })?.phase))).length;
      if (used + 1 > quota) {
        throw kubeErrors.forbidden(
          PODS,
          name,
          `exceeded quota: pod-quota, requested: pods=1, used: pods=${used}, limited: pods=${quota}`,
        );
      }
    }
    if (store.get('pods', ns, name)) throw kubeErrors.alreadyExists(PODS, name);
    const obj = pod as unknown as KubeObject;
    if (url.searchParams.get('dryRun') === 'All') return { ...obj, metadata: { ...obj.metadata, resourceVersion: '' } };
    const stored = store.create('pods', ns, obj);
    kubelet.admit(stored as unknown as V1Pod);
    return stored;
  }

  function createPolicy(ns: string, body: unknown, url: URL): KubeObject {
    const raw = checkBodyType(body, 'networking.k8s.io/v1', 'NetworkPolicy', ns);
    namespaceOrThrow(ns);
    const meta = raw.metadata as Record<string, unknown>;
    const name = String(meta.name ?? '');
    const causes = [...validateObjectName(meta.name), ...validateLabels(meta.labels)];
    const spec = (raw.spec ?? {}) as Record<string, unknown>;
    for (const [i, t] of ((spec.policyTypes as unknown[]) ?? []).entries()) {
      if (t !== 'Ingress' && t !== 'Egress') {
        causes.push({
          reason: 'FieldValueNotSupported',
          message: `Unsupported value: ${JSON.stringify(t)}: supported values: "Ingress", "Egress"`,
          field: `spec.policyTypes[${i}]`,
        });
      }
    }
    if (causes.length) throw kubeErrors.invalid('NetworkPolicy', 'networking.k8s.io', name, causes);
    if (store.get('networkpolicies', ns, name)) throw kubeErrors.alreadyExists(NETPOLS, name);
    spec.podSelector ??= {};
    spec.policyTypes ??= spec.egress ? ['Ingress', 'Egress'] : ['Ingress'];
    const obj = {
      ...raw,
      metadata: {
        ...meta,
        namespace: ns,
        uid: randomUUID(),
        resourceVersion: '',
        creationTimestamp: kubeTime(),
        generation: 1,
      },
      spec,
    } as unknown as KubeObject;
    if (url.searchParams.get('dryRun') === 'All') return obj;
    return store.create('networkpolicies', ns, obj);
  }

  function checkPreconditions(gr: GroupResource, o: KubeObject, body: unknown): void {
    const pre = ((body ?? {}) as { preconditions?: { uid?: string; resourceVersion?: string } }).preconditions;
    if (pre?.uid && pre.uid !== o.metadata.uid) {
      throw kubeErrors.conflict(
        gr,
        o.metadata.name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${o.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== o.metadata.resourceVersion) {
      throw kubeErrors.conflict(
        gr,
        o.metadata.name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${o.metadata.resourceVersion}`,
      );
    }
  }

  function deletePod(ns: string, name: string, body: unknown, url: URL): KubeObject {
    const o = store.get('pods', ns, name);
    if (!o) throw kubeErrors.notFound(PODS, name);
    checkPreconditions(PODS, o, body);
    if (o.metadata.deletionTimestamp) return o;
    const opt = (body ?? {}) as { gracePeriodSeconds?: number };
    const q = url.searchParams.get('gracePeriodSeconds');
    const spec = o.spec as { terminationGracePeriodSeconds?: number };
    let grace =
      opt.gracePeriodSeconds ?? (q !== null ? Number(q) : undefined) ?? spec.terminationGracePeriodSeconds ?? 30;
    if (!Number.isFinite(grace) || grace < 0) grace = 0;
    const phase = (o.status as { phase?: string })?.phase;
    // Not on a node, or finished: nothing to wait for, the object goes at once.
    if (!kubelet.isOnNode(ns, name) || phase === 'Succeeded' || phase === 'Failed') grace = 0;
    const marked = store.update('pods', ns, name, (x) => {
      x.metadata.deletionTimestamp = kubeTime(new Date(Date.now() + grace * 1000));
      x.metadata.deletionGracePeriodSeconds = grace;
    })!;
    kubelet.delete(ns, name, grace);
    // Grace 0 is an immediate deletion (kubectl's --force): the object goes now, the kubelet cleans up after.
    if (grace === 0) store.remove('pods', ns, name);
    return marked;
  }

  // ---- collections and watches ----

  interface Selection {
    labels: LabelSelector;
    fields: FieldRequirement[];
  }

  function selectionOf(url: URL, resource: string): Selection {
    return {
      labels: parseLabelSelector(url.searchParams.get('labelSelector')),
      fields: parseFieldSelector(url.searchParams.get('fieldSelector'), resource),
    };
  }

  function selects(sel: Selection, o: KubeObject | undefined): boolean {
    return (
      !!o &&
      matchesLabels(sel.labels, o.metadata.labels) &&
      matchesFields(sel.fields, o as unknown as Record<string, unknown>)
    );
  }

  function includeOf(url: URL): IncludeObject {
    const v = url.searchParams.get('includeObject');
    return v === 'None' || v === 'Object' ? v : 'Metadata';
  }

  function serveCollection(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    resource: string,
    ns: string | undefined,
  ): void {
    const sel = selectionOf(url, resource);
    const watch = url.searchParams.get('watch');
    if (watch === 'true' || watch === '1') return serveWatch(req, res, url, resource, ns, sel);
    const rv = url.searchParams.get('resourceVersion');
    if (rv && rv !== '0' && !/^\d+$/.test(rv)) throw kubeErrors.badRequest(`invalid resource version: "${rv}"`);
    let items = store.list(resource, ns).filter((o) => selects(sel, o));
    const cont = url.searchParams.get('continue');
    if (cont) {
      let after: string;
      try {
        after = (JSON.parse(Buffer.from(cont, 'base64url').toString()) as { after: string }).after;
      } catch {
        throw kubeErrors.badRequest('continue key is not valid: invalid continue token');
      }
      items = items.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > after);
    }
    const limit = Number(url.searchParams.get('limit') ?? 0);
    const meta: Record<string, unknown> = { resourceVersion: String(store.resourceVersion) };
    if (limit > 0 && items.length > limit) {
      const last = items[limit - 1]!;
      meta.continue = Buffer.from(
        JSON.stringify({ after: `${last.metadata.namespace ?? ''}/${last.metadata.name}` }),
      ).toString('base64url');
      meta.remainingItemCount = items.length - limit;
      items = items.slice(0, limit);
    }
    const { apiVersion, kind } = typeMeta(resource);
    if (wantsTable(req.headers.accept)) {
      const table = toTable(resource, items, {
        resourceVersion: String(store.resourceVersion),
        include: includeOf(url),
        apiVersion,
        kind,
      });
      (table.metadata as Record<string, unknown>).continue = meta.continue;
      return sendJson(res, 200, table);
    }
    sendJson(res, 200, { kind: `${kind}List`, apiVersion, metadata: meta, items: items.map(bare) });
  }

  function serveWatch(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    resource: string,
    ns: string | undefined,
    sel: Selection,
  ): void {
    const table = wantsTable(req.headers.accept);
    const include = includeOf(url);
    const { apiVersion, kind } = typeMeta(resource);
    const bookmarks = url.searchParams.get('allowWatchBookmarks') === 'true';
    const rvParam = url.searchParams.get('resourceVersion');
    if (rvParam && rvParam !== '0' && !/^\d+$/.test(rvParam))
      throw kubeErrors.badRequest(`invalid resource version: "${rvParam}"`);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 1800);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    let first = true;
    let lastRv = 0;
    const write = (type: string, o: KubeObject | Record<string, unknown>): void => {
      let object: unknown = o;
      if (table && type !== 'ERROR' && type !== 'BOOKMARK') {
        object = toTable(resource, [o as KubeObject], { include, apiVersion, kind, columns: first });
        first = false;
      } else if (type !== 'ERROR' && type !== 'BOOKMARK') object = withType(resource, o as KubeObject);
      res.write(`${JSON.stringify({ type, object })}\n`);
    };
    const deliver = (e: StoreEvent): void => {
      if (e.resource !== resource || (ns !== undefined && e.namespace !== ns) || e.rv <= lastRv) return;
      lastRv = e.rv;
      const now = e.type !== 'DELETED' && selects(sel, e.object);
      const before = e.type !== 'ADDED' && selects(sel, e.previous);
      if (e.type === 'ADDED' && now) write('ADDED', e.object);
      else if (e.type === 'DELETED' && before) write('DELETED', e.object);
      else if (e.type === 'MODIFIED') {
        if (now && before) write('MODIFIED', e.object);
        else if (now) write('ADDED', e.object);
        else if (before) write('DELETED', e.object);
      }
    };
    const queue: StoreEvent[] = [];
    let live = false;
    const unsubscribe = store.subscribe((e) => (live ? deliver(e) : queue.push(e)));
    if (!rvParam || rvParam === '0') {
      for (const o of store.list(resource, ns)) if (selects(sel, o)) write('ADDED', o);
      lastRv = store.resourceVersion;
      if (bookmarks && url.searchParams.get('sendInitialEvents') === 'true') {
        res.write(
          `${JSON.stringify({ type: 'BOOKMARK', object: { kind, apiVersion, metadata: { resourceVersion: String(lastRv), annotations: { 'k8s.io/initial-events-end': 'true' } } } })}\n`,
        );
      }
    } else {
      const since = Number(rvParam);
      const changes = store.changesSince(since);
      if (!changes) {
        const oldest = store.compactedRevision + 1;
        write(
          'ERROR',
          kubeErrors.expired(`too old resource version: ${since} (${oldest})`).status as unknown as Record<
            string,
            unknown
          >,
        );
        unsubscribe();
        res.end();
        return;
      }
      lastRv = since;
      for (const e of changes) deliver(e);
    }
    for (const e of queue.splice(0)) deliver(e);
    live = true;
    const bookmarkTimer = bookmarks
      ? setInterval(() => {
          res.write(
            `${JSON.stringify({ type: 'BOOKMARK', object: { kind, apiVersion, metadata: { resourceVersion: String(Math.max(lastRv, store.resourceVersion)) } } })}\n`,
          );
        }, 30_000)
      : undefined;
    const timer = setTimeout(() => res.end(), Math.max(1, timeout) * 1000);
    const stop = (): void => {
      unsubscribe();
      clearTimeout(timer);
      if (bookmarkTimer) clearInterval(bookmarkTimer);
    };
    res.on('close', stop);
    res.on('finish', stop);
  }

  async function serveLog(res: ServerResponse, ns: string, name: string, q: URLSearchParams): Promise<void> {
    const pod = store.get('pods', ns, name) as unknown as V1Pod | undefined;
    if (!pod) throw kubeErrors.notFound(PODS, name);
    const names = pod.spec!.containers.map((c) => c.name);
    const container = q.get('container') ?? (names.length === 1 ? names[0] : undefined);
    if (!container) throw kubeErrors.badRequest(chooseContainer(pod));
    const inits = (pod.spec!.initContainers ?? []).map((c) => c.name);
    if (![...names, ...inits].includes(container))
      throw kubeErrors.badRequest(`container ${container} is not valid for pod ${name}`);
    const status = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].find(
      (c) => c.name === container,
    );
    const waiting = status?.state?.waiting;
    const id = status?.containerID?.replace(/^docker:\/\//, '');
    if (!id)
      throw kubeErrors.badRequest(
        `container "${container}" in pod "${name}" is waiting to start: ${waiting?.reason ?? 'ContainerCreating'}`,
      );
    const follow = q.get('follow') === 'true';
    const tail = q.get('tailLines');
    const ctr = docker.getContainer(id);
    const info = await ctr.inspect();
    const logOpts = {
      stdout: true,
      stderr: true,
      timestamps: q.get('timestamps') === 'true',
      ...(tail ? { tail: Number(tail) } : {}),
    };
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    if (follow) {
      const stream = (await ctr.logs({ ...logOpts, follow: true })) as unknown as NodeJS.ReadableStream;
      res.on('close', () => (stream as unknown as { destroy?: () => void }).destroy?.());
      if (info.Config.Tty) for await (const chunk of stream as AsyncIterable<Buffer>) res.write(chunk);
      else for await (const { data } of demuxDocker(stream as never)) res.write(data);
      res.end();
      return;
    }
    const buf = (await ctr.logs({ ...logOpts, follow: false })) as unknown as Buffer;
    if (info.Config.Tty) return void res.end(buf);
    const { Readable } = await import('node:stream');
    for await (const { data } of demuxDocker(Readable.from([buf]))) res.write(data);
    res.end();
  }

  // ---- plumbing ----

  function sendObject(
    req: IncomingMessage,
    res: ServerResponse,
    code: number,
    resource: string,
    url: URL,
    o: KubeObject,
  ): void {
    if (wantsTable(req.headers.accept)) {
      const { apiVersion, kind } = typeMeta(resource);
      return sendJson(res, code, toTable(resource, [o], { include: includeOf(url), apiVersion, kind }));
    }
    sendJson(res, code, withType(resource, o));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls ? 'https' : 'http'}://${host}:${address.port}`;
  let closed: Promise<void> | undefined;

  return {
    url,
    token,
    caPem: tls?.cert,
    requests,
    kubeconfig: (namespace = 'sandboxed') => kubeconfigYaml(url, token, namespace, tls?.cert),
    writeKubeconfig: (path, namespace = 'sandboxed') =>
      writeKubeconfigFile(path, kubeconfigYaml(url, token, namespace, tls?.cert)),
    close: () =>
      (closed ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const ws of websockets) ws.terminate();
        for (const s of sockets) s.destroy();
        wss.close();
        await stopped;
        await kubelet.close();
      })()),
  };
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

async function readJson(
  req: IncomingMessage,
  optional = false,
  types: readonly string[] = ['application/json', '*/*'],
): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY)
      throw new KubeStatusError({
        ...kubeErrors.badRequest('').status,
        code: 413,
        reason: 'RequestEntityTooLarge',
        message: 'Request entity too large: limit is 3000000',
      });
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') {
    if (optional) return undefined;
    throw kubeErrors.badRequest(
      "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: unexpected end of JSON input",
    );
  }
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim();
  if (!types.includes(type)) throw kubeErrors.unsupportedMediaType(type);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw kubeErrors.badRequest(`json parse error: ${(err as Error).message}`);
  }
}

/** The API server's answer when a pod has several containers and the request names none. */
function chooseContainer(pod: V1Pod): string {
  const names = pod.spec!.containers.map((c) => c.name);
  const inits = (pod.spec!.initContainers ?? []).map((c) => c.name);
  return (
    `a container name must be specified for pod ${pod.metadata!.name}, choose one of: [${names.join(' ')}]` +
    (inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : '')
  );
}

function statusText(code: number): string {
  return (
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      405: 'Method Not Allowed',
      500: 'Internal Server Error',
    }[code] ?? 'Error'
  );
}
