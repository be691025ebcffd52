import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { chromium } from 'playwright-core';
import { LOCAL_IMAGES } from '@sandboxed/plugin-sdk';
import {
  closeMcp,
  connectMcpHttp,
  HttpClient,
  readSse,
  startTestGateway,
  waitFor,
  type TestGateway,
} from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from './support/docker-engine.support.js';
import { kubeTarget } from './support/kube-fake.support.js';
import { WsTestClient } from './support/ws-test.client.js';

const site = (name: string): string =>
  readFileSync(new URL(`./fixtures/browser-site/${name}`, import.meta.url), 'utf8');
const ALICE = { authorization: 'Bearer k_alice' };
const BOB = { authorization: 'Bearer k_bob' };
const PAGE = 'http://localhost:8000/form.html';
/** Accepts connections on 8001 and never answers. */
const SILENT_SERVER =
  'import socket\ns = socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n' +
  "s.bind(('127.0.0.1', 8001))\ns.listen(16)\nheld = []\nwhile True:\n    held.append(s.accept())\n";
const PROBE = (port: number): string => `python3 -c "import socket; socket.create_connection(('127.0.0.1', ${port}))"`;

type PluginEntry = string | { use: string; options?: Record<string, unknown> };

interface RuntimeSetup {
  plugins: PluginEntry[];
  config: Record<string, unknown>;
  sandbox: Record<string, unknown>;
}

function pngSize(b64: string): { width: number; height: number; png: boolean } {
  const bytes = Buffer.from(b64, 'base64');
  return {
    png: bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    width: bytes.readUInt32BE(16),
    height: bytes.readUInt32BE(20),
  };
}

function isJpeg(b64: string): boolean {
  const bytes = Buffer.from(b64, 'base64');
  return bytes[0] === 0xff && bytes[1] === 0xd8 && bytes.at(-2) === 0xff && bytes.at(-1) === 0xd9;
}

