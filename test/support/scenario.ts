import fc from 'fast-check';

/**
 * Random CRM scenarios for property tests: a fixed team, then a sequence of
 * raw command inputs over a small universe of ids, so that many commands
 * are valid, many are rejected for business reasons, and ownership changes
 * hands often. Effective times only move forward (sometimes not at all),
 * except for an occasional backdated command that must hit CLOCK_SKEW.
 */
export interface CommandInput {
  readonly command: string;
  readonly id: string;
  readonly actor: string;
  readonly at: string;
  readonly data: Record<string, unknown>;
}

export const START = Date.parse('2026-01-01T08:00:00.000Z');

const registrations = (at: string): CommandInput[] =>
  [
    { actor: 'r-0', customerId: 'c-0' },
    { actor: 'r-1', customerId: 'c-1' },
    { actor: 'r-2', customerId: 'c-2' },
    { actor: 'r-3', customerId: 'c-3' },
    { actor: 'system', customerId: 'c-4' },
    { actor: 'system', customerId: 'c-5' },
  ].map(({ actor, customerId }, index) => ({
    command: 'RegisterCustomer',
    id: `setup-c-${index}`,
    actor,
    at,
    data: { customerId, name: `Customer ${index}`, kind: 'company', phone: `555 010${index}`, source: 'web', importance: 'B' },
  }));

const openings = (at: string): CommandInput[] => [
  { command: 'OpenOpportunity', id: 'setup-o-0', actor: 'r-0', at, data: { opportunityId: 'o-0', customerId: 'c-0', title: 'Servers', amount: { amount: '1000.00', currency: 'USD' }, expectedCloseDate: '2026-03-31' } },
  { command: 'OpenOpportunity', id: 'setup-o-1', actor: 'r-2', at, data: { opportunityId: 'o-1', customerId: 'c-2', title: 'Licences', amount: { amount: '500', currency: 'JPY' }, expectedCloseDate: '2026-02-28', stage: 'proposal' } },
  { command: 'OpenTicket', id: 'setup-t-0', actor: 'r-1', at, data: { ticketId: 't-0', customerId: 'c-1', subject: 'Broken', category: 'repair', priority: 'high', channel: 'phone' } },
];

/** The fixed start of every scenario: the team, six customers (two in the pool), two opportunities and a ticket. */
export const teamSetup = (at: string): CommandInput[] => [...members_(at), ...registrations(at), ...openings(at)];

const members_ = (at: string): CommandInput[] =>
  [
    { memberId: 'u-admin', name: 'Ada Admin', role: 'admin' },
    { memberId: 'm-north', name: 'Nora North', role: 'manager', team: 'north' },
    { memberId: 'm-south', name: 'Sam South', role: 'manager', team: 'south' },
    { memberId: 'r-0', name: 'Rep Zero', role: 'rep', team: 'north' },
    { memberId: 'r-1', name: 'Rep One', role: 'rep', team: 'north' },
    { memberId: 'r-2', name: 'Rep Two', role: 'rep', team: 'south' },
    { memberId: 'r-3', name: 'Rep Three', role: 'rep', team: 'south' },
  ].map((data, index) => ({ command: 'RegisterMember', id: `setup-${index}`, actor: 'system', at, data }));

const members = ['u-admin', 'm-north', 'm-south', 'r-0', 'r-1', 'r-2', 'r-3'];
const actors = [...members, 'system', 'system', 'r-0', 'r-1', 'r-2', 'r-3', 'ghost'];
const customers = Array.from({ length: 8 }, (_, index) => `c-${index}`);
const opportunities = Array.from({ length: 4 }, (_, index) => `o-${index}`);
const tickets = Array.from({ length: 3 }, (_, index) => `t-${index}`);
const stages = ['prospecting', 'qualification', 'needs_analysis', 'proposal', 'negotiation', 'nowhere'];
const phones = ['+86 10 1234 5678', '861012345678', '555-0100', '555 0206', '(555) 0207', '+1 555 0208'];

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);

