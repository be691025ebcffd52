import { HttpClient, startTestGateway, type TestGateway } from '@sandboxed/testing';

/** A gateway with the files capability on `runtime`, and a client with an API key of the suite's own. */
export async function startFilesGateway(
  runtime: 'local' | 'docker',
  key: string,
  principal: string,
): Promise<{ gw: TestGateway; api: HttpClient }> {
  const gw = await startTestGateway({
    onlyPlugins: ['runtime-local', 'capability-shell', 'capability-files', 'transport-rest'],
    extraPlugins: runtime === 'docker' ? ['runtime-docker'] : [],
    config: {
      runtime: { default: runtime },
      sandbox: { reapIntervalSeconds: 3600 },
      auth: { apiKeys: { [key]: principal } },
    },
  });
  return { gw, api: new HttpClient(gw.url, { 'x-api-key': key }) };
}
