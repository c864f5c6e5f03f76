import type { EventReference, ExecutionOutcome, ExecutionSuccess } from '@eventcrm/runtime';

/** An appended event as the service reports it: the CLI's result line fields plus the event id. */
export interface EventJson {
  readonly type: string;
  readonly stream: string;
  readonly revision: number;
  readonly position: string;
  readonly eventId: string;
}

/** A successful outcome as the service reports it (`/work/shared/spec/cli.md` result lines, plus `duplicate` and the policies' outcomes). */
export interface SuccessJson {
  readonly id: string;
  readonly ok: true;
  readonly duplicate: boolean;
  readonly events: readonly EventJson[];
  readonly triggered: readonly OutcomeJson[];
}

/** A rejected outcome nested in `triggered` (a policy's command that was refused). */
export interface RejectionJson {
  readonly id?: string;
  readonly ok: false;
  readonly error: { readonly code: string; readonly message: string; readonly details?: { readonly [key: string]: unknown } };
}

/** Either outcome, as nested in `triggered`. */
export type OutcomeJson = SuccessJson | RejectionJson;

const eventJson = ({ type, stream, revision, position, eventId }: EventReference): EventJson => ({ type, stream, revision, position, eventId });

/** The JSON of a successful outcome. */
export function successJson(outcome: ExecutionSuccess): SuccessJson {
  return { id: outcome.commandId, ok: true, duplicate: outcome.duplicate, events: outcome.events.map(eventJson), triggered: outcome.triggered.map(outcomeJson) };
}

/** The JSON of any outcome (used for the policies' outcomes, which may be refusals). */
export function outcomeJson(outcome: ExecutionOutcome): OutcomeJson {
  if (outcome.ok) return successJson(outcome);
  return { ...(outcome.commandId === undefined ? {} : { id: outcome.commandId }), ok: false, error: outcome.error };
}

/** Every event an outcome appended, its policies' included, in order. */
export function allEvents(outcome: ExecutionOutcome): EventReference[] {
  return outcome.ok ? [...outcome.events, ...outcome.triggered.flatMap(allEvents)] : [];
}
