import { evolve, initialStateOf, type AggregateState } from '@eventcrm/domain';
import type { EventCodec, RecordedEvent } from '../events/codec.ts';
import type { EventStore } from '../store/port.ts';

/** A stream's folded state and the revision it reflects (`null`: the stream does not exist). */
export interface LoadedStream {
  readonly state: AggregateState;
  readonly revision: number | null;
}

/**
 * Folded stream states, kept between commands. Loading a cached stream reads
 * only the events after the cached revision (others may have appended), so
 * a command costs one small indexed read per stream instead of a full
 * replay. Least recently used entries are dropped beyond `capacity`.
 */
export class StreamCache {
  private readonly entries = new Map<string, LoadedStream>();

  constructor(
    private readonly store: EventStore,
    private readonly codec: EventCodec,
    private readonly capacity = 20_000,
  ) {}

  /** The current state of a stream, brought up to date with the store. */
  async load(stream: string): Promise<LoadedStream> {
    const cached = this.entries.get(stream);
    const from = cached === undefined || cached.revision === null ? 0 : cached.revision + 1;
    const stored = await this.store.readStream(stream, { from });
    let loaded: LoadedStream = cached ?? { state: initialStateOf(stream), revision: null };
    if (stored.length > 0) loaded = this.fold(loaded, await this.codec.decodeAll(stored));
    this.remember(stream, loaded);
    return loaded;
  }

  /** The cached state without touching the store (for the optimistic batch path). */
  peek(stream: string): LoadedStream | undefined {
    return this.entries.get(stream);
  }

  /** Folds events this process appended (or is about to, in a batch) into the cache. */
  advance(stream: string, events: readonly RecordedEvent[]): LoadedStream {
    const loaded = this.fold(this.entries.get(stream) ?? { state: initialStateOf(stream), revision: null }, events);
    this.remember(stream, loaded);
    return loaded;
  }

  /** Sets a stream's entry directly (batch planning keeps its own view). */
  put(stream: string, loaded: LoadedStream): void {
    this.remember(stream, loaded);
  }

  /** Drops a stream (after a conflict) or everything. */
  forget(stream?: string): void {
    if (stream === undefined) this.entries.clear();
    else this.entries.delete(stream);
  }

  private fold(loaded: LoadedStream, events: readonly RecordedEvent[]): LoadedStream {
    let state = loaded.state;
    let revision = loaded.revision;
    for (const event of events) {
      state = evolve(state, event);
      revision = event.revision;
    }
    return { state, revision };
  }

  private remember(stream: string, loaded: LoadedStream): void {
    this.entries.delete(stream);
    this.entries.set(stream, loaded);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
