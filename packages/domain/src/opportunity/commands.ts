import { z } from 'zod';
import { moneyInputSchema } from '../shared/money.ts';
import { freeTextSchema, identifierSchema, nameSchema } from '../shared/text.ts';
import { calendarDateSchema } from '../shared/time.ts';

/** Why an opportunity was lost. */
export const lossReasons = ['price', 'competitor', 'no_budget', 'no_decision', 'timing', 'product_fit', 'other'] as const;
export type LossReason = (typeof lossReasons)[number];

/** A pipeline stage id as written in commands (checked against the pipeline in force by the decider). */
const stageIdSchema = z.string().trim().min(1).max(40);

/** Zod schemas of the opportunity commands' `data` (domain.md §4). */
export const opportunityCommandSchemas = {
  OpenOpportunity: z.strictObject({
    opportunityId: identifierSchema,
    customerId: identifierSchema,
    title: nameSchema,
    amount: moneyInputSchema,
    expectedCloseDate: calendarDateSchema,
    stage: stageIdSchema.optional(),
    owner: identifierSchema.optional(),
  }),
  MoveOpportunityStage: z.strictObject({ opportunityId: identifierSchema, stage: stageIdSchema }),
  ReviseOpportunity: z.strictObject({
    opportunityId: identifierSchema,
    amount: moneyInputSchema.optional(),
    expectedCloseDate: calendarDateSchema.optional(),
    probability: z.number().min(0, { message: 'must be 0-100' }).max(100, { message: 'must be 0-100' }).optional(),
  }),
  ReassignOpportunity: z.strictObject({ opportunityId: identifierSchema, to: identifierSchema }),
  WinOpportunity: z.strictObject({ opportunityId: identifierSchema, amount: moneyInputSchema.optional() }),
  LoseOpportunity: z.strictObject({
    opportunityId: identifierSchema,
    reason: z.enum(lossReasons),
    competitor: nameSchema.optional(),
    note: freeTextSchema.optional(),
  }),
  ReopenOpportunity: z.strictObject({ opportunityId: identifierSchema, stage: stageIdSchema.optional() }),
} as const;

type Schemas = typeof opportunityCommandSchemas;
/** The `data` of each opportunity command, after validation. */
export type OpportunityCommandData = { readonly [Name in keyof Schemas]: z.output<Schemas[Name]> };
