import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type CDP from 'chrome-remote-interface';
import { NotFoundError } from '@sandboxed/plugin-sdk';
import { BrowserTab, type Viewport } from './browser.tab.js';
import { sendCdp } from './cdp.send.js';
import type { CdpSocketBridge } from './cdp-socket.bridge.js';

const require = createRequire(import.meta.url);
/** Required by the first session, not at boot: a gateway that never opens a browser does not hold it. */
const connectCdp = (options: CDP.Options): Promise<CDP.Client> =>
  (require('chrome-remote-interface') as typeof CDP)(options);

export interface DownloadRecord {
  id: string;
  url: string;
  filename: string;
  /** Where it lands inside the sandbox. */
  path: string;
  state: 'inProgress' | 'completed' | 'canceled';
  receivedBytes: number;
  totalBytes: number;
}

export interface TabInfo {
  id: string;
  url: string;
  title: string;
  active: boolean;
}

const MAX_DOWNLOADS = 1000;
const CLOSE_WAIT_MS = 5000;

/**
 * The gateway's connection to one sandbox's browser (browser-level CDP, flat sessions per tab),
 * the tab operations act on, and the downloads it has seen. Dies with the connection: the next
 * operation opens a new one (and relaunches Chromium if it crashed).
 */
export class BrowserSession {
  private readonly tabs = new Map<string, Promise<BrowserTab>>();
  private activeId?: string;
  private readonly downloadMap = new Map<string, DownloadRecord>();
  private closed = false;

  private constructor(
    private readonly client: CDP.Client,
    readonly bridge: CdpSocketBridge,
    readonly browserPath: string,
    readonly product: string,
    readonly launchMs: number | undefined,
    private readonly downloadsDir: string,
    private readonly defaultViewport: Viewport,
  ) {}

  static async open(opts: {
    bridge: CdpSocketBridge;
    browserPath: string;
    product: string;
    launchMs?: number;
    downloadsDir: string;
    viewport: Viewport;
    onClose: () => void;
  }): Promise<BrowserSession> {
    const client = await connectCdp({
      target: { webSocketDebuggerUrl: opts.bridge.wsUrl(opts.browserPath) } as never,
      local: true,
    });
    const session = new BrowserSession(
      client,
      opts.bridge,
      opts.browserPath,
      opts.product,
      opts.launchMs,
      opts.downloadsDir,
      opts.viewport,
    );
    client.on('disconnect', () => {
      session.closed = true;
      opts.onClose();
    });
    const events = client as unknown as EventEmitter;
    events.on('Browser.downloadWillBegin', (p: { guid: string; url: string; suggestedFilename: string }) =>
      session.recordDownload(p),
    );
    events.on(
      'Browser.downloadProgress',
      (p: {
        guid: string;
        state: DownloadRecord['state'];
        receivedBytes: number;
        totalBytes: number;
        filePath?: string;
      }) => {
        const record = session.downloadMap.get(p.guid);
        if (!record) return;
        Object.assign(record, { state: p.state, receivedBytes: p.receivedBytes, totalBytes: p.totalBytes });
        if (p.filePath)
          Object.assign(record, { path: p.filePath, filename: p.filePath.split('/').pop() ?? record.filename });
      },
    );
    // Target lifecycle events, so closeTab can tell when a tab is really gone.
    await sendCdp(client, 'Target.setDiscoverTargets', { discover: true });
    await sendCdp(client, 'Browser.setDownloadBehavior', {
      behavior: 'allow',
      downloadPath: opts.downloadsDir,
      eventsEnabled: true,
    });
    return session;
  }

  get connected(): boolean {
    return !this.closed;
  }

  get downloads(): DownloadRecord[] {
    return [...this.downloadMap.values()];
  }

  private recordDownload(p: { guid: string; url: string; suggestedFilename: string }): void {
    if (this.downloadMap.size >= MAX_DOWNLOADS) this.downloadMap.delete(this.downloadMap.keys().next().value!);
    const filename = p.suggestedFilename.replace(/[/\0]/g, '_');
    this.downloadMap.set(p.guid, {
      id: p.guid,
      url: p.url,
      filename,
      path: `${this.downloadsDir}/${filename}`,
      state: 'inProgress',
      receivedBytes: 0,
      totalBytes: 0,
    });
  }

  private async pageTargets(): Promise<Array<{ targetId: string; url: string; title: string }>> {
    const { targetInfos } = (await sendCdp(this.client, 'Target.getTargets')) as {
      targetInfos: Array<{ targetId: string; type: string; url: string; title: string }>;
    };
    return targetInfos.filter((t) => t.type === 'page');
  }

  private tab(targetId: string): Promise<BrowserTab> {
    let tab = this.tabs.get(targetId);
    if (!tab) {
      tab = BrowserTab.attach(this.client, targetId, this.defaultViewport);
      tab.catch(() => this.tabs.delete(targetId));
      this.tabs.set(targetId, tab);
    }
    return tab;
  }

  /** The tab operations act on: the one switched to, else the first page, else a new one. */
  async activeTab(): Promise<BrowserTab> {
    const pages = await this.pageTargets();
    const active = pages.find((p) => p.targetId === this.activeId) ?? pages[0];
    if (active) {
      this.activeId = active.targetId;
      return this.tab(active.targetId);
    }
    return this.openTab();
  }

  async listTabs(): Promise<TabInfo[]> {
    const pages = await this.pageTargets();
    const activeId = pages.some((p) => p.targetId === this.activeId) ? this.activeId : pages[0]?.targetId;
    return pages.map((p) => ({ id: p.targetId, url: p.url, title: p.title, active: p.targetId === activeId }));
  }

  async openTab(): Promise<BrowserTab> {
    const { targetId } = (await sendCdp(this.client, 'Target.createTarget', { url: 'about:blank' })) as {
      targetId: string;
    };
    this.activeId = targetId;
    return this.tab(targetId);
  }

  private async existing(id: string): Promise<string> {
    const pages = await this.pageTargets();
    if (!pages.some((p) => p.targetId === id)) {
      throw new NotFoundError(`No tab ${id} in this browser; browser.tabs.list shows the open ones`, { tabId: id });
    }
    return id;
  }

  async switchTab(id: string): Promise<BrowserTab> {
    await this.existing(id);
    await sendCdp(this.client, 'Target.activateTarget', { targetId: id });
    this.activeId = id;
    return this.tab(id);
  }

  async closeTab(id: string): Promise<void> {
    await this.existing(id);
    const tab = this.tabs.get(id);
    this.tabs.delete(id);
    void tab?.then((t) => t.detach()).catch(() => undefined);
    // Target.closeTarget answers before the target is gone from Target.getTargets: wait for it to go.
    const gone = new Promise<void>((resolve) => {
      const events = this.client as unknown as EventEmitter;
      const onDestroyed = (p: { targetId: string }): void => {
        if (p.targetId !== id) return;
        events.off('Target.targetDestroyed', onDestroyed);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        events.off('Target.targetDestroyed', onDestroyed);
        resolve();
      }, CLOSE_WAIT_MS);
      events.on('Target.targetDestroyed', onDestroyed);
    });
    await sendCdp(this.client, 'Target.closeTarget', { targetId: id });
    await gone;
    if (this.activeId === id) this.activeId = undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client.close().catch(() => undefined);
    await this.bridge.close();
  }
}
