import type { EventCodec, RecordedEvent } from '../events/codec.ts';
import type { ReadModelStore } from '../projection/port.ts';
import type { EventStore, Position, StoredEvent } from '../store/port.ts';
import type { CommandExecutor } from './executor.ts';
import type { ExecutionOutcome } from './outcome.ts';

const CHECKPOINT = 'policy-reactor';
const VERSION = 1;
const triggers = ['MemberDeactivated', 'OpportunityWon'] as const;

/**
 * Runs the §6 policies as a reactor over the log, for deployments where
 * commands are executed without inline policies (or by other processes):
 * it follows the log from its checkpoint (kept with the read-model
 * checkpoints) and issues each policy's commands through the executor.
 * Idempotent by construction: policy command ids derive from the trigger, so
 * re-processing an event after a crash appends nothing new.
 */
export class PolicyReactor {
  constructor(
    private readonly options: {
      readonly store: EventStore;
      readonly executor: CommandExecutor;
      readonly readModels: ReadModelStore;
      readonly codec: EventCodec;
    },
  ) {}

  /** Reacts to every trigger after the checkpoint; returns the outcomes of the commands issued. */
  async catchUp(): Promise<ExecutionOutcome[]> {
    const outcomes: ExecutionOutcome[] = [];
    for await (const batch of this.options.store.readAll({ ...(await this.after()), filter: { eventTypes: triggers } })) {
      outcomes.push(...(await this.react(batch)));
    }
    return outcomes;
  }

  /** Follows the log, reacting to triggers as they are committed, until `signal` aborts. */
  async follow(signal: AbortSignal, pollIntervalMs?: number): Promise<void> {
    const source = this.options.store.subscribe({ ...(await this.after()), filter: { eventTypes: triggers }, signal, ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }) });
    for await (const batch of source) await this.react(batch);
  }

  private async after(): Promise<{ after?: Position }> {
    const checkpoint = (await this.options.readModels.checkpoints('live')).find((candidate) => candidate.projection === CHECKPOINT);
    return checkpoint === undefined ? {} : { after: checkpoint.position };
  }

  private async react(batch: readonly StoredEvent[]): Promise<ExecutionOutcome[]> {
    if (batch.length === 0) return [];
    const events: RecordedEvent[] = await this.options.codec.decodeAll(batch);
    const outcomes = await this.options.executor.reactTo(events);
    await this.options.readModels.commit('live', [], [{ projection: CHECKPOINT, position: batch[batch.length - 1]!.position, version: VERSION }]);
    return outcomes;
  }
}
