/**
 * A child process for the read-model e2e specs (test support, not API).
 *
 *   projectionChild.ts run  <path> <catchup|rebuild> <batchSize> <commitEvery> <variant>
 *     runs the toy projection over the file, printing `progress <events>`
 *     after every batch and `done <events>` at the end (the crash spec
 *     kills it with SIGKILL somewhere in between);
 *   projectionChild.ts read <path>
 *     answers queries on the live toy tables in a loop until stdin closes,
 *     printing one `read <json>` line per answer (the swap spec checks that
 *     it never fails and sees the old rows, then the new ones).
 */
import { createInterface } from 'node:readline';
import { ProjectionRunner } from '@eventcrm/runtime';
import { createSqliteEventStore } from '../../store.ts';
import { createSqliteReadModelStore } from '../sqliteReadModelStore.ts';
import { toyProjection } from './toyProjection.ts';

const [mode, path, ...rest] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: projectionChild.ts <run|read> <path> …');
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const store = createSqliteEventStore({ path, busyTimeoutMs: 20_000 });
const readModels = createSqliteReadModelStore({ store });

if (mode === 'run') {
  const [how, batchSize, commitEvery, variant] = rest;
  const runner = new ProjectionRunner({
    store,
    readModels,
    projections: [toyProjection(variant === '2' ? 2 : 1)],
    batchSize: Number(batchSize),
    commitEvery: Number(commitEvery),
  });
  const onProgress = (progress: { readonly eventsDone: number }): void => say(`progress ${progress.eventsDone}`);
  say('ready');
  const report = how === 'rebuild' ? await runner.rebuild({ onProgress }) : await runner.catchUp({ onProgress });
  say(`done ${report.events}`);
} else if (mode === 'read') {
  let open = true;
  createInterface({ input: process.stdin }).on('close', () => {
    open = false;
  });
  const reader = readModels.reader();
  say('ready');
  while (open) {
    const start = Date.now();
    try {
      // A scan and then a get of its first row: each call is one snapshot, so each answers all old or all new rows.
      const rows = await reader.scan('toy_holdings', { where: { owner: { notNull: true } }, orderBy: [['since', 'desc']], limit: 200 });
      const one = rows[0] === undefined ? undefined : await reader.get('toy_holdings', [rows[0]['customer_id'] as string]);
      const shapeOf = (row: Record<string, unknown>): string => ('variant' in row ? 'v2' : 'v1');
      const shapes = [...new Set(rows.map(shapeOf))];
      say(`read ${JSON.stringify({ start, end: Date.now(), count: rows.length, shapes, got: one === undefined ? null : shapeOf(one) })}`);
    } catch (error) {
      say(`read ${JSON.stringify({ start, end: Date.now(), error: String(error) })}`);
    }
    // Let stdin's close be noticed.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
await readModels.close();
await store.close();
