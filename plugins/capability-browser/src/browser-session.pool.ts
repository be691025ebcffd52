import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictError, type SandboxOperationContext } from '@sandboxed/plugin-sdk';
import type { BrowserSettings } from './browser-options.dto.js';
import { BrowserLauncher, DOWNLOADS_DIR } from './browser.launcher.js';
import { BrowserSession } from './browser.session.js';
import { CdpSocketBridge } from './cdp-socket.bridge.js';
import { browserError } from './cdp.errors.js';

/** One browser session per sandbox, opened (and Chromium launched) by the first browser operation. */
export class BrowserSessionPool {
  private readonly sessions = new Map<string, Promise<BrowserSession>>();
  private readonly launcher: BrowserLauncher;
  private readonly socketDir = mkdtempSync(join(tmpdir(), 'sandboxed-cdp-'));

  constructor(private readonly settings: BrowserSettings) {
    this.launcher = new BrowserLauncher(settings);
  }

  async session(ctx: SandboxOperationContext): Promise<BrowserSession> {
    const id = ctx.sandbox.id;
    const existing = this.sessions.get(id);
    if (existing) {
      const session = await existing.catch(() => undefined);
      if (session?.connected) return session;
      if (this.sessions.get(id) === existing) this.sessions.delete(id);
      return this.session(ctx);
    }
    const opening = this.open(ctx);
    this.sessions.set(id, opening);
    opening.catch(() => {
      if (this.sessions.get(id) === opening) this.sessions.delete(id);
    });
    return opening;
  }

  /** A raw DevTools connection for the CDP relay: the browser is launched first if needed. */
  async browserEndpoint(ctx: SandboxOperationContext): Promise<{ bridge: CdpSocketBridge; path: string }> {
    const session = await this.session(ctx);
    return { bridge: session.bridge, path: session.browserPath };
  }

  private async open(ctx: SandboxOperationContext): Promise<BrowserSession> {
    const { runtime, sandbox } = ctx;
    if (runtime.sandboxNetworkIsolated === false) {
      // Every sandbox's DevTools would be the same loopback port, reachable from the others (and the host).
      throw new ConflictError(
        `The browser needs sandboxes with their own network namespace; the ${runtime.name} runtime shares one ` +
          '(runtime-local with network: host or isolation: none). Use network: none, or the docker or kubernetes runtime.',
      );
    }
    const bridge = await CdpSocketBridge.listen(this.socketDir, () =>
      runtime.connect(sandbox.id, this.settings.devtoolsPort),
    );
    try {
      const running = await this.launcher.ensure(runtime, sandbox, bridge.path, ctx.signal);
      if (running.launchMs !== undefined) {
        ctx.logger.info('Chromium started', { sandboxId: sandbox.id, launchMs: running.launchMs });
      }
      return await BrowserSession.open({
        bridge,
        browserPath: running.version.browserPath,
        product: running.version.product,
        ...(running.launchMs !== undefined ? { launchMs: running.launchMs } : {}),
        downloadsDir: `${sandbox.workdir}/${DOWNLOADS_DIR}`,
        viewport: this.settings.viewport,
        onClose: () => void bridge.close(),
      });
    } catch (err) {
      await bridge.close();
      throw browserError(err, 'start');
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((p) => p.then((s) => s.close()).catch(() => undefined)));
    rmSync(this.socketDir, { recursive: true, force: true });
  }
}
