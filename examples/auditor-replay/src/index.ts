/**
 * @eventcrm/example-auditor-replay: who owned a customer at an instant and
 * who moved it there, answered from the event log (work in progress).
 */
export {};
