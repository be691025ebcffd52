import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { collectOutput, type ExecRequest } from '@sandboxed/plugin-sdk';
import { CHROMIUM, CHROMIUM_TEST_FLAGS, FONT_PAGE, waitFor } from '@sandboxed/testing';
import { createDockerClient } from './docker-client.factory.js';
import { DockerRuntime } from './docker.runtime.js';
import { resolveDockerRuntimeOptions } from './docker-runtime-options.dto.js';
import { BROWSER_PIDS_LIMIT, LOCAL_IMAGES } from './default-templates.js';
import { containerName } from './sandbox-labels.codec.js';
import { describeWithDocker, dockerUnavailableReason, quietLogger, sandboxSpec } from './docker-engine.spec-helper.js';

const reason = await dockerUnavailableReason([LOCAL_IMAGES.browser]);
const SLOW = 120_000;

/**
 * Eight workers and three frames from sites of their own (a renderer process each): what a busy page
 * costs in threads. Tab k is served from 127.0.0.k and frames from 127.k.0.1-3, so no two share a site.
 */
const HEAVY_PAGE = `<title>heavy</title><script>
for (let i = 0; i < 8; i++) new Worker(URL.createObjectURL(new Blob(['onmessage = () => {}'])));
const k = location.hostname.split('.')[3];
for (let j = 1; j <= 3; j++)
  document.body.appendChild(Object.assign(document.createElement('iframe'), { src: 'http://127.' + k + '.0.' + j + ':8000/frame.html' }));
</script>`;

describeWithDocker('the browser template on DockerRuntime', reason, () => {
  const runtime = new DockerRuntime(resolveDockerRuntimeOptions({}), quietLogger);
  const { docker } = createDockerClient();
  let id: string;

  async function run(req: ExecRequest) {
    const r = await collectOutput(await runtime.exec(id, { timeoutMs: 60_000, ...req }), { maxOutputBytes: 1 << 20 });
    return { out: r.stdout.toString(), err: r.stderr.toString(), exit: r.exit };
  }

  beforeAll(async () => {
    const spec = sandboxSpec({ owner: 'browser-spec', template: 'browser', resources: { memoryMb: 1536 } });
    id = spec.id;
    await runtime.create(spec);
  }, SLOW);

  afterAll(async () => {
    if (id) await runtime.destroy(id).catch(() => undefined);
  }, SLOW);

  it(
    'runs Chromium as uid 1000 on the read-only image, and renders text with real fonts',
    async () => {
      const info = await docker.getContainer(containerName(id)).inspect();
      expect(info.HostConfig).toMatchObject({ PidsLimit: BROWSER_PIDS_LIMIT, ReadonlyRootfs: true, CapDrop: ['ALL'] });
      expect(info.Config.User).toBe('1000:1000');

      const dom = await run({
        argv: [
          CHROMIUM,
          ...CHROMIUM_TEST_FLAGS,
          '--user-data-dir=/tmp/p1',
          '--dump-dom',
          'data:text/html,<title>x</title><p>hi',
        ],
      });
      expect(dom.exit.exitCode).toBe(0);
      expect(dom.out).toContain('<p>hi</p>');

      const fonts = await run({
        argv: [
          CHROMIUM,
          ...CHROMIUM_TEST_FLAGS,
          '--user-data-dir=/tmp/p2',
          '--dump-dom',
          `data:text/html,${encodeURIComponent(FONT_PAGE)}`,
        ],
      });
      const measured = JSON.parse(/<title>(.*)<\/title>/.exec(fonts.out)?.[1] ?? 'null') as Record<string, number>;
      expect(measured.ink).toBeGreaterThan(500);
      // fontconfig resolves the generic families to different fonts (one fallback font would give one width).
      expect(measured.mono).toBeGreaterThan(measured.sans!);
      expect((await run({ argv: ['fc-match', 'Arial'] })).out).toMatch(/^LiberationSans/);
    },
    SLOW,
  );

  it(
    'has room for Chromium with busy tabs: more tasks than the runtime-wide 256, and execs still fork',
    async () => {
      const setup = await run({
        argv: [
          'sh',
          '-c',
          `mkdir -p site && echo ${Buffer.from(HEAVY_PAGE).toString('base64')} | base64 -d > site/heavy.html && ` +
            'echo "<p>frame</p>" > site/frame.html',
        ],
      });
      expect(setup.exit.exitCode).toBe(0);
      const started = await run({
        argv: [
          'sh',
          '-c',
          'cd site && (python3 -m http.server 8000 --bind 0.0.0.0 & ' +
            `exec ${CHROMIUM} ${CHROMIUM_TEST_FLAGS.join(' ')} --user-data-dir=/tmp/p3 --remote-debugging-port=9222 about:blank) ` +
            '>/dev/null 2>&1 &',
        ],
        keepBackground: true,
      });
      expect(started.exit.exitCode).toBe(0);
      const opened = await run({
        argv: [
          'python3',
          '-c',
          [
            'import time, urllib.request as u',
            'deadline = time.time() + 30',
            'while True:',
            '    try: u.urlopen("http://127.0.0.1:9222/json/version"); break',
            '    except OSError:',
            '        if time.time() > deadline: raise',
            '        time.sleep(0.1)',
            'for k in range(10, 22):',
            '    u.urlopen(u.Request(f"http://127.0.0.1:9222/json/new?http://127.0.0.{k}:8000/heavy.html", method="PUT")).read()',
          ].join('\n'),
        ],
      });
      expect(opened.err).toBe('');
      let seen = 0;
      const tasks = await waitFor(
        async () => {
          seen = Number((await run({ argv: ['sh', '-c', 'ls -d /proc/[0-9]*/task/* | wc -l'] })).out.trim());
          return seen > 300 ? seen : 0;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'Chromium with 12 busy tabs to run more than 300 tasks' },
      ).catch(async (err: Error) => {
        const ps = await run({ argv: ['ps', '-eo', 'nlwp,args'] });
        throw new Error(`${err.message} (last count ${seen}; processes:\n${ps.out}${ps.err})`);
      });
      expect(tasks).toBeLessThan(BROWSER_PIDS_LIMIT);
      expect((await run({ argv: ['sh', '-c', 'echo forked'] })).out).toBe('forked\n');
    },
    SLOW,
  );
});
