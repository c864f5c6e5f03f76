import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isMavenDataError, parseMavenCsv, readMavenDataset, type MavenCsvTexts } from './csv.ts';

const texts: MavenCsvTexts = {
  salesTeams: 'sales_agent,manager,regional_office\nAnna Snelling,Dustin Brinkmann,Central\n',
  accounts: 'account,sector,year_established,revenue,employees,office_location,subsidiary_of\nGekko & Co,retail,1990,2520.83,3502,United States,\n"Cheers, Inc",entertainment,1993,4269.9,6472,United States,Massive Dynamic\n',
  products: 'product,series,sales_price\nGTX Pro,GTX,4821\n',
  pipeline:
    'opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n' +
    'Z063OYW0,Anna Snelling,GTXPro,Gekko & Co,Won,2016-10-25,2017-03-11,4514\n' +
    '\n' +
    '3LCLVRVV,Anna Snelling,GTX Pro,,Prospecting,,,\n',
};

const failureOf = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
};

describe('parseMavenCsv', () => {
  it('reads every file by header name, keeps values as written and gives each row its line', () => {
    const dataset = parseMavenCsv(texts);
    expect(dataset.salesTeams).toEqual([{ line: 2, salesAgent: 'Anna Snelling', manager: 'Dustin Brinkmann', regionalOffice: 'Central' }]);
    expect(dataset.accounts.map((row) => [row.account, row.subsidiaryOf, row.revenue])).toEqual([
      ['Gekko & Co', null, '2520.83'],
      ['Cheers, Inc', 'Massive Dynamic', '4269.9'],
    ]);
    expect(dataset.products).toEqual([{ line: 2, product: 'GTX Pro', series: 'GTX', salesPrice: '4821' }]);
    expect(dataset.pipeline[0]).toMatchObject({ line: 2, opportunityId: 'Z063OYW0', product: 'GTXPro', dealStage: 'Won', closeValue: '4514' });
  });

  it('turns the empty cells of undated, account-less rows into null and skips blank lines (line numbers stay physical)', () => {
    expect(parseMavenCsv(texts).pipeline[1]).toEqual({
      line: 4,
      opportunityId: '3LCLVRVV',
      salesAgent: 'Anna Snelling',
      product: 'GTX Pro',
      account: null,
      dealStage: 'Prospecting',
      engageDate: null,
      closeDate: null,
      closeValue: null,
    });
  });

  it('accepts a byte-order mark and columns in another order', () => {
    const dataset = parseMavenCsv({ ...texts, products: '\uFEFFsales_price,product,series\n550,GTX Basic,GTX\n' });
    expect(dataset.products[0]).toMatchObject({ product: 'GTX Basic', salesPrice: '550' });
  });

  it('names the file and the missing column when a column is absent', () => {
    const error = failureOf(() => parseMavenCsv({ ...texts, products: 'product,series\nGTX Pro,GTX\n' }));
    expect(isMavenDataError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'MAVEN_CSV_MISSING_COLUMN', file: 'products.csv' });
    expect((error as Error).message).toContain('sales_price');
  });

  it('reports an empty file as missing every column', () => {
    expect(failureOf(() => parseMavenCsv({ ...texts, salesTeams: '' }))).toMatchObject({ code: 'MAVEN_CSV_MISSING_COLUMN', file: 'sales_teams.csv' });
  });

  it('reports a malformed file with its line instead of throwing the parser error', () => {
    const error = failureOf(() => parseMavenCsv({ ...texts, products: 'product,series,sales_price\nGTX Pro,GTX,4821,extra\n' }));
    expect(error).toMatchObject({ code: 'MAVEN_CSV_MALFORMED', file: 'products.csv', line: 2 });
    const unclosed = failureOf(() => parseMavenCsv({ ...texts, salesTeams: 'sales_agent,manager,regional_office\n"Anna,Dustin,Central\n' }));
    expect(unclosed).toMatchObject({ code: 'MAVEN_CSV_MALFORMED', file: 'sales_teams.csv' });
  });
});

describe('readMavenDataset', () => {
  const directory = mkdtempSync(join(tmpdir(), 'maven-csv-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('reads the four files by their dataset names', async () => {
    writeFileSync(join(directory, 'sales_teams.csv'), texts.salesTeams);
    writeFileSync(join(directory, 'accounts.csv'), texts.accounts);
    writeFileSync(join(directory, 'products.csv'), texts.products);
    writeFileSync(join(directory, 'sales_pipeline.csv'), texts.pipeline);
    const dataset = await readMavenDataset(directory);
    expect(dataset.pipeline).toHaveLength(2);
  });

  it('names the missing file', async () => {
    const error = await readMavenDataset(join(directory, 'nowhere')).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'MAVEN_FILE_UNREADABLE' });
    expect((error as Error).message).toMatch(/nowhere\/(sales_teams|accounts|products|sales_pipeline)\.csv/);
  });
});
