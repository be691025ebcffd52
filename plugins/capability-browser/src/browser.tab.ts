import type CDP from 'chrome-remote-interface';
import type { EventEmitter } from 'node:events';
import { ConflictError, TimeoutError } from '@sandboxed/plugin-sdk';
import { sendCdp } from './cdp.send.js';

type Client = CDP.Client;
type Commands = Parameters<Client['send']>[0];
type Listener = (...args: unknown[]) => void;

export interface RemoteObject {
  type: string;
  subtype?: string;
  value?: unknown;
  objectId?: string;
  description?: string;
}

export interface Viewport {
  width: number;
  height: number;
}

/**
 * One page target, attached over a flat CDP session of the browser connection. Tracks what the
 * operations need: the main frame's current document (refs die with it) and each document's status.
 */
export class BrowserTab {
  /** Refs of the latest snapshot of the current document. */
  refs = new Map<string, number>();
  private readonly statusByLoader = new Map<string, number>();
  private readonly listeners: Array<[string, Listener]> = [];

  private constructor(
    private readonly client: Client,
    readonly targetId: string,
    readonly sessionId: string,
    public viewport: Viewport,
  ) {}

  static async attach(client: Client, targetId: string, viewport: Viewport): Promise<BrowserTab> {
    const { sessionId } = (await sendCdp(client, 'Target.attachToTarget', { targetId, flatten: true })) as {
      sessionId: string;
    };
    const tab = new BrowserTab(client, targetId, sessionId, viewport);
    tab.listen(
      'Network.responseReceived',
      (p: { loaderId: string; type?: string; frameId?: string; response: { status: number } }) => {
        if (p.type === 'Document' && p.frameId === targetId) tab.statusByLoader.set(p.loaderId, p.response.status);
        if (tab.statusByLoader.size > 50) tab.statusByLoader.delete(tab.statusByLoader.keys().next().value!);
      },
    );
    tab.listen('Page.frameNavigated', (p: { frame: { id: string; parentId?: string } }) => {
      if (!p.frame.parentId) tab.refs = new Map();
    });
    await Promise.all([
      tab.send('Page.enable'),
      tab.send('Page.setLifecycleEventsEnabled', { enabled: true }),
      tab.send('Network.enable'),
      tab.send('DOM.enable'),
      tab.send('Accessibility.enable'),
      tab.applyViewport(viewport),
    ]);
    return tab;
  }

  /** A command on this tab's session. Results are loosely typed: callers name the fields they read. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  send<T extends Commands>(method: T, params?: object): Promise<any> {
    return sendCdp(this.client, method, params, this.sessionId);
  }

  /** Subscribes to an event of this tab's session until the tab is detached. */
  listen<P>(event: string, handler: (params: P) => void): void {
    const name = `${event}.${this.sessionId}`;
    (this.client as unknown as EventEmitter).on(name, handler as Listener);
    this.listeners.push([name, handler as Listener]);
  }

  /** Subscribes to an event of this tab's session; returns the unsubscribe. */
  subscribe<P>(event: string, handler: (params: P) => void): () => void {
    const emitter = this.client as unknown as EventEmitter;
    const name = `${event}.${this.sessionId}`;
    emitter.on(name, handler);
    return () => void emitter.off(name, handler);
  }

  /** Resolves with the first matching event's params, or rejects after timeoutMs (or on abort). */
  waitForEvent<P>(
    event: string,
    matches: (p: P) => boolean,
    timeoutMs: number,
    what: string,
    signal?: AbortSignal,
  ): Promise<P> {
    const emitter = this.client as unknown as EventEmitter;
    const name = `${event}.${this.sessionId}`;
    return new Promise<P>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        emitter.off(name, handler);
        signal?.removeEventListener('abort', onAbort);
      };
      const handler = (p: P): void => {
        if (!matches(p)) return;
        cleanup();
        resolve(p);
      };
      const onAbort = (): void => {
        cleanup();
        reject(new TimeoutError(`${what}: the caller went away`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new TimeoutError(`${what} did not happen within ${timeoutMs} ms`, { timeoutMs }));
      }, timeoutMs);
      emitter.on(name, handler);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  statusOf(loaderId: string | undefined): number {
    return (loaderId && this.statusByLoader.get(loaderId)) || 0;
  }

  async applyViewport(viewport: Viewport): Promise<void> {
    this.viewport = viewport;
    await this.send('Emulation.setDeviceMetricsOverride', { ...viewport, deviceScaleFactor: 1, mobile: false });
  }

  /** Calls a page function (source text) with `this` = the element, or the document. */
  async call(fn: string, args: unknown[], on?: string, opts: { returnByValue?: boolean } = {}): Promise<RemoteObject> {
    const objectId = on ?? (await this.documentObject());
    const res = await this.send('Runtime.callFunctionOn', {
      functionDeclaration: fn,
      objectId,
      arguments: args.map((value) => ({ value })),
      awaitPromise: true,
      returnByValue: opts.returnByValue ?? true,
    });
    if (res.exceptionDetails) {
      const d = res.exceptionDetails;
      throw new Error(d.exception?.description ?? d.text ?? 'page function threw');
    }
    return res.result as RemoteObject;
  }

  async value<T>(fn: string, args: unknown[] = [], on?: string): Promise<T> {
    return (await this.call(fn, args, on)).value as T;
  }

  private async documentObject(): Promise<string> {
    const { result } = await this.send('Runtime.evaluate', { expression: 'document', objectGroup: 'sandboxed' });
    return result.objectId as string;
  }

  /** The live element of a snapshot ref, or a 409 that says to take a new snapshot. */
  async resolveRef(ref: string): Promise<string> {
    const backendNodeId = this.refs.get(ref);
    const stale = (): ConflictError =>
      new ConflictError(
        `Ref ${ref} is not in the latest snapshot of this page (the page changed or navigated): take a new snapshot (browser.snapshot) and use its refs`,
        { ref },
      );
    if (backendNodeId === undefined) throw stale();
    try {
      const { object } = await this.send('DOM.resolveNode', { backendNodeId, objectGroup: 'sandboxed' });
      const connected = await this.value<boolean>('function () { return this.isConnected; }', [], object.objectId);
      if (!connected) throw stale();
      return object.objectId as string;
    } catch (err) {
      if (err instanceof ConflictError) throw err;
      throw stale();
    }
  }

  detach(): void {
    const emitter = this.client as unknown as EventEmitter;
    for (const [name, handler] of this.listeners) emitter.off(name, handler);
    this.listeners.length = 0;
  }
}
