import { readdirSync, readFileSync } from 'node:fs';
import { docsDir } from './paths.ts';

/**
 * Reading the documentation pages: fenced code blocks with the sample marker
 * that binds them to a file, links, and heading anchors as GitHub makes them.
 */

/** The pages: every `docs/*.md` (decision records and internal briefs are not user documentation). */
export const pages = (): string[] =>
  readdirSync(docsDir)
    .filter((file) => file.endsWith('.md'))
    .sort();

export const readPage = (page: string): string => readFileSync(`${docsDir}${page}`, 'utf8');

/** A fenced code block, with the `<!-- sample: FILE#REGION -->` marker right above it, if any. */
export interface CodeBlock {
  readonly page: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly language: string;
  readonly content: string;
  readonly sample?: { readonly file: string; readonly region?: string };
}

const samplePattern = /^<!-- sample: ([^#\s]+)(?:#(\S+))? -->$/;

/** Every fenced block of a page, in order. */
export function codeBlocks(page: string, text = readPage(page)): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const open = /^(`{3,})(\S*)\s*$/.exec(lines[index]!);
    if (open === null) continue;
    const fence = open[1]!;
    const end = lines.findIndex((line, at) => at > index && line.startsWith(fence) && line.trim() === fence);
    if (end < 0) throw new Error(`${page}:${index + 1}: unclosed code block`);
    let above = index - 1;
    while (above >= 0 && lines[above]!.trim() === '') above -= 1;
    const marker = above >= 0 ? samplePattern.exec(lines[above]!.trim()) : null;
    blocks.push({
      page,
      line: index + 1,
      language: open[2] ?? '',
      content: lines.slice(index + 1, end).join('\n'),
      ...(marker === null ? {} : { sample: { file: marker[1]!, ...(marker[2] === undefined ? {} : { region: marker[2] }) } }),
    });
    index = end;
  }
  return blocks;
}

/** A page's text with fenced code blocks blanked out (links and headings inside code do not count). */
export const withoutCode = (text: string): string => text.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, '');

/**
 * The anchor GitHub gives a heading: lower-cased, punctuation removed
 * (letters, digits, `_` and `-` stay), spaces turned into hyphens.
 */
export const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replaceAll(' ', '-');

/** The anchors of a page's headings, with GitHub's `-1`, `-2` suffixes for repeats. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of withoutCode(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(match[1]!);
    const count = seen.get(base) ?? 0;
    anchors.add(count === 0 ? base : `${base}-${count}`);
    seen.set(base, count + 1);
  }
  return anchors;
}

/** Relative links of a page (`[text](target)`), outside code. */
export function linksOf(text: string): string[] {
  return [...withoutCode(text).matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z]+:/.test(target));
}
