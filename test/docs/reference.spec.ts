import { commandNames, errorCodes } from '@eventcrm/domain';
import { allProjections } from '@eventcrm/runtime';
import { describe, expect, it } from 'vitest';
import { readPage, withoutCode } from './markdown.ts';

/**
 * The hand-written reference pages cannot fall behind the code: commands.md
 * has a section for every command and names only real error codes, and the
 * analysts' guide describes exactly the columns of every read-model table.
 */

/** The `### Heading` sections of a page: heading → its text up to the next heading of level 2 or 3. */
function sections(page: string): Map<string, string> {
  const text = withoutCode(readPage(page));
  const found = new Map<string, string>();
  const headings = [...text.matchAll(/^(#{2,3}) (.+)$/gm)];
  headings.forEach((match, index) => {
    if (match[1] !== '###') return;
    const start = match.index + match[0].length;
    const end = headings[index + 1]?.index ?? text.length;
    found.set(match[2]!.trim(), text.slice(start, end));
  });
  return found;
}

describe('docs/commands.md', () => {
  const bySection = sections('commands.md');
  const codes = new Set<string>(errorCodes);

  it('has a section for every command, and none for a command that does not exist', () => {
    expect([...bySection.keys()].sort()).toEqual([...commandNames].sort());
  });

  it('names only error codes the domain defines, and lists every code', () => {
    const text = withoutCode(readPage('commands.md'));
    const named = new Set([...text.matchAll(/`([A-Z][A-Z_]+)`/g)].map((match) => match[1]!));
    expect([...named].filter((code) => !codes.has(code))).toEqual([]);
    expect([...codes].filter((code) => !named.has(code))).toEqual([]);
  });

  it('gives every command the events it records and the rejections it answers', () => {
    for (const [name, text] of bySection) {
      expect(text, name).toMatch(/Records `[A-Za-z]+`/);
      expect(text, name).toMatch(/Rejections: `[A-Z_]+`/);
    }
  });
});

describe('docs/guide-analysts.md', () => {
  const bySection = sections('guide-analysts.md');
  const tables = allProjections.flatMap((projection) => projection.tables);

  it('has a section for every read-model table', () => {
    expect(tables.map((table) => table.name).filter((name) => !bySection.has(name))).toEqual([]);
  });

  for (const table of tables) {
    it(`describes exactly the columns of ${table.name}`, () => {
      const text = bySection.get(table.name) ?? '';
      const described = [...text.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]!);
      expect(described).toEqual(Object.keys(table.columns));
    });
  }
});
