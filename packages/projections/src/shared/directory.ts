import type { ProjectedEvent, Row, RowWriter, TableSpec } from '../framework/types.ts';

/**
 * The team directory as a resident table, one copy per projection so each
 * rebuilds on its own: id, name, role, current team, active flag, and when
 * the member was registered and deactivated.
 */
export const directoryTable = (name: string): TableSpec => ({
  name,
  columns: { member_id: 'text', name: 'text', role: 'text', team: 'text', active: 'boolean', registered_at: 'text', deactivated_at: 'text' },
  key: ['member_id'],
  resident: true,
});

/** The member events a directory follows. */
export const directoryEventTypes = ['MemberRegistered', 'MemberRoleChanged', 'MemberMovedToTeam', 'MemberDeactivated'] as const;

/** Changes a known member's directory row (an unknown member is ignored: total). */
function updateMember(rows: RowWriter, table: string, memberId: string, change: Row): void {
  const current = rows.get(table, [memberId]);
  if (current !== undefined) rows.put(table, { ...current, ...change });
}

/**
 * Applies a member event to a directory table; other events are ignored.
 * Returns true when it was a member event. Every projection calls it for
 * every event it consumes, so the common answer (not a member event) costs
 * one switch and no allocation.
 */
export function applyToDirectory(table: string, event: ProjectedEvent, rows: RowWriter): boolean {
  switch (event.type) {
    case 'MemberRegistered':
      rows.put(table, {
        member_id: event.data.memberId,
        name: event.data.name,
        role: event.data.role,
        team: event.data.team,
        active: true,
        registered_at: event.metadata.at,
        deactivated_at: null,
      });
      return true;
    case 'MemberRoleChanged':
      updateMember(rows, table, event.data.memberId, { role: event.data.to });
      return true;
    case 'MemberMovedToTeam':
      updateMember(rows, table, event.data.memberId, { team: event.data.to });
      return true;
    case 'MemberDeactivated':
      updateMember(rows, table, event.data.memberId, { active: false, deactivated_at: event.metadata.at });
      return true;
    default:
      return false;
  }
}
