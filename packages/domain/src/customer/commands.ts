import { z } from 'zod';
import { birthdaySchema, emailSchema, freeTextSchema, identifierSchema, nameSchema, phoneSchema, requiredTextSchema } from '../shared/text.ts';
import { timestampSchema } from '../shared/time.ts';

/** Lifecycle stages in funnel order, then `dormant` (outside the order). */
export const lifecycleStages = ['potential', 'intent', 'customer', 'vip', 'dormant'] as const;
export type LifecycleStage = (typeof lifecycleStages)[number];
/** The ordered funnel stages (`dormant` is not one). */
export const funnelStages = ['potential', 'intent', 'customer', 'vip'] as const;

export const customerKinds = ['company', 'person'] as const;
export const customerSources = ['inbound_call', 'outbound_call', 'referral', 'web', 'advertising', 'event', 'other'] as const;
export const importanceLevels = ['A', 'B', 'C'] as const;
export const contactRoles = ['decision_maker', 'economic_buyer', 'influencer', 'champion', 'technical_evaluator', 'user', 'opponent', 'other'] as const;
export const followUpChannels = ['call', 'visit', 'email', 'meeting', 'message'] as const;
export const transferReasons = ['rebalance', 'request', 'departure'] as const;
export const releaseReasons = ['voluntary', 'departure'] as const;
export const recycleRules = ['no_follow_up', 'no_deal'] as const;
export type RecycleRule = (typeof recycleRules)[number];

const phoneOrEmail = (value: { readonly phone?: unknown; readonly email?: unknown }, ctx: z.RefinementCtx): void => {
  if (value.phone === undefined && value.email === undefined) {
    ctx.addIssue({ code: 'custom', path: ['phone'], message: 'a phone or an email is required' });
  }
};

const shortTextSchema = z.string().trim().min(1, { message: 'must not be empty' }).max(200, { message: 'must be at most 200 characters' });

const addressSchema = z.string().trim().min(1, { message: 'must not be empty' }).max(500, { message: 'must be at most 500 characters' });

const contactFields = {
  name: nameSchema,
  title: shortTextSchema.optional(),
  role: z.enum(contactRoles),
  phone: phoneSchema.optional(),
  email: emailSchema.optional(),
  birthday: birthdaySchema.optional(),
};

/** Zod schemas of the customer commands' `data` (domain.md §3). */
export const customerCommandSchemas = {
  RegisterCustomer: z
    .strictObject({
      customerId: identifierSchema,
      name: nameSchema,
      kind: z.enum(customerKinds),
      phone: phoneSchema.optional(),
      email: emailSchema.optional(),
      address: addressSchema.optional(),
      industry: shortTextSchema.optional(),
      region: shortTextSchema.optional(),
      source: z.enum(customerSources),
      importance: z.enum(importanceLevels),
      stage: z.enum(lifecycleStages).optional(),
      toPool: z.boolean().optional(),
      owner: identifierSchema.optional(),
    })
    .superRefine((value, ctx) => {
      phoneOrEmail(value, ctx);
      if (value.toPool === true && value.owner !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['owner'], message: 'a customer registered to the pool has no owner' });
      }
    }),
  UpdateCustomerProfile: z.strictObject({
    customerId: identifierSchema,
    changes: z.strictObject({
      name: nameSchema.optional(),
      phone: phoneSchema.nullable().optional(),
      email: emailSchema.nullable().optional(),
      address: addressSchema.nullable().optional(),
      industry: shortTextSchema.nullable().optional(),
      region: shortTextSchema.nullable().optional(),
      importance: z.enum(importanceLevels).optional(),
    }),
  }),
  ChangeCustomerStage: z.strictObject({ customerId: identifierSchema, stage: z.enum(lifecycleStages), reason: shortTextSchema.optional() }),
  AddContact: z.strictObject({ customerId: identifierSchema, contactId: identifierSchema, ...contactFields }).superRefine(phoneOrEmail),
  UpdateContact: z.strictObject({
    customerId: identifierSchema,
    contactId: identifierSchema,
    name: nameSchema.optional(),
    title: shortTextSchema.nullable().optional(),
    role: z.enum(contactRoles).optional(),
    phone: phoneSchema.nullable().optional(),
    email: emailSchema.nullable().optional(),
    birthday: birthdaySchema.nullable().optional(),
  }),
  RemoveContact: z.strictObject({ customerId: identifierSchema, contactId: identifierSchema }),
  LogFollowUp: z.strictObject({
    customerId: identifierSchema,
    channel: z.enum(followUpChannels),
    summary: requiredTextSchema,
    contactId: identifierSchema.optional(),
    nextFollowUpAt: timestampSchema.optional(),
  }),
  ClaimCustomer: z.strictObject({ customerId: identifierSchema }),
  AssignCustomer: z.strictObject({ customerId: identifierSchema, to: identifierSchema }),
  TransferCustomer: z.strictObject({ customerId: identifierSchema, to: identifierSchema, reason: z.enum(transferReasons) }),
  ReleaseCustomer: z.strictObject({ customerId: identifierSchema, note: freeTextSchema.optional(), reason: z.enum(releaseReasons).optional() }),
  RecycleCustomer: z.strictObject({ customerId: identifierSchema, rule: z.enum(recycleRules) }),
  LockCustomer: z.strictObject({ customerId: identifierSchema }),
  UnlockCustomer: z.strictObject({ customerId: identifierSchema }),
  MergeCustomers: z
    .strictObject({ survivorId: identifierSchema, duplicateId: identifierSchema })
    .refine((value) => value.survivorId !== value.duplicateId, { path: ['duplicateId'], message: 'a customer cannot be merged into itself' }),
  ErasePersonalData: z.strictObject({ customerId: identifierSchema }),
} as const;

type Schemas = typeof customerCommandSchemas;
/** The `data` of each customer command, after validation. */
export type CustomerCommandData = { readonly [Name in keyof Schemas]: z.output<Schemas[Name]> };
