/**
 * @eventcrm/projections/testing: project events in memory for
 * `given(events).then(readModel)` specifications.
 */
export { inLog, projectEvents } from './projectEvents.ts';
