import type { EventStore, JsonObject, JsonValue, StoredEvent } from '@eventcrm/runtime';
import type { OwnershipFact } from './factInForce.ts';

/**
 * Why an ownership change happened, as its event recorded it. Every
 * ownership event carries the reason and, for decisions checked against
 * limits, the limits in force and the figures they were checked against
 * (domain.md: replays use the configuration in force when each command was
 * decided, so the event keeps it). Nothing here is recomputed: it is what
 * the stored event says, so an auditor can quote it.
 */
export interface DecisionRecord {
  /** One sentence for a human. */
  readonly summary: string;
  /** The event's recorded decision inputs (its data without the customer id; ownership events hold no personal data). */
  readonly recorded: JsonObject;
}

/** The event that caused a policy's change (the departure handover reacts to a member's deactivation), when it can be found. */
export interface Causation {
  readonly eventId: string;
  /** The command id the whole chain of reactions started from. */
  readonly correlationId: string;
  readonly found: null | {
    readonly stream: string;
    readonly revision: number;
    readonly position: string;
    readonly type: string;
    /** Who issued the command that caused it: the authority behind a policy's change. */
    readonly actor: string;
    readonly commandId: string;
    readonly at: string;
  };
}

const textOf = (data: JsonObject, key: string): string | null => {
  const value = data[key];
  return typeof value === 'string' ? value : null;
};

const numberOf = (data: JsonObject, key: string): number | null => {
  const value = data[key];
  return typeof value === 'number' ? value : null;
};

// Array.isArray does not narrow readonly arrays away.
const isArray = (value: JsonValue): value is readonly JsonValue[] => Array.isArray(value);

const objectOf = (data: JsonObject, key: string): JsonObject => {
  const value: JsonValue | undefined = data[key];
  return value === null || value === undefined || typeof value !== 'object' || isArray(value) ? {} : value;
};

/**
 * Reads the decision an ownership event recorded. Unknown event types (a
 * future version's) still get their recorded data, with a plain summary.
 */
export function decisionOf(event: StoredEvent): DecisionRecord {
  const { customerId: _customerId, ...recorded } = event.data;
  const data = event.data;
  const actor = event.metadata.actor;
  switch (event.type) {
    case 'CustomerRegistered': {
      const to = textOf(data, 'owner');
      return { recorded, summary: `registered by ${actor}${to === null ? ' into the public pool' : ` with ${to} as owner`} (source ${textOf(data, 'source') ?? 'unknown'})` };
    }
    case 'CustomerClaimed': {
      const policy = objectOf(data, 'policy');
      return {
        recorded,
        summary:
          `claimed from the public pool by ${textOf(data, 'to') ?? actor}, who held ${numberOf(data, 'holdingsBefore') ?? '?'} counted customers (holding limit ${numberOf(policy, 'holdingLimit') ?? '?'}) ` +
          `and had made ${numberOf(data, 'claimsTodayBefore') ?? '?'} claims that UTC day (daily limit ${numberOf(policy, 'dailyClaimLimit') ?? '?'}; reclaim cooldown ${numberOf(policy, 'reclaimCooldownDays') ?? '?'} days)`,
      };
    }
    case 'CustomerAssigned':
      return { recorded, summary: `assigned from the public pool to ${textOf(data, 'to') ?? '?'} by ${actor}` };
    case 'CustomerTransferred':
      return { recorded, summary: `transferred from ${textOf(data, 'from') ?? '?'} to ${textOf(data, 'to') ?? '?'}, reason ${textOf(data, 'reason') ?? '?'}` };
    case 'CustomerReleased': {
      const note = textOf(data, 'note');
      return { recorded, summary: `released from ${textOf(data, 'from') ?? '?'} to the public pool by ${actor}, reason ${textOf(data, 'reason') ?? '?'}${note === null ? '' : ` (note: ${JSON.stringify(note)})`}` };
    }
    case 'CustomerRecycled': {
      const policy = objectOf(data, 'policy');
      const rule = textOf(data, 'rule');
      const limit = rule === 'no_deal' ? numberOf(policy, 'noDealDays') : numberOf(policy, 'noFollowUpDays');
      const lastFollowUp = textOf(data, 'lastFollowUpAt');
      return {
        recorded,
        summary:
          `recycled from ${textOf(data, 'from') ?? '?'} to the public pool by rule ${rule ?? '?'}: ${numberOf(data, 'idleDays') ?? '?'} idle days (limit ${limit ?? '?'}), ` +
          `owned since ${textOf(data, 'ownedSince') ?? '?'}, ${lastFollowUp === null ? 'no follow-up logged' : `last follow-up ${lastFollowUp}`}`,
      };
    }
    case 'CustomerMerged':
      return { recorded, summary: `merged into ${textOf(data, 'survivorId') ?? '?'} by ${actor}` };
    default:
      return { recorded, summary: `${event.type} by ${actor}` };
  }
}

/**
 * Finds the event a policy reacted to. The departure handover is the one
 * policy that moves customers; it reacts to `MemberDeactivated` in the
 * departing member's stream, which is where this looks (one stream read).
 * Other causes are reported by id only.
 */
export async function causationOf(store: EventStore, event: StoredEvent, fact: OwnershipFact): Promise<Causation | null> {
  const { causationId, correlationId } = event.metadata;
  if (causationId === null) return null;
  const candidates = fact.detail === 'departure' && fact.from !== null ? await store.readStream(`member-${fact.from}`) : [];
  const cause = candidates.find((candidate) => candidate.eventId === causationId);
  return {
    eventId: causationId,
    correlationId,
    found:
      cause === undefined
        ? null
        : { stream: cause.stream, revision: cause.revision, position: cause.position, type: cause.type, actor: cause.metadata.actor, commandId: cause.metadata.commandId, at: cause.metadata.at },
  };
}
