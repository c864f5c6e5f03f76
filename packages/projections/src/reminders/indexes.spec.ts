import { describe, expect, it } from 'vitest';
import type { Condition, ReadModelReader, ScanQuery } from '../framework/types.ts';
import {
  deactivated,
  member,
  opportunityOpened,
  project,
  registered,
  report,
  ticketAssigned,
  ticketOpened,
  ticketUnassigned,
} from './fixtures.test.ts';
import { remindersTables } from './tables.ts';

// The benchmark wants a member's reminders in < 20 ms p99 at ~1M events:
// every scan of a member query must go through an index whose first column
// (owner or assignee) it pins to one value (or a short IN list, or NULL).

const pinned = (condition: Condition | undefined): boolean =>
  condition !== undefined && (condition === null || typeof condition !== 'object' || 'in' in condition);

function recording(reader: ReadModelReader): { reader: ReadModelReader; scans: { table: string; query: ScanQuery }[] } {
  const scans: { table: string; query: ScanQuery }[] = [];
  return {
    scans,
    reader: {
      get: (table, key) => reader.get(table, key),
      scan: (table, query = {}) => {
        scans.push({ table, query });
        return reader.scan(table, query);
      },
    },
  };
}

describe('reminders: member queries use the owner/assignee indexes', () => {
  const events = [
    member('alice', 'rep', 'north'),
    member('max', 'manager', 'north'),
    member('root', 'admin', null),
    member('gone', 'rep', 'north'),
    registered('c1', 'alice', '2026-03-01T00:00:00.000Z'),
    opportunityOpened('o1', 'c1', 'gone', '2026-03-02', '2026-03-01T00:00:00.000Z'),
    deactivated('gone', '2026-03-02T00:00:00.000Z'),
    ticketOpened('t1', 'c1', 'normal', '2026-03-01T08:00:00.000Z', '2026-03-01T16:00:00.000Z', '2026-03-04T08:00:00.000Z'),
    ticketAssigned('t1', 'alice', '2026-03-01T09:00:00.000Z'),
    ticketUnassigned('t1', 'alice', '2026-03-01T10:00:00.000Z'),
  ];

  it.each(['alice', 'max', 'root', 'gone'])('for %s', async (memberId) => {
    const { reader, scans } = recording(project(events));
    await report(reader, '2026-03-03T00:00:00.000Z', memberId);
    const specs = new Map(remindersTables.map((table) => [table.name, table]));
    for (const { table, query } of scans) {
      const spec = specs.get(table)!;
      if (spec.resident === true) continue;
      const usable = (spec.indexes ?? []).filter((index) => pinned(query.where?.[index[0]!]));
      expect(usable, `${table} scanned with ${JSON.stringify(query)}`).not.toEqual([]);
    }
    expect(scans.filter(({ table }) => specs.get(table)?.resident !== true).length).toBeGreaterThan(0);
  });

  it('a manager or admin query lists the supervised items (unassigned tickets, orphans: the first response due 03-01T16:00 comes before the deactivation 03-02) found through those indexes', async () => {
    const reader = project(events);
    expect((await report(reader, '2026-03-03T00:00:00.000Z', 'max')).items.map((item) => item.kind)).toEqual(['ticket_sla', 'opportunity_orphaned']);
    expect((await report(reader, '2026-03-03T00:00:00.000Z', 'root')).items.map((item) => item.kind)).toEqual(['ticket_sla', 'opportunity_orphaned']);
    expect((await report(reader, '2026-03-03T00:00:00.000Z', 'alice')).items.map((item) => item.kind)).toEqual([]);
  });
});
