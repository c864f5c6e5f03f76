import { describe, expect, it } from 'vitest';
import { etagOf, ifMatchAccepts, ifNoneMatchHits, parseIfMatch } from './ifMatch.ts';

describe('If-Match', () => {
  it('reads *, one strong tag or a list; weak tags and tags that are not revisions never match', () => {
    expect(parseIfMatch('*')).toEqual({ kind: 'any' });
    expect(parseIfMatch('"3"')).toEqual({ kind: 'revisions', revisions: [3] });
    expect(parseIfMatch(' "7", W/"2" ,"0"')).toEqual({ kind: 'revisions', revisions: [7, 0] });
    expect(parseIfMatch('"abc", "03", "-1", "1.5"')).toEqual({ kind: 'revisions', revisions: [] });
    expect(parseIfMatch('"a,b", "4"')).toEqual({ kind: 'revisions', revisions: [4] });
  });

  it('refuses what is not an If-Match value (a 400, not a 412)', () => {
    for (const value of ['', '3', '"3" "4"', '"3', 'W/3', '*, "3"', '"3";']) expect(parseIfMatch(value), value).toBeUndefined();
  });

  it('accepts a revision it names, and * any existing stream; nothing matches a stream that does not exist', () => {
    expect(ifMatchAccepts({ kind: 'revisions', revisions: [2, 5] }, 5)).toBe(true);
    expect(ifMatchAccepts({ kind: 'revisions', revisions: [2, 5] }, 3)).toBe(false);
    expect(ifMatchAccepts({ kind: 'any' }, 0)).toBe(true);
    expect(ifMatchAccepts({ kind: 'any' }, null)).toBe(false);
    expect(ifMatchAccepts({ kind: 'revisions', revisions: [0] }, null)).toBe(false);
  });
});

describe('ETag and If-None-Match', () => {
  it('tags a revision strongly, and If-None-Match compares weakly', () => {
    expect(etagOf(12)).toBe('"12"');
    expect(ifNoneMatchHits('"12"', etagOf(12))).toBe(true);
    expect(ifNoneMatchHits('"1", W/"12"', etagOf(12))).toBe(true);
    expect(ifNoneMatchHits('*', etagOf(12))).toBe(true);
    expect(ifNoneMatchHits('"11"', etagOf(12))).toBe(false);
  });
});
