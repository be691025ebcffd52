import { HttpClient, startTestGateway, type TestGateway } from '@sandboxed/testing';
import type { KubeTarget } from './kube-fake.support.js';

/** A gateway with the files capability on `runtime`, and a client with an API key of the suite's own. */
export async function startFilesGateway(
  runtime: 'local' | 'docker' | 'kubernetes',
  key: string,
  principal: string,
  kube?: KubeTarget,
): Promise<{ gw: TestGateway; api: HttpClient }> {
  const extra = { local: [], docker: ['runtime-docker'], kubernetes: kube ? [kube.plugin] : [] }[runtime];
  const gw = await startTestGateway({
    onlyPlugins: ['runtime-local', 'capability-shell', 'capability-files', 'transport-rest'],
    extraPlugins: extra,
    config: {
      runtime: { default: runtime },
      sandbox: { reapIntervalSeconds: 3600 },
      auth: { apiKeys: { [key]: principal } },
    },
  });
  return { gw, api: new HttpClient(gw.url, { 'x-api-key': key }) };
}
