import { eventTypes as allEventTypes, personalDataSubject, type EventType } from '@eventcrm/domain';
import type { KeyValue, ProjectedEvent, ProjectionDefinition, Row, RowRef, RowView } from '@eventcrm/projections';
import { EventCodec, type RecordedEvent } from '../events/codec.ts';
import { comparePositions } from '../store/position.ts';
import type { EventStore, Position, StoredEvent } from '../store/port.ts';
import { isCheckpointMovedError, type Checkpoint, type Namespace, type ReadModelStore } from './port.ts';
import { SerialQueue } from '../serial.ts';
import { WorkingSet } from './workingSet.ts';

/** Progress of a run, reported after every batch applied (commits happen as `commitEvery` says). */
export interface RunProgress {
  readonly eventsDone: number;
  readonly eventsPerSecond: number;
  readonly position: Position | null;
  readonly headPosition: Position | null;
  /** Share of the log done, 0–1 (by position), `null` when unknown. */
  readonly fraction: number | null;
  readonly etaSeconds: number | null;
}

/** What a catch-up or rebuild did. */
export interface RunReport {
  readonly projections: readonly string[];
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly position: Position | null;
}

/** Options of a projection runner. */
export interface ProjectionRunnerOptions {
  readonly store: EventStore;
  readonly readModels: ReadModelStore;
  readonly projections: readonly ProjectionDefinition[];
  readonly codec?: EventCodec;
  /**
   * Events read and applied per batch, with one bulk row fetch per table
   * (default 1000). A batch's events stay alive until it is applied; past
   * about a thousand they outgrow V8's young generation, and every
   * scavenge copies them: 5000 cost a rebuild of the demo log ~20% more CPU
   * than 1000 (500 and 1000 measured alike). Fetches are one round trip per
   * table per batch whatever its size, so a larger batch only pays where
   * rows are fetched and round trips are slow.
   */
  readonly batchSize?: number;
  /**
   * Events between commits (default 25,000): each commit writes every row
   * changed since the last one and all checkpoints in one transaction, so a
   * row changed by many events is written once. Live following commits after
   * every batch. Without this option a rebuild commits every 250,000 events
   * (or when `maxDirtyRows` rows wait, and at the end): each commit is a point
   * an interrupted rebuild resumes from, and committing rarely keeps rows
   * that change again from being written twice (on the demo log, committing
   * as often as a catch-up costs ~30% more row writes and ~10% more CPU).
   */
  readonly commitEvery?: number;
  /** Commit early when this many rows are waiting to be written (default 100,000): the memory bound of pending changes. */
  readonly maxDirtyRows?: number;
  /** Cached rows beyond the resident tables (default 200,000): the memory bound of a run. */
  readonly cacheCapacity?: number;
}

/** Options of one run. */
export interface RunOptions {
  /** Only these projections (by name); default all. */
  readonly only?: readonly string[];
  readonly onProgress?: (progress: RunProgress) => void;
  /** Aborting stops after the current batch (its commit completes). */
  readonly signal?: AbortSignal;
  /**
   * Rebuilds only: start from the first event even when an interrupted
   * rebuild of the same projections and versions could be resumed.
   */
  readonly fresh?: boolean;
}

/**
 * A projection in a run, and what its `rowsNeeded` sees: the working set,
 * noting which tables it consulted, so that the runner asks again only when
 * one of them changed earlier in the batch (`rowsNeeded` is a function of
 * the event and the rows it reads).
 */
class Consumer implements RowView {
  readonly tablesRead: string[] = [];
  constructor(
    readonly projection: ProjectionDefinition,
    private readonly working: WorkingSet,
  ) {}
  get(table: string, key: KeyValue): Row | undefined {
    if (!this.tablesRead.includes(table)) this.tablesRead.push(table);
    return this.working.get(table, key);
  }
}

/** Which events a run decrypts: none, every personal event, or those of these types. */
type Decryption = 'none' | 'all' | ReadonlySet<string>;

/**
 * The events to decrypt for these projections: those of the types they
 * declare personal fields for (`personalFields`), every personal event when
 * one asks for decryption without declaring them, none when none asks.
 */
function decryptionOf(projections: readonly ProjectionDefinition[]): Decryption {
  const types = new Set<string>();
  for (const projection of projections) {
    if (projection.personalData !== 'decrypt') continue;
    if (projection.personalFields === undefined) return 'all';
    for (const [type, paths] of Object.entries(projection.personalFields)) if (paths !== undefined && paths.length > 0) types.add(type);
  }
  return projections.some((projection) => projection.personalData === 'decrypt') ? types : 'none';
}

