/**
 * Shared fixtures of the read-model specs, the crash child process and the
 * benchmark: a toy projection using every column type, a resident table and
 * deletes, and a deterministic log it consumes. Named `.test.ts` so that the
 * build leaves it out (it is not shipped) and vitest does not run it (it is
 * not a spec).
 */
import type { AppendRequest, EventStore, NewEvent, ProjectionRunnerOptions } from '@eventcrm/runtime';
import type { Row, TableSpec } from './types.ts';

/** A projection definition, as the runner takes it. */
export type ProjectionDefinition = ProjectionRunnerOptions['projections'][number];

const month = (at: string): string => at.slice(0, 7);
const teamOf = (member: Row | undefined): string => (typeof member?.['team'] === 'string' ? member['team'] : 'none');

/**
 * Customer holdings and per-team monthly statistics. `version` 2 adds a
 * column (a shape change, as a new projection version brings).
 */
export function toyProjection(version: 1 | 2 = 1): ProjectionDefinition {
  const holdingsColumns = { customer_id: 'text', owner: 'text', team: 'text', claims: 'integer', last_at: 'text', weight: 'real', vip: 'boolean', history: 'json' } as const;
  return {
    name: 'toy',
    version,
    eventTypes: ['MemberRegistered', 'MemberMovedToTeam', 'CustomerClaimed', 'CustomerReleased'],
    tables: [
      { name: 'toy_members', columns: { member_id: 'text', team: 'text', moves: 'integer' }, key: ['member_id'], resident: true },
      {
        name: 'toy_holdings',
        columns: version === 1 ? holdingsColumns : { ...holdingsColumns, owner_team: 'text' },
        key: ['customer_id'],
        indexes: [['owner', 'last_at'], ['team']],
      },
      { name: 'toy_team_stats', columns: { team: 'text', month: 'text', claims: 'integer', releases: 'integer', share: 'real', members: 'json' }, key: ['team', 'month'] },
    ],
    rowsNeeded(event, resident) {
      if (event.type === 'CustomerClaimed') {
        const team = teamOf(resident.get('toy_members', [event.data.to]));
        return [
          { table: 'toy_holdings', key: [event.data.customerId] },
          { table: 'toy_team_stats', key: [team, month(event.metadata.at)] },
        ];
      }
      if (event.type === 'CustomerReleased') {
        const team = teamOf(resident.get('toy_members', [event.data.from]));
        return [
          { table: 'toy_holdings', key: [event.data.customerId] },
          { table: 'toy_team_stats', key: [team, month(event.metadata.at)] },
        ];
      }
      return [];
    },
    apply(event, rows) {
      switch (event.type) {
        case 'MemberRegistered':
          rows.put('toy_members', { member_id: event.data.memberId, team: event.data.team ?? 'none', moves: 0 });
          return;
        case 'MemberMovedToTeam': {
          const member = rows.get('toy_members', [event.data.memberId]);
          rows.put('toy_members', { member_id: event.data.memberId, team: event.data.to, moves: Number(member?.['moves'] ?? 0) + 1 });
          return;
        }
        case 'CustomerClaimed': {
          const team = teamOf(rows.get('toy_members', [event.data.to]));
          const holding = rows.get('toy_holdings', [event.data.customerId]);
          const claims = Number(holding?.['claims'] ?? 0) + 1;
          const history = [event.data.to, ...((holding?.['history'] as { owners?: string[] } | null)?.owners ?? [])].slice(0, 3);
          rows.put('toy_holdings', {
            customer_id: event.data.customerId,
            owner: event.data.to,
            team,
            claims,
            last_at: event.metadata.at,
            weight: claims / (event.data.holdingsBefore + 3),
            vip: claims % 4 === 0,
            history: { owners: history, limit: event.data.policy.holdingLimit, note: claims % 5 === 0 ? null : `n${claims}` },
            ...(version === 2 ? { owner_team: `${event.data.to}@${team}` } : {}),
          });
          const statsKey = [team, month(event.metadata.at)];
          const stats = rows.get('toy_team_stats', statsKey);
          const members = new Set((stats?.['members'] as string[] | null) ?? []);
          members.add(event.data.to);
          const statClaims = Number(stats?.['claims'] ?? 0) + 1;
          const releases = Number(stats?.['releases'] ?? 0);
          rows.put('toy_team_stats', { team, month: month(event.metadata.at), claims: statClaims, releases, share: releases / statClaims, members: [...members].sort() });
          return;
        }
        case 'CustomerReleased': {
          rows.delete('toy_holdings', [event.data.customerId]);
          const team = teamOf(rows.get('toy_members', [event.data.from]));
          const statsKey = [team, month(event.metadata.at)];
          const stats = rows.get('toy_team_stats', statsKey);
          const releases = Number(stats?.['releases'] ?? 0) + 1;
          const claims = Number(stats?.['claims'] ?? 0);
          rows.put('toy_team_stats', { team, month: month(event.metadata.at), claims, releases, share: claims === 0 ? null : releases / claims, members: stats?.['members'] ?? [] });
          return;
        }
        default:
          return;
      }
    },
  };
}

