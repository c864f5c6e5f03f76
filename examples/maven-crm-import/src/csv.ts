import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';

/**
 * Reading the four Maven CRM CSV files into plain rows. This layer only
 * checks the file structure (readable, well-formed CSV, the expected
 * columns); what the values mean, and which rows cannot be imported, is the
 * converter's business, so a row with an odd value still comes through here
 * with its line number for the converter to report.
 */

/** One row of `sales_teams.csv`: an agent, the manager it reports to, and the regional office. */
export interface SalesTeamRow {
  readonly line: number;
  readonly salesAgent: string;
  readonly manager: string;
  readonly regionalOffice: string;
}

/** One row of `accounts.csv`. Numbers stay text: the converter decides how to read them. */
export interface AccountRow {
  readonly line: number;
  readonly account: string;
  readonly sector: string;
  readonly yearEstablished: string;
  /** Annual revenue in millions of USD, as written. */
  readonly revenue: string;
  readonly employees: string;
  readonly officeLocation: string;
  readonly subsidiaryOf: string | null;
}

/** One row of `products.csv`. */
export interface ProductRow {
  readonly line: number;
  readonly product: string;
  readonly series: string;
  /** List price in whole USD, as written. */
  readonly salesPrice: string;
}

/** One row of `sales_pipeline.csv`; empty cells are `null`. */
export interface PipelineRow {
  readonly line: number;
  readonly opportunityId: string;
  readonly salesAgent: string;
  readonly product: string;
  readonly account: string | null;
  /** `Prospecting`, `Engaging`, `Won` or `Lost` in the real data; anything else is the converter's to reject. */
  readonly dealStage: string;
  readonly engageDate: string | null;
  readonly closeDate: string | null;
  readonly closeValue: string | null;
}

/** The whole dataset, as parsed rows. */
export interface MavenDataset {
  readonly salesTeams: readonly SalesTeamRow[];
  readonly accounts: readonly AccountRow[];
  readonly products: readonly ProductRow[];
  readonly pipeline: readonly PipelineRow[];
}

/** The text of each of the four files (for tests and for callers that fetched the files themselves). */
export interface MavenCsvTexts {
  readonly salesTeams: string;
  readonly accounts: string;
  readonly products: string;
  readonly pipeline: string;
}

/** The file name of each part of the dataset, as the dataset ships it. */
export const mavenFileNames: { readonly [Part in keyof MavenCsvTexts]: string } = {
  salesTeams: 'sales_teams.csv',
  accounts: 'accounts.csv',
  products: 'products.csv',
  pipeline: 'sales_pipeline.csv',
};

/** Why a file could not be read as the dataset: the stable codes of `MavenDataError`. */
export type MavenDataErrorCode = 'MAVEN_FILE_UNREADABLE' | 'MAVEN_CSV_MALFORMED' | 'MAVEN_CSV_MISSING_COLUMN';

/**
 * A dataset file that cannot be used at all (unreadable, not CSV, a column
 * missing). Row-level problems are not errors: the converter skips and
 * reports those rows instead.
 */
export class MavenDataError extends Error {
  override readonly name = 'MavenDataError';
  readonly code: MavenDataErrorCode;
  readonly file: string;
  readonly line: number | null;

  constructor(code: MavenDataErrorCode, file: string, message: string, line: number | null = null, options?: ErrorOptions) {
    super(`${file}${line === null ? '' : `:${line}`}: ${message}`, options);
    this.code = code;
    this.file = file;
    this.line = line;
  }
}

/** Narrows an unknown error to a `MavenDataError`. */
export const isMavenDataError = (error: unknown): error is MavenDataError => error instanceof MavenDataError;

/** A parsed file: one record per data row, each cell looked up by header name, with its physical line. */
interface Table {
  readonly rows: readonly { readonly line: number; readonly cell: (column: string) => string }[];
}