const browserSuite = (setup: RuntimeSetup) => () => {
  let gw: TestGateway;
  let alice: HttpClient;
  let bob: HttpClient;
  let id: string;
  const sb = (rest: string): string => `/v1/sandboxes/${id}/${rest}`;

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'capability-files', 'transport-rest'],
      extraPlugins: [...setup.plugins, 'capability-processes', 'capability-browser', 'transport-ws', 'transport-mcp'],
      config: { auth: { apiKeys: { k_alice: 'alice', k_bob: 'bob' } }, ...setup.config },
    });
    alice = new HttpClient(gw.url, ALICE);
    bob = new HttpClient(gw.url, BOB);
    id = await alice.createSandbox({ template: 'browser', ...setup.sandbox });
    for (const name of ['form.html', 'second.html', 'data.csv']) {
      expect((await alice.post(sb('files/write'), { path: `site/${name}`, content: site(name) })).status).toBe(200);
    }
    const server = await alice.post(sb('processes'), {
      argv: ['python3', '-m', 'http.server', '8000', '--bind', '127.0.0.1', '--directory', 'site'],
    });
    expect(server.status).toBe(201);
    await waitFor(async () => (await alice.post(sb('exec'), { command: PROBE(8000) })).body.exitCode === 0, {
      what: 'the page server in the sandbox',
      timeoutMs: 30_000,
    });
    // The cold start happens here, outside the tests' own time limits.
    expect((await alice.get(sb('browser'))).status).toBe(200);
  }, 120_000);
  afterAll(async () => gw?.close());

  it('fills a form from a snapshot’s refs, waits for the result and reads it back', async () => {
    const nav = await alice.post(sb('browser/navigate'), { url: PAGE });
    expect(nav.status).toBe(200);
    expect(nav.body).toEqual({ url: PAGE, title: 'Sign up', status: 200 });

    const snap = await alice.post(sb('browser/snapshot'));
    expect(snap.status).toBe(200);
    const text: string = snap.body.snapshot;
    expect(text).toMatch(/- heading "Sign up"/);
    const refOf = (pattern: RegExp): string => {
      const line = text.split('\n').find((l) => pattern.test(l));
      const ref = /\[ref=(e\d+)\]/.exec(line ?? '')?.[1];
      if (!ref) throw new Error(`no ref for ${pattern} in:\n${text}`);
      return ref;
    };
    const input = refOf(/textbox "Name"/);
    const button = refOf(/button "Send"/);
    const select = refOf(/combobox "Colour"/);

    expect((await alice.post(sb('browser/type'), { ref: input, text: 'Ada' })).status).toBe(200);
    const chosen = await alice.post(sb('browser/select'), { ref: select, values: ['Green'] });
    expect(chosen.body.selected).toEqual(['green']);
    expect((await alice.post(sb('browser/click'), { ref: button })).status).toBe(200);
    const waited = await alice.post(sb('browser/wait'), { selector: '#result', timeoutMs: 10_000 });
    expect(waited.status).toBe(200);

    const value = await alice.post(sb('browser/evaluate'), {
      expression: 'document.querySelector("#result").textContent',
    });
    expect(value.body).toEqual({ value: 'Hello, Ada (green)', type: 'string' });
    const read = await alice.post(sb('browser/text'), { selector: '#result' });
    expect(read.body).toEqual({ content: 'Hello, Ada (green)', truncated: false });
    const md = await alice.post(sb('browser/text'), { format: 'markdown' });
    expect(md.body.content).toMatch(/^# Sign up/m);
    expect((await alice.post(sb('browser/html'), { selector: 'h1' })).body.content).toBe('<h1>Sign up</h1>');
  });

  it('refuses a ref from before the page changed with a 409 that asks for a new snapshot', async () => {
    const snap = await alice.post(sb('browser/snapshot'));
    const ref = /\[ref=(e\d+)\]/.exec(snap.body.snapshot)![1];
    await alice.post(sb('browser/navigate'), { url: 'http://localhost:8000/second.html' });
    const stale = await alice.post(sb('browser/click'), { ref });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/take a new snapshot/);
  });

  it('fails a missing element with a 404 after its timeout, and bad input with a 400', async () => {
    await alice.post(sb('browser/navigate'), { url: PAGE });
    const missing = await alice.post(sb('browser/click'), { selector: '#nope', timeoutMs: 300 });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/#nope.*300 ms/);
    expect((await alice.post(sb('browser/click'), { selector: 'button[' })).status).toBe(400);
    expect((await alice.post(sb('browser/click'), {})).status).toBe(400);
    expect((await alice.post(sb('browser/press'), { key: 'Hyper+x' })).status).toBe(400);
    const thrown = await alice.post(sb('browser/evaluate'), { expression: 'nope.nope' });
    expect(thrown.status).toBe(400);
    expect(thrown.body.error.message).toMatch(/ReferenceError/);
    for (const url of [
      'file:///etc/passwd',
      'chrome://version',
      'devtools://devtools',
      'view-source:http://localhost:8000/',
      'javascript:alert(1)',
    ]) {
      const refused = await alice.post(sb('browser/navigate'), { url });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(/scheme is refused/);
    }
  });

  it('takes a screenshot at the viewport size and prints a PDF', async () => {
    await alice.post(sb('browser/navigate'), { url: PAGE });
    const info = await alice.get(sb('browser'));
    expect(info.body).toMatchObject({ url: PAGE, title: 'Sign up', viewport: { width: 1280, height: 720 } });
    const shot = await alice.post(sb('browser/screenshot'));
    expect(shot.status).toBe(200);
    expect(pngSize(shot.body.data)).toEqual({ png: true, width: 1280, height: 720 });
    expect(shot.body).toMatchObject({ format: 'png', width: 1280, height: 720 });
    const element = await alice.post(sb('browser/screenshot'), { selector: 'h1', format: 'jpeg' });
    expect(isJpeg(element.body.data)).toBe(true);
    expect(element.body.height).toBeLessThan(200);
    const resized = await alice.request('PUT', sb('browser/viewport'), { width: 800, height: 600 });
    expect(resized.body).toEqual({ width: 800, height: 600 });
    expect(pngSize((await alice.post(sb('browser/screenshot'))).body.data)).toMatchObject({ width: 800, height: 600 });
    await alice.request('PUT', sb('browser/viewport'), { width: 1280, height: 720 });
    const pdf = await alice.post(sb('browser/pdf'));
    expect(Buffer.from(pdf.body.data, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('opens, switches and closes tabs, and goes back and forward', async () => {
    await alice.post(sb('browser/navigate'), { url: PAGE });
    const first = (await alice.get(sb('browser/tabs'))).body.tabs.find((t: { active: boolean }) => t.active);
    const opened = await alice.post(sb('browser/tabs'), { url: 'http://localhost:8000/second.html' });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ url: 'http://localhost:8000/second.html', title: 'Second page', active: true });
    expect((await alice.get(sb('browser'))).body.title).toBe('Second page');
    expect((await alice.get(sb('browser/tabs'))).body.tabs).toHaveLength(2);
    const switched = await alice.post(sb(`browser/tabs/${first.id}/activate`));
    expect(switched.body).toMatchObject({ id: first.id, active: true });
    expect((await alice.get(sb('browser'))).body.title).toBe('Sign up');
    expect((await alice.delete(sb(`browser/tabs/${opened.body.id}`))).body).toEqual({
      id: opened.body.id,
      closed: true,
    });
    expect((await alice.get(sb('browser/tabs'))).body.tabs.map((t: { id: string }) => t.id)).toEqual([first.id]);
    expect((await alice.delete(sb(`browser/tabs/${opened.body.id}`))).status).toBe(404);

    await alice.post(sb('browser/navigate'), { url: 'http://localhost:8000/second.html' });
    expect((await alice.post(sb('browser/back'))).body).toMatchObject({ url: PAGE, title: 'Sign up' });
    expect((await alice.post(sb('browser/forward'))).body).toMatchObject({ title: 'Second page' });
  });

  it('saves a download in /workspace/downloads, readable with files.read', async () => {
    await alice.post(sb('browser/navigate'), { url: PAGE });
    expect((await alice.post(sb('browser/click'), { selector: 'a[download]' })).status).toBe(200);
    const done = await waitFor(
      async () =>
        (await alice.get(sb('browser/downloads'))).body.downloads.find(
          (d: { filename: string; state: string }) => d.filename === 'data.csv' && d.state === 'completed',
        ),
      { what: 'the download', timeoutMs: 20_000 },
    );
    expect(done.path).toBe('/workspace/downloads/data.csv');
    const file = await alice.post(sb('files/read'), { path: 'downloads/data.csv' });
    expect(file.body.content).toBe(site('data.csv'));
  });

  it('streams screencast frames over SSE and over WebSocket', async () => {
    await alice.post(sb('browser/navigate'), { url: PAGE });
    const res = await fetch(`${gw.url}${sb('browser/screencast')}`, {
      method: 'POST',
      headers: { ...ALICE, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ maxFrames: 1, durationMs: 20_000 }),
    });
    expect(res.status).toBe(200);
    const frames: Array<{ data: string; width: number }> = [];
    for await (const e of readSse(res)) if (e.event === 'frame') frames.push(e.data);
    expect(frames).toHaveLength(1);
    expect(isJpeg(frames[0]!.data)).toBe(true);

    const ws = await WsTestClient.connect(`${gw.url.replace('http', 'ws')}/v1/ws`, ALICE);
    await ws.next((f) => f.ready);
    ws.send({
      id: 'cast',
      op: 'browser.screencast',
      sandboxId: id,
      input: { maxFrames: 1, durationMs: 20_000 },
      stream: true,
    });
    const events = (await ws.collect('cast', 30_000)).filter((f) => f.event).map((f) => f.event);
    const frame = events.find((e) => e.type === 'frame');
    expect(isJpeg(frame.data)).toBe(true);
    ws.close();
  });

  it('lets playwright-core drive the browser over the CDP channel, and refuses it without credentials', async () => {
    const endpoint = `${gw.url.replace('http', 'ws')}${sb('browser/cdp')}`;
    await expect(WsTestClient.connect(endpoint)).rejects.toMatchObject({ status: 401 });
    await expect(WsTestClient.connect(endpoint, BOB)).rejects.toMatchObject({ status: 404 });
    const browser = await chromium.connectOverCDP(endpoint, { headers: ALICE });
    try {
      const context = browser.contexts()[0]!;
      const page = await context.newPage();
      await page.goto('http://localhost:8000/second.html');
      expect(await page.title()).toBe('Second page');
      expect(await page.textContent('#where')).toBe('second');
      await page.close();
    } finally {
      await browser.close();
    }
  });

  it('answers browser_* tools over MCP, the screenshot as an image content item', async () => {
    let mcp: Client | undefined;
    try {
      mcp = await connectMcpHttp(gw.url, 'streamable', { headers: ALICE, profile: 'full' });
      const nav = await mcp.callTool({ name: 'browser_navigate', arguments: { sandbox_id: id, url: PAGE } });
      expect(nav.isError).toBeFalsy();
      expect(nav.structuredContent).toMatchObject({ title: 'Sign up', status: 200 });
      const snap = await mcp.callTool({ name: 'browser_snapshot', arguments: { sandbox_id: id } });
      const ref = /button "Send" \[ref=(e\d+)\]/.exec((snap.structuredContent as { snapshot: string }).snapshot)![1];
      const click = await mcp.callTool({ name: 'browser_click', arguments: { sandbox_id: id, ref } });
      expect(click.isError).toBeFalsy();
      const shot = await mcp.callTool({ name: 'browser_screenshot', arguments: { sandbox_id: id } });
      const content = shot.content as Array<{ type: string; data?: string; mimeType?: string; text?: string }>;
      const image = content.find((c) => c.type === 'image');
      expect(image?.mimeType).toBe('image/png');
      expect(pngSize(image!.data!)).toEqual({ png: true, width: 1280, height: 720 });
      expect(JSON.parse(content.find((c) => c.type === 'text')!.text!)).toEqual({
        format: 'png',
        width: 1280,
        height: 720,
      });
    } finally {
      await closeMcp(mcp);
    }
  });

  it('runs Chromium as the sandbox user, its DevTools on loopback only, and no caller value reaches a shell', async () => {
    const hostile = `http://localhost:8000/$(touch /tmp/pwned)\`touch /tmp/pwned2\`;touch /tmp/pwned3`;
    expect((await alice.post(sb('browser/navigate'), { url: hostile })).status).toBe(200);
    const check = await alice.post(sb('exec'), {
      command:
        'pid=$(cat /tmp/.sandboxed-browser/pid); echo "$(stat -c %u /proc/$pid) $(id -u)"; ' +
        'tr "\\0" " " </proc/$pid/cmdline; echo; ls /tmp/pwned* 2>/dev/null | wc -l',
    });
    const [owner, cmdline, pwned] = check.body.stdout.trim().split('\n');
    const [chromiumUid, sandboxUid] = owner.split(' ');
    expect(chromiumUid).toBe(sandboxUid);
    expect(chromiumUid).not.toBe('0');
    expect(cmdline).toMatch(/--remote-debugging-port=9222/);
    expect(cmdline).not.toMatch(/remote-debugging-address|remote-allow-origins=\*/);
    expect(pwned).toBe('0');
  });

  it('ends a navigation to a server that never answers, and a page that never yields, at their deadlines (504)', async () => {
    const silent = await alice.post(sb('processes'), { argv: ['python3', '-c', SILENT_SERVER] });
    expect(silent.status).toBe(201);
    await waitFor(async () => (await alice.post(sb('exec'), { command: PROBE(8001) })).body.exitCode === 0, {
      what: 'the silent server',
    });
    const hung = await alice.post(sb('browser/navigate'), { url: 'http://localhost:8001/', timeoutMs: 1500 });
    expect(hung.status).toBe(504);
    expect(hung.body.error.message).toMatch(/localhost:8001.*1500 ms/);

    const tab = await alice.post(sb('browser/tabs'), { url: PAGE });
    const spin = await alice.post(sb('browser/evaluate'), { expression: 'for (;;) {}', timeoutMs: 500 });
    expect(spin.status).toBe(504);
    // The page answers again once the runaway script was stopped.
    expect((await alice.post(sb('browser/evaluate'), { expression: '6 * 7' })).body.value).toBe(42);
    await alice.post(sb('browser/evaluate'), { expression: 'setTimeout(() => { for (;;) {} }, 0); 1' });
    const stuck = await alice.post(sb('browser/click'), { selector: '#nope', timeoutMs: 300 });
    expect(stuck.status).toBe(504);
    expect(stuck.body.error.message).toMatch(/not responding/);
    expect((await alice.delete(sb(`browser/tabs/${tab.body.id}`))).status).toBe(200);
  });

  it('hides the browser of another tenant’s sandbox', async () => {
    expect((await bob.post(sb('browser/navigate'), { url: PAGE })).status).toBe(404);
    expect((await bob.get(sb('browser'))).status).toBe(404);
  });

  it('starts the browser again after it crashed', async () => {
    const killed = await alice.post(sb('exec'), { command: 'kill -9 "$(cat /tmp/.sandboxed-browser/pid)"' });
    expect(killed.body.exitCode).toBe(0);
    const nav = await waitFor(
      async () => {
        const res = await alice.post(sb('browser/navigate'), { url: PAGE });
        return res.status === 200 ? res : undefined;
      },
      { what: 'a navigation after the crash', timeoutMs: 60_000 },
    );
    expect(nav?.body.title).toBe('Sign up');
    expect((await alice.get(sb('browser'))).body.browser.launchMs).toBeGreaterThan(0);
  }, 120_000);
};

