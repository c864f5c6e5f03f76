import { Crm, ManualClock, createInMemoryEventStore } from '@eventcrm/runtime';
import { describe, expect, it } from 'vitest';
import type { MavenCommand } from './commands.ts';
import { convertMavenDataset } from './convert.ts';
import { parseMavenCsv } from './csv.ts';
import { importMavenCommands, importMavenDataset } from './importer.ts';
import { miniatureCsv } from './miniature.test.ts';

const freshCrm = () => new Crm({ store: createInMemoryEventStore(), clock: new ManualClock('2018-01-01T00:00:00.000Z') });
const miniature = () => convertMavenDataset(parseMavenCsv(miniatureCsv()));

describe('importMavenCommands on the miniature dataset', () => {
  it('executes every command without a rejection and counts the events, the policy ones included', async () => {
    const crm = freshCrm();
    const { commands } = miniature();
    const report = await importMavenCommands(crm, commands);
    expect(report.rejected).toEqual([]);
    expect(report).toMatchObject({ commands: commands.length, accepted: commands.length, duplicates: 0 });
    // One event per command, plus the deal-won policy moving Acme Corporation to the customer stage.
    expect(report.policyCommands).toBe(1);
    expect(report.events).toBe(commands.length + 1);
    expect(await crm.store.headPosition()).not.toBeNull();
    let stored = 0;
    for await (const batch of crm.store.readAll()) stored += batch.length;
    expect(stored).toBe(report.events);
    expect(report.commandsPerSecond).toBeGreaterThan(0);
  });

  it('gives the read models the miniature\'s figures', async () => {
    const crm = freshCrm();
    await importMavenCommands(crm, miniature().commands);
    const funnel = await crm.funnel();
    if (!('won' in funnel)) throw new Error(funnel.message);
    expect(funnel.won).toEqual({ count: 1, amount: { USD: '4514.00' } });
    expect(funnel.lost).toEqual({ count: 1, amount: { USD: '550.00' }, byReason: { other: 1 } });
    expect(funnel.open.count).toBe(4);
    expect(funnel.stages.map((stage) => [stage.stage, stage.reached, stage.current.count])).toEqual([
      ['prospecting', 6, 2],
      ['engaging', 4, 2],
    ]);
    expect(await crm.ownerAsOf('quiet-account', '2017-12-31T00:00:00.000Z')).toMatchObject({ owner: null });
    expect(await crm.ownerAsOf('unknown.moses-frase', '2017-12-31T00:00:00.000Z')).toMatchObject({ owner: 'moses-frase' });
  });

  it('appends nothing when the same commands run again: every outcome is a duplicate', async () => {
    const crm = freshCrm();
    const { commands } = miniature();
    await importMavenCommands(crm, commands);
    const head = await crm.store.headPosition();
    const again = await importMavenCommands(crm, commands, { batchSize: 3 });
    expect(again).toMatchObject({ accepted: 0, duplicates: commands.length, events: 0, policyCommands: 0, rejected: [] });
    expect(await crm.store.headPosition()).toBe(head);
  });

  it('reports a command the domain rejects with its code and goes on with the rest', async () => {
    const crm = freshCrm();
    const { commands } = miniature();
    const clash: MavenCommand = { ...commands.find((command) => command.id === 'maven.customer.condax')!, id: 'maven.customer.condax-again' };
    const report = await importMavenCommands(crm, [...commands, clash]);
    expect(report.rejected).toEqual([{ commandId: 'maven.customer.condax-again', command: 'RegisterCustomer', code: 'ALREADY_EXISTS', message: expect.any(String) as string }]);
    expect(report.accepted).toBe(commands.length);
  });

  it('calls onProgress with the commands done after each batch', async () => {
    const crm = freshCrm();
    const { commands } = miniature();
    const progress: number[] = [];
    await importMavenCommands(crm, commands, { batchSize: 10, onProgress: (done) => progress.push(done) });
    expect(progress.at(-1)).toBe(commands.length);
    expect(progress.length).toBe(Math.ceil(commands.length / 10));
  });
});

describe('importMavenDataset', () => {
  it('rejects a folder without the dataset with a typed error, before touching the store', async () => {
    const crm = freshCrm();
    await expect(importMavenDataset(crm, { directory: '/nonexistent/maven-crm' })).rejects.toMatchObject({ code: 'MAVEN_FILE_UNREADABLE' });
    expect(await crm.store.headPosition()).toBeNull();
  });
});
