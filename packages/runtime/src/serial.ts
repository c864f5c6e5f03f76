/**
 * Runs async tasks one at a time, in call order. The command executor and the
 * projection runner keep in-process caches (stream states, the fact index,
 * the working set) that concurrent calls would otherwise interleave on: two
 * claims deciding on the same holdings count, or two catch-ups applying the
 * same events.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it has settled. */
  run<Result>(task: () => Promise<Result>): Promise<Result> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