function parseTable(file: string, text: string, columns: readonly string[]): Table {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // `info` gives each record's line; trimming copes with stray spaces around cells.
    // With `info`, csv-parse returns `{ record, info }` objects although its typings say `string[][]`.
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, info: true }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = error.lines;
      throw new MavenDataError('MAVEN_CSV_MALFORMED', file, error.message, typeof line === 'number' ? line : null, { cause: error });
    }
    throw error;
  }
  const [header, ...body] = records;
  if (header === undefined) throw new MavenDataError('MAVEN_CSV_MISSING_COLUMN', file, `the file is empty; expected the columns ${columns.join(', ')}`);
  const index = new Map(header.record.map((name, position) => [name, position]));
  const missing = columns.filter((column) => !index.has(column));
  if (missing.length > 0) throw new MavenDataError('MAVEN_CSV_MISSING_COLUMN', file, `missing column(s) ${missing.join(', ')}`, header.info.lines);
  return {
    rows: body.map(({ record, info }) => ({
      line: info.lines,
      cell: (column: string) => record[index.get(column)!] ?? '',
    })),
  };
}

const orNull = (text: string): string | null => (text === '' ? null : text);

/**
 * Parses the four files' texts. Throws `MavenDataError` when a file is not
 * CSV or lacks a column the import needs; never for a row's values.
 */
export function parseMavenCsv(texts: MavenCsvTexts): MavenDataset {
  const teams = parseTable(mavenFileNames.salesTeams, texts.salesTeams, ['sales_agent', 'manager', 'regional_office']);
  const accounts = parseTable(mavenFileNames.accounts, texts.accounts, ['account', 'sector', 'year_established', 'revenue', 'employees', 'office_location', 'subsidiary_of']);
  const products = parseTable(mavenFileNames.products, texts.products, ['product', 'series', 'sales_price']);
  const pipeline = parseTable(mavenFileNames.pipeline, texts.pipeline, [
    'opportunity_id',
    'sales_agent',
    'product',
    'account',
    'deal_stage',
    'engage_date',
    'close_date',
    'close_value',
  ]);
  return {
    salesTeams: teams.rows.map(({ line, cell }) => ({ line, salesAgent: cell('sales_agent'), manager: cell('manager'), regionalOffice: cell('regional_office') })),
    accounts: accounts.rows.map(({ line, cell }) => ({
      line,
      account: cell('account'),
      sector: cell('sector'),
      yearEstablished: cell('year_established'),
      revenue: cell('revenue'),
      employees: cell('employees'),
      officeLocation: cell('office_location'),
      subsidiaryOf: orNull(cell('subsidiary_of')),
    })),
    products: products.rows.map(({ line, cell }) => ({ line, product: cell('product'), series: cell('series'), salesPrice: cell('sales_price') })),
    pipeline: pipeline.rows.map(({ line, cell }) => ({
      line,
      opportunityId: cell('opportunity_id'),
      salesAgent: cell('sales_agent'),
      product: cell('product'),
      account: orNull(cell('account')),
      dealStage: cell('deal_stage'),
      engageDate: orNull(cell('engage_date')),
      closeDate: orNull(cell('close_date')),
      closeValue: orNull(cell('close_value')),
    })),
  };
}

/**
 * Reads the four files from a folder (the dataset's own file names) and
 * parses them. Throws `MavenDataError` (`MAVEN_FILE_UNREADABLE`) naming the
 * file that is missing or unreadable.
 */
export async function readMavenDataset(directory: string): Promise<MavenDataset> {
  const read = async (part: keyof MavenCsvTexts): Promise<string> => {
    const file = join(directory, mavenFileNames[part]);
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      throw new MavenDataError('MAVEN_FILE_UNREADABLE', file, error instanceof Error ? error.message : String(error), null, { cause: error });
    }
  };
  const [salesTeams, accounts, products, pipeline] = await Promise.all([read('salesTeams'), read('accounts'), read('products'), read('pipeline')]);
  return parseMavenCsv({ salesTeams, accounts, products, pipeline });
}
