import type { Crm } from '@eventcrm/runtime';

/** Every query answer a read model gives for a scenario's ids, for comparing runs. */
export async function allAnswers(
  crm: Crm,
  options: {
    readonly catchUp: boolean;
    readonly customers?: readonly string[];
    readonly members?: readonly string[];
    readonly instants?: readonly string[];
    readonly period?: string;
  },
): Promise<unknown> {
  const q = { catchUp: options.catchUp };
  const customers = options.customers ?? Array.from({ length: 8 }, (_, index) => `c-${index}`);
  const members = options.members ?? ['u-admin', 'm-north', 'm-south', 'r-0', 'r-1', 'r-2', 'r-3'];
  const instants = options.instants ?? ['2026-01-01T08:00:00.000Z', '2026-01-03T12:00:00.000Z', '2026-01-20T00:00:00.000Z', '2026-03-01T00:00:00.000Z'];
  const period = options.period ?? '2026-Q1';
  const answers: Record<string, unknown> = {
    funnel: await crm.funnel({}, q),
    funnelNorth: await crm.funnel({ team: 'north' }, q),
    funnelUsd: await crm.funnel({ currency: 'USD', openedFrom: '2026-01-01', openedTo: '2026-02-01' }, q),
    lifecycle: await crm.lifecycle(q),
  };
  for (const customerId of customers) {
    answers[`ownership ${customerId}`] = await crm.ownership(customerId, q);
    for (const instant of instants) answers[`owner ${customerId} ${instant}`] = await crm.ownerAsOf(customerId, instant, q);
  }
  for (const memberId of members) {
    for (const instant of instants) answers[`portfolio ${memberId} ${instant}`] = await crm.portfolio(memberId, instant, q);
    answers[`stats ${memberId}`] = await crm.ownershipStats(memberId, period.slice(0, 4), q);
    answers[`reminders ${memberId}`] = await crm.reminders({ asOf: '2026-02-15T00:00:00.000Z', memberId }, q);
  }
  for (const metric of ['wonAmount', 'wonCount', 'winRate', 'followUps', 'customersClaimed', 'ticketsResolved', 'csat', 'avgResolutionHours']) {
    for (const teams of [false, true]) answers[`rankings ${metric} ${teams}`] = await crm.rankings({ period, metric, currency: 'USD', teams }, q);
  }
  answers['reminders all'] = await crm.reminders({ asOf: '2026-02-15T00:00:00.000Z' }, q);
  return answers;
}
