import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { closeMcp, connectMcpHttp, startTestGateway, type TestGateway } from '@sandboxed/testing';

// Clients that validate tool schemas strictly (ajv strict mode, as several MCP hosts do) refuse
// unknown keywords such as OpenAPI's `example`; JSON Schema's own is the `examples` array.
describe('MCP tool schemas under strict JSON Schema validation', () => {
  let gw: TestGateway;
  let client: Client;
  beforeAll(async () => {
    gw = await startTestGateway();
    client = await connectMcpHttp(gw.url, 'streamable', { profile: 'full' });
  });
  afterAll(async () => {
    await closeMcp(client);
    await gw?.close();
  });

  it('compiles every inputSchema and outputSchema in ajv strict mode', async () => {
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(20);
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, validateFormats: false });
    const problems: string[] = [];
    for (const tool of tools) {
      for (const [kind, schema] of [
        ['inputSchema', tool.inputSchema],
        ['outputSchema', tool.outputSchema],
      ] as const) {
        if (!schema) continue;
        if (JSON.stringify(schema).includes('"example":')) problems.push(`${tool.name} ${kind}: has "example"`);
        try {
          ajv.compile(schema);
        } catch (err) {
          problems.push(`${tool.name} ${kind}: ${(err as Error).message}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps the examples, as `examples` arrays', async () => {
    const { tools } = await client.listTools();
    const create = tools.find((t) => t.name === 'sandbox_create')!;
    const template = (create.inputSchema.properties as Record<string, { examples?: unknown[] }>).template;
    expect(template.examples).toEqual(['base']);
  });
});
