import { decide, departureHandover, parseCommand, type CrmCommand, type CrmEvent } from '@eventcrm/domain';
import { foldWorld } from '@eventcrm/domain/testing';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { items, lines, project } from './fixtures.test.ts';

// A realistic flow: commands decided by the domain (with the departure
// handover of domain.md §6.1 run as the runtime would), then the reminders
// read model of the resulting log.

class Script {
  readonly events: CrmEvent[] = [];
  private sequence = 0;

  /** Parses and decides a command against the log so far, appending its events; fails the spec on a rejection. */
  run(input: { command: string; actor: string; at: string; data: unknown }): readonly CrmEvent[] {
    this.sequence += 1;
    const parsed = parseCommand({ id: `cmd-${this.sequence}`, ...input }, { now: input.at, newId: () => `id-${this.sequence}` });
    if (E.isLeft(parsed)) throw new Error(`${input.command} rejected: ${parsed.left.code} ${parsed.left.message}`);
    return this.decided(parsed.right);
  }

  decided(command: CrmCommand): readonly CrmEvent[] {
    const world = foldWorld(this.events);
    const result = decide(command, world.state, world.index.contextFor(command));
    if (E.isLeft(result)) throw new Error(`${command.command} rejected: ${result.left.code} ${result.left.message}`);
    this.events.push(...result.right);
    return result.right;
  }

  /** Deactivates a member and runs the departure handover it triggers. */
  deactivate(memberId: string, actor: string, at: string): void {
    const [deactivation] = this.run({ command: 'DeactivateMember', actor, at, data: { memberId } });
    if (deactivation?.type !== 'MemberDeactivated') throw new Error('no MemberDeactivated event');
    const facts = foldWorld(this.events).index.departureFacts(memberId);
    for (const command of departureHandover({ eventId: `e-${this.events.length}`, event: deactivation }, facts)) this.decided(command);
  }
}

describe('reminders over a decided history', () => {
  const script = new Script();
  const at = (day: string, time = '09:00:00.000') => `2026-03-${day}T${time}Z`;
  script.run({ command: 'RegisterMember', actor: 'system', at: at('01', '08:00:00.000'), data: { memberId: 'root', name: 'Root', role: 'admin' } });
  script.run({ command: 'RegisterMember', actor: 'root', at: at('01', '08:01:00.000'), data: { memberId: 'alice', name: 'Alice', role: 'rep', team: 'north' } });
  script.run({ command: 'RegisterMember', actor: 'root', at: at('01', '08:02:00.000'), data: { memberId: 'bob', name: 'Bob', role: 'rep', team: 'north' } });
  script.run({
    command: 'RegisterCustomer',
    actor: 'alice',
    at: at('01'),
    data: { customerId: 'c1', name: 'Acme Ltd', kind: 'company', email: 'buyer@acme.example', source: 'referral', importance: 'A' },
  });
  script.run({ command: 'AddContact', actor: 'alice', at: at('01', '10:00:00.000'), data: { customerId: 'c1', contactId: 'k1', name: 'Wang Li', role: 'decision_maker', email: 'wang@acme.example', birthday: '03-12' } });
  script.run({ command: 'LogFollowUp', actor: 'alice', at: at('02'), data: { customerId: 'c1', channel: 'call', summary: 'intro call', nextFollowUpAt: at('04') } });
  script.run({
    command: 'OpenOpportunity',
    actor: 'alice',
    at: at('02', '10:00:00.000'),
    data: { opportunityId: 'o1', customerId: 'c1', title: 'Pilot', amount: { amount: '5000.00', currency: 'USD' }, expectedCloseDate: '2026-03-04' },
  });
  // high: first response 4 h after opening (12:00), resolution 24 h (03-04T08:00).
  script.run({ command: 'OpenTicket', actor: 'bob', at: at('03', '08:00:00.000'), data: { ticketId: 't1', customerId: 'c1', subject: 'Login fails', category: 'repair', priority: 'high', channel: 'phone' } });
  script.run({ command: 'AssignTicket', actor: 'alice', at: at('03', '08:05:00.000'), data: { ticketId: 't1', to: 'alice' } });
  const beforeDeparture = [...script.events];
  script.deactivate('alice', 'root', at('05'));

  it('before the departure: the owner’s follow-up, overdue opportunity, breached ticket and coming birthday', async () => {
    const reader = project(beforeDeparture);
    expect(lines(await items(reader, at('05', '08:00:00.000'), 'alice'))).toEqual([
      'ticket_sla alice t1 2026-03-03T12:00:00.000Z',
      'follow_up alice c1 2026-03-04T09:00:00.000Z',
      'opportunity_overdue alice o1 2026-03-05T00:00:00.000Z',
      'birthday alice c1 2026-03-12T00:00:00.000Z',
    ]);
    expect(await items(reader, at('05', '08:00:00.000'), 'bob')).toEqual([]);
  });

  it('after it (no successor, no manager in north): the customer went to the pool, the ticket is unassigned, the opportunity is orphaned', async () => {
    const reader = project(script.events);
    const T = at('06');
    expect(lines(await items(reader, T))).toEqual(['ticket_sla - t1 2026-03-03T12:00:00.000Z', 'opportunity_orphaned alice o1 2026-03-05T09:00:00.000Z']);
    expect(await items(reader, T, 'root')).toMatchObject([
      { kind: 'ticket_sla', memberId: null, detail: { target: 'first_response', breached: true, status: 'open' } },
      { kind: 'opportunity_orphaned', memberId: 'alice', detail: { ownerTeam: 'north', overdue: true } },
    ]);
    expect(await items(reader, T, 'bob')).toEqual([]);
  });
});
