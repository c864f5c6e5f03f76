import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { longOwnershipPeriodsSql, openPipelineSql, wonByTeamQuarterSql } from '../src/index.ts';

/** The README quotes the SQL the program runs, byte for byte: edit one, the other must follow. */
describe('README', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

  it.each([
    ['won amount per team and quarter', wonByTeamQuarterSql],
    ['long ownership periods', longOwnershipPeriodsSql],
    ['open pipeline', openPipelineSql],
  ])('quotes the %s SQL exactly', (_name, sql) => {
    expect(readme).toContain(`\`\`\`sql\n${sql};\n\`\`\``);
  });
});
