import type { DomainError } from '@eventcrm/domain';
import type { EventReference } from '../store/port.ts';

/** A command that was accepted (or recognised as already executed). */
export interface ExecutionSuccess {
  readonly ok: true;
  readonly commandId: string;
  /** True when the command id had already produced events: this is the original outcome and nothing was appended. */
  readonly duplicate: boolean;
  /** The events the command appended (empty for a no-op). */
  readonly events: readonly EventReference[];
  /** The outcomes of the commands policies issued in reaction (domain.md §6), run to completion. */
  readonly triggered: readonly ExecutionOutcome[];
}

/** A command that was rejected: nothing was appended. */
export interface ExecutionRejection {
  readonly ok: false;
  /** The command id, when the input had a readable one or parsing assigned one. */
  readonly commandId?: string;
  readonly error: DomainError;
}

/** What executing a command gives back. */
export type ExecutionOutcome = ExecutionSuccess | ExecutionRejection;
