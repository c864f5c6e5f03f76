import Table from 'cli-table3';
import pc from 'picocolors';
import { writeLine, type CliIo } from './io.ts';

/** How results are printed: human tables (default), one JSON document, or CSV. */
export type OutputMode = 'human' | 'json' | 'csv';

/** A tabular result: the CSV form and the human table share it. */
export interface Tabular {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

const cell = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
};

/** RFC 4180 CSV: fields quoted when they hold a comma, quote or line break. */
export function toCsv(table: Tabular): string {
  const field = (value: unknown): string => {
    const text = cell(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [table.columns.map(field).join(','), ...table.rows.map((row) => row.map(field).join(','))].join('\n');
}

/**
 * Prints results in the chosen mode. `--json` prints exactly one JSON
 * document on stdout and nothing else there; colours only on a TTY.
 */
export class Printer {
  readonly colour: boolean;

  constructor(
    private readonly io: CliIo,
    readonly mode: OutputMode,
  ) {
    this.colour = io.stdout.isTTY === true && io.env['NO_COLOR'] === undefined && mode === 'human';
  }

  /** Colours for human output (identity when not a TTY). */
  get paint() {
    const on = this.colour;
    return {
      bold: (text: string) => (on ? pc.bold(text) : text),
      dim: (text: string) => (on ? pc.dim(text) : text),
      green: (text: string) => (on ? pc.green(text) : text),
      red: (text: string) => (on ? pc.red(text) : text),
      yellow: (text: string) => (on ? pc.yellow(text) : text),
      cyan: (text: string) => (on ? pc.cyan(text) : text),
    };
  }

  /** One JSON document (json mode). */
  json(value: unknown): void {
    writeLine(this.io.stdout, JSON.stringify(value, null, 2));
  }

  /** One line of NDJSON (for streams of results). */
  ndjson(value: unknown): void {
    writeLine(this.io.stdout, JSON.stringify(value));
  }

  /** A line of human text. */
  line(text = ''): void {
    writeLine(this.io.stdout, text);
  }

  /** A table, as an aligned table or CSV. */
  table(table: Tabular, options: { readonly title?: string } = {}): void {
    if (this.mode === 'csv') {
      writeLine(this.io.stdout, toCsv(table));
      return;
    }
    if (options.title !== undefined) this.line(this.paint.bold(options.title));
    const rendered = new Table({ head: [...table.columns], style: { head: this.colour ? ['cyan'] : [], border: this.colour ? ['grey'] : [] } });
    for (const row of table.rows) rendered.push(row.map(cell));
    this.line(rendered.toString());
  }

  /** A result: its JSON form in json mode, a table (or CSV) from `tabular`, else the human renderer. */
  result(value: unknown, render: { readonly tabular?: () => Tabular; readonly human?: () => void }): void {
    if (this.mode === 'json') return this.json(value);
    if (this.mode === 'csv' && render.tabular !== undefined) return this.table(render.tabular());
    if (render.human !== undefined) return render.human();
    if (render.tabular !== undefined) return this.table(render.tabular());
    this.json(value);
  }
}