/** One random command (kind, actor, data), without id and time. */
const commandBody: fc.Arbitrary<{ command: string; actor: string; data: Record<string, unknown> }> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ command: fc.constant('RegisterCustomer'), actor: pick(actors), data: fc.record({ customerId: pick(customers), name: pick(['Acme Ltd', 'ACME, Ltd.', 'Globex', 'Initech', 'Umbrella']), kind: pick(['company', 'person']), phone: pick(phones), source: pick(['web', 'referral', 'event']), importance: pick(['A', 'B', 'C']), toPool: fc.boolean() }, { requiredKeys: ['customerId', 'name', 'kind', 'phone', 'source', 'importance'] }) }) },
  { weight: 8, arbitrary: fc.record({ command: fc.constant('ClaimCustomer'), actor: pick(actors), data: fc.record({ customerId: pick(customers) }) }) },
  { weight: 4, arbitrary: fc.record({ command: fc.constant('ReleaseCustomer'), actor: pick(actors), data: fc.record({ customerId: pick(customers) }) }) },
  { weight: 3, arbitrary: fc.record({ command: fc.constant('AssignCustomer'), actor: pick(actors), data: fc.record({ customerId: pick(customers), to: pick(members) }) }) },
  { weight: 3, arbitrary: fc.record({ command: fc.constant('TransferCustomer'), actor: pick(actors), data: fc.record({ customerId: pick(customers), to: pick(members), reason: pick(['rebalance', 'request', 'departure']) }) }) },
  { weight: 3, arbitrary: fc.record({ command: fc.constant('RecycleCustomer'), actor: fc.constant('system'), data: fc.record({ customerId: pick(customers), rule: pick(['no_follow_up', 'no_deal']) }) }) },
  { weight: 2, arbitrary: fc.record({ command: pick(['LockCustomer', 'UnlockCustomer']), actor: pick(actors), data: fc.record({ customerId: pick(customers) }) }) },
  { weight: 3, arbitrary: fc.record({ command: fc.constant('ChangeCustomerStage'), actor: pick(actors), data: fc.record({ customerId: pick(customers), stage: pick(['potential', 'intent', 'customer', 'vip', 'dormant']) }) }) },
  { weight: 3, arbitrary: fc.record({ command: fc.constant('LogFollowUp'), actor: pick(actors), data: fc.record({ customerId: pick(customers), channel: pick(['call', 'visit']), summary: fc.constant('talked') }) }) },
  { weight: 1, arbitrary: fc.record({ command: fc.constant('MergeCustomers'), actor: pick(actors), data: fc.record({ survivorId: pick(customers), duplicateId: pick(customers) }) }) },
  { weight: 1, arbitrary: fc.record({ command: fc.constant('ErasePersonalData'), actor: pick(actors), data: fc.record({ customerId: pick(customers) }) }) },
  { weight: 1, arbitrary: fc.record({ command: fc.constant('DeactivateMember'), actor: pick(['u-admin', 'system', 'r-0']), data: fc.record({ memberId: pick(members.slice(1)), successorId: pick(members) }, { requiredKeys: ['memberId'] }) }) },
  { weight: 1, arbitrary: fc.record({ command: fc.constant('MoveMemberToTeam'), actor: pick(actors), data: fc.record({ memberId: pick(members), team: pick(['north', 'south', 'east']) }) }) },
  { weight: 3, arbitrary: fc.record({ command: fc.constant('OpenOpportunity'), actor: pick(actors), data: fc.record({ opportunityId: pick(opportunities), customerId: pick(customers), title: fc.constant('Deal'), amount: fc.record({ amount: pick(['100.00', '2500.50', '0']), currency: pick(['USD', 'EUR', 'JPY']) }), expectedCloseDate: fc.constant('2026-06-30'), stage: pick(stages) }, { requiredKeys: ['opportunityId', 'customerId', 'title', 'amount', 'expectedCloseDate'] }) }) },
  { weight: 3, arbitrary: fc.record({ command: fc.constant('MoveOpportunityStage'), actor: pick(actors), data: fc.record({ opportunityId: pick(opportunities), stage: pick(stages) }) }) },
  { weight: 2, arbitrary: fc.record({ command: fc.constant('WinOpportunity'), actor: pick(actors), data: fc.record({ opportunityId: pick(opportunities) }) }) },
  { weight: 2, arbitrary: fc.record({ command: fc.constant('LoseOpportunity'), actor: pick(actors), data: fc.record({ opportunityId: pick(opportunities), reason: pick(['price', 'competitor', 'timing']) }) }) },
  { weight: 1, arbitrary: fc.record({ command: fc.constant('ReopenOpportunity'), actor: pick(actors), data: fc.record({ opportunityId: pick(opportunities) }) }) },
  { weight: 1, arbitrary: fc.record({ command: fc.constant('ReassignOpportunity'), actor: pick(actors), data: fc.record({ opportunityId: pick(opportunities), to: pick(members) }) }) },
  { weight: 1, arbitrary: fc.record({ command: fc.constant('ReviseOpportunity'), actor: pick(actors), data: fc.record({ opportunityId: pick(opportunities), probability: fc.integer({ min: 0, max: 100 }) }) }) },
  { weight: 2, arbitrary: fc.record({ command: fc.constant('OpenTicket'), actor: pick(actors), data: fc.record({ ticketId: pick(tickets), customerId: pick(customers), subject: fc.constant('Broken'), category: pick(['repair', 'complaint']), priority: pick(['low', 'normal', 'high', 'urgent']), channel: pick(['phone', 'web']) }) }) },
  { weight: 2, arbitrary: fc.record({ command: fc.constant('AssignTicket'), actor: pick(actors), data: fc.record({ ticketId: pick(tickets), to: pick(members) }) }) },
  { weight: 1, arbitrary: fc.record({ command: fc.constant('CommentOnTicket'), actor: pick(actors), data: fc.record({ ticketId: pick(tickets), body: fc.constant('on it'), visibility: pick(['public', 'internal']) }) }) },
  { weight: 2, arbitrary: fc.record({ command: fc.constant('ResolveTicket'), actor: pick(actors), data: fc.record({ ticketId: pick(tickets), resolution: fc.constant('fixed') }) }) },
  { weight: 1, arbitrary: fc.record({ command: pick(['CloseTicket']), actor: pick(actors), data: fc.record({ ticketId: pick(tickets) }) }) },
  { weight: 1, arbitrary: fc.record({ command: fc.constant('ReopenTicket'), actor: pick(actors), data: fc.record({ ticketId: pick(tickets), reason: fc.constant('again') }) }) },
  { weight: 1, arbitrary: fc.record({ command: fc.constant('RateTicket'), actor: pick(actors), data: fc.record({ ticketId: pick(tickets), score: fc.integer({ min: 1, max: 5 }) }) }) },
  { weight: 1, arbitrary: fc.record({ command: fc.constant('Configure'), actor: pick(['system', 'u-admin', 'r-1']), data: fc.record({ pool: fc.record({ holdingLimit: fc.integer({ min: 0, max: 4 }), dailyClaimLimit: fc.integer({ min: 1, max: 3 }), reclaimCooldownDays: fc.integer({ min: 0, max: 3 }), protectionDays: fc.integer({ min: 0, max: 2 }), recycle: fc.record({ noFollowUpDays: fc.integer({ min: 0, max: 4 }), noDealDays: fc.integer({ min: 0, max: 6 }) }) }, { requiredKeys: [] }) }) }) },
);

/** A scenario: the team setup, then `length` random commands with forward-moving effective times. */
export const scenario = (length: { min: number; max: number } = { min: 5, max: 60 }): fc.Arbitrary<CommandInput[]> =>
  fc
    .array(fc.tuple(commandBody, fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 36 * 3_600_000 }) }, { weight: 1, arbitrary: fc.constant(-1) })), {
      minLength: length.min,
      maxLength: length.max,
    })
    .map((steps) => {
      let clock = START;
      const inputs: CommandInput[] = teamSetup(new Date(START).toISOString());
      steps.forEach(([body, step], index) => {
        // A step of -1 backdates this one command by a day (it must be refused with CLOCK_SKEW if it touches a stream with later events).
        const at = step < 0 ? clock - 86_400_000 : (clock += step);
        inputs.push({ ...body, id: `cmd-${index}`, at: new Date(at).toISOString() });
      });
      return inputs;
    });

/** The latest effective time in a scenario (the clock a runtime should show so no `at` lies in the future). */
export const scenarioEnd = (inputs: readonly CommandInput[]): string =>
  new Date(Math.max(...inputs.map((input) => Date.parse(input.at))) + 60_000).toISOString();
