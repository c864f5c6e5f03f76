import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { batchesOf } from './feed.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('batches of a subscription stream', () => {
  it('hands out what is buffered, at most batchSize at a time, then waits for more', async () => {
    const source = new PassThrough({ objectMode: true, highWaterMark: 100 });
    for (let item = 1; item <= 5; item += 1) source.write(item);
    const batches = batchesOf<number>(source, { batchSize: 2 });
    expect((await batches.next()).value).toEqual([1, 2]);
    expect((await batches.next()).value).toEqual([3, 4]);
    expect((await batches.next()).value).toEqual([5]);
    const waiting = batches.next();
    await tick();
    source.write(6);
    source.write(7);
    expect((await waiting).value, 'live items wake the waiting batch, which takes all that arrived').toEqual([6, 7]);
    source.end();
    expect(await batches.next()).toEqual({ done: true, value: undefined });
  });

  it('ends cleanly when the signal aborts while waiting, and at once when already aborted', async () => {
    const source = new PassThrough({ objectMode: true });
    const controller = new AbortController();
    const batches = batchesOf<number>(source, { batchSize: 10, signal: controller.signal });
    const waiting = batches.next();
    await tick();
    controller.abort();
    expect(await waiting).toEqual({ done: true, value: undefined });

    source.write(1);
    const aborted = batchesOf<number>(source, { batchSize: 10, signal: AbortSignal.abort() });
    expect(await aborted.next()).toEqual({ done: true, value: undefined });
  });

  it('rethrows the stream’s error once what was buffered before it is handed out', async () => {
    const source = new PassThrough({ objectMode: true });
    source.write(1);
    const batches = batchesOf<number>(source, { batchSize: 10 });
    expect((await batches.next()).value).toEqual([1]);
    const waiting = batches.next();
    await tick();
    source.emit('error', new Error('connection lost'));
    await expect(waiting).rejects.toThrow('connection lost');
  });

  it('ends when the stream is destroyed (a subscription closed by the store)', async () => {
    const source = new PassThrough({ objectMode: true });
    const batches = batchesOf<number>(source, { batchSize: 10 });
    const waiting = batches.next();
    await tick();
    source.destroy();
    expect(await waiting).toEqual({ done: true, value: undefined });
  });

  it('removes its listeners when the consumer stops early', async () => {
    const source = new PassThrough({ objectMode: true });
    source.write(1);
    const batches = batchesOf<number>(source, { batchSize: 10 });
    await batches.next();
    await batches.return(undefined);
    expect(source.listenerCount('readable') + source.listenerCount('error') + source.listenerCount('end')).toBe(0);
  });
});
