/**
 * The customer ownership history read model (projections.md §2): the
 * projection, its tables, the queries (history, owner as of T, portfolio as
 * of T, member stats) and the audit replay's comparison.
 */
export { auditOwnership, compareOwnership, historyFromFacts, ownershipFactsOf } from './audit.ts';
export type { OwnershipAudit, OwnershipDifference, OwnershipDifferenceKind, OwnershipFact } from './audit.ts';
export { ownershipChangeOf, ownershipEventTypes } from './model.ts';
export type {
  OwnershipChange,
  OwnershipEndReason,
  OwnershipEventType,
  OwnershipHistory,
  OwnershipPeriod,
  OwnershipReason,
  OwnershipStartReason,
  PeriodBoundary,
} from './model.ts';
export { ownershipProjection } from './projection.ts';
export { memberOwnershipStats, ownerAsOf, ownershipHistory, portfolioAsOf } from './queries.ts';
export type { MemberOwnershipStats, OwnerAsOf, PortfolioAsOf } from './queries.ts';
export { customersTable, memberMonthsTable, membersTable, ownershipTables, periodsTable } from './tables.ts';
