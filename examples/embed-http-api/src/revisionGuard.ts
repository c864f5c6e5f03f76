import { AsyncLocalStorage } from 'node:async_hooks';
import type { AppendRequest, AppendResult, EventStore, ExpectedRevision } from '@eventcrm/runtime';

/**
 * Why conditional execution lives in an event-store wrapper.
 *
 * `Crm.execute` takes no expected revision: the executor loads the streams a
 * command touches, decides, and appends with `expected` = the revision it
 * loaded, retrying on `WrongExpectedRevisionError`. A check of
 * `store.streamRevision()` before `execute` therefore leaves a window: another
 * writer (a second process on the same SQLite file, the CLI, a policy) may
 * append between the check and the decision, and the executor's retry would
 * then happily decide again on the newer state the client never saw.
 *
 * The wrapper closes that window without touching the library: while a
 * condition is armed for the current async context, it lets an append through
 * only when the write to the guarded stream carries an accepted `expected`
 * revision. Because the executor's `expected` is exactly the revision its
 * decision was made on, and the store checks `expected` atomically with the
 * commit, "decided on revision N" and "committed on top of revision N" are
 * one fact. If someone appends in between, the store rejects the append, the
 * executor reloads and retries, and the retry's `expected` (now N+1) is
 * refused here: nothing is appended and the caller gets a
 * `PreconditionFailedError`. This holds across processes, since the final
 * check is the store's own.
 */
interface AppendCondition {
  readonly stream: string;
  readonly accepts: (revision: number) => boolean;
  /** Only the command's own first successful append is conditional; the policies it triggers afterwards are not. */
  armed: boolean;
}

const conditions = new AsyncLocalStorage<AppendCondition>();
const guardedStores = new WeakSet<EventStore>();

/** Why a conditional append was refused. */
export type PreconditionFailure =
  /** The command was decided on another revision of the stream than the caller accepts. */
  | 'stale'
  /** The command appends nothing to the guarded stream, so its revision cannot be made a condition of the append. */
  | 'stream_not_written';

/**
 * Thrown (through `Crm.execute`) when a conditional append is refused. Nothing
 * was appended. An exception rather than a value because it has to travel
 * through the executor, which passes unknown store errors on unchanged.
 */
export class PreconditionFailedError extends Error {
  readonly code = 'PRECONDITION_FAILED';

  constructor(
    readonly reason: PreconditionFailure,
    readonly stream: string,
    /** The revision the command was decided on (`no_stream` when the stream did not exist), or `null` when it does not write the stream. */
    readonly decidedOn: ExpectedRevision | null,
  ) {
    super(
      reason === 'stale'
        ? `${stream} was at ${String(decidedOn)} when the command was decided, not at a revision the request accepts`
        : `the command does not append to ${stream}`,
    );
    this.name = 'PreconditionFailedError';
  }
}

/** True for the error a refused conditional append throws. */
export const isPreconditionFailedError = (error: unknown): error is PreconditionFailedError => error instanceof PreconditionFailedError;

function check(condition: AppendCondition, request: AppendRequest): void {
  const write = request.writes.find((candidate) => candidate.stream === condition.stream);
  if (write === undefined) throw new PreconditionFailedError('stream_not_written', condition.stream, null);
  // The executor only ever expects a number (the loaded revision) or `no_stream`; anything else fails closed.
  if (typeof write.expected !== 'number' || !condition.accepts(write.expected)) {
    throw new PreconditionFailedError('stale', condition.stream, write.expected);
  }
}

/**
 * Wraps an event store so that `executeIf` can make a command's append
 * conditional on a stream revision. Outside `executeIf` the wrapper only
 * delegates. Give the wrapped store to `new Crm({ store })`; read-model
 * stores that need the concrete adapter (SQLite's shares its connection) keep
 * taking the unwrapped one.
 */
export function guardStreamRevisions(store: EventStore): EventStore {
  const guarded: EventStore = {
    get kind() {
      return store.kind;
    },
    async append(request) {
      const condition = conditions.getStore();
      if (condition === undefined || !condition.armed) return store.append(request);
      check(condition, request);
      const result: AppendResult = await store.append(request);
      condition.armed = false;
      return result;
    },
    appendBatch(requests) {
      const condition = conditions.getStore();
      // Conditional execution is one command, one append: a batch here means the caller mixed the two up.
      if (condition !== undefined && condition.armed) return Promise.reject(new TypeError('a conditional command cannot be appended in a batch'));
      return store.appendBatch(requests);
    },
    readStream: (stream, options) => store.readStream(stream, options),
    streamRevision: (stream) => store.streamRevision(stream),
    readAll: (options) => store.readAll(options),
    subscribe: (options) => store.subscribe(options),
    headPosition: () => store.headPosition(),
    findCommand: (commandId) => store.findCommand(commandId),
    lookupReservations: (keys) => store.lookupReservations(keys),
    loadKeys: (subjects) => store.loadKeys(subjects),
    close: () => store.close(),
  };
  guardedStores.add(guarded);
  return guarded;
}

/** True when `store` came from `guardStreamRevisions` (so `executeIf` on a `Crm` over it is enforced by the store). */
export const isRevisionGuarded = (store: EventStore): boolean => guardedStores.has(store);

/**
 * Runs `work` (a `crm.execute(...)` over a guarded store) with the append of
 * the command made conditional: it must write `stream`, and only on top of a
 * revision `accepts` takes. A refused append throws `PreconditionFailedError`.
 * An idempotent replay or a rejected or no-op command appends nothing, so no
 * condition is checked for those: the caller decides what they mean.
 */
export function executeIf<T>(stream: string, accepts: (revision: number) => boolean, work: () => Promise<T>): Promise<T> {
  return conditions.run({ stream, accepts, armed: true }, work);
}
