import type { CrmConfig } from '../config/configuration.ts';
import { addDays, laterOf, wholeDaysBetween, type Timestamp } from '../shared/time.ts';
import type { LifecycleStage, RecycleRule } from './commands.ts';

/**
 * The facts the recycle clock of domain.md §3 reads. The customer stream
 * holds all of them except the last won deal, which lives on opportunities
 * and reaches the decision through the context.
 */
export interface RecycleFacts {
  readonly owner: string | null;
  readonly ownedSince: Timestamp | null;
  readonly lastFollowUpAt: Timestamp | null;
  readonly stage: LifecycleStage;
  readonly locked: boolean;
  readonly active: boolean;
  readonly lastDealWonAt: Timestamp | null;
}

/** Closed-deal customers stay with their owner. */
const keepsOwner = (stage: LifecycleStage): boolean => stage === 'customer' || stage === 'vip';

/** When a rule starts to hold for an owned customer, or `null` when it never will under these facts. */
export function ruleDueAt(rule: RecycleRule, facts: RecycleFacts, config: CrmConfig): Timestamp | null {
  if (facts.owner === null || facts.ownedSince === null || !facts.active || facts.locked || keepsOwner(facts.stage)) return null;
  const { noFollowUpDays, noDealDays } = config.pool.recycle;
  const protectedUntil = addDays(facts.ownedSince, config.pool.protectionDays);
  let due: Timestamp;
  if (rule === 'no_follow_up') {
    due = addDays(laterOf(facts.ownedSince, facts.lastFollowUpAt) ?? facts.ownedSince, noFollowUpDays);
  } else {
    if (facts.lastDealWonAt !== null && facts.lastDealWonAt >= facts.ownedSince) return null;
    due = addDays(facts.ownedSince, noDealDays);
  }
  return due >= protectedUntil ? due : protectedUntil;
}

/** True when `rule` holds at `at`: `T − start ≥ N × 24 h`, outside protection (domain.md §0, §3). */
export function ruleHolds(rule: RecycleRule, facts: RecycleFacts, at: Timestamp, config: CrmConfig): boolean {
  const due = ruleDueAt(rule, facts, config);
  return due !== null && at >= due;
}

/** Whole idle days a rule counts at `at`, rounded down. */
export function idleDays(rule: RecycleRule, facts: RecycleFacts, at: Timestamp): number {
  const since = facts.ownedSince ?? at;
  const base = rule === 'no_follow_up' ? (laterOf(since, facts.lastFollowUpAt) ?? since) : since;
  return wholeDaysBetween(base, at);
}

/**
 * The earliest recycle due for a customer: the rule and the time it starts to
 * hold (`no_follow_up` first when both fall due at once), or `null`.
 */
export function nextRecycle(facts: RecycleFacts, config: CrmConfig): { readonly rule: RecycleRule; readonly dueAt: Timestamp } | null {
  const noFollowUp = ruleDueAt('no_follow_up', facts, config);
  const noDeal = ruleDueAt('no_deal', facts, config);
  if (noFollowUp === null && noDeal === null) return null;
  if (noDeal === null || (noFollowUp !== null && noFollowUp <= noDeal)) return { rule: 'no_follow_up', dueAt: noFollowUp! };
  return { rule: 'no_deal', dueAt: noDeal };
}

/** The rule to apply at `at` (`no_follow_up` first when both hold), or `null` when neither holds. */
export function ruleHoldingAt(facts: RecycleFacts, at: Timestamp, config: CrmConfig): RecycleRule | null {
  if (ruleHolds('no_follow_up', facts, at, config)) return 'no_follow_up';
  if (ruleHolds('no_deal', facts, at, config)) return 'no_deal';
  return null;
}
