/**
 * @eventcrm/example-embed-http-api: a small Fastify service embedding
 * eventcrm through its public API only. The server factory and its parts
 * are exported so the example can be read, tested and reused piece by piece.
 */
export { createServer } from './server.ts';
export type { ServerOptions } from './server.ts';
export { etagOf, expectationOf, ifNoneMatchHits, parseIfMatch } from './ifMatch.ts';
export type { Expectation, IfMatch } from './ifMatch.ts';
export { problem, problemMediaType, problemOfRejection, problemTypes, problemTypeUri, statusOf } from './problems.ts';
export type { DomainErrorCode, HttpErrorCode, Problem, ProblemCode, ProblemType } from './problems.ts';
export { openCrm, parseStoreLocation } from './openCrm.ts';
export type { StoreLocation } from './openCrm.ts';
