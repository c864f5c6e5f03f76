import pg from 'pg';

const released = new WeakSet<pg.PoolClient>();

/**
 * Gives a listening connection back to the pool destroyed rather than reused,
 * so no pooled connection keeps listening; safe to call twice.
 */
function destroy(client: pg.PoolClient): void {
  if (released.has(client)) return;
  released.add(client);
  client.release(true);
}

/** One subscriber's view of the wake-up signal. */
export interface Wakeup {
  /** Counts notifications; compare before and after a query to notice one that arrived meanwhile. */
  readonly generation: () => number;
  /** Resolves on the next notification, after `timeoutMs` (the polling fallback), or on abort. */
  wait(timeoutMs: number, signal: AbortSignal | undefined): Promise<void>;
  /** Stops listening; the shared connection is returned when the last subscriber leaves. */
  dispose(): Promise<void>;
}

/**
 * Shares one `LISTEN` connection among a store's subscriptions. Appends
 * `NOTIFY` the schema's channel in their transaction (delivered on commit),
 * which wakes waiting subscribers at once. Notifications only speed things
 * up: a subscriber always re-reads by position, and polls on a timer when
 * the listening connection cannot be had or breaks, so a lost notification
 * delays an event by at most one poll interval and never loses it.
 */
export class NotificationHub {
  #generation = 0;
  readonly #waiters = new Set<() => void>();
  #subscribers = 0;
  #client: pg.PoolClient | null = null;
  #connecting: Promise<void> | null = null;
  #closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
  ) {}

  /** Registers a subscriber and makes sure someone is listening (best effort). */
  async subscribe(): Promise<Wakeup> {
    this.#subscribers += 1;
    await this.#listen();
    let disposed = false;
    return {
      generation: () => this.#generation,
      wait: (timeoutMs, signal) => this.#wait(timeoutMs, signal),
      dispose: async () => {
        if (disposed) return;
        disposed = true;
        this.#subscribers -= 1;
        if (this.#subscribers === 0) await this.#unlisten();
      },
    };
  }

  /** Wakes everyone and drops the listening connection; later waits only poll. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wakeAll();
    await this.#unlisten();
  }

  #wakeAll(): void {
    this.#generation += 1;
    for (const wake of [...this.#waiters]) wake();
  }

  #wait(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#closed || signal?.aborted === true) return Promise.resolve();
    // A broken listener is re-established here, so polling is only a fallback.
    if (this.#client === null && this.#connecting === null) void this.#listen();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  #listen(): Promise<void> {
    if (this.#closed || this.#client !== null) return Promise.resolve();
    this.#connecting ??= (async () => {
      let client: pg.PoolClient | undefined;
      try {
        client = await this.pool.connect();
        const listening = client;
        listening.on('notification', () => this.#wakeAll());
        listening.on('error', () => {
          // The connection broke: forget it (the pool discards it) and fall back to polling.
          if (this.#client === listening) {
            this.#client = null;
            destroy(listening);
          }
        });
        await listening.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
        if (this.#closed || this.#subscribers === 0) {
          destroy(listening);
          return;
        }
        this.#client = listening;
        // Events committed while we were connecting raised no wake-up for us.
        this.#wakeAll();
      } catch {
        if (client !== undefined) destroy(client);
      } finally {
        this.#connecting = null;
      }
    })();
    return this.#connecting;
  }

  async #unlisten(): Promise<void> {
    await this.#connecting;
    const client = this.#client;
    this.#client = null;
    if (client !== null) destroy(client);
  }
}
