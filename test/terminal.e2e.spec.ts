import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { LOCAL_IMAGES } from '@sandboxed/runtime-docker';
import { HttpClient, startTestGateway, waitFor, type TestGateway } from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from './support/docker-engine.support.js';
import { WsTestClient } from './support/ws-test.client.js';
import { kubeTarget } from './support/kube-fake.support.js';

const ALICE = { authorization: 'Bearer k_alice' };
const BOB = { authorization: 'Bearer k_bob' };

/** Output frames until `pattern` shows up in what the terminal printed. */
async function readUntil(client: WsTestClient, pattern: RegExp): Promise<string> {
  let text = '';
  while (!pattern.test(text)) {
    const frame = await client.next((f) => f.type === 'output' || f.type === 'exit' || f.type === 'error');
    if (frame.type !== 'output')
      throw new Error(`terminal ended before ${pattern}: ${JSON.stringify(frame)}; printed ${JSON.stringify(text)}`);
    text += frame.data;
  }
  return text;
}

interface RuntimeSetup {
  plugins: Array<string | { use: string; options?: Record<string, unknown> }>;
  config: Record<string, unknown>;
  sandbox: Record<string, unknown>;
}

const terminalSuite = (setup: RuntimeSetup) => () => {
  let gw: TestGateway;
  let alice: HttpClient;
  let id: string;
  let terminalUrl: string;

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'transport-rest'],
      extraPlugins: [...setup.plugins, 'capability-terminal', 'transport-ws'],
      config: { auth: { apiKeys: { k_alice: 'alice', k_bob: 'bob' } }, ...setup.config },
    });
    alice = new HttpClient(gw.url, ALICE);
    id = await alice.createSandbox(setup.sandbox);
    terminalUrl = `${gw.url.replace('http', 'ws')}/v1/sandboxes/${id}/terminal`;
  });
  afterAll(async () => gw?.close());

  it('runs a shell on a PTY: keystrokes in, output out, and resizes apply', async () => {
    const term = await WsTestClient.connect(`${terminalUrl}?cols=100&rows=30`, ALICE);
    term.send({ type: 'input', data: 'echo $((6*7))\r' });
    expect(await readUntil(term, /^42\r?$/m)).toMatch(/42/);
    term.send({ type: 'input', data: 'tty; stty size\r' });
    expect(await readUntil(term, /^30 100\r?$/m)).toMatch(/\/dev\/pts\//);
    term.send({ type: 'resize', cols: 132, rows: 43 });
    term.send({ type: 'input', data: 'stty size\r' });
    await readUntil(term, /^43 132\r?$/m);
    term.send({ type: 'input', data: 'exit 3\r' });
    expect(await term.next((f) => f.type === 'exit')).toMatchObject({ type: 'exit', exitCode: 3 });
    expect((await term.closed).code).toBe(1000);
  });

  it('kills the shell and what it started when the client disconnects', async () => {
    const term = await WsTestClient.connect(terminalUrl, ALICE);
    term.send({
      type: 'input',
      data: 'sleep 300 & echo $! > /workspace/term-child.pid; echo $$ > /workspace/term.pid; echo ready\r',
    });
    await readUntil(term, /^ready\r?$/m);
    term.ws.terminate();
    const alive = async (file: string) =>
      (
        await alice.post(`/v1/sandboxes/${id}/exec`, {
          command: `kill -0 "$(cat /workspace/${file})" 2>/dev/null && echo alive || echo gone`,
        })
      ).body.stdout;
    await waitFor(async () => (await alive('term.pid')) === 'gone\n' && (await alive('term-child.pid')) === 'gone\n', {
      what: 'the shell and its child to be killed',
    });
  });

  it('answers bad messages with an error frame and keeps going', async () => {
    const term = await WsTestClient.connect(terminalUrl, ALICE);
    term.send({ type: 'dance' });
    expect(await term.next((f) => f.type === 'error')).toMatchObject({ error: { code: 'invalid_argument' } });
    term.send({ type: 'resize', cols: 0, rows: 10 });
    expect(await term.next((f) => f.type === 'error')).toMatchObject({ error: { code: 'invalid_argument' } });
    term.send('not json');
    expect(await term.next((f) => f.type === 'error')).toMatchObject({ error: { code: 'invalid_argument' } });
    term.send({ type: 'input', data: 'echo still here\r' });
    await readUntil(term, /^still here\r?$/m);
    term.close();
  });

  it('needs credentials (header or ticket), and hides other tenants’ sandboxes', async () => {
    await expect(WsTestClient.connect(terminalUrl, BOB)).rejects.toMatchObject({ status: 404 });
    await expect(WsTestClient.connect(terminalUrl, { authorization: 'Bearer nope' })).rejects.toMatchObject({
      status: 401,
    });
    const anonymous = await WsTestClient.connect(terminalUrl);
    anonymous.send({ type: 'input', data: 'id\r' });
    expect(await anonymous.next()).toMatchObject({ type: 'error', error: { code: 'unauthorized' } });
    expect((await anonymous.closed).code).toBe(4401);

    const { ticket } = (await alice.post('/v1/ws/ticket')).body;
    const browser = await WsTestClient.connect(terminalUrl);
    browser.send({ ticket });
    browser.send({ type: 'input', data: 'echo $((2+3))\r' });
    expect(await browser.next()).toEqual({ type: 'ready' });
    await readUntil(browser, /^5\r?$/m);
    browser.close();

    const bobTicket = (await new HttpClient(gw.url, BOB).post('/v1/ws/ticket')).body.ticket;
    const intruder = await WsTestClient.connect(terminalUrl);
    intruder.send({ ticket: bobTicket });
    expect(await intruder.next()).toMatchObject({ type: 'error', error: { code: 'not_found' } });
    expect((await intruder.closed).code).toBe(4404);
  });
};

describe(
  'interactive terminal over WebSocket (local runtime)',
  terminalSuite({ plugins: [], config: {}, sandbox: {} }),
);

describeWithDocker(
  'interactive terminal over WebSocket (docker runtime)',
  await dockerUnavailableReason([LOCAL_IMAGES.base]),
  terminalSuite({
    plugins: ['runtime-docker'],
    config: { runtime: { default: 'docker' } },
    sandbox: { template: 'base' },
  }),
);

const kube = await kubeTarget([LOCAL_IMAGES.base]);
describeWithDocker(
  'interactive terminal over WebSocket (kubernetes runtime, fake API server)',
  kube.unavailable,
  terminalSuite({
    plugins: [kube.plugin],
    config: { runtime: { default: 'kubernetes' } },
    sandbox: { template: 'base' },
  }),
);
