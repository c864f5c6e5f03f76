/**
 * @eventcrm/example-embed-http-api: a small Fastify service embedding
 * eventcrm through its public API only. The server factory and its parts
 * are exported so the example can be read, tested and reused piece by piece.
 */
export {};
