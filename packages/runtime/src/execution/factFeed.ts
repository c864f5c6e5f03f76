import { FactIndex } from '@eventcrm/domain';
import type { EventCodec, RecordedEvent } from '../events/codec.ts';
import type { EventStore, Position } from '../store/port.ts';

/**
 * Keeps a `FactIndex` (the cross-aggregate facts decisions need) caught up
 * with the log. Events this process appended are applied at once and
 * skipped when the catch-up reaches them, so a process sees its own writes
 * immediately and other processes' writes before its next decision.
 */
export class FactFeed {
  private index = new FactIndex();
  private position: Position | undefined;
  private readonly appliedLocally = new Set<string>();

  constructor(
    private readonly store: EventStore,
    private readonly codec: EventCodec,
  ) {}

  /** The index, caught up with everything committed so far. */
  async current(): Promise<FactIndex> {
    for await (const batch of this.store.readAll({ ...(this.position === undefined ? {} : { after: this.position }), batchSize: 5000 })) {
      for (const event of await this.codec.decodeAll(batch)) {
        if (!this.appliedLocally.delete(event.eventId)) this.index.apply(event);
      }
      this.position = batch[batch.length - 1]?.position ?? this.position;
    }
    return this.index;
  }

  /** The index as it is, without reading the store (the batch path keeps it current itself). */
  get snapshot(): FactIndex {
    return this.index;
  }

  /** Applies events this process appended or is about to append. */
  applyLocal(events: readonly RecordedEvent[]): void {
    for (const event of events) {
      this.index.apply(event);
      this.appliedLocally.add(event.eventId);
    }
  }

  /**
   * After an append of events this process already applied: when their
   * positions directly follow the feed's (no other writer in between, as on a
   * store with contiguous positions), the feed moves past them without
   * reading them back. Otherwise the next catch-up reads and skips them.
   */
  appended(positions: readonly Position[]): void {
    if (positions.length === 0) return;
    const sorted = [...positions].map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const expectedFirst = this.position === undefined ? 1n : BigInt(this.position) + 1n;
    if (sorted[0] !== expectedFirst) return;
    for (let index = 1; index < sorted.length; index += 1) if (sorted[index] !== sorted[index - 1]! + 1n) return;
    this.position = sorted[sorted.length - 1]!.toString();
    this.appliedLocally.clear();
  }

  /** Starts over from the beginning of the log (after a failed optimistic batch). */
  reset(): void {
    this.index = new FactIndex();
    this.position = undefined;
    this.appliedLocally.clear();
  }
}
