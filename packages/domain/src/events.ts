import * as E from 'fp-ts/lib/Either.js';
import type { z } from 'zod';
import { CONFIG_STREAM, configEventSchemas, type ConfigEvent } from './config/configure.ts';
import { customerStream } from './customer/decide.ts';
import { customerEventSchemas, customerPersonalFields, type CustomerEvent } from './customer/events.ts';
import { memberStream } from './member/decide.ts';
import { memberEventSchemas, type MemberEvent } from './member/events.ts';
import { opportunityStream } from './opportunity/decide.ts';
import { opportunityEventSchemas, type OpportunityEvent } from './opportunity/events.ts';
import type { EventMetadata } from './shared/messages.ts';
import { parseAmount } from './shared/money.ts';
import { ticketStream } from './ticket/decide.ts';
import { ticketEventSchemas, type TicketEvent } from './ticket/events.ts';

/** Every event's current `data` schema by event type. */
export const eventSchemas = {
  ...memberEventSchemas,
  ...customerEventSchemas,
  ...opportunityEventSchemas,
  ...ticketEventSchemas,
  ...configEventSchemas,
} as const;

/** An event type name. */
export type EventType = keyof typeof eventSchemas;
/** Every event type, in catalogue order. */
export const eventTypes = Object.keys(eventSchemas) as readonly EventType[];
/** Any eventcrm event. */
export type CrmEvent = MemberEvent | CustomerEvent | OpportunityEvent | TicketEvent | ConfigEvent;
/** One event by type. */
export type EventOf<Type extends EventType> = Extract<CrmEvent, { type: Type }>;

/**
 * The current schema version of each event type. An event stored with an
 * older version is upcast on read, one version at a time.
 */
export const currentSchemaVersions: { readonly [Type in EventType]: number } = Object.fromEntries(
  eventTypes.map((type) => [type, type === 'OpportunityOpened' ? 2 : 1]),
) as { readonly [Type in EventType]: number };

type JsonRecord = { readonly [key: string]: unknown };

/** Turns the data of version `from` into version `from + 1`. */
export type Upcaster = (data: JsonRecord) => JsonRecord;

/**
 * Registered upcasters by event type and source version.
 *
 * `OpportunityOpened` v1 (the first release) kept the amount as the decimal
 * input string with a separate currency; v2 keeps integer minor units in
 * `{ currency, minor }` like every other money field.
 */
export const upcasters: { readonly [Type in EventType]?: { readonly [fromVersion: number]: Upcaster } } = {
  OpportunityOpened: {
    1: (data) => {
      const { amount, currency, ...rest } = data as { amount?: unknown; currency?: unknown } & JsonRecord;
      // Only a valid amount of a known currency converts. Anything else stays
      // as it was so that the v2 schema rejects it: inventing an amount (0) or
      // a currency would silently misstate the pipeline.
      if (typeof amount !== 'string' || typeof currency !== 'string') return data;
      const parsed = parseAmount(amount, currency);
      return parsed.ok ? { ...rest, amount: { currency, minor: parsed.minor.toString() } } : data;
    },
  },
};

/** Why a stored event could not be decoded. */
export interface DecodeFailure {
  readonly type: string;
  readonly schemaVersion: number;
  readonly message: string;
}

const eventTypeSet: ReadonlySet<string> = new Set(eventTypes);

/** True for a known event type. */
export const isEventType = (type: string): type is EventType => eventTypeSet.has(type);

/**
 * Decodes an event read back from a store: upcasts its data to the current
 * schema version, then validates it. Personal fields must already be
 * decrypted (or `null` when erased).
 */
export function decodeEvent(stored: {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}): E.Either<DecodeFailure, CrmEvent> {
  const { type, schemaVersion } = stored;
  const fail = (message: string): E.Either<DecodeFailure, CrmEvent> => E.left({ type, schemaVersion, message });
  if (!isEventType(type)) return fail(`unknown event type ${type}`);
  const current = currentSchemaVersions[type];
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > current) {
    return fail(`schema version ${schemaVersion} of ${type} is not between 1 and ${current}`);
  }
  // Upcasters read fields, so anything but a plain object is refused before them (a decode never throws).
  if (typeof stored.data !== 'object' || stored.data === null || Array.isArray(stored.data)) return fail('data is not an object');
  let data = stored.data as JsonRecord;
  for (let version = schemaVersion; version < current; version += 1) {
    const upcast = upcasters[type]?.[version];
    if (upcast === undefined) return fail(`no upcaster for ${type} from version ${version}`);
    data = upcast(data);
  }
  const parsed = (eventSchemas[type] as z.ZodType).safeParse(data);
  if (!parsed.success) return fail(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  return E.right({ type, data: parsed.data, metadata: stored.metadata } as CrmEvent);
}

const streamByType = new Map<string, (data: JsonRecord) => string>([
  ...Object.keys(memberEventSchemas).map((type) => [type, (data: JsonRecord) => memberStream(String(data['memberId']))] as const),
  ...Object.keys(customerEventSchemas).map((type) => [type, (data: JsonRecord) => customerStream(String(data['customerId']))] as const),
  ...Object.keys(opportunityEventSchemas).map((type) => [type, (data: JsonRecord) => opportunityStream(String(data['opportunityId']))] as const),
  ...Object.keys(ticketEventSchemas).map((type) => [type, (data: JsonRecord) => ticketStream(String(data['ticketId']))] as const),
  ...Object.keys(configEventSchemas).map((type) => [type, () => CONFIG_STREAM] as const),
]);

/** The stream an event belongs to, derived from its type and data. */
export function streamOfEvent(event: CrmEvent): string {
  return (streamByType.get(event.type) ?? (() => CONFIG_STREAM))(event.data);
}

/**
 * Dotted paths of the personal fields of each event type (`*` for every
 * array element). The runtime encrypts these with the subject's key; once
 * the key is destroyed they read back as `null`.
 */
export const personalFields: { readonly [Type in EventType]?: readonly string[] } = customerPersonalFields;

/** The subject whose key encrypts an event's personal fields: the customer stream. */
export const personalDataSubject = (stream: string): string | null => (stream.startsWith('customer-') ? stream : null);
