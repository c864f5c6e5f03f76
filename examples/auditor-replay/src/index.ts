/**
 * @eventcrm/example-auditor-replay: "who owned customer X at instant D, and
 * who moved it there?" answered straight from the event log (`crm.audit`),
 * cross-checked with the read model (`crm.ownerAsOf`), the hash chains
 * (`crm.verify`), an optional externally recorded head hash, and the
 * `eventcrm` CLI.
 */
export { anchorLog, anchorStream, checkAnchor, formatAnchor, parseAnchor } from './anchor.ts';
export type { AnchorCheck, LogAnchor, StreamAnchor } from './anchor.ts';
export { auditOwnershipAt, crossCheckWithCli } from './audit.ts';
export type { AuditQuestion, CliCheck, CliCrossCheck, LogAnswer, Move, OwnershipAuditReport, ReadModelCheck, StreamProblem } from './audit.ts';
export { commandLine, jsonOf, runCli } from './cli.ts';
export type { CliRun } from './cli.ts';
export { causationOf, decisionOf } from './decision.ts';
export type { Causation, DecisionRecord } from './decision.ts';
export { factInForce } from './factInForce.ts';
export type { FactInForce, OwnershipFact } from './factInForce.ts';
export { readInstant } from './instant.ts';
export type { AskedInstant } from './instant.ts';
export { renderCliCheck, renderReport } from './render.ts';
export { cliStoreArgs, openStore, StoreSelectionError } from './store.ts';
export type { StoreSelection } from './store.ts';
export { sampleCommandIds, sampleTimeline, writeSampleHistory } from './sampleHistory.ts';
