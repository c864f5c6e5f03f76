import * as E from 'fp-ts/lib/Either.js';
import { parseCommand, type CrmCommand } from '../commands.ts';
import { decide, evolve, initialStateOf, type AggregateState } from '../decide.ts';
import type { CrmEvent, EventOf, EventType } from '../events.ts';
import { streamOfEvent } from '../events.ts';
import { FactIndex } from '../facts/factIndex.ts';
import type { DomainError } from '../shared/errors.ts';
import type { EventMetadata } from '../shared/messages.ts';
import { normaliseInstant, type Timestamp } from '../shared/time.ts';

/** The default effective time of events and commands in specs. */
export const SPEC_EPOCH: Timestamp = '2026-01-05T09:00:00.000Z';

let sequence = 0;

/** Builds an event for a `given(...)` list: metadata defaults to the system actor at `SPEC_EPOCH`. */
export function event<Type extends EventType>(
  type: Type,
  data: EventOf<Type>['data'],
  metadata: Partial<EventMetadata> = {},
): EventOf<Type> {
  sequence += 1;
  const commandId = metadata.commandId ?? `given-${sequence}`;
  return {
    type,
    data,
    metadata: {
      commandId,
      actor: metadata.actor ?? 'system',
      at: metadata.at === undefined ? SPEC_EPOCH : (normaliseInstant(metadata.at) ?? metadata.at),
      correlationId: metadata.correlationId ?? commandId,
      causationId: metadata.causationId ?? null,
    },
  } as EventOf<Type>;
}

/** An expected event in `then(...)`: type and data (and optionally metadata fields to check). */
export interface ExpectedEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: Partial<EventMetadata>;
}

/** Thrown when a specification does not hold; the message shows expected and actual. */
export class SpecificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecificationError';
  }
}

const show = (value: unknown): string => JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? `${inner}n` : inner), 2);

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)))
      : inner,
  );

/** The world of a specification: the stream states and facts folded from the given events. */
export interface SpecWorld {
  readonly index: FactIndex;
  readonly state: (stream: string) => AggregateState;
}

/** Folds events into stream states and a fact index, as the runtime would. */
export function foldWorld(events: readonly CrmEvent[]): SpecWorld {
  const index = new FactIndex();
  const states = new Map<string, AggregateState>();
  for (const given of events) {
    const stream = streamOfEvent(given);
    states.set(stream, evolve(states.get(stream) ?? initialStateOf(stream), given));
    index.apply(given);
  }
  return { index, state: (stream) => states.get(stream) ?? initialStateOf(stream) };
}

/** The outcome of a `when`: the events decided, or the rejection. */
export interface Outcome {
  readonly command: CrmCommand | undefined;
  readonly result: E.Either<DomainError, readonly CrmEvent[]>;
}

/** The `then` half of a decider specification. */
export interface ThenClause {
  /** Asserts the command was accepted with exactly these events (type and data; metadata fields when given). */
  then(...expected: readonly ExpectedEvent[]): readonly CrmEvent[];
  /** Asserts the command was accepted and emitted nothing (a no-op). */
  thenNothing(): void;
  /** Asserts the command was rejected with this code (and, when given, details containing these fields). */
  thenRejects(code: DomainError['code'], details?: { readonly [key: string]: unknown }): DomainError;
  /** The raw outcome, for custom assertions. */
  readonly outcome: Outcome;
}

/** A command input for `when`: the envelope as a caller would send it. */
export interface CommandInput {
  readonly command: string;
  readonly actor: string;
  readonly data: unknown;
  readonly id?: string;
  readonly at?: string;
}

/**
 * `given(events).when(command).then(events)` / `.thenRejects(code)`: a
 * decider specification that reads like the spec. The command goes through
 * the same parsing as any input; the context is built from the given events
 * by the same fact index the runtime uses.
 */
export function given(...events: readonly CrmEvent[]): { when(input: CommandInput): ThenClause } {
  return {
    when(input: CommandInput): ThenClause {
      const world = foldWorld(events);
      const latest = events.reduce<Timestamp>((max, e) => (e.metadata.at > max ? e.metadata.at : max), SPEC_EPOCH);
      const now = input.at === undefined ? latest : (normaliseInstant(input.at) ?? latest);
      const parsed = parseCommand({ id: input.id ?? 'cmd-under-test', ...input }, { now, newId: () => 'generated-id' });
      const outcome: Outcome = E.isLeft(parsed)
        ? { command: undefined, result: parsed }
        : { command: parsed.right, result: decide(parsed.right, world.state, world.index.contextFor(parsed.right)) };
      return thenClause(outcome);
    },
  };
}

function thenClause(outcome: Outcome): ThenClause {
  const accepted = (): readonly CrmEvent[] => {
    if (E.isLeft(outcome.result)) {
      throw new SpecificationError(`expected the command to be accepted, but it was rejected:\n${show(outcome.result.left)}`);
    }
    return outcome.result.right;
  };
  return {
    outcome,
    then(...expected) {
      const actual = accepted();
      const actualShape = actual.map((e, index) => ({
        type: e.type,
        data: e.data,
        ...(expected[index]?.metadata === undefined ? {} : { metadata: Object.fromEntries(Object.keys(expected[index].metadata).map((key) => [key, e.metadata[key as keyof EventMetadata]])) }),
      }));
      if (canonical(actualShape) !== canonical(expected)) {
        throw new SpecificationError(`events differ\nexpected: ${show(expected)}\nactual:   ${show(actualShape)}`);
      }
      return actual;
    },
    thenNothing() {
      const actual = accepted();
      if (actual.length > 0) throw new SpecificationError(`expected no events, got ${show(actual.map((e) => ({ type: e.type, data: e.data })))}`);
    },
    thenRejects(code, details) {
      if (E.isRight(outcome.result)) {
        throw new SpecificationError(`expected rejection ${code}, but it was accepted with ${show(outcome.result.right.map((e) => ({ type: e.type, data: e.data })))}`);
      }
      const error = outcome.result.left;
      if (error.code !== code) throw new SpecificationError(`expected rejection ${code}, got ${error.code}: ${error.message}`);
      for (const [key, value] of Object.entries(details ?? {})) {
        if (canonical(error.details?.[key]) !== canonical(value)) {
          throw new SpecificationError(`rejection ${code}: details.${key} expected ${show(value)}, got ${show(error.details?.[key])}`);
        }
      }
      return error;
    },
  };
}
