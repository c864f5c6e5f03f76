import type { ProjectionDefinition, Row } from '@eventcrm/projections';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { CommandExecutor } from '../execution/executor.ts';
import { createInMemoryEventStore } from '../store/memory.ts';
import { createInMemoryReadModelStore } from './memoryReadModels.ts';
import type { ReadModelStore } from './port.ts';
import { ProjectionRunner } from './runner.ts';

/** A toy projection: claims per member (a cached table) and members by team (a resident table). */
const claimsPerMember: ProjectionDefinition = {
  name: 'toy',
  version: 1,
  eventTypes: ['MemberRegistered', 'MemberMovedToTeam', 'CustomerClaimed'],
  tables: [
    { name: 'toy_claims', columns: { member_id: 'text', team: 'text', claims: 'integer' }, key: ['member_id', 'team'] },
    { name: 'toy_members', columns: { member_id: 'text', team: 'text' }, key: ['member_id'], resident: true },
  ],
  rowsNeeded(event, resident) {
    if (event.type !== 'CustomerClaimed') return [];
    const team = String(resident.get('toy_members', [event.data.to])?.['team'] ?? '');
    return [{ table: 'toy_claims', key: [event.data.to, team] }];
  },
  apply(event, rows) {
    if (event.type === 'MemberRegistered') rows.put('toy_members', { member_id: event.data.memberId, team: event.data.team ?? '' });
    if (event.type === 'MemberMovedToTeam') rows.put('toy_members', { member_id: event.data.memberId, team: event.data.to });
    if (event.type === 'CustomerClaimed') {
      const team = String(rows.get('toy_members', [event.data.to])?.['team'] ?? '');
      const current = rows.get('toy_claims', [event.data.to, team]);
      rows.put('toy_claims', { member_id: event.data.to, team, claims: Number(current?.['claims'] ?? 0) + 1 });
    }
  },
};

async function history(customers: number) {
  const store = createInMemoryEventStore({ batchSize: 7 });
  const executor = new CommandExecutor({ store, clock: new ManualClock('2026-02-01T00:00:00.000Z') });
  // One customer a day keeps every member under the daily claim limit.
  const at = (day: number) => new Date(Date.parse('2025-01-01T00:00:00.000Z') + day * 86_400_000).toISOString();
  await executor.execute({ command: 'RegisterMember', actor: 'system', at: at(0), data: { memberId: 'u-a', name: 'A', role: 'rep', team: 'north' } });
  await executor.execute({ command: 'RegisterMember', actor: 'system', at: at(0), data: { memberId: 'u-b', name: 'B', role: 'rep', team: 'south' } });
  for (let index = 0; index < customers; index += 1) {
    const id = `cus-${index}`;
    await executor.execute({ command: 'RegisterCustomer', actor: 'system', at: at(index + 1), data: { customerId: id, name: `C ${index}`, kind: 'company', email: `c${index}@x.io`, source: 'web', importance: 'B' } });
    if (index === Math.floor(customers / 2)) await executor.execute({ command: 'MoveMemberToTeam', actor: 'system', at: at(index + 1), data: { memberId: 'u-a', team: 'east' } });
    await executor.execute({ command: 'ClaimCustomer', actor: index % 3 === 0 ? 'u-b' : 'u-a', at: at(index + 1), data: { customerId: id } });
  }
  return store;
}

const sorted = (rows: readonly Row[]) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('ProjectionRunner', () => {
  it('catches up in batches, then a rebuild gives the same rows', async () => {
    const store = await history(40);
    const readModels = createInMemoryReadModelStore();
    const runner = new ProjectionRunner({ store, readModels, projections: [claimsPerMember], batchSize: 5, cacheCapacity: 1000 });
    const report = await runner.catchUp();
    expect(report.events).toBeGreaterThan(0);
    const live = sorted(await readModels.reader().scan('toy_claims'));
    expect(live).toEqual([
      { member_id: 'u-a', team: 'east', claims: 13 },
      { member_id: 'u-a', team: 'north', claims: 13 },
      { member_id: 'u-b', team: 'south', claims: 14 },
    ]);
    await runner.rebuild();
    expect(sorted(await readModels.reader().scan('toy_claims'))).toEqual(live);
  });

  it('resumes from its checkpoint and reports progress', async () => {
    const store = await history(10);
    const readModels = createInMemoryReadModelStore();
    const runner = new ProjectionRunner({ store, readModels, projections: [claimsPerMember], batchSize: 3 });
    const progress: number[] = [];
    await runner.catchUp({ onProgress: (p) => progress.push(p.eventsDone) });
    expect(progress.length).toBeGreaterThan(1);
    const again = await runner.catchUp();
    expect(again.events).toBe(0);
  });
});

describe('two runners on the same read models', () => {
  it('never apply the same events twice: a runner whose checkpoint moved underneath it writes nothing and starts over', async () => {
    const store = await history(30);
    const readModels = createInMemoryReadModelStore();
    // Runner A stalls on its second row fetch until runner B has caught up and committed everything.
    let release!: () => void;
    const bDone = new Promise<void>((resolve) => (release = resolve));
    let fetches = 0;
    const stalling: ReadModelStore = {
      ...readModels,
      fetch: async (...args) => {
        fetches += 1;
        if (fetches === 2) await bDone;
        return readModels.fetch(...args);
      },
    };
    const a = new ProjectionRunner({ store, readModels: stalling, projections: [claimsPerMember], batchSize: 4, commitEvery: 1000 });
    const b = new ProjectionRunner({ store, readModels, projections: [claimsPerMember], batchSize: 4 });
    const running = a.catchUp();
    await b.catchUp();
    release();
    await running;
    const reference = createInMemoryReadModelStore();
    await new ProjectionRunner({ store, readModels: reference, projections: [claimsPerMember] }).catchUp();
    expect(sorted(await readModels.reader().scan('toy_claims'))).toEqual(sorted(await reference.reader().scan('toy_claims')));
  });
});

describe('resumable rebuilds', () => {
  it('an aborted rebuild continues from its last commit, the live copy untouched meanwhile, and ends equal to an uninterrupted one', async () => {
    const store = await history(40);
    const readModels = createInMemoryReadModelStore();
    const runner = new ProjectionRunner({ store, readModels, projections: [claimsPerMember], batchSize: 5, commitEvery: 10 });
    await runner.catchUp();
    const live = sorted(await readModels.reader().scan('toy_claims'));
    const controller = new AbortController();
    let batches = 0;
    await runner.rebuild({
      signal: controller.signal,
      onProgress: () => {
        batches += 1;
        if (batches === 4) controller.abort();
      },
    });
    expect(sorted(await readModels.reader().scan('toy_claims'))).toEqual(live);
    expect((await readModels.checkpoints('rebuild')).map((checkpoint) => checkpoint.projection)).toEqual(['toy']);
    const second = await runner.rebuild();
    // The resumed run read only what the aborted one had not committed.
    expect(second.events).toBeGreaterThan(0);
    expect(second.events).toBeLessThan((await new ProjectionRunner({ store, readModels: createInMemoryReadModelStore(), projections: [claimsPerMember] }).rebuild()).events);
    expect(sorted(await readModels.reader().scan('toy_claims'))).toEqual(live);
    expect(await readModels.checkpoints('rebuild')).toEqual([]);
  });
});
