import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { DomainError } from '@eventcrm/domain';
import type { Crm, ExecutionOutcome } from '@eventcrm/runtime';
import { CliError, EXIT_OK, EXIT_REJECTED, EXIT_USAGE } from '../errors.ts';
import type { CliIo } from '../io.ts';
import type { Printer } from '../output.ts';

/** One result line of `exec` (cli.md). */
export interface ExecResultLine {
  readonly line: number;
  readonly id?: string;
  readonly ok: boolean;
  readonly duplicate?: boolean;
  readonly events?: readonly { readonly type: string; readonly stream: string; readonly revision: number; readonly position: string }[];
  readonly triggered?: readonly ExecResultLine['events'][];
  readonly error?: { readonly code: string; readonly message: string; readonly details?: unknown };
}

const eventsOf = (outcome: ExecutionOutcome) =>
  outcome.ok ? outcome.events.map(({ type, stream, revision, position }) => ({ type, stream, revision, position })) : [];

/** The result line for an outcome. */
export function resultLine(line: number, outcome: ExecutionOutcome): ExecResultLine {
  if (!outcome.ok) {
    const error: ExecResultLine['error'] = { code: outcome.error.code, message: outcome.error.message, ...(outcome.error.details === undefined ? {} : { details: outcome.error.details }) };
    return { line, ...(outcome.commandId === undefined ? {} : { id: outcome.commandId }), ok: false, error };
  }
  const triggered = outcome.triggered.filter((inner) => inner.ok && inner.events.length > 0).map(eventsOf);
  return {
    line,
    id: outcome.commandId,
    ok: true,
    ...(outcome.duplicate ? { duplicate: true } : {}),
    events: eventsOf(outcome),
    ...(triggered.length > 0 ? { triggered } : {}),
  };
}

const malformed = (line: number, message: string): ExecResultLine => ({ line, ok: false, error: { code: 'MALFORMED_JSON', message } });

/** Reads non-blank NDJSON lines with their physical line numbers. */
async function* numberedLines(input: Readable): AsyncGenerator<{ line: number; text: string }> {
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line += 1;
    // A byte order mark (files saved by Windows tools) is not part of the first command.
    const command = line === 1 ? text.replace(/^\uFEFF/, '') : text;
    if (command.trim() !== '') yield { line, text: command };
  }
}

/** Opens `FILE` or `-` (stdin); a file that cannot be read at all is exit 2. */
async function openInput(file: string, io: CliIo): Promise<Readable> {
  if (file === '-') return io.stdin;
  try {
    await access(file);
  } catch (error) {
    throw new CliError('INPUT_UNREADABLE', `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, EXIT_USAGE, { cause: error });
  }
  return createReadStream(file, { encoding: 'utf8' });
}

function printResult(printer: Printer, result: ExecResultLine): void {
  if (printer.mode === 'json') return printer.ndjson(result);
  const { paint } = printer;
  const id = result.id === undefined ? '' : ` ${result.id}`;
  if (result.ok) {
    const events = (result.events ?? []).map((event) => `${event.type} ${event.stream}@${event.revision}`).join(', ') || 'no change';
    const extra = result.duplicate === true ? paint.yellow(' (duplicate: original outcome)') : '';
    const triggered = (result.triggered ?? []).flat().length;
    printer.line(`${paint.green('✓')} line ${result.line}${id} ${events}${extra}${triggered > 0 ? paint.dim(` +${triggered} by policies`) : ''}`);
  } else {
    printer.line(`${paint.red('✗')} line ${result.line}${id} ${paint.red(result.error?.code ?? '')} ${result.error?.message ?? ''}`);
  }
}

/**
 * `exec FILE|-`: executes NDJSON commands in order, one result line per
 * non-blank input line; the policies a line triggers complete before the next
 * line. Continues past rejections unless `stopOnError`. Exit 1 if any line
 * was rejected (malformed and invalid lines included).
 */
export async function execCommand(crm: Crm, io: CliIo, printer: Printer, file: string, options: { readonly stopOnError?: boolean }): Promise<number> {
  const input = await openInput(file, io);
  let rejected = false;
  const pending: { line: number; input: unknown }[] = [];
  // The events each accepted id produced in this run. `executeBatch` reports a replay of an id
  // accepted earlier in the same batch with the placeholder position "0" (the append had not
  // happened yet when the replay was planned); the original outcome is the one printed above.
  const accepted = new Map<string, ExecResultLine['events']>();
  const print = (result: ExecResultLine): void => {
    const original = result.duplicate === true && result.id !== undefined ? accepted.get(result.id) : undefined;
    const line = original === undefined ? result : { ...result, events: original };
    if (!line.ok) rejected = true;
    else if (line.id !== undefined && line.duplicate !== true) accepted.set(line.id, line.events);
    printResult(printer, line);
  };
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const batch = pending.splice(0);
    const outcomes = await crm.executeBatch(batch.map((entry) => entry.input));
    outcomes.forEach((outcome, index) => print(resultLine(batch[index]!.line, outcome)));
  };
  try {
    for await (const { line, text } of numberedLines(input)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        await flush();
        print(malformed(line, error instanceof Error ? error.message : String(error)));
        if (options.stopOnError === true) break;
        continue;
      }
      if (options.stopOnError === true) {
        // One at a time, so nothing after the first rejection is executed.
        const result = resultLine(line, await crm.execute(parsed));
        print(result);
        if (!result.ok) break;
        continue;
      }
      pending.push({ line, input: parsed });
      if (pending.length >= 500) await flush();
    }
    await flush();
  } catch (error) {
    if (error instanceof CliError) throw error;
    if ((error as { code?: string }).code === 'EISDIR' || (error as { code?: string }).code === 'ENOENT' || (error as { code?: string }).code === 'EACCES') {
      throw new CliError('INPUT_UNREADABLE', `cannot read ${file}: ${(error as Error).message}`, EXIT_USAGE, { cause: error });
    }
    throw error;
  }
  return rejected ? EXIT_REJECTED : EXIT_OK;
}

/** The shape of a rejection in result lines and `--json` errors. */
export const errorJson = (error: DomainError) => ({ code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) });
