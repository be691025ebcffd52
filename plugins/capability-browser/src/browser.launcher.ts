import { setTimeout as sleep } from 'node:timers/promises';
import {
  collectOutput,
  ConflictError,
  TimeoutError,
  UnavailableError,
  type SandboxInfo,
  type SandboxRuntime,
} from '@sandboxed/plugin-sdk';
import type { BrowserSettings } from './browser-options.dto.js';
import { LAUNCH_SCRIPT, LOG_TAIL_SCRIPT } from './chromium-launch.script.js';
import { probeDevtools, type DevtoolsVersion } from './devtools.probe.js';

/** Where downloads land, below the sandbox's working directory. */
export const DOWNLOADS_DIR = 'downloads';
const SCRIPT_TIMEOUT_MS = 15_000;
const NO_CHROMIUM_EXIT = 3;

export interface RunningBrowser {
  version: DevtoolsVersion;
  /** How long this launch took, until DevTools answered; absent when it was already running. */
  launchMs?: number;
}

/** Finds the sandbox's browser through the bridge socket, and starts one when nothing answers. */
export class BrowserLauncher {
  constructor(private readonly settings: BrowserSettings) {}

  async ensure(
    runtime: SandboxRuntime,
    sandbox: SandboxInfo,
    socketPath: string,
    signal: AbortSignal,
  ): Promise<RunningBrowser> {
    const running = await probeDevtools(socketPath, 5000);
    if (running) return { version: running };
    const started = performance.now();
    await this.launch(runtime, sandbox, signal);
    const deadline = started + this.settings.launchTimeoutMs;
    // DevTools has no readiness signal we can wait on from outside; back off from 20 ms to 200 ms.
    for (let delay = 20; performance.now() < deadline; delay = Math.min(delay * 2, 200)) {
      if (signal.aborted) throw new TimeoutError('The browser launch was abandoned: the caller went away');
      const version = await probeDevtools(socketPath, 2000);
      if (version) return { version, launchMs: Math.round(performance.now() - started) };
      await sleep(delay);
    }
    throw new UnavailableError(
      `Chromium did not answer on its DevTools port within ${this.settings.launchTimeoutMs} ms` +
        `; its log ends with: ${(await this.logTail(runtime, sandbox)) || '(empty)'}`,
    );
  }

  private async launch(runtime: SandboxRuntime, sandbox: SandboxInfo, signal: AbortSignal): Promise<void> {
    const { width, height } = this.settings.viewport;
    const session = await runtime.exec(sandbox.id, {
      argv: [
        '/bin/sh',
        '-c',
        LAUNCH_SCRIPT,
        'sandboxed-browser',
        String(this.settings.devtoolsPort),
        `${sandbox.workdir}/${DOWNLOADS_DIR}`,
        String(width),
        String(height),
      ],
      cwd: sandbox.workdir,
      timeoutMs: SCRIPT_TIMEOUT_MS,
      keepBackground: true,
    });
    const out = await collectOutput(session, { maxOutputBytes: 16 * 1024, signal });
    if (out.exit.exitCode === NO_CHROMIUM_EXIT) {
      throw new ConflictError(
        `Sandbox ${sandbox.id} (template ${sandbox.template}) has no Chromium: create the sandbox from the browser template`,
      );
    }
    if (out.exit.exitCode !== 0) {
      throw new UnavailableError(
        `Could not start Chromium (exit ${out.exit.exitCode}): ${out.stderr.toString('utf8').trim()}`,
      );
    }
  }

  private async logTail(runtime: SandboxRuntime, sandbox: SandboxInfo): Promise<string> {
    try {
      const session = await runtime.exec(sandbox.id, { argv: ['/bin/sh', '-c', LOG_TAIL_SCRIPT], timeoutMs: 5000 });
      const out = await collectOutput(session, { maxOutputBytes: 4096 });
      return out.stdout.toString('utf8').trim().split('\n').slice(-5).join(' | ');
    } catch {
      return '';
    }
  }
}
