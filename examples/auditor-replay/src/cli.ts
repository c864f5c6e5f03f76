import { Readable, Writable } from 'node:stream';
import { run } from '@eventcrm/cli';

/** One `eventcrm` invocation: the arguments, its exit code and what it printed. */
export interface CliRun {
  readonly args: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A stream that keeps what is written to it (not a terminal: the CLI prints no colour or progress bars). */
class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    callback();
  }
}

/**
 * Runs `eventcrm ARGS` in this process through the CLI's library entry
 * point (`run` from `@eventcrm/cli`, the same code as the `eventcrm`
 * binary) and collects its output. The environment is left out on
 * purpose: an `EVENTCRM_STORE` in the auditor's shell must not point the
 * CLI at a different store than the one named in the arguments.
 */
export async function runCli(args: readonly string[], cwd: string = process.cwd()): Promise<CliRun> {
  const stdout = new Collector();
  const stderr = new Collector();
  const exitCode = await run(args, { stdin: Readable.from([]), stdout, stderr, env: {}, cwd });
  return { args, exitCode, stdout: stdout.text, stderr: stderr.text };
}

/** The shell line an auditor would type for a run. */
export const commandLine = (cli: CliRun): string => ['eventcrm', ...cli.args].map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`)).join(' ');

/** The JSON document a `--json` run printed (its result, or `{ error }`). */
export function jsonOf(cli: CliRun): unknown {
  try {
    return JSON.parse(cli.stdout) as unknown;
  } catch {
    throw new Error(`${commandLine(cli)} printed no JSON document (exit ${cli.exitCode}): ${cli.stderr.trim() || cli.stdout.trim()}`);
  }
}
