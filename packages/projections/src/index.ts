/**
 * @eventcrm/projections: the read models of eventcrm as pure logic — the
 * sales funnel, customer ownership history, performance rankings and
 * reminders — plus the small framework they are written in.
 */
export { compareCells, completeRow, keyOf, keyString, matches, scanRows } from './framework/rows.ts';
export type {
  Cell,
  ColumnType,
  Condition,
  JsonCell,
  KeyValue,
  ProjectedEvent,
  ProjectionDefinition,
  ReadModelReader,
  Row,
  RowRef,
  RowView,
  RowWriter,
  ScanQuery,
  TableSpec,
} from './framework/types.ts';

export * from './ownership/index.ts';
export * from './funnel/index.ts';
export * from './rankings/index.ts';
export * from './reminders/index.ts';
export { directoryEventTypes, directoryTable } from './shared/directory.ts';
export { moneyReport, weightedMinor } from './shared/moneyTotals.ts';
export type { MoneyReport, MoneyTotals } from './shared/moneyTotals.ts';
