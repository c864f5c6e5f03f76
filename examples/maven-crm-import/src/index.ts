/**
 * @eventcrm/example-maven-crm-import: imports the real Maven CRM sales
 * dataset (8,800 opportunities) into eventcrm and checks the read models
 * against figures computed straight from the CSV.
 */
export { isMavenDataError, MavenDataError, mavenFileNames, parseMavenCsv, readMavenDataset } from './csv.ts';
export type { AccountRow, MavenCsvTexts, MavenDataErrorCode, MavenDataset, PipelineRow, ProductRow, SalesTeamRow } from './csv.ts';
export type {
  ConfigureInput,
  LoseOpportunityInput,
  MavenCommand,
  MoneyInput,
  OpenOpportunityInput,
  RegisterCustomerInput,
  RegisterMemberInput,
  WinOpportunityInput,
} from './commands.ts';
export {
  contactDomain,
  convertMavenDataset,
  expectedCycleDays,
  importActor,
  importanceThresholds,
  mavenAdminId,
  mavenCurrency,
  mavenPipelineStages,
  mavenSetupAt,
  sectorCorrections,
} from './convert.ts';
export type { ConversionIds, ConversionSummary, MavenConversion, SkippedRow } from './convert.ts';
export { IdAllocator, slugOf } from './identifiers.ts';
export { defaultMavenDataDirectory, importMavenCommands, importMavenDataset, mavenDataPresent } from './importer.ts';
export type { DatasetImport, ImportOptions, ImportRejection, ImportReport } from './importer.ts';
