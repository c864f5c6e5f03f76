import { remindersProjection, type ProjectionDefinition } from '@eventcrm/projections';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { Crm } from '../crm.ts';
import { createInMemoryEventStore } from '../store/memory.ts';
import { createInMemoryReadModelStore } from './memoryReadModels.ts';

/** Records what it sees of a customer's name and a contact's birthday. */
const seen: ProjectionDefinition = {
  name: 'seen',
  version: 1,
  eventTypes: ['CustomerRegistered', 'ContactAdded'],
  tables: [{ name: 'seen_values', columns: { id: 'text', value: 'text' }, key: ['id'] }],
  personalData: 'decrypt',
  personalFields: { ContactAdded: ['contact.birthday'] },
  rowsNeeded: () => [],
  apply(event, rows) {
    if (event.type === 'CustomerRegistered') rows.put('seen_values', { id: 'name', value: event.data.name });
    if (event.type === 'ContactAdded') rows.put('seen_values', { id: 'birthday', value: event.data.contact.birthday ?? null });
  },
};

const at = '2026-01-05T09:00:00.000Z';

async function customerWithBirthday(projections: readonly ProjectionDefinition[]) {
  const crm = new Crm({ store: createInMemoryEventStore(), readModels: createInMemoryReadModelStore(), clock: new ManualClock(at), projections });
  await crm.execute({ command: 'RegisterCustomer', actor: 'system', at, data: { customerId: 'cus-1', name: 'Acme Ltd', kind: 'company', email: 'info@acme.io', source: 'web', importance: 'B' } });
  await crm.execute({ command: 'AddContact', actor: 'system', at, data: { customerId: 'cus-1', contactId: 'con-1', name: 'Ada', role: 'champion', email: 'ada@acme.io', birthday: '05-17' } });
  return crm;
}

describe('personal data in projection runs', () => {
  it('decrypts the declared fields of the declared event types only; other personal fields stay encrypted', async () => {
    const crm = await customerWithBirthday([seen]);
    await crm.catchUp();
    const reader = crm.readModels.reader();
    expect((await reader.get('seen_values', ['birthday']))?.['value']).toBe('05-17');
    expect(String((await reader.get('seen_values', ['name']))?.['value'])).toMatch(/^enc:v1:/);
    await crm.close();
  });

  it('reminders keep contact birthdays readable until erasure, and a rebuild after it gives the same rows', async () => {
    const crm = await customerWithBirthday([remindersProjection]);
    await crm.catchUp();
    expect((await crm.readModels.reader().get('reminders_customers', ['cus-1']))?.['birthdays']).toEqual({ 'con-1': '05-17' });
    await crm.execute({ command: 'ErasePersonalData', actor: 'system', at, data: { customerId: 'cus-1' } });
    await crm.catchUp();
    const live = await crm.readModels.reader().get('reminders_customers', ['cus-1']);
    expect(live?.['birthdays']).toBeNull();
    await crm.rebuild();
    expect(await crm.readModels.reader().get('reminders_customers', ['cus-1'])).toEqual(live);
    await crm.close();
  });
});
