import { describe, expect, it } from 'vitest';
import { etagOf, expectationOf, ifNoneMatchHits, parseIfMatch } from './ifMatch.ts';

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

  it('expects the current revision when it is named, and a revision that cannot be current when it is not', () => {
    const named = parseIfMatch('"7", "2"')!;
    expect(expectationOf(named, 2)).toEqual({ kind: 'expect', revision: 2 });
    expect(expectationOf(named, 7)).toEqual({ kind: 'expect', revision: 7 });
    // An existing stream is never again at no_stream: the executor is bound to refuse, after replay and validation.
    expect(expectationOf(named, 3)).toEqual({ kind: 'expect', revision: 'no_stream' });
    expect(expectationOf(parseIfMatch('W/"3"')!, 3)).toEqual({ kind: 'expect', revision: 'no_stream' });
  });

  it('checks nothing for * on an existing stream, and for a missing stream expects a revision the condition names', () => {
    expect(expectationOf({ kind: 'any' }, 0)).toEqual({ kind: 'none' });
    expect(expectationOf({ kind: 'any' }, null)).toEqual({ kind: 'expect', revision: 0 });
    expect(expectationOf(parseIfMatch('"4", "1"')!, null)).toEqual({ kind: 'expect', revision: 4 });
    expect(expectationOf(parseIfMatch('W/"0", "abc"')!, null)).toEqual({ kind: 'unsatisfiable' });
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
