import { z } from 'zod';
import type { Event } from '../shared/messages.ts';
import { storedMoneySchema } from '../shared/money.ts';
import { lossReasons } from './commands.ts';

const opportunityId = z.string();

/** Zod schemas of the opportunity events' `data` (current versions), used to decode events read back from a store. */
export const opportunityEventSchemas = {
  OpportunityOpened: z.object({
    opportunityId,
    customerId: z.string(),
    title: z.string(),
    amount: storedMoneySchema,
    expectedCloseDate: z.string(),
    stage: z.string(),
    /** The stage's probability in the pipeline in force at opening. */
    probability: z.number(),
    owner: z.string(),
  }),
  OpportunityStageMoved: z.object({
    opportunityId,
    from: z.string(),
    to: z.string(),
    /** The new stage's pipeline probability (any override ends with the move). */
    probability: z.number(),
  }),
  OpportunityRevised: z.object({
    opportunityId,
    changes: z.object({ amount: storedMoneySchema.optional(), expectedCloseDate: z.string().optional(), probability: z.number().optional() }),
    previous: z.object({ amount: storedMoneySchema.optional(), expectedCloseDate: z.string().optional(), probability: z.number().nullable().optional() }),
  }),
  OpportunityReassigned: z.object({ opportunityId, from: z.string(), to: z.string() }),
  OpportunityWon: z.object({
    opportunityId,
    customerId: z.string(),
    /** The owner credited with the win. */
    owner: z.string(),
    /** The final amount won. */
    amount: storedMoneySchema,
    stage: z.string(),
  }),
  OpportunityLost: z.object({
    opportunityId,
    customerId: z.string(),
    owner: z.string(),
    reason: z.enum(lossReasons),
    competitor: z.string().nullable(),
    note: z.string().nullable(),
    /** The opportunity's amount when lost. */
    amount: storedMoneySchema,
    stage: z.string(),
  }),
  OpportunityReopened: z.object({ opportunityId, stage: z.string(), probability: z.number() }),
} as const;

type Schemas = typeof opportunityEventSchemas;
/** The opportunity events. */
export type OpportunityEvent = { [Type in keyof Schemas]: Event<Type, z.output<Schemas[Type]>> }[keyof Schemas];
