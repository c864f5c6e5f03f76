import { z } from 'zod';
import { memberRoles } from '../context.ts';
import type { Event } from '../shared/messages.ts';
import { storedMoneySchema } from '../shared/money.ts';

/** Zod schemas of the member events' `data`, used to decode events read back from a store. */
export const memberEventSchemas = {
  MemberRegistered: z.object({ memberId: z.string(), name: z.string(), role: z.enum(memberRoles), team: z.string().nullable() }),
  MemberRoleChanged: z.object({ memberId: z.string(), from: z.enum(memberRoles), to: z.enum(memberRoles) }),
  MemberMovedToTeam: z.object({ memberId: z.string(), from: z.string().nullable(), to: z.string() }),
  SalesTargetSet: z.object({ memberId: z.string(), period: z.string(), amount: storedMoneySchema, previous: storedMoneySchema.nullable() }),
  MemberDeactivated: z.object({ memberId: z.string(), successorId: z.string().nullable(), role: z.enum(memberRoles), team: z.string().nullable() }),
} as const;

type Schemas = typeof memberEventSchemas;
/** The member events. */
export type MemberEvent = { [Type in keyof Schemas]: Event<Type, z.output<Schemas[Type]>> }[keyof Schemas];
