import { z } from 'zod';
import { ticketPriorities } from '../config/configuration.ts';
import { freeTextSchema, identifierSchema, nameSchema, requiredTextSchema } from '../shared/text.ts';

export const ticketCategories = ['complaint', 'repair', 'question', 'request', 'return'] as const;
export const ticketChannels = ['phone', 'email', 'web', 'visit', 'chat'] as const;
export const commentVisibilities = ['public', 'internal'] as const;
/** Ticket statuses (domain.md §5). */
export const ticketStatuses = ['open', 'assigned', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof ticketStatuses)[number];

/** Zod schemas of the ticket commands' `data` (domain.md §5). */
export const ticketCommandSchemas = {
  OpenTicket: z.strictObject({
    ticketId: identifierSchema,
    customerId: identifierSchema,
    subject: nameSchema,
    description: freeTextSchema.optional(),
    category: z.enum(ticketCategories),
    priority: z.enum(ticketPriorities),
    channel: z.enum(ticketChannels),
  }),
  AssignTicket: z.strictObject({ ticketId: identifierSchema, to: identifierSchema }),
  /** Not in the original table: the departure handover needs a way to take a ticket off a member. */
  UnassignTicket: z.strictObject({ ticketId: identifierSchema, reason: freeTextSchema.optional() }),
  CommentOnTicket: z.strictObject({ ticketId: identifierSchema, body: requiredTextSchema, visibility: z.enum(commentVisibilities) }),
  ChangeTicketPriority: z.strictObject({ ticketId: identifierSchema, priority: z.enum(ticketPriorities) }),
  EscalateTicket: z.strictObject({ ticketId: identifierSchema, reason: requiredTextSchema }),
  ResolveTicket: z.strictObject({ ticketId: identifierSchema, resolution: requiredTextSchema }),
  CloseTicket: z.strictObject({ ticketId: identifierSchema }),
  ReopenTicket: z.strictObject({ ticketId: identifierSchema, reason: requiredTextSchema }),
  RateTicket: z.strictObject({
    ticketId: identifierSchema,
    score: z.number().int({ message: 'must be a whole number 1-5' }).min(1, { message: 'must be 1-5' }).max(5, { message: 'must be 1-5' }),
    comment: freeTextSchema.optional(),
  }),
} as const;

type Schemas = typeof ticketCommandSchemas;
/** The `data` of each ticket command, after validation. */
export type TicketCommandData = { readonly [Name in keyof Schemas]: z.output<Schemas[Name]> };
