import { describe, expect, it } from 'vitest';
import { percentile } from './measure.ts';
import { BenchUsageError, parseBenchArgs, parseEventCount } from './options.ts';
import { storeTargets } from './report.ts';
import type { StoreFigures } from './run.ts';
import { seededRandom } from './workload.ts';

describe('pnpm bench command line', () => {
  it('reads event counts as bench.md writes them', () => {
    expect(parseEventCount('4m')).toBe(4_000_000);
    expect(parseEventCount('250k')).toBe(250_000);
    expect(parseEventCount('1.5M')).toBe(1_500_000);
    expect(parseEventCount('1000000')).toBe(1_000_000);
    expect(parseEventCount('1_000_000')).toBe(1_000_000);
    for (const bad of ['', 'lots', '4g', '-5', '10']) expect(() => parseEventCount(bad)).toThrow(BenchUsageError);
  });

  it('defaults to 1M events on SQLite and PostgreSQL, every phase, a table', () => {
    const options = parseBenchArgs([], {});
    expect(options).toMatchObject({ events: 1_000_000, stores: ['sqlite', 'postgres'], json: false, commands: 3_000, queries: 200, rssScaling: false });
    expect(options?.phases).toEqual(['raw-append', 'commands', 'raw-read', 'rebuild', 'queries']);
    expect(options?.postgresUrl).toBe('postgres://postgres@127.0.0.1:5432/test');
  });

  it('takes the options after pnpm’s -- separator, with values inline or apart', () => {
    const options = parseBenchArgs(['--', '--events', '250k', '--stores=memory,sqlite', '--json', '--phases', 'import,rebuild'], { EVENTCRM_PG_URL: 'postgres://elsewhere/db' });
    expect(options).toMatchObject({ events: 250_000, stores: ['memory', 'sqlite'], json: true, phases: ['rebuild'], postgresUrl: 'postgres://elsewhere/db' });
  });

  it('refuses what it does not know, naming the option', () => {
    expect(() => parseBenchArgs(['--stores', 'mysql'], {})).toThrow(/--stores/);
    expect(() => parseBenchArgs(['--events'], {})).toThrow(/--events needs a value/);
    expect(() => parseBenchArgs(['--fast'], {})).toThrow(/unknown option/);
    expect(() => parseBenchArgs(['--end', '2026-13-40x'], {})).toThrow(/--end/);
    expect(parseBenchArgs(['--help'], {})).toBeUndefined();
  });
});

describe('pnpm bench figures', () => {
  it('takes nearest-rank percentiles', () => {
    const samples = Array.from({ length: 200 }, (_, index) => 200 - index);
    expect(percentile(samples, 50)).toBe(100);
    expect(percentile(samples, 99)).toBe(198);
    expect(percentile(samples, 100)).toBe(200);
    expect(percentile([], 50)).toBeNaN();
  });

  it('draws the same query arguments on every run', () => {
    const draws = (seed: number): number[] => {
      const random = seededRandom(seed);
      return Array.from({ length: 5 }, random);
    };
    expect(draws(42)).toEqual(draws(42));
    expect(draws(42)).not.toEqual(draws(43));
    for (const value of draws(7)) expect(value >= 0 && value < 1).toBe(true);
  });

  it('checks the targets of bench.md against the figures', () => {
    const figures = {
      import_events_per_s: 3_000,
      raw_append_events_per_s: 10_000,
      rebuild_vs_raw_read: 0.6,
      commands_per_s: 2_500,
      query_p99_ms: { funnel: 19.9, rankings_quarter: 20 },
    } as unknown as StoreFigures;
    const met = new Map(storeTargets('sqlite', figures).map((check) => [check.figure, check.met]));
    expect(met.get('import_events_per_s')).toBe(true);
    expect(met.get('rebuild_vs_raw_read')).toBe(true);
    expect(met.get('commands_per_s')).toBe(false);
    expect(met.get('query_p99_ms funnel')).toBe(true);
    expect(met.get('query_p99_ms rankings_quarter')).toBe(false);
    expect(met.get('query_p99_ms reminders_member')).toBeNull();
    const postgres = new Map(storeTargets('postgres', figures).map((check) => [check.figure, check.met]));
    expect(postgres.get('commands_per_s')).toBe(true);
  });
});
