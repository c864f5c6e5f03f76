import { decide, parseCommand, type CrmCommand, type CrmEvent } from '@eventcrm/domain';
import { foldWorld } from '@eventcrm/domain/testing';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { memberRanking, performance, project, standings, teamRanking } from './fixtures.test.ts';

// A realistic flow: commands decided by the domain, then the rankings read
// model of the resulting log, so the specs also pin down what the domain's
// events carry (the owner on a win or loss, `resolvedBy` on a rating).

class Script {
  readonly events: CrmEvent[] = [];
  private sequence = 0;

  /** Parses and decides a command against the log so far, appending its events; fails the spec on a rejection. */
  run(command: string, actor: string, at: string, data: unknown): void {
    this.sequence += 1;
    const parsed = parseCommand({ id: `cmd-${this.sequence}`, command, actor, at, data }, { now: at, newId: () => `id-${this.sequence}` });
    if (E.isLeft(parsed)) throw new Error(`${command} rejected: ${parsed.left.code} ${parsed.left.message}`);
    this.decided(parsed.right);
  }

  private decided(command: CrmCommand): void {
    const world = foldWorld(this.events);
    const result = decide(command, world.state, world.index.contextFor(command));
    if (E.isLeft(result)) throw new Error(`${command.command} rejected: ${result.left.code} ${result.left.message}`);
    this.events.push(...result.right);
  }
}

describe('rankings over a decided history', () => {
  const script = new Script();
  const usd = (amount: string) => ({ amount, currency: 'USD' });
  script.run('RegisterMember', 'system', '2026-01-01T08:00:00.000Z', { memberId: 'root', name: 'Root', role: 'admin' });
  script.run('RegisterMember', 'root', '2026-01-01T08:01:00.000Z', { memberId: 'alice', name: 'Alice', role: 'rep', team: 'north' });
  script.run('RegisterMember', 'root', '2026-01-01T08:02:00.000Z', { memberId: 'bob', name: 'Bob', role: 'rep', team: 'north' });
  script.run('RegisterMember', 'root', '2026-01-01T08:03:00.000Z', { memberId: 'mia', name: 'Mia', role: 'manager', team: 'north' });
  script.run('SetSalesTarget', 'root', '2026-01-02T09:00:00.000Z', { memberId: 'alice', period: '2026-Q1', amount: usd('10000.00') });
  script.run('RegisterCustomer', 'alice', '2026-01-05T09:00:00.000Z', { customerId: 'c1', name: 'Acme Ltd', kind: 'company', email: 'buyer@acme.example', source: 'referral', importance: 'A' });
  script.run('RegisterCustomer', 'alice', '2026-01-05T10:00:00.000Z', { customerId: 'c2', name: 'Globex', kind: 'company', email: 'info@globex.example', source: 'web', importance: 'B', toPool: true });
  script.run('ClaimCustomer', 'bob', '2026-01-06T09:00:00.000Z', { customerId: 'c2' });
  script.run('LogFollowUp', 'alice', '2026-01-07T09:00:00.000Z', { customerId: 'c1', channel: 'call', summary: 'intro call' });
  script.run('LogFollowUp', 'mia', '2026-01-08T09:00:00.000Z', { customerId: 'c1', channel: 'visit', summary: 'visit with the manager' });
  script.run('OpenOpportunity', 'alice', '2026-01-10T09:00:00.000Z', { opportunityId: 'o1', customerId: 'c1', title: 'Pilot', amount: usd('4000.00'), expectedCloseDate: '2026-02-28' });
  script.run('OpenOpportunity', 'alice', '2026-01-12T09:00:00.000Z', { opportunityId: 'o2', customerId: 'c1', title: 'Support', amount: usd('2000.00'), expectedCloseDate: '2026-02-28' });
  script.run('WinOpportunity', 'alice', '2026-02-01T09:00:00.000Z', { opportunityId: 'o1', amount: usd('5000.00') });
  script.run('LoseOpportunity', 'alice', '2026-02-02T09:00:00.000Z', { opportunityId: 'o2', reason: 'price' });
  script.run('ReopenOpportunity', 'mia', '2026-02-03T09:00:00.000Z', { opportunityId: 'o2' });
  script.run('ReassignOpportunity', 'mia', '2026-02-03T10:00:00.000Z', { opportunityId: 'o2', to: 'bob' });
  script.run('MoveMemberToTeam', 'root', '2026-02-15T09:00:00.000Z', { memberId: 'bob', team: 'south' });
  script.run('WinOpportunity', 'bob', '2026-03-01T09:00:00.000Z', { opportunityId: 'o2' });
  // normal priority: first response due in 8 h, resolution in 72 h; resolved after 4 h (the resolution is the first response).
  script.run('OpenTicket', 'alice', '2026-03-02T08:00:00.000Z', { ticketId: 't1', customerId: 'c1', subject: 'Login fails', category: 'repair', priority: 'normal', channel: 'phone' });
  script.run('AssignTicket', 'alice', '2026-03-02T08:05:00.000Z', { ticketId: 't1', to: 'alice' });
  script.run('ResolveTicket', 'alice', '2026-03-02T12:00:00.000Z', { ticketId: 't1', resolution: 'password reset' });
  script.run('RateTicket', 'system', '2026-04-01T09:00:00.000Z', { ticketId: 't1', score: 4 });
  const reader = project(script.events);

  it('credits each member for the quarter', async () => {
    expect(await performance(reader, 'alice', '2026-Q1', 'USD')).toMatchObject({
      team: 'north',
      wonAmount: { USD: '5000.00' },
      wonCount: 1,
      // o2's February loss was turned into bob's win within the quarter.
      lostCount: 0,
      winRate: 1,
      avgDealSize: { USD: '5000.00' },
      pipelineCreated: { USD: '6000.00' },
      followUps: 1,
      customersClaimed: 0,
      ticketsResolved: 1,
      avgResolutionHours: 4,
      slaMetRate: 1,
      csat: null,
      targetAttainment: 0.5,
    });
    expect(await performance(reader, 'bob', '2026-Q1')).toMatchObject({ team: 'south', wonAmount: { USD: '2000.00' }, wonCount: 1, winRate: 1, customersClaimed: 1, pipelineCreated: {} });
    expect(await performance(reader, 'mia', '2026-Q1')).toMatchObject({ followUps: 1, wonCount: 0, winRate: null });
    expect(await performance(reader, 'alice', '2026-02')).toMatchObject({ wonCount: 1, lostCount: 1, winRate: 0.5 });
    expect(await performance(reader, 'alice', '2026-04')).toMatchObject({ ticketsResolved: 0, csat: 4 });
  });

  it('ranks members (the admin is not listed) and teams by team at the time of each fact', async () => {
    expect(standings(await memberRanking(reader, { period: '2026-Q1', metric: 'wonAmount', currency: 'USD' }))).toEqual([
      ['alice', 1, '5000.00'],
      ['bob', 2, '2000.00'],
      ['mia', 3, '0.00'],
    ]);
    const teams = await teamRanking(reader, { period: '2026-Q1', metric: 'wonAmount', currency: 'USD' });
    expect(standings(teams)).toEqual([
      ['north', 1, '5000.00'],
      ['south', 2, '2000.00'],
    ]);
    // bob's claim was in January, while he was in north.
    expect(teams.rows[0]).toMatchObject({ customersClaimed: 1, followUps: 2 });
    expect(teams.rows[1]).toMatchObject({ customersClaimed: 0 });
  });
});
