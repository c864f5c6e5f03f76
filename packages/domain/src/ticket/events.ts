import { z } from 'zod';
import { ticketPriorities } from '../config/configuration.ts';
import type { Event } from '../shared/messages.ts';
import { commentVisibilities, ticketCategories, ticketChannels, ticketStatuses } from './commands.ts';

const ticketId = z.string();
const slaHours = z.object({ firstResponse: z.number(), resolution: z.number() });

/** Zod schemas of the ticket events' `data`, used to decode events read back from a store. */
export const ticketEventSchemas = {
  TicketOpened: z.object({
    ticketId,
    customerId: z.string(),
    subject: z.string(),
    description: z.string().nullable(),
    category: z.enum(ticketCategories),
    priority: z.enum(ticketPriorities),
    channel: z.enum(ticketChannels),
    /** The SLA hours in force at opening, and the due times they give. */
    slaHours,
    firstResponseDueAt: z.string(),
    resolutionDueAt: z.string(),
  }),
  TicketAssigned: z.object({ ticketId, from: z.string().nullable(), to: z.string() }),
  TicketUnassigned: z.object({ ticketId, from: z.string(), reason: z.string().nullable() }),
  TicketCommented: z.object({
    ticketId,
    body: z.string(),
    visibility: z.enum(commentVisibilities),
    /** True when this is the first public comment by a member: the first response. */
    firstResponse: z.boolean(),
    /** For a first response: whether it met its SLA target. */
    firstResponseMet: z.boolean().nullable(),
  }),
  TicketPriorityChanged: z.object({
    ticketId,
    from: z.enum(ticketPriorities),
    to: z.enum(ticketPriorities),
    slaHours,
    firstResponseDueAt: z.string(),
    resolutionDueAt: z.string(),
  }),
  TicketEscalated: z.object({ ticketId, level: z.number(), reason: z.string() }),
  TicketResolved: z.object({
    ticketId,
    resolution: z.string(),
    /** The member credited: the assignee, else the manager or admin who resolved it, else nobody. */
    resolvedBy: z.string().nullable(),
    openedAt: z.string(),
    /** True when this resolution also counts as the first response. */
    firstResponse: z.boolean(),
    firstResponseMet: z.boolean(),
    resolutionMet: z.boolean(),
  }),
  TicketClosed: z.object({ ticketId }),
  TicketReopened: z.object({ ticketId, reason: z.string(), status: z.enum(ticketStatuses) }),
  TicketRated: z.object({
    ticketId,
    score: z.number(),
    comment: z.string().nullable(),
    /** The member credited with the resolution being rated. */
    resolvedBy: z.string().nullable(),
  }),
} as const;

type Schemas = typeof ticketEventSchemas;
/** The ticket events. */
export type TicketEvent = { [Type in keyof Schemas]: Event<Type, z.output<Schemas[Type]>> }[keyof Schemas];
