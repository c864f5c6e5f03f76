import type { Readable } from 'node:stream';

/**
 * Reads an object-mode stream in batches: whatever is buffered right now, up
 * to `batchSize` items, then waits for more. The subscription stays in
 * paused mode the whole time (the adapter pulls with `read()`), so a slow
 * consumer applies backpressure to the gRPC stream instead of piling events
 * up in memory.
 *
 * Ends when the stream ends or closes, or when `signal` aborts (after the
 * batch being handed out, never in the middle of one); rethrows the stream's
 * error. The caller stops the underlying subscription itself (in a
 * `finally`), so breaking out of the loop stops it too.
 */
export async function* batchesOf<T>(source: Readable, options: { readonly batchSize: number; readonly signal?: AbortSignal | undefined }): AsyncGenerator<T[], void, undefined> {
  const { batchSize, signal } = options;
  let ended = false;
  let failure: { readonly error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const onEnd = (): void => {
    ended = true;
    notify();
  };
  const onError = (error: unknown): void => {
    failure ??= { error };
    notify();
  };
  source.on('readable', notify);
  source.on('end', onEnd);
  source.on('close', onEnd);
  source.on('error', onError);
  signal?.addEventListener('abort', notify);
  try {
    while (signal?.aborted !== true) {
      const batch: T[] = [];
      while (batch.length < batchSize) {
        const item = source.read() as T | null;
        if (item === null) break;
        batch.push(item);
      }
      if (batch.length > 0) {
        yield batch;
        continue;
      }
      if (failure !== undefined) throw failure.error;
      if (ended || source.destroyed) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    source.off('readable', notify);
    source.off('end', onEnd);
    source.off('close', onEnd);
    source.off('error', onError);
    signal?.removeEventListener('abort', notify);
  }
}
