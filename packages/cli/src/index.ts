/**
 * @eventcrm/cli: the `eventcrm` command line as a library (`run`), the store
 * URL parser used by the CLI, and the seeded demo history generator.
 */
export { run } from './main.ts';
export type { CommandContext } from './main.ts';
export { DEFAULT_STORE, describeLocation, openCrm, parseStoreUrl } from './storeUrl.ts';
export type { StoreLocation } from './storeUrl.ts';
export type { CliIo } from './io.ts';
export { demoHistory, demoOptionsForEvents, resolveDemoOptions, summariseDemoHistory } from './demo/history.ts';
export type { DemoCommand, DemoHistoryOptions, DemoHistorySummary } from './demo/history.ts';
