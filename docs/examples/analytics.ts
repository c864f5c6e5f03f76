/**
 * For analysts (docs/guide-analysts.md): rebuild the read models with
 * progress, then ask them questions in plain SQL.
 */
import { join } from 'node:path';
import { Crm, ManualClock, type RunProgress } from '@eventcrm/runtime';
import { createSqliteEventStore, createSqliteReadModelStore } from '@eventcrm/store-sqlite';

/** A small pipeline: two reps, six customers, opportunities in USD and EUR. */
async function seed(crm: Crm, clock: ManualClock): Promise<void> {
  await crm.execute({ command: 'RegisterMember', actor: 'system', data: { memberId: 'u-alice', name: 'Alice', role: 'rep', team: 'north' } });
  await crm.execute({ command: 'RegisterMember', actor: 'system', data: { memberId: 'u-bob', name: 'Bob', role: 'rep', team: 'south' } });
  const deals = [
    { owner: 'u-alice', amount: '12000.00', currency: 'USD', stage: 'proposal' },
    { owner: 'u-alice', amount: '3500.50', currency: 'USD', stage: 'prospecting' },
    { owner: 'u-alice', amount: '8000.00', currency: 'EUR', stage: 'negotiation' },
    { owner: 'u-bob', amount: '20000.00', currency: 'USD', stage: 'qualification' },
    { owner: 'u-bob', amount: '1000.00', currency: 'USD', stage: 'proposal' },
    { owner: 'u-bob', amount: '640.00', currency: 'EUR', stage: 'prospecting' },
  ];
  for (const [index, deal] of deals.entries()) {
    const customerId = `cus-${index + 1}`;
    await crm.execute({
      command: 'RegisterCustomer',
      actor: deal.owner,
      data: { customerId, name: `Customer ${index + 1}`, kind: 'company', email: `buyer${index + 1}@example.com`, source: 'web', importance: 'B' },
    });
    await crm.execute({
      command: 'OpenOpportunity',
      actor: deal.owner,
      data: { opportunityId: `opp-${index + 1}`, customerId, title: `Deal ${index + 1}`, amount: { amount: deal.amount, currency: deal.currency }, expectedCloseDate: '2026-06-30', stage: deal.stage },
    });
  }
  clock.set('2026-03-15T10:00:00.000Z');
  await crm.execute({ command: 'WinOpportunity', actor: 'u-bob', data: { opportunityId: 'opp-5' } });
  await crm.execute({ command: 'LoseOpportunity', actor: 'u-alice', data: { opportunityId: 'opp-2', reason: 'price' } });
}

export async function main(workDir: string) {
  const clock = new ManualClock('2026-03-02T09:00:00.000Z');
  const store = createSqliteEventStore({ path: join(workDir, 'crm.db') });
  const crm = new Crm({ store, readModels: createSqliteReadModelStore({ store }), clock });
  await seed(crm, clock);
  const updates: RunProgress[] = [];

  // #region rebuild
  const report = await crm.rebuild({
    onProgress: (progress) => {
      updates.push(progress);
      // progress.eventsDone, progress.eventsPerSecond, progress.fraction (0–1), progress.etaSeconds
    },
  });
  // report: { projections: ['funnel', 'ownership', 'rankings', 'reminders'], events, seconds, eventsPerSecond, position }
  // #endregion rebuild

  // #region sql
  const openPipeline = store.database
    .prepare(
      `SELECT owner, currency, COUNT(*) AS opportunities, SUM(CAST(amount AS INTEGER)) AS amount_minor
         FROM funnel_opportunities
        WHERE status = 'open'
        GROUP BY owner, currency
        ORDER BY owner, currency`,
    )
    .all();
  // [ { owner: 'u-alice', currency: 'EUR', opportunities: 1, amount_minor: 800000 }, ... ]

  const currentOwners = store.database
    .prepare(
      `SELECT customer_id, open_owner AS owner, open_from AS since
         FROM ownership_customers
        WHERE merged_into IS NULL
        ORDER BY customer_id`,
    )
    .all();
  // [ { customer_id: 'cus-1', owner: 'u-alice', since: '2026-03-02T09:00:00.000Z' }, ... ]
  // #endregion sql

  await crm.close();
  return { report: { projections: report.projections, events: report.events, position: report.position }, updates: updates.length, lastUpdate: updates.at(-1), openPipeline, currentOwners };
}
