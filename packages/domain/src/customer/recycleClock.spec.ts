import { describe, expect, it } from 'vitest';
import { applyConfigPatch, defaultConfig } from '../config/configuration.ts';
import { idleDays, nextRecycle, ruleDueAt, ruleHolds, ruleHoldingAt, type RecycleFacts } from './recycleClock.ts';

// domain.md §3 Recycle clock, as the decider, the pool sweep and the
// reminders (recycle warnings) read it.

const OWNED = '2026-01-01T09:00:00.000Z';
const facts = (overrides: Partial<RecycleFacts> = {}): RecycleFacts => ({
  owner: 'rep-a',
  ownedSince: OWNED,
  lastFollowUpAt: null,
  stage: 'potential',
  locked: false,
  active: true,
  lastDealWonAt: null,
  ...overrides,
});

describe('when a rule falls due', () => {
  it('no_follow_up: noFollowUpDays after the later of ownedSince and the last follow-up', () => {
    expect(ruleDueAt('no_follow_up', facts(), defaultConfig)).toBe('2026-01-31T09:00:00.000Z');
    expect(ruleDueAt('no_follow_up', facts({ lastFollowUpAt: '2026-01-10T12:00:00.000Z' }), defaultConfig)).toBe('2026-02-09T12:00:00.000Z');
    expect(ruleDueAt('no_follow_up', facts({ lastFollowUpAt: '2025-12-01T00:00:00.000Z' }), defaultConfig)).toBe('2026-01-31T09:00:00.000Z');
  });

  it('no_deal: noDealDays after ownedSince, never while a deal was won since', () => {
    expect(ruleDueAt('no_deal', facts({ lastFollowUpAt: '2026-03-01T00:00:00.000Z' }), defaultConfig)).toBe('2026-04-01T09:00:00.000Z');
    expect(ruleDueAt('no_deal', facts({ lastDealWonAt: '2026-01-02T00:00:00.000Z' }), defaultConfig)).toBeNull();
    expect(ruleDueAt('no_deal', facts({ lastDealWonAt: OWNED }), defaultConfig)).toBeNull();
    expect(ruleDueAt('no_deal', facts({ lastDealWonAt: '2025-12-31T00:00:00.000Z' }), defaultConfig)).toBe('2026-04-01T09:00:00.000Z');
  });

  it('not before the protection ends', () => {
    const config = applyConfigPatch(defaultConfig, { pool: { protectionDays: 45 } });
    expect(ruleDueAt('no_follow_up', facts(), config)).toBe('2026-02-15T09:00:00.000Z');
    expect(ruleDueAt('no_deal', facts(), config)).toBe('2026-04-01T09:00:00.000Z');
  });

  it.each([
    ['in the pool', { owner: null }],
    ['locked', { locked: true }],
    ['in stage customer', { stage: 'customer' as const }],
    ['in stage vip', { stage: 'vip' as const }],
    ['merged or erased', { active: false }],
  ])('never for a customer %s', (_why, overrides) => {
    expect(ruleDueAt('no_follow_up', facts(overrides), defaultConfig)).toBeNull();
    expect(ruleDueAt('no_deal', facts(overrides), defaultConfig)).toBeNull();
    expect(nextRecycle(facts(overrides), defaultConfig)).toBeNull();
  });
});

describe('whether a rule holds at T: T − start ≥ N × 24 h', () => {
  it('exactly at the due time, not 1 ms before', () => {
    expect(ruleHolds('no_follow_up', facts(), '2026-01-31T09:00:00.000Z', defaultConfig)).toBe(true);
    expect(ruleHolds('no_follow_up', facts(), '2026-01-31T08:59:59.999Z', defaultConfig)).toBe(false);
  });

  it('no_follow_up first when both hold', () => {
    expect(ruleHoldingAt(facts(), '2026-04-01T09:00:00.000Z', defaultConfig)).toBe('no_follow_up');
    expect(ruleHoldingAt(facts({ lastFollowUpAt: '2026-03-20T00:00:00.000Z' }), '2026-04-01T09:00:00.000Z', defaultConfig)).toBe('no_deal');
    expect(ruleHoldingAt(facts(), '2026-01-31T08:59:59.999Z', defaultConfig)).toBeNull();
  });

  it('idle days are whole days since the rule\'s start, rounded down', () => {
    expect(idleDays('no_follow_up', facts({ lastFollowUpAt: '2026-01-11T09:00:00.000Z' }), '2026-02-10T08:59:59.999Z')).toBe(29);
    expect(idleDays('no_deal', facts({ lastFollowUpAt: '2026-01-11T09:00:00.000Z' }), '2026-02-10T08:59:59.999Z')).toBe(39);
  });
});

describe('the next recycle (for reminders)', () => {
  it('is the earlier of the two rules', () => {
    expect(nextRecycle(facts(), defaultConfig)).toEqual({ rule: 'no_follow_up', dueAt: '2026-01-31T09:00:00.000Z' });
    expect(nextRecycle(facts({ lastFollowUpAt: '2026-03-20T09:00:00.000Z' }), defaultConfig)).toEqual({ rule: 'no_deal', dueAt: '2026-04-01T09:00:00.000Z' });
  });

  it('no_follow_up when both fall due at once', () => {
    const config = applyConfigPatch(defaultConfig, { pool: { recycle: { noFollowUpDays: 90 } } });
    expect(nextRecycle(facts(), config)).toEqual({ rule: 'no_follow_up', dueAt: '2026-04-01T09:00:00.000Z' });
  });

  it('no_follow_up only, when a deal was won since ownedSince', () => {
    expect(nextRecycle(facts({ lastDealWonAt: '2026-01-05T00:00:00.000Z', lastFollowUpAt: '2026-03-20T09:00:00.000Z' }), defaultConfig)).toEqual({
      rule: 'no_follow_up',
      dueAt: '2026-04-19T09:00:00.000Z',
    });
  });
});
