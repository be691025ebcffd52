import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AUTHENTICATOR,
  CHANNEL_REGISTRY,
  NotFoundError,
  OPERATION_INVOKER,
  OPERATION_REGISTRY,
  REQUEST_ADMISSION,
  SCHEMA_CATALOG,
  toSandboxedError,
  UnauthorizedError,
  UnavailableError,
  type Authenticator,
  type ChannelRegistry,
  type FrameChannel,
  type MessageChannel,
  type OpenedChannel,
  type OperationInvoker,
  type OperationRegistry,
  type Principal,
  type RequestAdmission,
  SandboxedError,
  type SchemaCatalog,
} from '@sandboxed/plugin-sdk';
import { WebSocketServer, type WebSocket } from 'ws';
import { bridgeChannel } from './channel.bridge.js';
import { channelRoute, matchChannel, type ChannelMatch, type ChannelRoute } from './channel.routes.js';
import { closeCodeFor } from './close-codes.js';
import { FrameSender } from './frame.sender.js';
import { writeHttpError } from './http-error.reply.js';
import { keepAlive } from './keep-alive.js';
import { inputFromUrl } from './query.input.js';
import { RpcConnection } from './rpc.connection.js';
import { SocketInbox } from './socket.inbox.js';
import { awaitTicket, isTicketFrame } from './ticket.handshake.js';
import { TicketService } from './ticket.service.js';
import { TICKET_DOC } from './ws-ticket.dto.js';
import { forwardHttp, forwardUpgrade } from './tunnel.forwarders.js';
import { bridgeFrames } from './frame.bridge.js';
import { closeAtExpiry, cutAtExpiry } from './session.expiry.js';
import { rejectUpgrade } from './upgrade.rejection.js';
import { WsConnections, type ConnectionSlot } from './ws-connections.service.js';
import type { WsOptions } from './ws-options.dto.js';
import { WS_OPTIONS } from './ws.tokens.js';

export const RPC_PATH = '/v1/ws';
export const TICKET_PATH = '/v1/ws/ticket';
const METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'] as const;

/** Who the upgrade is for (or that a ticket must tell), and its place in the connection caps. */
type Auth = ({ principal: Principal } | { ticket: true }) & { slot: ConnectionSlot };
type ChannelOf<K extends 'messages' | 'frames'> = K extends 'messages' ? MessageChannel : FrameChannel;

const channelError = (e: SandboxedError): unknown => ({ type: 'error', error: e.toJSON() });

function withSlash(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  return q < 0 ? `${rawUrl}/` : `${rawUrl.slice(0, q)}/${rawUrl.slice(q)}`;
}

/**
 * Everything that upgrades, plus the HTTP tunnels: `/v1/ws` (every operation over one socket),
 * a WebSocket per message channel (e.g. the terminal), and a reverse proxy (HTTP and WebSocket)
 * per HTTP tunnel (e.g. exposed ports). It owns the server's `upgrade` event and mounts channels
 * from the ChannelRegistry; it knows no capability.
 */
