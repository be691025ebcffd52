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
});
