import { createServer, type Server } from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent, request } from 'undici';
import { EgressAllowlist } from './egress.allowlist.js';
import { EgressPolicy } from './egress.policy.js';
import { EgressRefusal, guardedConnector, type Resolver } from './guarded.connector.js';

/** A DNS that answers every name with these addresses (a rebinding attacker's, say). */
const dnsAnswering =
  (...addresses: string[]): Resolver =>
  (_host, _opts, cb) =>
    cb(
      null,
      addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })),
    );

describe('guardedConnector: the address checked is the address dialled', () => {
  let server: Server;
  let port: number;
  let connections = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => res.end('reached'));
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function get(allow: string[], resolve: Resolver): Promise<string> {
    const agent = new Agent({ connect: guardedConnector(new EgressPolicy(new EgressAllowlist(allow)), 5000, resolve) });
    try {
      const res = await request(`http://public.example:${port}/`, { dispatcher: agent });
      return await res.body.text();
    } finally {
      await agent.destroy();
    }
  }

  it('refuses a name whose DNS answer is loopback, without connecting', async () => {
    const err = await get([], dnsAnswering('127.0.0.1')).catch((e: unknown) => e);
    const refusal = (err as { cause?: unknown }).cause ?? err;
    expect(refusal).toBeInstanceOf(EgressRefusal);
    expect((refusal as Error).message).toMatch(/public\.example \(127\.0\.0\.1\): a loopback address/);
    expect(connections).toBe(0);
  });

  it('refuses when any address in the answer is refused (a public one beside it does not help)', async () => {
    await expect(get([], dnsAnswering('93.184.215.14', '127.0.0.1'))).rejects.toBeDefined();
    await expect(get([], dnsAnswering('::ffff:127.0.0.1'))).rejects.toBeDefined();
    expect(connections).toBe(0);
  });

  it('dials the address the guarded lookup checked when the allowlist opens it', async () => {
    expect(await get([`127.0.0.1:${port}`], dnsAnswering('127.0.0.1'))).toBe('reached');
    expect(connections).toBe(1);
  });
});
