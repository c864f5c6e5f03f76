import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchorsOf, codeBlocks, linksOf, pages, readPage } from './markdown.ts';
import { docsDir } from './paths.ts';
import { regionOf } from './regions.ts';

/**
 * The pages cannot drift from the code they show: every TypeScript block is
 * a quote of a sample file that the other specs run and type-check, marked
 * `<!-- sample: examples/FILE.ts#REGION -->`, and must equal that region.
 * Blocks in other languages are checked the same way when they carry the
 * marker. Links between pages, and their anchors, must resolve.
 */

const blocks = pages().flatMap((page) => codeBlocks(page));

describe('code blocks in docs/*.md', () => {
  it('are found on the pages', () => {
    expect(blocks.filter((block) => block.sample !== undefined).length).toBeGreaterThan(10);
  });

  for (const block of blocks) {
    const where = `${block.page}:${block.line}`;
    if (block.language === 'ts' || block.language === 'typescript') {
      it(`${where} quotes a sample file`, () => {
        expect(block.sample, `${where}: a TypeScript block must quote a sample: put it in docs/examples/*.ts between "// #region NAME" and "// #endregion NAME", and mark the block with <!-- sample: examples/FILE.ts#NAME -->`).toBeDefined();
      });
    }
    const sample = block.sample;
    if (sample === undefined) continue;
    it(`${where} equals ${sample.file}${sample.region === undefined ? '' : `#${sample.region}`}`, () => {
      const file = join(docsDir, sample.file);
      expect(existsSync(file), `${where}: ${sample.file} does not exist`).toBe(true);
      const expected = regionOf(file, sample.region);
      expect(expected, `${where}: ${sample.file} has no region ${sample.region ?? ''}`).toBeDefined();
      expect(block.content, `${where} differs from ${sample.file}${sample.region === undefined ? '' : ` region ${sample.region}`}: copy the region into the page`).toBe(expected);
    });
  }
});

describe('links in docs/*.md', () => {
  for (const page of pages()) {
    const links = linksOf(readPage(page));
    if (links.length === 0) continue;
    it(`${page}: every relative link and anchor resolves`, () => {
      const broken: string[] = [];
      for (const link of links) {
        const [target = '', anchor] = link.split('#');
        const path = target === '' ? join(docsDir, page) : normalize(join(dirname(join(docsDir, page)), target));
        if (!existsSync(path)) {
          broken.push(`${link}: no such file`);
          continue;
        }
        if (anchor !== undefined && path.endsWith('.md') && statSync(path).isFile() && !anchorsOf(readPage(path.slice(docsDir.length))).has(anchor)) {
          broken.push(`${link}: no heading with anchor #${anchor}`);
        }
      }
      expect(broken).toEqual([]);
    });
  }
});
