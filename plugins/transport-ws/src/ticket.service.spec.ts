import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from '@jest/globals';
import { TicketService } from './ticket.service.js';
import { resolveWsOptions } from './ws-options.dto.js';

const alice = { id: 'alice', scopes: ['sandbox:read'] };

describe('TicketService', () => {
  it('redeems a ticket once, for its principal and scopes', () => {
    const tickets = new TicketService(resolveWsOptions());
    const { ticket } = tickets.issue(alice);
    expect(tickets.redeem(ticket)).toEqual(alice);
    expect(() => tickets.redeem(ticket)).toThrow(/already used/);
  });

  it('refuses expired, forged and foreign tickets', () => {
    const tickets = new TicketService(resolveWsOptions({ ticketTtlSeconds: 30 }));
    const { ticket } = tickets.issue(alice, 0);
    expect(() => tickets.redeem(ticket, 31_000)).toThrow(/expired/);
    const fresh = tickets.issue(alice).ticket;
    const [body, mac] = fresh.split('.');
    const tampered = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), p: 'root' }),
    ).toString('base64url');
    expect(() => tickets.redeem(`${tampered}.${mac}`)).toThrow(/Invalid ticket/);
    expect(() => new TicketService(resolveWsOptions()).redeem(fresh)).toThrow(/Invalid ticket/);
    expect(() => tickets.redeem(42)).toThrow(/Invalid ticket/);
  });

  it('carries the expiry of the credentials it was minted from, and never outlives them', () => {
    const tickets = new TicketService(resolveWsOptions({ ticketTtlSeconds: 30 }));
    const expiring = { ...alice, expiresAt: 3_000 };
    const issued = tickets.issue(expiring, 0);
    expect(issued.expiresAt).toBe(new Date(3_000).toISOString());
    expect(tickets.redeem(issued.ticket, 2_000)).toEqual(expiring);
    expect(() => tickets.redeem(tickets.issue(expiring, 0).ticket, 3_000)).toThrow(/expired/);
    expect(tickets.issue(alice, 0).expiresAt).toBe(new Date(30_000).toISOString());
  });

  it('lets replicas that share ticketSecret accept each other’s tickets', () => {
    const secret = 's'.repeat(32);
    const issued = new TicketService(resolveWsOptions({ ticketSecret: secret })).issue(alice).ticket;
    expect(new TicketService(resolveWsOptions({ ticketSecret: secret })).redeem(issued)).toEqual(alice);
  });

  it('reads the shared secret from ticketSecretFile (a mounted Secret), and refuses a short, missing or doubled one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-ticket-'));
    try {
      const file = join(dir, 'secret');
      writeFileSync(file, `${'k'.repeat(40)}\n`);
      const issued = new TicketService(resolveWsOptions({ ticketSecretFile: file })).issue(alice).ticket;
      expect(new TicketService(resolveWsOptions({ ticketSecret: 'k'.repeat(40) })).redeem(issued)).toEqual(alice);
      writeFileSync(file, 'short');
      expect(() => resolveWsOptions({ ticketSecretFile: file })).toThrow(/at least 32 characters/);
      expect(() => resolveWsOptions({ ticketSecretFile: join(dir, 'nope') })).toThrow(/cannot read ticketSecretFile/);
      expect(() => resolveWsOptions({ ticketSecretFile: file, ticketSecret: 's'.repeat(32) })).toThrow(/not both/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a token signed with the same key for another purpose', () => {
    const secret = 's'.repeat(32);
    const tickets = new TicketService(resolveWsOptions({ ticketSecret: secret }));
    const body = Buffer.from(
      JSON.stringify({ p: 'alice', s: ['sandbox:read'], e: Date.now() + 10_000, n: 'x', u: 'download' }),
    ).toString('base64url');
    const mac = createHmac('sha256', secret).update(body).digest('base64url');
    expect(() => tickets.redeem(`${body}.${mac}`)).toThrow(/Invalid ticket/);
  });
});
