import type { Timestamp } from './time.ts';

/**
 * Messages are readonly `{ type, data, metadata }` records. Every event
 * records who caused it, by which command, when it took effect and which
 * chain of causes it belongs to.
 */
export interface EventMetadata {
  readonly commandId: string;
  /** An active member id, or `system`. */
  readonly actor: string;
  /** The effective time of the command that produced the event. */
  readonly at: Timestamp;
  readonly correlationId: string;
  /** The triggering event id for commands issued by policies, else `null`. */
  readonly causationId: string | null;
}

/** A domain event: a fact that happened, in the past tense. */
export interface Event<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

/**
 * A command ready for a decision: validated, with its id and effective time
 * resolved (the runtime fills them when the caller left them out).
 */
export interface Command<Name extends string = string, Data = unknown> {
  readonly command: Name;
  readonly id: string;
  readonly actor: string;
  readonly at: Timestamp;
  readonly data: Data;
  readonly correlationId: string;
  readonly causationId: string | null;
}

/** The metadata of the events a command produces. */
export const metadataOf = (command: Command): EventMetadata => ({
  commandId: command.id,
  actor: command.actor,
  at: command.at,
  correlationId: command.correlationId,
  causationId: command.causationId,
});

/** Builds an event of a command. */
export const eventOf = <Type extends string, Data>(command: Command, type: Type, data: Data): Event<Type, Data> => ({
  type,
  data,
  metadata: metadataOf(command),
});
