import { describe, expect, it } from 'vitest';
import { readInstant } from './instant.ts';

describe('readInstant', () => {
  it('normalises instants with any UTC offset to the canonical form the read models compare as text', () => {
    expect(readInstant('2026-02-11T08:00:00Z')).toEqual({ instant: '2026-02-11T08:00:00.000Z', fromDate: false });
    expect(readInstant('2026-02-11T16:00+08:00')).toEqual({ instant: '2026-02-11T08:00:00.000Z', fromDate: false });
    expect(readInstant('2026-02-11T07:59:59.9999999-00:00')).toEqual({ instant: '2026-02-11T07:59:59.999Z', fromDate: false });
  });

  it('reads a bare date as the start of that UTC day', () => {
    expect(readInstant('2026-02-10')).toEqual({ instant: '2026-02-10T00:00:00.000Z', fromDate: true });
  });

  it('refuses what names no real instant, or no offset', () => {
    for (const text of ['2026-02-30', '2026-02-11T24:00Z', '2026-02-11T08:00', '2026-13-01T00:00Z', '2026-02-11T08:00+24:00', 'yesterday', '']) {
      expect(readInstant(text), text).toBeUndefined();
    }
  });
});
