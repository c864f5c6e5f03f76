import type { Readable, Writable } from 'node:stream';

/**
 * The process's streams, passed in so the CLI runs the same in a test as in
 * a terminal. Progress and logs go to `stderr`; results to `stdout`.
 */
export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable & { readonly isTTY?: boolean };
  readonly stderr: Writable & { readonly isTTY?: boolean };
  readonly env: { readonly [name: string]: string | undefined };
  readonly cwd: string;
}

/** The real process streams. */
export const processIo = (): CliIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });

/** Writes a line to a stream. */
export const writeLine = (stream: Writable, line: string): void => {
  stream.write(`${line}\n`);
};

/**
 * Writes a chunk and waits until the stream can take more; resolves `false`
 * once the stream is closed (the reader went away, e.g. `| head`), so a long
 * export stops instead of waiting forever for a 'drain' that never comes.
 */
export async function writeChunk(stream: Writable, chunk: string): Promise<boolean> {
  if (stream.destroyed || stream.writableEnded) return false;
  if (stream.write(chunk)) return true;
  return new Promise((resolve) => {
    const settle = (writable: boolean) => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', onClose);
      resolve(writable);
    };
    const onDrain = () => settle(true);
    const onClose = () => settle(false);
    stream.once('drain', onDrain);
    stream.once('close', onClose);
    stream.once('error', onClose);
  });
}
