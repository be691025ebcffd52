import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startBenchGateway } from './gateway.harness.mjs';
import { measure } from './stats.mjs';

const CHROMIUM = '/usr/lib/chromium/chromium';
const PAGE = '<!doctype html><title>bench</title><h1>Hello</h1><p>' + 'text '.repeat(200) + '</p>';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** A bare Chromium on the host, until DevTools listens: what a cold start costs without a sandbox. */
async function rawColdStart() {
  const profile = mkdtempSync(join(tmpdir(), 'bench-chromium-'));
  const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      if (err.includes('DevTools listening on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`chromium exited ${code}: ${err.slice(-500)}`)));
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(profile, { recursive: true, force: true });
}

/** Cold start and warm navigate+screenshot through the gateway, against a bare host Chromium driven by Playwright. */
export async function benchBrowser(runtime, iterations, colds, extraPlugins = []) {
  const gw = await startBenchGateway({ runtime, extraPlugins });
  const rows = [];
  const site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  try {
    // Created first, so the cold start is the browser's alone.
    const sandboxes = [];
    for (let i = 0; i < colds; i++)
      sandboxes.push((await gw.json('POST', '/v1/sandboxes', { template: 'browser' })).id);
    const fresh = [...sandboxes];
    const cold = await measure(
      `browser cold start via REST (${runtime}: the first browser.info of a sandbox)`,
      colds,
      () => gw.json('GET', `/v1/sandboxes/${fresh.shift()}/browser`),
      { warmup: 0 },
    );
    const rawCold = await measure('bare Chromium on the host until DevTools listens', colds, rawColdStart, {
      warmup: 1,
    });
    rows.push({ ...cold, baseline: rawCold });

    const id = sandboxes.pop();
    for (const other of sandboxes) await gw.json('DELETE', `/v1/sandboxes/${other}`);
    await gw.json('POST', `/v1/sandboxes/${id}/files/write`, { path: 'site/index.html', content: PAGE });
    await gw.json('POST', `/v1/sandboxes/${id}/processes`, {
      argv: ['python3', '-m', 'http.server', '8000', '--bind', '127.0.0.1', '--directory', 'site'],
    });
    for (let i = 0; i < 100; i++) {
      const probe = await gw.json('POST', `/v1/sandboxes/${id}/exec`, {
        command: `python3 -c "import socket; socket.create_connection(('127.0.0.1', 8000))"`,
      });
      if (probe.exitCode === 0) break;
    }
    const warm = await measure(`browser.navigate + browser.screenshot via REST (${runtime})`, iterations, async () => {
      const nav = await gw.json('POST', `/v1/sandboxes/${id}/browser/navigate`, {
        url: 'http://localhost:8000/index.html',
      });
      if (nav.title !== 'bench') throw new Error(`unexpected page ${JSON.stringify(nav)}`);
      const shot = await gw.json('POST', `/v1/sandboxes/${id}/browser/screenshot`);
      if (!shot.data || shot.width !== 1280) throw new Error('no screenshot');
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS.slice(1) });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      const url = `http://127.0.0.1:${site.address().port}/`;
      const raw = await measure('Playwright goto + screenshot on a bare host Chromium', iterations, async () => {
        await page.goto(url);
        await page.screenshot();
      });
      rows.push({ ...warm, baseline: raw });
    } finally {
      await browser.close();
    }
  } finally {
    site.close();
    await gw.close();
  }
  return rows;
}
