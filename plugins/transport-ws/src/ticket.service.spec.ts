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

  it('lets replicas that share ticketSecret accept each other’s tickets', () => {
    const secret = 's'.repeat(32);
    const issued = new TicketService(resolveWsOptions({ ticketSecret: secret })).issue(alice).ticket;
    expect(new TicketService(resolveWsOptions({ ticketSecret: secret })).redeem(issued)).toEqual(alice);
  });
});
