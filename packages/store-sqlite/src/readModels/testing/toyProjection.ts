import type { ProjectionRunnerOptions } from '@eventcrm/runtime';
import type { TableSpec } from '../types.ts';

/** A projection definition, read off the runner's options (this package does not depend on `@eventcrm/projections`). */
export type ProjectionDefinition = ProjectionRunnerOptions['projections'][number];

/**
 * A toy projection for the read-model specs and the benchmark (test
 * support, not API): current holdings per customer (text key, every column
 * type, two indexes, deletes on release), holdings per member and team
 * (composite key, deletes when empty), claims per day (an integer key, so a
 * rowid table) and a resident member directory. It runs on the domain's
 * own events, so the runner decodes and validates them as in production.
 *
 * `variant` 2 reshapes the holdings table (a column more, one fewer) and
 * changes what it writes, as a new projection version would: a rebuild to
 * it must replace the live table's shape and rows.
 */
export function toyProjection(variant: 1 | 2 = 1): ProjectionDefinition {
  const holdings: TableSpec =
    variant === 1
      ? {
          name: 'toy_holdings',
          columns: { customer_id: 'text', owner: 'text', team: 'text', since: 'text', claims: 'integer', share: 'real', active: 'boolean', detail: 'json' },
          key: ['customer_id'],
          indexes: [['owner'], ['team', 'since']],
        }
      : {
          name: 'toy_holdings',
          columns: { customer_id: 'text', owner: 'text', team: 'text', since: 'text', claims: 'integer', share: 'real', detail: 'json', variant: 'integer' },
          key: ['customer_id'],
          indexes: [['owner', 'since']],
        };
  const perMember: TableSpec = {
    name: 'toy_member_counts',
    columns: { member_id: 'text', team: 'text', holding: 'integer', claimed: 'integer', released: 'integer' },
    key: ['member_id', 'team'],
    indexes: [['team']],
  };
  const daily: TableSpec = { name: 'toy_daily', columns: { day: 'integer', claims: 'integer' }, key: ['day'] };
  const members: TableSpec = { name: 'toy_members', columns: { member_id: 'text', team: 'text', name: 'text' }, key: ['member_id'], resident: true };
  const teamOf = (rows: { get(table: string, key: readonly (string | number)[]): Record<string, unknown> | undefined }, member: string): string => {
    const team = rows.get('toy_members', [member])?.['team'];
    return typeof team === 'string' ? team : '';
  };
  const dayOf = (at: string): number => Math.floor(Date.parse(at) / 86_400_000);
  return {
    name: 'toy',
    version: variant,
    eventTypes: ['MemberRegistered', 'MemberMovedToTeam', 'CustomerClaimed', 'CustomerTransferred', 'CustomerReleased'],
    tables: [holdings, perMember, daily, members],
    rowsNeeded(event, resident) {
      switch (event.type) {
        case 'CustomerClaimed':
          return [
            { table: 'toy_holdings', key: [event.data.customerId] },
            { table: 'toy_member_counts', key: [event.data.to, teamOf(resident, event.data.to)] },
            { table: 'toy_daily', key: [dayOf(event.metadata.at)] },
          ];
        case 'CustomerTransferred':
          return [
            { table: 'toy_holdings', key: [event.data.customerId] },
            { table: 'toy_member_counts', key: [event.data.from, teamOf(resident, event.data.from)] },
            { table: 'toy_member_counts', key: [event.data.to, teamOf(resident, event.data.to)] },
          ];
        case 'CustomerReleased':
          return [
            { table: 'toy_holdings', key: [event.data.customerId] },
            { table: 'toy_member_counts', key: [event.data.from, teamOf(resident, event.data.from)] },
          ];
        default:
          return [];
      }
    },
    apply(event, rows) {
      const count = (member: string, change: { holding: number; claimed?: number; released?: number }): void => {
        const team = teamOf(rows, member);
        const current = rows.get('toy_member_counts', [member, team]);
        const holding = Number(current?.['holding'] ?? 0) + change.holding;
        const claimed = Number(current?.['claimed'] ?? 0) + (change.claimed ?? 0);
        const released = Number(current?.['released'] ?? 0) + (change.released ?? 0);
        if (holding <= 0 && variant === 1) rows.delete('toy_member_counts', [member, team]);
        else rows.put('toy_member_counts', { member_id: member, team, holding, claimed, released });
      };
      const own = (customer: string, owner: string, at: string, how: string): void => {
        const current = rows.get('toy_holdings', [customer]);
        const claims = Number(current?.['claims'] ?? 0) + 1;
        const detail = { how, by: owner, history: [...((current?.['detail'] as { history?: string[] } | undefined)?.history ?? []).slice(-2), how] };
        rows.put('toy_holdings', {
          customer_id: customer,
          owner,
          team: teamOf(rows, owner) || null,
          since: at,
          claims,
          share: variant === 1 ? claims / 3 : claims * 0.25,
          ...(variant === 1 ? { active: claims % 2 === 1 } : { variant: 2 }),
          detail,
        });
      };
      switch (event.type) {
        case 'MemberRegistered':
          rows.put('toy_members', { member_id: event.data.memberId, team: event.data.team ?? '', name: event.data.name });
          return;
        case 'MemberMovedToTeam': {
          const current = rows.get('toy_members', [event.data.memberId]);
          rows.put('toy_members', { member_id: event.data.memberId, team: event.data.to, name: current?.['name'] ?? null });
          return;
        }
        case 'CustomerClaimed': {
          own(event.data.customerId, event.data.to, event.metadata.at, 'claim');
          count(event.data.to, { holding: 1, claimed: 1 });
          const day = dayOf(event.metadata.at);
          rows.put('toy_daily', { day, claims: Number(rows.get('toy_daily', [day])?.['claims'] ?? 0) + 1 });
          return;
        }
        case 'CustomerTransferred':
          own(event.data.customerId, event.data.to, event.metadata.at, `transfer:${event.data.reason}`);
          count(event.data.from, { holding: -1 });
          count(event.data.to, { holding: 1 });
          return;
        case 'CustomerReleased':
          if (variant === 1) rows.delete('toy_holdings', [event.data.customerId]);
          else own(event.data.customerId, 'pool', event.metadata.at, 'release');
          count(event.data.from, { holding: -1, released: 1 });
          return;
        default:
          return;
      }
    },
  };
}
