import { z } from 'zod';
import type { Timestamp } from '../shared/time.ts';

/**
 * The per-tenant configuration of domain.md §1. Every value is optional in a
 * `Configure` command (deep-merged over the configuration in force; arrays
 * are replaced whole); the full configuration always has every value.
 */
export interface PipelineStage {
  readonly id: string;
  /** Win probability in percent, 0–100. */
  readonly probability: number;
}

/** SLA targets of one priority, in calendar hours. */
export interface SlaTarget {
  readonly firstResponse: number;
  readonly resolution: number;
}

/** Ticket priorities, most urgent first. */
export const ticketPriorities = ['urgent', 'high', 'normal', 'low'] as const;
export type TicketPriority = (typeof ticketPriorities)[number];

/** The complete configuration in force at some time. */
export interface CrmConfig {
  readonly pool: {
    readonly holdingLimit: number;
    readonly dailyClaimLimit: number;
    readonly reclaimCooldownDays: number;
    readonly protectionDays: number;
    readonly recycle: {
      readonly noFollowUpDays: number;
      readonly noDealDays: number;
      readonly warnDaysBefore: number;
    };
  };
  readonly pipeline: { readonly stages: readonly PipelineStage[] };
  readonly sla: { readonly [P in TicketPriority]: SlaTarget };
}

/** The defaults of domain.md §1. */
export const defaultConfig: CrmConfig = {
  pool: {
    holdingLimit: 200,
    dailyClaimLimit: 20,
    reclaimCooldownDays: 7,
    protectionDays: 0,
    recycle: { noFollowUpDays: 30, noDealDays: 90, warnDaysBefore: 3 },
  },
  pipeline: {
    stages: [
      { id: 'prospecting', probability: 10 },
      { id: 'qualification', probability: 20 },
      { id: 'needs_analysis', probability: 40 },
      { id: 'proposal', probability: 60 },
      { id: 'negotiation', probability: 80 },
    ],
  },
  sla: {
    urgent: { firstResponse: 1, resolution: 4 },
    high: { firstResponse: 4, resolution: 24 },
    normal: { firstResponse: 8, resolution: 72 },
    low: { firstResponse: 24, resolution: 120 },
  },
};

const wholeCount = z.number().int({ message: 'must be a whole number' }).min(0, { message: 'must not be negative' }).max(1_000_000, { message: 'must be at most 1000000' });
const dayCount = wholeCount.max(36_500, { message: 'must be at most 36500 days' });
const hours = z.number().positive({ message: 'must be a positive number of hours' }).max(100_000);
const slaTarget = z.strictObject({ firstResponse: hours.optional(), resolution: hours.optional() });

/** Terminal stages are implicit; a pipeline may not redefine them. */
const reservedStageIds = new Set(['won', 'lost']);

const stageSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,39}$/, { message: 'must be 1-40 characters of a-z 0-9 _ starting with a letter' })
    .refine((id) => !reservedStageIds.has(id), { message: 'won and lost are implicit terminal stages' }),
  probability: z.number().min(0, { message: 'must be 0-100' }).max(100, { message: 'must be 0-100' }),
});

/** Zod schema of a partial configuration, the `data` of `Configure`. */
export const configPatchSchema = z.strictObject({
  pool: z
    .strictObject({
      holdingLimit: wholeCount.optional(),
      dailyClaimLimit: wholeCount.optional(),
      reclaimCooldownDays: dayCount.optional(),
      protectionDays: dayCount.optional(),
      recycle: z
        .strictObject({
          noFollowUpDays: dayCount.optional(),
          noDealDays: dayCount.optional(),
          warnDaysBefore: dayCount.optional(),
        })
        .optional(),
    })
    .optional(),
  pipeline: z
    .strictObject({
      stages: z
        .array(stageSchema)
        .min(1, { message: 'the pipeline needs at least one stage' })
        .max(50)
        .superRefine((stages, ctx) => {
          const seen = new Set<string>();
          stages.forEach((stage, index) => {
            if (seen.has(stage.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate stage id ${stage.id}` });
            seen.add(stage.id);
          });
        }),
    })
    .optional(),
  sla: z
    .strictObject({
      urgent: slaTarget.optional(),
      high: slaTarget.optional(),
      normal: slaTarget.optional(),
      low: slaTarget.optional(),
    })
    .optional(),
});

/** A partial configuration. */
export type ConfigPatch = z.output<typeof configPatchSchema>;

type Plain = { readonly [key: string]: unknown };
const isPlainObject = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);

function mergeDeep(base: Plain, patch: Plain): Plain {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = result[key];
    result[key] = isPlainObject(current) && isPlainObject(value) ? mergeDeep(current, value) : value;
  }
  return result;
}

/** Deep-merges a patch over a configuration; arrays (`pipeline.stages`) are replaced whole. */
export const applyConfigPatch = (config: CrmConfig, patch: ConfigPatch): CrmConfig =>
  mergeDeep(config as unknown as Plain, patch) as unknown as CrmConfig;

/** The configuration history of a tenant: each entry applies from its time on. */
export interface ConfigHistoryEntry {
  readonly at: Timestamp;
  readonly config: CrmConfig;
}

/**
 * The configuration in force at `at`: the last change at or before it, else
 * the defaults. The history is in time order (`Configure` obeys `CLOCK_SKEW`).
 */
export function configAt(history: readonly ConfigHistoryEntry[], at: Timestamp): CrmConfig {
  for (let index = history.length - 1; index >= 0; index -= 1) {
    const entry = history[index]!;
    if (entry.at <= at) return entry.config;
  }
  return defaultConfig;
}

/** A stage's probability in a pipeline, `undefined` when the stage is not in it. */
export const stageProbability = (config: CrmConfig, stage: string): number | undefined =>
  config.pipeline.stages.find((candidate) => candidate.id === stage)?.probability;

/** A stage's 0-based position in the pipeline, -1 when it is not in it. */
export const stageIndex = (config: CrmConfig, stage: string): number => config.pipeline.stages.findIndex((candidate) => candidate.id === stage);