const positionNumber = (position: Position | null): number | null => (position === null ? null : Number(position));

/**
 * Runs projections over the log (issue #4): catch-up, live following and
 * rebuilds. Events are read in order in batches; per batch the rows the
 * events need are fetched in bulk and the events applied in memory; every
 * `commitEvery` events the changed rows are written together with every
 * projection's checkpoint in one transaction. No per-event round trips, never
 * a commit per event, and a crash anywhere resumes from the last commit to
 * the same result.
 */
export class ProjectionRunner {
  private readonly store: EventStore;
  private readonly readModels: ReadModelStore;
  private readonly projections: readonly ProjectionDefinition[];
  private readonly codec: EventCodec;
  private readonly batchSize: number;
  private readonly cacheCapacity: number;
  /** `undefined`: the defaults of `ProjectionRunnerOptions.commitEvery`. */
  private readonly commitEvery: number | undefined;
  private readonly maxDirtyRows: number;
  private readonly queue = new SerialQueue();
  private following = false;

  constructor(options: ProjectionRunnerOptions) {
    this.store = options.store;
    this.readModels = options.readModels;
    this.projections = options.projections;
    this.codec = options.codec ?? new EventCodec(options.store);
    this.batchSize = Math.max(1, options.batchSize ?? 1000);
    this.cacheCapacity = Math.max(1000, options.cacheCapacity ?? 200_000);
    this.commitEvery = options.commitEvery === undefined ? undefined : Math.max(1, options.commitEvery);
    this.maxDirtyRows = Math.max(1, options.maxDirtyRows ?? 100_000);
  }

  /** The projections a run covers. */
  private select(only: readonly string[] | undefined): readonly ProjectionDefinition[] {
    if (only === undefined) return this.projections;
    const unknown = only.filter((name) => !this.projections.some((projection) => projection.name === name));
    if (unknown.length > 0) throw new TypeError(`unknown projection ${unknown.join(', ')}; known: ${this.projections.map((p) => p.name).join(', ')}`);
    return this.projections.filter((projection) => only.includes(projection.name));
  }

  /**
   * Brings the live read models up to date with the log. A projection whose
   * stored version differs from its definition is rebuilt first.
   */
  catchUp(options: RunOptions = {}): Promise<RunReport> {
    // While this runner follows the log live, the follower keeps the read models current.
    if (this.following) return Promise.resolve({ projections: this.select(options.only).map((p) => p.name), events: 0, seconds: 0, eventsPerSecond: 0, position: null });
    return this.queue.run(() => this.retryingOnMovedCheckpoints(() => this.catchUpNow(options)));
  }

