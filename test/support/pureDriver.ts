import { decide, evolve, FactIndex, initialStateOf, parseCommand, streamOfEvent, type AggregateState, type CrmCommand, type CrmEvent, type DomainError } from '@eventcrm/domain';
import * as E from 'fp-ts/lib/Either.js';
import type { CommandInput } from './scenario.ts';

/** One step of a pure run: the input, the parsed command, and the decision. */
export interface Step {
  readonly input: CommandInput;
  readonly command: CrmCommand | undefined;
  readonly outcome: E.Either<DomainError, readonly CrmEvent[]>;
  /** The stream states just before the step. */
  readonly before: ReadonlyMap<string, AggregateState>;
}

/**
 * Runs raw inputs through the pure domain only (parse → decide with the fact
 * index → evolve), as the runtime would but without a store or policies.
 */
export function runPure(inputs: readonly CommandInput[]): { steps: Step[]; events: CrmEvent[]; states: Map<string, AggregateState> } {
  const states = new Map<string, AggregateState>();
  const index = new FactIndex();
  const events: CrmEvent[] = [];
  const steps: Step[] = [];
  for (const input of inputs) {
    const parsed = parseCommand(input, { now: input.at, newId: () => 'generated' });
    const before = new Map(states);
    if (E.isLeft(parsed)) {
      steps.push({ input, command: undefined, outcome: parsed, before });
      continue;
    }
    const outcome = decide(parsed.right, (stream) => states.get(stream) ?? initialStateOf(stream), index.contextFor(parsed.right));
    steps.push({ input, command: parsed.right, outcome, before });
    if (E.isRight(outcome)) {
      for (const event of outcome.right) {
        const stream = streamOfEvent(event);
        states.set(stream, evolve(states.get(stream) ?? initialStateOf(stream), event));
        index.apply(event);
        events.push(event);
      }
    }
  }
  return { steps, events, states };
}
