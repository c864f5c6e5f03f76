/**
 * The `funnel` projection (projections.md §1): the sales funnel with its
 * filters and the customer lifecycle funnel, as one projection definition
 * and two queries over its tables.
 */
export { FunnelFilterError, isFunnelFilterError, parseFunnelFilters } from './filters.ts';
export type { FunnelFilters, ParsedFunnelFilters } from './filters.ts';
export { funnelProjection } from './projection.ts';
export { lifecycleFunnel, salesFunnel } from './queries.ts';
export type { LifecycleFunnel, LifecycleFunnelStage, OpenFigures, SalesFunnel, SalesFunnelStage } from './queries.ts';
export {
  FUNNEL_CONFIG,
  FUNNEL_CUSTOMERS,
  FUNNEL_LIFECYCLE,
  FUNNEL_MEMBERS,
  FUNNEL_OPPORTUNITIES,
  FUNNEL_TOTALS,
  funnelTables,
} from './tables.ts';