describe('browser over CDP (local runtime)', browserSuite({ plugins: [], config: {}, sandbox: {} }));

describeWithDocker(
  'browser over CDP (docker runtime)',
  await dockerUnavailableReason([LOCAL_IMAGES.browser]),
  browserSuite({ plugins: ['runtime-docker'], config: { runtime: { default: 'docker' } }, sandbox: {} }),
);

const kube = await kubeTarget([LOCAL_IMAGES.browser]);
describeWithDocker(
  'browser over CDP (kubernetes runtime, fake API server)',
  kube.unavailable,
  browserSuite({ plugins: [kube.plugin], config: { runtime: { default: 'kubernetes' } }, sandbox: {} }),
);

describe('browser on sandboxes that share a network namespace', () => {
  let gw: TestGateway;
  const dataDir = mkdtempSync(join(tmpdir(), 'sandboxed-shared-net-'));
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['capability-shell', 'transport-rest'],
      extraPlugins: [
        { use: 'runtime-local', options: { network: 'host', dataDir } },
        'capability-browser',
        'transport-ws',
      ],
      config: { auth: { apiKeys: { k_alice: 'alice' } } },
    });
  });
  afterAll(async () => {
    await gw?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses to start a browser whose DevTools port the other sandboxes could reach', async () => {
    const alice = new HttpClient(gw.url, ALICE);
    const id = await alice.createSandbox({});
    const res = await alice.post(`/v1/sandboxes/${id}/browser/navigate`, { url: 'about:blank' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/own network namespace.*network: none/);
    const cdp = WsTestClient.connect(`${gw.url.replace('http', 'ws')}/v1/sandboxes/${id}/browser/cdp`, ALICE);
    await expect(cdp).rejects.toMatchObject({ status: 409 });
  });
});
