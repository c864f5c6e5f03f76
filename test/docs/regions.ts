import { readFileSync } from 'node:fs';

/**
 * Named regions of sample files: the text between `#region NAME` and
 * `#endregion NAME` marker lines, whatever the comment syntax (`// #region`
 * in TypeScript, `# #region` in shell). The marker lines themselves are left
 * out, and so is the common indentation, so a region inside a function
 * reads as it would at the top level.
 */

const markerPattern = /^\s*(?:\/\/|#)\s*#(end)?region\b\s*(\S*)\s*$/;

/** True for a `#region` / `#endregion` marker line. */
export const isMarker = (line: string): boolean => markerPattern.test(line);

/** Removes the indentation every non-blank line shares. */
export function dedent(lines: readonly string[]): string[] {
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)![0].length);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((line) => line.slice(common));
}

/** The text of a region (`undefined` when the file has none of that name); without a name, the whole file minus marker lines. */
export function regionOf(file: string, name?: string): string | undefined {
  const lines = readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
  if (name === undefined) return dedent(lines.filter((line) => !isMarker(line))).join('\n');
  const start = lines.findIndex((line) => markerPattern.exec(line)?.[1] === undefined && markerPattern.exec(line)?.[2] === name);
  if (start < 0) return undefined;
  const end = lines.findIndex((line, index) => index > start && markerPattern.exec(line)?.[1] === 'end' && [name, ''].includes(markerPattern.exec(line)?.[2] ?? ''));
  if (end < 0) throw new Error(`${file}: region ${name} has no #endregion`);
  return dedent(lines.slice(start + 1, end).filter((line) => !isMarker(line))).join('\n');
}
