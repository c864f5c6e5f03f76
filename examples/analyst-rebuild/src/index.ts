/**
 * @eventcrm/example-analyst-rebuild: rebuild the read models on PostgreSQL
 * and query them with plain SQL (work in progress).
 */
export {};