  /**
   * Another process may catch the same read models up at the same time; the
   * conditional commit makes the loser write nothing, and it simply starts
   * over from the checkpoints the winner left.
   */
  private async retryingOnMovedCheckpoints(run: () => Promise<RunReport>): Promise<RunReport> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await run();
      } catch (error) {
        // Each collision means another runner made progress, so starting over always converges; back off a little.
        if (!isCheckpointMovedError(error) || error.namespace !== 'live' || attempt >= 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * attempt)));
      }
    }
  }

  private async catchUpNow(options: RunOptions): Promise<RunReport> {
    const selected = this.select(options.only);
    const stored = new Map((await this.readModels.checkpoints('live')).map((checkpoint) => [checkpoint.projection, checkpoint]));
    const outdated = selected.filter((projection) => {
      const checkpoint = stored.get(projection.name);
      return checkpoint !== undefined && checkpoint.version !== projection.version;
    });
    // Outdated projections keep answering from their old live tables until the rebuild swaps the new ones in.
    await this.readModels.prepare('live', selected.filter((projection) => !outdated.includes(projection)).flatMap((projection) => projection.tables));
    if (outdated.length > 0) {
      await this.rebuildNow({ ...options, only: outdated.map((projection) => projection.name) });
      for (const checkpoint of await this.readModels.checkpoints('live')) stored.set(checkpoint.projection, checkpoint);
    }
    return this.run('live', selected, stored, false, options);
  }

  /**
   * Rebuilds projections from the first event into a fresh copy beside the
   * live one (queries keep answering from the live copy), then swaps the
   * copy in atomically. Several projections share one pass over the log.
   * Resumable: a rebuild that was killed or aborted continues from its last
   * commit the next time (unless `fresh`).
   */
  rebuild(options: RunOptions = {}): Promise<RunReport> {
    return this.queue.run(() => this.rebuildNow(options));
  }

  private async rebuildNow(options: RunOptions): Promise<RunReport> {
    const selected = this.select(options.only);
    const tables = selected.flatMap((projection) => projection.tables);
    await this.readModels.prepare('rebuild', tables);
    // An interrupted rebuild (killed, or aborted through its signal) left its copy and checkpoints
    // beside the live ones: when every selected projection has one at its current version, carry on
    // from there instead of from the first event.
    const interrupted = new Map((await this.readModels.checkpoints('rebuild')).map((checkpoint) => [checkpoint.projection, checkpoint]));
    const resumable = options.fresh !== true && selected.every((projection) => interrupted.get(projection.name)?.version === projection.version);
    if (!resumable) await this.readModels.reset('rebuild', tables, selected.map((projection) => projection.name));
    const report = await this.run('rebuild', selected, resumable ? interrupted : new Map(), !resumable, options);
    if (options.signal?.aborted === true) return report;
    await this.readModels.prepare('live', tables);
    await this.readModels.swap(tables, selected.map((projection) => projection.name));
    return report;
  }

  /**
   * Keeps the live read models following the log until `signal` aborts:
   * catches up, then applies new events as they are committed.
   */
  async follow(options: RunOptions & { readonly pollIntervalMs?: number } = {}): Promise<void> {
    await this.catchUp(options);
    const selected = this.select(options.only);
    this.following = true;
    try {
      while (options.signal?.aborted !== true) {
        const stored = new Map((await this.readModels.checkpoints('live')).map((checkpoint) => [checkpoint.projection, checkpoint]));
        try {
          await this.run('live', selected, stored, false, options, true, options.pollIntervalMs);
          return;
        } catch (error) {
          // Another process committed first: follow on from where it left the read models.
          if (!isCheckpointMovedError(error)) throw error;
        }
      }
    } finally {
      this.following = false;
    }
  }

  private async run(
    namespace: Namespace,
    projections: readonly ProjectionDefinition[],
    checkpoints: ReadonlyMap<string, Checkpoint>,
    startedEmpty: boolean,
    options: RunOptions,
    live = false,
    pollIntervalMs?: number,
  ): Promise<RunReport> {
    const started = performance.now();
    const names = projections.map((projection) => projection.name);
    const positionOf = (projection: ProjectionDefinition): Position | undefined => checkpoints.get(projection.name)?.position;
    const after = projections.reduce<Position | undefined>((lowest, projection) => {
      const position = positionOf(projection);
      if (position === undefined || lowest === undefined) return undefined;
      return comparePositions(position, lowest) < 0 ? position : lowest;
    }, projections.length === 0 ? undefined : (positionOf(projections[0]!) ?? undefined));
    const working = new WorkingSet(this.readModels, namespace, projections, this.cacheCapacity, startedEmpty);
    await working.loadResident();
    const consumers = new Map<string, Consumer[]>();
    for (const projection of projections) {
      const consumer = new Consumer(projection, working);
      for (const type of projection.eventTypes) consumers.set(type, [...(consumers.get(type) ?? []), consumer]);
    }
    const eventTypes = [...consumers.keys()] as EventType[];
    // A server-side filter pays only when it drops much of the log; for most of it, reading everything in
    // position order is cheaper than a filtered plan (PostgreSQL may then sort instead of walking the index).
    const filter = eventTypes.length * 2 < allEventTypes.length ? { filter: { eventTypes } } : {};
    const decrypting = decryptionOf(projections);
    const head = await this.store.headPosition();
    const headNumber = positionNumber(head);
    const startNumber = positionNumber(after ?? null) ?? 0;
    let eventsDone = 0;
    let lastPosition: Position | null = after ?? null;

    const source = live
      ? this.store.subscribe({ ...(after === undefined ? {} : { after }), batchSize: this.batchSize, ...filter, ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }), ...(options.signal === undefined ? {} : { signal: options.signal }) })
      : this.store.readAll({ ...(after === undefined ? {} : { after }), batchSize: this.batchSize, ...filter });

    let uncommitted = 0;
    const commitEvery = this.commitEvery ?? (namespace === 'rebuild' ? 250_000 : 25_000);
    let committedPosition: Position | null = lastPosition;
    const expected = new Map(projections.map((projection) => [projection.name, positionOf(projection) ?? null] as const));
    const commit = async (): Promise<void> => {
      if (lastPosition === null || lastPosition === committedPosition) return;
      const position = lastPosition;
      const checkpointsNow: Checkpoint[] = projections.map((projection) => ({ projection: projection.name, position, version: projection.version }));
      await this.readModels.commit(namespace, working.takeChanges(), checkpointsNow, expected);
      for (const projection of projections) expected.set(projection.name, position);
      committedPosition = position;
      uncommitted = 0;
      working.evict();
    };

    for await (const batch of source) {
      if (batch.length === 0) continue;
      await this.applyBatch(batch, consumers, checkpoints, working, decrypting);
      lastPosition = batch[batch.length - 1]!.position;
      uncommitted += batch.length;
      // Rows changed by several batches are written once per commit; live following commits every batch to keep lag low.
      if (live || uncommitted >= commitEvery || working.dirtyRows >= this.maxDirtyRows) await commit();
      eventsDone += batch.length;
      if (options.onProgress !== undefined) {
        const seconds = (performance.now() - started) / 1000;
        const rate = seconds > 0 ? eventsDone / seconds : 0;
        const done = Number(lastPosition);
        const fraction = headNumber === null || headNumber <= startNumber ? null : Math.min(1, (done - startNumber) / (headNumber - startNumber));
        const remainingEvents = fraction === null || fraction === 0 ? null : (eventsDone / fraction) * (1 - fraction);
        options.onProgress({
          eventsDone,
          eventsPerSecond: rate,
          position: lastPosition,
          headPosition: head,
          fraction,
          etaSeconds: remainingEvents === null || rate === 0 ? null : remainingEvents / rate,
        });
      }
      if (options.signal?.aborted === true) break;
    }
    await commit();
    const seconds = (performance.now() - started) / 1000;
    return { projections: names, events: eventsDone, seconds, eventsPerSecond: seconds > 0 ? eventsDone / seconds : 0, position: lastPosition };
  }

  /** Decodes a batch, decrypting the personal fields of only the event types some projection reads them in. */
  private async decode(batch: readonly StoredEvent[], decrypting: Decryption): Promise<readonly RecordedEvent[]> {
    if (decrypting === 'none') return this.codec.decodeAll(batch, 'opaque', false);
    if (decrypting === 'all') return this.codec.decodeAll(batch, 'decrypt', false);
    const subjects: string[] = [];
    for (const stored of batch) {
      if (!decrypting.has(stored.type)) continue;
      const subject = personalDataSubject(stored.stream);
      if (subject !== null) subjects.push(subject);
    }
    await this.codec.loadKeys(subjects);
    // The codec decrypts all personal fields of an event or none; see `ProjectionDefinition.personalFields`.
    return batch.map((stored) => this.codec.decode(stored, decrypting.has(stored.type) ? 'decrypt' : 'opaque', false));
  }

  private async applyBatch(
    batch: readonly StoredEvent[],
    consumers: ReadonlyMap<string, readonly Consumer[]>,
    checkpoints: ReadonlyMap<string, Checkpoint>,
    working: WorkingSet,
    decrypting: Decryption,
  ): Promise<void> {
    const events = (await this.decode(batch, decrypting)) as readonly ProjectedEvent[];
    // The (event, projection) pairs to apply, side by side.
    const pendingEvents: ProjectedEvent[] = [];
    const pendingConsumers: Consumer[] = [];
    const refs: RowRef[] = [];
    const resume = checkpoints.size > 0;
    for (const event of events) {
      const eventConsumers = consumers.get(event.type);
      if (eventConsumers === undefined) continue;
      for (const consumer of eventConsumers) {
        if (resume) {
          const done = checkpoints.get(consumer.projection.name)?.position;
          if (done !== undefined && comparePositions(event.position, done) <= 0) continue;
        }
        pendingEvents.push(event);
        pendingConsumers.push(consumer);
        for (const ref of consumer.projection.rowsNeeded(event, consumer)) refs.push(ref);
      }
    }
    // One bulk fetch for the whole batch; declared against the resident tables as they were before it.
    await working.prefetch(refs);
    working.beginBatch();
    for (let index = 0; index < pendingEvents.length; index += 1) {
      const event = pendingEvents[index]!;
      const consumer = pendingConsumers[index]!;
      // A row `rowsNeeded` consulted and an earlier event of this batch changed (say, a member's team)
      // may point at rows not fetched yet; when none did, its answer stands.
      if (consumer.tablesRead.length > 0 && working.changedInBatch(consumer.tablesRead)) {
        const missing = working.missing(consumer.projection.rowsNeeded(event, consumer));
        if (missing.length > 0) await working.prefetch(missing);
      }
      consumer.projection.apply(event, working);
    }
  }
}