@Injectable()
export class WsGateway implements OnApplicationBootstrap {
  private readonly logger = new Logger('WsTransport');
  private readonly routes: ChannelRoute[] = [];
  private wss!: WebSocketServer;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(AUTHENTICATOR) private readonly auth: Authenticator,
    @Inject(OPERATION_INVOKER) private readonly invoker: OperationInvoker,
    @Inject(OPERATION_REGISTRY) private readonly registry: OperationRegistry,
    @Inject(CHANNEL_REGISTRY) private readonly channels: ChannelRegistry,
    @Inject(SCHEMA_CATALOG) private readonly catalog: SchemaCatalog,
    @Inject(WS_OPTIONS) private readonly options: WsOptions,
    @Inject(REQUEST_ADMISSION) private readonly admission: RequestAdmission,
    private readonly tickets: TicketService,
    private readonly connections: WsConnections,
  ) {}

  onApplicationBootstrap(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.routes.push(...this.channels.list().map(channelRoute));
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.options.maxPayloadBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
    fastify.post(TICKET_PATH, { config: TICKET_DOC }, (req, reply) => this.issueTicket(req, reply));
    this.mountTunnels(fastify);
    server.on(
      'upgrade',
      (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.onUpgrade(server, req, socket, head),
    );
    const mounted = this.routes.map((r) => r.fastifyUrl).join(', ');
    this.logger.log(`WebSocket API at ${RPC_PATH}${mounted ? `; channels at ${mounted}` : ''}`);
  }

  private async issueTicket(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    reply.hijack();
    try {
      const body = JSON.stringify(this.tickets.issue(this.admitted(req)));
      reply.raw.writeHead(201, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
    } catch (err) {
      writeHttpError(reply.raw, err);
    }
  }

  /** Raw bodies: an encapsulated context without body parsing, so the request stream is forwarded untouched. */
  private mountTunnels(fastify: FastifyInstance): void {
    const tunnels = this.routes.filter((r) => r.channel.kind === 'tunnel');
    if (tunnels.length === 0) return;
    void fastify.register(async (child) => {
      child.removeAllContentTypeParsers();
      child.addContentTypeParser('*', (_req, _payload, done) => done(null));
      for (const route of tunnels) {
        child.route({
          method: [...METHODS],
          url: `${route.fastifyUrl}/*`,
          handler: (req, reply) => this.proxyHttp(req, reply),
        });
        // `.../ports/8000` → `.../ports/8000/`, so relative links in the proxied pages resolve.
        child.route({
          method: ['GET', 'HEAD'],
          url: route.fastifyUrl,
          handler: (req, reply) => reply.redirect(withSlash(req.raw.url ?? '/'), 308),
        });
      }
    });
  }

  private async proxyHttp(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    reply.hijack();
    const url = new URL(req.raw.url ?? '/', 'http://gateway');
    const match = matchChannel(this.routes, url.pathname);
    if (!match || match.rest === undefined) return writeHttpError(reply.raw, new NotFoundError('Not found'));
    const abort = new AbortController();
    reply.raw.once('close', () => abort.abort());
    try {
      const principal = this.admitted(req);
      const opened = await this.open(match, url, principal, abort.signal);
      if (opened.kind !== 'tunnel') throw new NotFoundError('Not found');
      if (abort.signal.aborted) return void opened.stream.destroy();
      forwardHttp(req.raw, reply.raw, opened.stream, {
        path: `${match.rest}${url.search}`,
        prefix: this.prefixOf(url, match),
      });
      cutAtExpiry(reply.raw, principal);
    } catch (err) {
      const error = toSandboxedError(err);
      // Nothing answered inside the sandbox: for a proxy that is a bad gateway.
      writeHttpError(
        reply.raw,
        error.code === 'unavailable' ? new SandboxedError('unavailable', 502, error.message, error.details) : error,
      );
    }
  }

  private async onUpgrade(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://gateway');
    const match = url.pathname === RPC_PATH ? undefined : matchChannel(this.routes, url.pathname);
    if (url.pathname !== RPC_PATH && !match) {
      // Another plugin may serve this path; answer only when nobody else listens.
      if (server.listenerCount('upgrade') === 1)
        rejectUpgrade(socket, new NotFoundError(`No WebSocket endpoint at ${url.pathname}`));
      return;
    }
    try {
      // Upgrades bypass Fastify's hooks: the same Host/Origin policy as every HTTP route, before credentials.
      this.admission.checkHostAndOrigin(req);
      // Tunnels and frame channels carry the caller's own bytes from the first frame: no ticket frame.
      const kind = match?.route.channel.kind;
      const auth = await this.authenticate(req, socket, kind !== 'tunnel' && kind !== 'frames');
      if (!match) return this.serveRpc(req, socket, head, auth);
      if (kind === 'tunnel') return await this.proxyUpgrade(req, socket, head, url, match, auth);
      if (kind === 'frames') return await this.serveFrames(req, socket, head, url, match, auth);
      await this.serveChannel(req, socket, head, url, match, auth);
    } catch (err) {
      rejectUpgrade(socket, err);
    }
  }

  /** The principal the kernel authenticated on this HTTP request's headers (routes are `authenticated`). */
  private admitted(req: FastifyRequest): Principal {
    const principal = this.admission.principalOf(req.raw);
    if (!principal) throw new UnauthorizedError();
    return principal;
  }

  /**
   * Header credentials, else (where a browser may connect) a ticket in the first frame; then a slot in
   * the caps (per principal, or among those waiting for a ticket), held until the socket closes.
   */
  private async authenticate(req: IncomingMessage, socket: Duplex, ticketAllowed: boolean): Promise<Auth> {
    if (!this.connections.hasRoom()) throw new UnavailableError('Too many WebSocket connections; try again later');
    const presented = req.headers.authorization !== undefined || req.headers['x-api-key'] !== undefined;
    let principal: Principal | undefined;
    try {
      principal = await this.auth.authenticate(req.headers);
    } catch (err) {
      if (!(ticketAllowed && !presented && err instanceof UnauthorizedError)) throw err;
    }
    const slot = this.connections.reserve(principal);
    socket.once('close', () => slot.release());
    return principal ? { principal, slot } : { ticket: true, slot };
  }

  private accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    auth: Auth,
  ): Promise<{ ws: WebSocket; inbox: SocketInbox; sender: FrameSender }> {
    return new Promise((resolve) =>
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        // Protocol errors (e.g. a frame over maxPayload) close the socket; unhandled, they would crash the process.
        ws.on('error', (err) => this.logger.debug(`WebSocket closed on a protocol error: ${err.message}`));
        this.connections.add(ws);
        keepAlive(ws, this.options.pingIntervalMs);
        const sender = new FrameSender(ws, this.options, () => {
          this.connections.droppedSlowReaders++;
          this.logger.warn('Dropped a WebSocket reader that could not keep up');
        });
        const inbox = new SocketInbox(ws);
        if ('principal' in auth) inbox.dropFirstIf(isTicketFrame);
        resolve({ ws, inbox, sender });
      }),
    );
  }

  private async serveRpc(req: IncomingMessage, socket: Duplex, head: Buffer, auth: Auth): Promise<void> {
    const { ws, inbox, sender } = await this.accept(req, socket, head, auth);
    const start = (principal: Principal): void => {
      const deps = { invoker: this.invoker, registry: this.registry, ...this.options };
      new RpcConnection(inbox, principal, sender, deps);
      closeAtExpiry(ws, principal, sender, (e) => ({ id: null, error: e.toJSON() }));
      sender.send({ ready: true, principal: principal.id });
    };
    if ('principal' in auth) return start(auth.principal);
    awaitTicket({
      inbox,
      tickets: this.tickets,
      timeoutMs: this.options.authTimeoutMs,
      errorFrame: (e) => ({ id: null, error: e.toJSON() }),
      onPrincipal: (principal) => {
        auth.slot.assign(principal);
        start(principal);
      },
    });
  }

  private async serveChannel(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
    match: ChannelMatch,
    auth: Auth,
  ): Promise<void> {
    if ('principal' in auth) {
      const accepted = await this.openThenAccept(req, socket, head, url, match, auth, 'messages');
      if (!accepted) return;
      closeAtExpiry(accepted.ws, auth.principal, accepted.sender, channelError);
      return bridgeChannel(accepted.inbox, accepted.channel, accepted.sender);
    }
    const abort = new AbortController();
    const { ws, inbox, sender } = await this.accept(req, socket, head, auth);
    ws.once('close', () => abort.abort());
    const refuse = (err: SandboxedError): void => {
      sender.send({ type: 'error', error: err.toJSON() });
      ws.close(closeCodeFor(err), err.message.slice(0, 120));
    };
    awaitTicket({
      inbox,
      tickets: this.tickets,
      timeoutMs: this.options.authTimeoutMs,
      errorFrame: channelError,
      onPrincipal: (principal) => {
        auth.slot.assign(principal);
        this.open(match, url, principal, abort.signal).then(
          (opened) => {
            if (opened.kind !== 'messages') return refuse(new NotFoundError('Not found'));
            if (abort.signal.aborted) return void opened.channel.close();
            sender.send({ type: 'ready' });
            closeAtExpiry(ws, principal, sender, channelError);
            bridgeChannel(inbox, opened.channel, sender);
          },
          (err: unknown) => refuse(toSandboxedError(err)),
        );
      },
    });
  }

  private async serveFrames(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
    match: ChannelMatch,
    auth: Auth,
  ): Promise<void> {
    if (!('principal' in auth)) throw new UnauthorizedError();
    const accepted = await this.openThenAccept(req, socket, head, url, match, auth, 'frames');
    if (!accepted) return;
    bridgeFrames(accepted.inbox, accepted.channel, accepted.sender);
    cutAtExpiry(socket, auth.principal);
  }

  /**
   * With header credentials: opens the channel before accepting the upgrade, so a refusal (e.g.
   * someone else's sandbox) is a plain HTTP status. Undefined when the caller left meanwhile.
   */
  private async openThenAccept<K extends 'messages' | 'frames'>(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
    match: ChannelMatch,
    auth: Auth & { principal: Principal },
    kind: K,
  ): Promise<
    | {
        ws: WebSocket;
        inbox: SocketInbox;
        sender: FrameSender;
        channel: ChannelOf<K>;
      }
    | undefined
  > {
    const abort = new AbortController();
    socket.once('close', () => abort.abort());
    const opened = await this.open(match, url, auth.principal, abort.signal);
    if (opened.kind !== kind) throw new NotFoundError('Not found');
    const { channel } = opened as unknown as { channel: ChannelOf<K> };
    if (abort.signal.aborted) return void channel.close();
    const accepted = await this.accept(req, socket, head, auth);
    accepted.ws.once('close', () => abort.abort());
    return { ...accepted, channel };
  }

  private async proxyUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
    match: ChannelMatch,
    auth: Auth,
  ): Promise<void> {
    if (!('principal' in auth) || match.rest === undefined) throw new NotFoundError('Not found');
    const abort = new AbortController();
    socket.once('close', () => abort.abort());
    const opened = await this.open(match, url, auth.principal, abort.signal);
    if (opened.kind !== 'tunnel') throw new NotFoundError('Not found');
    if (abort.signal.aborted) return void opened.stream.destroy();
    forwardUpgrade(req, socket, head, opened.stream, {
      path: `${match.rest}${url.search}`,
      prefix: this.prefixOf(url, match),
    });
    cutAtExpiry(socket, auth.principal);
  }

  private open(match: ChannelMatch, url: URL, principal: Principal, signal: AbortSignal): Promise<OpenedChannel> {
    const { channel } = match.route;
    // Tunnels take only path parameters: the query string belongs to the proxied request.
    const query = channel.kind === 'tunnel' ? new URL('http://gateway/') : url;
    const input = inputFromUrl(query, match.params, this.catalog.schemaFor(channel.input as never));
    return this.invoker.open(channel.id, { sandboxId: match.sandboxId, input }, principal, signal);
  }

  private prefixOf(url: URL, match: ChannelMatch): string {
    return url.pathname.slice(0, url.pathname.length - (match.rest?.length ?? 0));
  }
}
