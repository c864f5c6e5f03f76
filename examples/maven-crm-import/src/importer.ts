import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Crm, ExecutionOutcome } from '@eventcrm/runtime';
import type { MavenCommand } from './commands.ts';
import { convertMavenDataset, type MavenConversion } from './convert.ts';
import { readMavenDataset } from './csv.ts';

/**
 * Runs the converted commands through the public batch API
 * (`Crm.executeBatch`) into whatever store the `Crm` wraps, and reports what
 * happened: accepted, duplicates (a re-import), rejections with their codes,
 * the events appended (including those of the policies the commands
 * triggered) and the throughput.
 */

/**
 * Where the dataset lives: `MAVEN_CRM_DATA` when set; else the first
 * `shared/data/maven-crm` found beside the repository or any folder above this
 * package (a checkout anywhere next to the shared folder finds it); else the
 * development machines' `/work/shared/data/maven-crm`.
 */
function findMavenDataDirectory(): string {
  const fromEnvironment = process.env['MAVEN_CRM_DATA'];
  if (fromEnvironment !== undefined && fromEnvironment !== '') return fromEnvironment.endsWith('/') ? fromEnvironment : `${fromEnvironment}/`;
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(folder, 'shared', 'data', 'maven-crm');
    if (existsSync(join(candidate, 'sales_pipeline.csv'))) return `${candidate}/`;
    const parent = dirname(folder);
    if (parent === folder) return '/work/shared/data/maven-crm/';
    folder = parent;
  }
}

/** The dataset folder this process uses (see `findMavenDataDirectory`). */
export const defaultMavenDataDirectory: string = findMavenDataDirectory();

/** True when the folder holds the dataset's pipeline file (so the import can run). */
export const mavenDataPresent = (directory: string = defaultMavenDataDirectory): boolean => existsSync(`${directory.replace(/\/$/, '')}/sales_pipeline.csv`);

/** A rejected command of an import. */
export interface ImportRejection {
  readonly commandId: string;
  readonly command: string;
  readonly code: string;
  readonly message: string;
}

/** What an import did. */
export interface ImportReport {
  /** Commands executed (the converter's output, policies not included). */
  readonly commands: number;
  /** Commands that appended events (or decided a no-op) this time. */
  readonly accepted: number;
  /** Commands whose id had already produced events: nothing appended (a re-import). */
  readonly duplicates: number;
  readonly rejected: readonly ImportRejection[];
  /** Events appended, those of policy commands included. */
  readonly events: number;
  /** Policy commands run in reaction (domain.md §6, e.g. a won deal making the account a customer) that appended events. */
  readonly policyCommands: number;
  readonly elapsedMs: number;
  readonly commandsPerSecond: number;
  readonly eventsPerSecond: number;
}

/** Options of an import. */
export interface ImportOptions {
  /** Commands per atomic append (default: the runtime's, 500). */
  readonly batchSize?: number;
  /** Called after each committed batch with the number of commands done. */
  readonly onProgress?: (commandsDone: number) => void;
}

/** Events a fresh outcome appended, its triggered policy commands' included; and how many of those appended anything. */
function tally(outcome: ExecutionOutcome): { events: number; policyCommands: number } {
  if (!outcome.ok || outcome.duplicate) return { events: 0, policyCommands: 0 };
  let events = outcome.events.length;
  let policyCommands = 0;
  for (const triggered of outcome.triggered) {
    const nested = tally(triggered);
    events += nested.events;
    policyCommands += nested.policyCommands + (nested.events > 0 ? 1 : 0);
  }
  return { events, policyCommands };
}

const perSecond = (count: number, elapsedMs: number): number => (elapsedMs <= 0 ? 0 : Math.round((count * 1000) / elapsedMs));

/**
 * Executes the commands in order with `Crm.executeBatch`. A rejection is
 * reported, not thrown (the rest still runs); an infrastructure fault (the
 * store unreachable) is thrown by the runtime.
 */
export async function importMavenCommands(crm: Crm, commands: readonly MavenCommand[], options: ImportOptions = {}): Promise<ImportReport> {
  const started = performance.now();
  const outcomes = await crm.executeBatch(commands, {
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const elapsedMs = performance.now() - started;
  let accepted = 0;
  let duplicates = 0;
  let events = 0;
  let policyCommands = 0;
  const rejected: ImportRejection[] = [];
  outcomes.forEach((outcome, index) => {
    const command = commands[index]!;
    if (!outcome.ok) {
      rejected.push({ commandId: command.id, command: command.command, code: outcome.error.code, message: outcome.error.message });
      return;
    }
    if (outcome.duplicate) duplicates += 1;
    else accepted += 1;
    const counted = tally(outcome);
    events += counted.events;
    policyCommands += counted.policyCommands;
  });
  return {
    commands: commands.length,
    accepted,
    duplicates,
    rejected,
    events,
    policyCommands,
    elapsedMs,
    commandsPerSecond: perSecond(commands.length, elapsedMs),
    eventsPerSecond: perSecond(events, elapsedMs),
  };
}

/** The conversion and the import of a whole dataset folder. */
export interface DatasetImport {
  readonly conversion: MavenConversion;
  readonly report: ImportReport;
}

/**
 * Reads the dataset folder (default: the checkout's shared copy), converts
 * it and imports it into `crm`. Throws `MavenDataError` when a file cannot
 * be read or lacks a column.
 */
export async function importMavenDataset(crm: Crm, options: ImportOptions & { readonly directory?: string } = {}): Promise<DatasetImport> {
  const conversion = convertMavenDataset(await readMavenDataset(options.directory ?? defaultMavenDataDirectory));
  const report = await importMavenCommands(crm, conversion.commands, options);
  return { conversion, report };
}
