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
