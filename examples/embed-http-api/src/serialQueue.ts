/**
 * Runs async work one piece at a time, in arrival order.
 *
 * The server sends every use of its `Crm` through one of these. A `Crm` keeps
 * process-local caches (the executor's stream cache and cross-aggregate fact
 * index, the projection runner's working set) that its methods update across
 * awaits, and nothing in the library promises they survive overlapping calls.
 * They do not: ten concurrent `ClaimCustomer`s by one member all passed a
 * `dailyClaimLimit` of 3, because each decided on the same fact index (see
 * the README). Serialising costs throughput, not correctness, and matches
 * SQLite, which serialises writers anyway.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `work` after everything queued before it has settled; its result or failure is the caller's alone. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
