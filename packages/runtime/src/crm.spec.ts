import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { Crm, isRejection } from './crm.ts';
import { createInMemoryEventStore } from './store/memory.ts';

const at = (day: number, hour = 9) => new Date(Date.UTC(2026, 0, 1 + day, hour)).toISOString();

describe('Crm', () => {
  it('answers every query after commands, catching the read models up first', async () => {
    const crm = new Crm({ store: createInMemoryEventStore(), clock: new ManualClock(at(60)) });
    const run = async (input: object) => {
      const outcome = await crm.execute(input);
      if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
    };
    await run({ command: 'RegisterMember', actor: 'system', at: at(0), data: { memberId: 'u-alice', name: 'Alice', role: 'rep', team: 'north' } });
    await run({ command: 'RegisterMember', actor: 'system', at: at(0), data: { memberId: 'u-bob', name: 'Bob', role: 'rep', team: 'north' } });
    await run({ command: 'RegisterCustomer', actor: 'u-alice', at: at(1), data: { customerId: 'cus-1', name: 'Acme', kind: 'company', phone: '5550100', source: 'web', importance: 'A' } });
    await run({ command: 'OpenOpportunity', actor: 'u-alice', at: at(2), data: { opportunityId: 'op-1', customerId: 'cus-1', title: 'Servers', amount: { amount: '1000.00', currency: 'USD' }, expectedCloseDate: '2026-02-01' } });
    await run({ command: 'WinOpportunity', actor: 'u-alice', at: at(10), data: { opportunityId: 'op-1' } });
    await run({ command: 'ReleaseCustomer', actor: 'u-alice', at: at(11), data: { customerId: 'cus-1' } });
    await run({ command: 'ClaimCustomer', actor: 'u-bob', at: at(20), data: { customerId: 'cus-1' } });

    const funnel = await crm.funnel();
    expect(funnel).toMatchObject({ won: { count: 1, amount: { USD: '1000.00' } }, winRate: 1, avgCycleDays: 8 });
    expect(await crm.lifecycle()).toMatchObject({ dormant: 0 });
    const history = await crm.ownership('cus-1');
    expect(history).toMatchObject({ customerId: 'cus-1', currentOwner: 'u-bob', periods: [{ owner: 'u-alice' }, { owner: null }, { owner: 'u-bob' }] });
    expect(await crm.ownerAsOf('cus-1', at(15))).toEqual({ customerId: 'cus-1', asOf: at(15), owner: null });
    expect(await crm.portfolio('u-alice', at(5))).toEqual({ memberId: 'u-alice', asOf: at(5), customers: ['cus-1'] });
    expect(await crm.ownershipStats('u-bob', '2026-01')).toMatchObject({ claims: 1 });
    const ranking = await crm.rankings({ period: '2026-Q1', metric: 'wonAmount', currency: 'USD' });
    expect(ranking).toMatchObject({ rows: [{ rank: 1, memberId: 'u-alice', value: '1000.00' }, { rank: 2, memberId: 'u-bob', value: '0.00' }] });
    expect(await crm.reminders({ asOf: at(60) })).toMatchObject({ asOf: at(60) });
    const audit = await crm.audit('cus-1');
    expect(audit).toMatchObject({ customerId: 'cus-1', consistent: true, differences: [] });
    expect(!isRejection(audit) && audit.facts).toHaveLength(3);
    expect(await crm.audit('cus-404')).toMatchObject({ code: 'NOT_FOUND' });
    expect(await crm.verify()).toMatchObject({ intact: true });
    expect(await crm.funnel({ openedFrom: 'not a date' })).toMatchObject({ code: 'INVALID_COMMAND' });
  });
});
