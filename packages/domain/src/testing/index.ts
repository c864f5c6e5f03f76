/**
 * @eventcrm/domain/testing: specification helpers for deciders
 * (`given(events).when(command).then(events)` / `.thenRejects(code)`).
 */
export { event, foldWorld, given, SPEC_EPOCH, SpecificationError } from './givenWhenThen.ts';
export type { CommandInput, ExpectedEvent, Outcome, SpecWorld, ThenClause } from './givenWhenThen.ts';