/** A small deterministic pseudo-random generator (mulberry32), so every process builds the same log. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const teams = ['north', 'south', 'east', 'west'];

/**
 * A log of `count` events: members registering and moving between teams,
 * customers being claimed and released, over a couple of years. Events are
 * valid for the domain's codec (the runner decodes them). A longer log with
 * the same options starts with the shorter one.
 */
export function toyLog(count: number, options: { readonly seed?: number; readonly customers?: number } = {}): { stream: string; event: NewEvent }[] {
  const seed = options.seed ?? 7;
  const customers = options.customers ?? 2000;
  const next = random(seed);
  const members = 30;
  const owner = new Map<string, string>();
  const log: { stream: string; event: NewEvent }[] = [];
  const started = Date.parse('2024-01-01T00:00:00.000Z');
  const event = (type: string, data: Record<string, unknown>, index: number): NewEvent => {
    const id = `${seed}-${index}`;
    return {
      eventId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      type,
      schemaVersion: 1,
      data: data as NewEvent['data'],
      metadata: { commandId: `cmd-${id}`, actor: 'system', at: new Date(started + index * 37_000).toISOString(), correlationId: `cmd-${id}`, causationId: null },
    };
  };
  for (let member = 0; member < members && log.length < count; member += 1) {
    const memberId = `u-${member}`;
    log.push({ stream: `member-${memberId}`, event: event('MemberRegistered', { memberId, name: `Member ${member}`, role: 'rep', team: member % 7 === 6 ? null : teams[member % teams.length] }, log.length) });
  }
  while (log.length < count) {
    const roll = next();
    if (roll < 0.02) {
      const memberId = `u-${Math.floor(next() * members)}`;
      log.push({ stream: `member-${memberId}`, event: event('MemberMovedToTeam', { memberId, from: null, to: teams[Math.floor(next() * teams.length)] }, log.length) });
      continue;
    }
    const customerId = `cus-${Math.floor(next() * customers)}`;
    const current = owner.get(customerId);
    if (current !== undefined && roll < 0.45) {
      owner.delete(customerId);
      log.push({ stream: `customer-${customerId}`, event: event('CustomerReleased', { customerId, from: current, reason: 'voluntary', note: null }, log.length) });
    } else {
      const to = `u-${Math.floor(next() * members)}`;
      owner.set(customerId, to);
      const policy = { holdingLimit: 100, dailyClaimLimit: 10, reclaimCooldownDays: 0 };
      log.push({ stream: `customer-${customerId}`, event: event('CustomerClaimed', { customerId, to, holdingsBefore: Math.floor(next() * 20), claimsTodayBefore: 0, policy }, log.length) });
    }
  }
  return log;
}

/** Appends a log in bulk (requests of one event each, `chunk` requests per call). */
export async function appendLog(store: EventStore, log: readonly { stream: string; event: NewEvent }[], chunk = 5000): Promise<void> {
  for (let start = 0; start < log.length; start += chunk) {
    const requests: AppendRequest[] = log.slice(start, start + chunk).map(({ stream, event }) => ({ writes: [{ stream, expected: 'any', events: [event] }] }));
    await store.appendBatch(requests);
  }
}

/** Rows in key order, for comparing two stores' tables (by key only: jsonb reorders object keys inside JSON cells). */
export const canonical = (table: TableSpec, rows: readonly Row[]): Row[] => {
  const keyOf = (row: Row): string => JSON.stringify(table.key.map((column) => row[column]));
  return [...rows].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
};
