import { afterAll, beforeAll, it } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { LOCAL_IMAGES } from '@sandboxed/plugin-sdk';
import { closeMcp, connectMcpHttp, startTestGateway, type TestGateway } from '@sandboxed/testing';
import { sandboxWorkflow } from '../mcp/mcp-workflow.scenario.js';
import { describeWithDocker } from '../support/docker-engine.support.js';
import { kubeTarget } from '../support/kube-fake.support.js';

const kube = await kubeTarget([LOCAL_IMAGES.python]);

/** The MCP acceptance walk (create → run_code → shell → files → destroy) with every sandbox a pod. */
describeWithDocker('MCP on the kubernetes runtime (fake API server)', kube.unavailable, () => {
  let gw: TestGateway;
  let client: Client;
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: [
        'capability-shell',
        'capability-files',
        'transport-rest',
        'transport-mcp',
        'capability-processes',
        'capability-code',
      ],
      extraPlugins: [kube.plugin],
      config: { runtime: { default: 'kubernetes' } },
    });
    client = await connectMcpHttp(gw.url, 'streamable', { profile: 'full' });
  }, 60_000);
  afterAll(async () => {
    await closeMcp(client);
    await gw?.close();
  }, 60_000);

  it('runs the sandbox workflow over streamable HTTP', async () => {
    await sandboxWorkflow(client);
  }, 120_000);
});
