/**
 * A small, hand-written CRM quarter (2025-Q1) as NDJSON command lines, with
 * every time given (`at`), so each query has an answer a reader can check
 * by hand: two teams, one won and one lost deal, an open deal overdue, a
 * ticket resolved and rated, a follow-up due, a birthday, a departure that
 * releases customers to the pool, and customers left idle long enough for
 * the pool sweep. Every line is accepted.
 */

/** One command line of cli.md's NDJSON format. */
export interface CommandLine {
  readonly command: string;
  readonly id: string;
  readonly actor: string;
  readonly at: string;
  readonly data: Record<string, unknown>;
}

let sequence = 0;
const line = (command: string, actor: string, at: string, data: Record<string, unknown>): CommandLine => {
  sequence += 1;
  return { command, id: `sc-${String(sequence).padStart(3, '0')}`, actor, at, data };
};
const usd = (amount: string) => ({ amount, currency: 'USD' });

/** The members, by team: north (manager Mia, reps Alice and Bob), south (manager Dan, rep Carol), and an admin. */
export const members = ['u-admin', 'u-alice', 'u-bob', 'u-carol', 'u-dan', 'u-mia'] as const;

/** The scenario, in time order. */
export const scenario: readonly CommandLine[] = [
  line('RegisterMember', 'system', '2025-01-02T08:00:00Z', { memberId: 'u-admin', name: 'Ada Admin', role: 'admin' }),
  line('RegisterMember', 'system', '2025-01-02T08:00:00Z', { memberId: 'u-mia', name: 'Mia North', role: 'manager', team: 'north' }),
  line('RegisterMember', 'system', '2025-01-02T08:00:00Z', { memberId: 'u-alice', name: 'Alice', role: 'rep', team: 'north' }),
  line('RegisterMember', 'system', '2025-01-02T08:00:00Z', { memberId: 'u-bob', name: 'Bob', role: 'rep', team: 'north' }),
  line('RegisterMember', 'system', '2025-01-02T08:00:00Z', { memberId: 'u-dan', name: 'Dan South', role: 'manager', team: 'south' }),
  line('RegisterMember', 'system', '2025-01-02T08:00:00Z', { memberId: 'u-carol', name: 'Carol', role: 'rep', team: 'south' }),
  line('SetSalesTarget', 'u-mia', '2025-01-02T09:00:00Z', { memberId: 'u-alice', period: '2025-Q1', amount: usd('20000.00') }),

  // cus-1: Alice's from registration; won deal makes it a customer (policy), a second deal stays open.
  line('RegisterCustomer', 'u-alice', '2025-01-06T09:00:00Z', { customerId: 'cus-1', name: 'Acme Ltd', kind: 'company', phone: '+86 10 1234 5678', source: 'referral', importance: 'A' }),
  // cus-2: Bob's; his deal is lost; released to the pool when Bob leaves.
  line('RegisterCustomer', 'u-bob', '2025-01-06T10:00:00Z', { customerId: 'cus-2', name: 'Borealis GmbH', kind: 'company', phone: '+49 30 555 0101', source: 'web', importance: 'B' }),
  // cus-3: imported to the pool, claimed by Carol, then left without follow-up.
  line('RegisterCustomer', 'system', '2025-01-06T11:00:00Z', { customerId: 'cus-3', name: 'Cobalt Inc', kind: 'company', email: 'buyer@cobalt.example', source: 'event', importance: 'B' }),
  line('ClaimCustomer', 'u-carol', '2025-01-07T09:00:00Z', { customerId: 'cus-3' }),
  // cus-4: registered by Alice straight into the pool, claimed by Bob.
  line('RegisterCustomer', 'u-alice', '2025-01-07T10:00:00Z', { customerId: 'cus-4', name: 'Delta Foods', kind: 'company', phone: '+1 212 555 0144', source: 'outbound_call', importance: 'C', toPool: true }),
  line('ClaimCustomer', 'u-bob', '2025-01-08T09:00:00Z', { customerId: 'cus-4' }),
  // cus-5: Alice's, one follow-up, then idle.
  line('RegisterCustomer', 'u-alice', '2025-01-20T09:00:00Z', { customerId: 'cus-5', name: 'Echo Travel', kind: 'person', phone: '+44 20 7946 0958', source: 'inbound_call', importance: 'C' }),
  line('LogFollowUp', 'u-alice', '2025-01-25T09:00:00Z', { customerId: 'cus-5', channel: 'call', summary: 'Interested in spring offers' }),

  line('OpenOpportunity', 'u-alice', '2025-01-10T09:00:00Z', { opportunityId: 'opp-1', customerId: 'cus-1', title: 'Fleet upgrade', amount: usd('10000.00'), expectedCloseDate: '2025-02-28' }),
  line('OpenOpportunity', 'u-bob', '2025-01-12T09:00:00Z', { opportunityId: 'opp-2', customerId: 'cus-2', title: 'Office chairs', amount: usd('5000.00'), expectedCloseDate: '2025-02-15' }),
  line('MoveOpportunityStage', 'u-alice', '2025-01-15T09:00:00Z', { opportunityId: 'opp-1', stage: 'qualification' }),
  line('MoveOpportunityStage', 'u-alice', '2025-01-25T09:00:00Z', { opportunityId: 'opp-1', stage: 'proposal' }),
  line('OpenOpportunity', 'u-carol', '2025-02-01T09:00:00Z', { opportunityId: 'opp-3', customerId: 'cus-3', title: 'Lab equipment', amount: { amount: '8000.00', currency: 'EUR' }, expectedCloseDate: '2025-02-20' }),
  line('WinOpportunity', 'u-alice', '2025-02-05T09:00:00Z', { opportunityId: 'opp-1', amount: usd('12000.00') }),
  line('LoseOpportunity', 'u-bob', '2025-02-10T09:00:00Z', { opportunityId: 'opp-2', reason: 'price' }),
  line('MoveOpportunityStage', 'u-carol', '2025-02-10T09:00:00Z', { opportunityId: 'opp-3', stage: 'needs_analysis' }),
  line('OpenOpportunity', 'u-alice', '2025-02-15T09:00:00Z', { opportunityId: 'opp-4', customerId: 'cus-1', title: 'Spare parts', amount: usd('2000.00'), expectedCloseDate: '2025-06-30' }),

  line('OpenTicket', 'u-alice', '2025-02-01T09:00:00Z', { ticketId: 't-1', customerId: 'cus-1', subject: 'Invoice question', category: 'question', priority: 'normal', channel: 'email' }),
  line('AssignTicket', 'u-alice', '2025-02-01T09:30:00Z', { ticketId: 't-1', to: 'u-alice' }),
  line('CommentOnTicket', 'u-alice', '2025-02-01T10:00:00Z', { ticketId: 't-1', body: 'Looking into it', visibility: 'public' }),
  line('ResolveTicket', 'u-alice', '2025-02-02T09:00:00Z', { ticketId: 't-1', resolution: 'Credit note sent' }),
  line('RateTicket', 'system', '2025-02-03T09:00:00Z', { ticketId: 't-1', score: 5 }),

  line('AddContact', 'u-alice', '2025-02-20T09:00:00Z', { customerId: 'cus-1', contactId: 'ct-1', name: 'Wei Zhang', role: 'decision_maker', phone: '+86 10 8765 4321', birthday: '03-07' }),
  line('LogFollowUp', 'u-alice', '2025-02-20T10:00:00Z', { customerId: 'cus-1', channel: 'visit', summary: 'Renewal talk', nextFollowUpAt: '2025-03-01T09:00:00Z' }),

  // Bob leaves without a successor: his customers go back to the pool (departure), and Carol claims one.
  line('DeactivateMember', 'u-admin', '2025-03-01T09:00:00Z', { memberId: 'u-bob' }),
  line('ClaimCustomer', 'u-carol', '2025-03-01T10:00:00Z', { customerId: 'cus-2' }),
];

/** The scenario as NDJSON text (one command per line, a trailing newline). */
export const scenarioNdjson = (lines: readonly CommandLine[] = scenario): string => lines.map((command) => JSON.stringify(command)).join('\n') + '\n';

/** When the reminders and ownership queries of the specs look: after the departure, before the sweep. */
export const asOf = '2025-03-05T12:00:00.000Z';
/** The pool sweep time: Carol's cus-3 (no follow-up since its claim) and Alice's cus-5 (last follow-up 44 days before) are due. */
export const sweepAt = '2025-03-10T00:00:00.000Z';
