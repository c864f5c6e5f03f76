import { z } from 'zod';
import { memberRoles } from '../context.ts';
import { moneyInputSchema } from '../shared/money.ts';
import { identifierSchema, memberIdSchema, nameSchema } from '../shared/text.ts';
import { periodSchema } from '../shared/time.ts';

/** A team name: an identifier-like label such as `north`. */
export const teamSchema = z.string().trim().regex(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'must be 1-64 characters of A-Z a-z 0-9 . _ : -' });

/** Zod schemas of the member commands' `data` (domain.md §2). */
export const memberCommandSchemas = {
  RegisterMember: z.strictObject({
    memberId: memberIdSchema,
    name: nameSchema,
    role: z.enum(memberRoles),
    team: teamSchema.optional(),
  }),
  ChangeMemberRole: z.strictObject({ memberId: identifierSchema, role: z.enum(memberRoles) }),
  MoveMemberToTeam: z.strictObject({ memberId: identifierSchema, team: teamSchema }),
  SetSalesTarget: z.strictObject({ memberId: identifierSchema, period: periodSchema, amount: moneyInputSchema }),
  DeactivateMember: z.strictObject({ memberId: identifierSchema, successorId: identifierSchema.optional() }),
} as const;

type Schemas = typeof memberCommandSchemas;
/** The `data` of each member command, after validation. */
export type MemberCommandData = { readonly [Name in keyof Schemas]: z.output<Schemas[Name]> };
