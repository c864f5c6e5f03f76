import * as E from 'fp-ts/lib/Either.js';
import { z } from 'zod';
import type { DecisionContext } from '../context.ts';
import { checkClock, forbidden, isSystemOrAdmin, resolveActor } from '../shared/actors.ts';
import { domainError, type DomainError } from '../shared/errors.ts';
import { eventOf, type Command, type Event } from '../shared/messages.ts';
import type { Timestamp } from '../shared/time.ts';
import { applyConfigPatch, configAt, configPatchSchema, type ConfigHistoryEntry, type ConfigPatch, type CrmConfig } from './configuration.ts';

/** The stream that records configuration changes. */
export const CONFIG_STREAM = 'config';

/**
 * `Configure`'s data is checked by the decider, not the command parser, so
 * that a bad configuration is `INVALID_CONFIGURATION` (domain.md §1) while
 * a bad envelope stays `INVALID_COMMAND`.
 */
export const configureCommandSchemas = { Configure: z.unknown() } as const;

/** A `Configure` command (its data not yet validated). */
export type ConfigureCommand = Command<'Configure', unknown>;

const fullConfigSchema = z.object({}).passthrough();

/** Zod schemas of the configuration event's `data`. */
export const configEventSchemas = {
  ConfigurationChanged: z.object({
    /** The patch as given (after validation). */
    changes: fullConfigSchema,
    /** The complete configuration in force from this event's time on. */
    config: fullConfigSchema,
  }),
} as const;

/** The configuration event. */
export type ConfigEvent = Event<'ConfigurationChanged', { readonly changes: ConfigPatch; readonly config: CrmConfig }>;

/** The `config` stream's state: the history of configurations. */
export interface ConfigState {
  readonly kind: 'config';
  readonly history: readonly ConfigHistoryEntry[];
  readonly lastEventAt: Timestamp | null;
}

/** The state of the `config` stream with no events: the defaults apply. */
export const initialConfigState: ConfigState = { kind: 'config', history: [], lastEventAt: null };

/** Folds a configuration change into the history. */
export const evolveConfig = (state: ConfigState, event: ConfigEvent): ConfigState => ({
  kind: 'config',
  history: [...state.history, { at: event.metadata.at, config: event.data.config }],
  lastEventAt: event.metadata.at,
});

const issuePath = (path: readonly PropertyKey[]): string => ['data', ...path.map(String)].join('.');

const invalidConfiguration = (issues: readonly { path: string; message: string }[]): DomainError =>
  domainError('INVALID_CONFIGURATION', issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '), { issues });

/**
 * Decides `Configure` (domain.md §1): admin or system only; the patch must be
 * valid, and may not remove a pipeline stage that open opportunities are in.
 * A patch that changes nothing appends nothing.
 */
export function decideConfigure(command: ConfigureCommand, state: ConfigState, context: DecisionContext): E.Either<DomainError, readonly ConfigEvent[]> {
  const actorResult = resolveActor(command, context);
  if (E.isLeft(actorResult)) return actorResult;
  const clock = checkClock(command, CONFIG_STREAM, state.lastEventAt);
  if (E.isLeft(clock)) return clock;
  if (!isSystemOrAdmin(actorResult.right)) return E.left(forbidden(command, 'only an admin or system configures'));
  const parsed = configPatchSchema.safeParse(command.data);
  if (!parsed.success) {
    // An unknown key is reported at the key itself (`data.pool.foo`), not at the object holding it (domain.md §1: the path of every bad key).
    const issues = parsed.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: issuePath([...issue.path, key]), message: `unknown key ${key}` }))
        : [{ path: issuePath(issue.path), message: issue.message }],
    );
    return E.left(invalidConfiguration(issues));
  }
  const patch = parsed.data;
  const current = configAt(state.history, command.at);
  const next = applyConfigPatch(current, patch);
  if (patch.pipeline?.stages !== undefined) {
    const kept = new Set(next.pipeline.stages.map((stage) => stage.id));
    const issues = [...context.openOpportunityStages.entries()]
      .filter(([stage, count]) => count > 0 && !kept.has(stage))
      .map(([stage, count]) => ({ path: 'data.pipeline.stages', message: `stage ${stage} still has ${count} open opportunities` }));
    if (issues.length > 0) return E.left(invalidConfiguration(issues));
  }
  if (JSON.stringify(next) === JSON.stringify(current)) return E.right([]);
  return E.right([eventOf(command, 'ConfigurationChanged', { changes: patch, config: next })]);
}
