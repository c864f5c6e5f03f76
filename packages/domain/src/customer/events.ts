import { z } from 'zod';
import type { Event } from '../shared/messages.ts';
import { contactRoles, customerKinds, customerSources, followUpChannels, importanceLevels, lifecycleStages, recycleRules, releaseReasons, transferReasons } from './commands.ts';

/**
 * Personal fields (name, phone, email, address; contact name, phone, email,
 * birthday) are stored encrypted with a per-customer key and read back as
 * `null` once the key is destroyed (`ErasePersonalData`), so their schemas
 * allow `null`.
 */
const personal = z.string().nullable();

/** A contact person of a customer. */
export const contactSchema = z.object({
  contactId: z.string(),
  name: personal,
  title: z.string().nullable(),
  role: z.enum(contactRoles),
  phone: personal,
  email: personal,
  birthday: personal,
});
export type Contact = z.output<typeof contactSchema>;

const profileChanges = z.object({
  name: personal.optional(),
  phone: personal.optional(),
  email: personal.optional(),
  address: personal.optional(),
  industry: z.string().nullable().optional(),
  region: z.string().nullable().optional(),
  importance: z.enum(importanceLevels).optional(),
});
export type ProfileChanges = z.output<typeof profileChanges>;

const contactChanges = z.object({
  name: personal.optional(),
  title: z.string().nullable().optional(),
  role: z.enum(contactRoles).optional(),
  phone: personal.optional(),
  email: personal.optional(),
  birthday: personal.optional(),
});
export type ContactChanges = z.output<typeof contactChanges>;

const customerId = z.string();

/** Zod schemas of the customer events' `data`, used to decode events read back from a store. */
export const customerEventSchemas = {
  CustomerRegistered: z.object({
    customerId,
    name: personal,
    kind: z.enum(customerKinds),
    phone: personal,
    email: personal,
    address: personal,
    industry: z.string().nullable(),
    region: z.string().nullable(),
    source: z.enum(customerSources),
    importance: z.enum(importanceLevels),
    stage: z.enum(lifecycleStages),
    /** The first owner, or `null` when registered into the pool. */
    owner: z.string().nullable(),
    /** Active customers with a similar (folded-equal) name: accepted, but flagged. */
    possibleDuplicateOf: z.array(z.string()),
  }),
  CustomerProfileUpdated: z.object({ customerId, changes: profileChanges, previous: profileChanges, possibleDuplicateOf: z.array(z.string()) }),
  CustomerStageChanged: z.object({ customerId, from: z.enum(lifecycleStages), to: z.enum(lifecycleStages), reason: z.string().nullable() }),
  ContactAdded: z.object({ customerId, contact: contactSchema }),
  ContactUpdated: z.object({ customerId, contactId: z.string(), changes: contactChanges, previous: contactChanges }),
  ContactRemoved: z.object({ customerId, contactId: z.string() }),
  FollowUpLogged: z.object({
    customerId,
    channel: z.enum(followUpChannels),
    summary: z.string(),
    contactId: z.string().nullable(),
    nextFollowUpAt: z.string().nullable(),
    /** The customer's owner when the follow-up was logged. */
    owner: z.string(),
  }),
  CustomerClaimed: z.object({
    customerId,
    to: z.string(),
    holdingsBefore: z.number(),
    claimsTodayBefore: z.number(),
    policy: z.object({ holdingLimit: z.number(), dailyClaimLimit: z.number(), reclaimCooldownDays: z.number() }),
  }),
  CustomerAssigned: z.object({ customerId, to: z.string() }),
  CustomerTransferred: z.object({ customerId, from: z.string(), to: z.string(), reason: z.enum(transferReasons) }),
  CustomerReleased: z.object({ customerId, from: z.string(), reason: z.enum(releaseReasons), note: z.string().nullable() }),
  CustomerRecycled: z.object({
    customerId,
    from: z.string(),
    rule: z.enum(recycleRules),
    idleDays: z.number(),
    ownedSince: z.string(),
    lastFollowUpAt: z.string().nullable(),
    lastDealWonAt: z.string().nullable(),
    policy: z.object({ noFollowUpDays: z.number(), noDealDays: z.number(), protectionDays: z.number() }),
  }),
  CustomerLocked: z.object({ customerId }),
  CustomerUnlocked: z.object({ customerId }),
  /** The duplicate side of a merge: its ownership ends here, with no period after it. */
  CustomerMerged: z.object({ customerId, survivorId: z.string(), owner: z.string().nullable() }),
  /** The survivor side of a merge: it absorbs the duplicate's contacts. */
  DuplicateCustomerAbsorbed: z.object({ customerId, duplicateId: z.string(), contacts: z.array(contactSchema) }),
  PersonalDataErased: z.object({ customerId }),
} as const;

type Schemas = typeof customerEventSchemas;
/** The customer events. */
export type CustomerEvent = { [Type in keyof Schemas]: Event<Type, z.output<Schemas[Type]>> }[keyof Schemas];
/** One customer event by type. */
export type CustomerEventOf<Type extends CustomerEvent['type']> = Extract<CustomerEvent, { type: Type }>;

/**
 * Where personal data sits in each customer event (dotted paths; `*` for
 * every array element). The runtime encrypts exactly these fields.
 */
export const customerPersonalFields: { readonly [Type in CustomerEvent['type']]?: readonly string[] } = {
  CustomerRegistered: ['name', 'phone', 'email', 'address'],
  CustomerProfileUpdated: ['changes.name', 'changes.phone', 'changes.email', 'changes.address', 'previous.name', 'previous.phone', 'previous.email', 'previous.address'],
  ContactAdded: ['contact.name', 'contact.phone', 'contact.email', 'contact.birthday'],
  ContactUpdated: ['changes.name', 'changes.phone', 'changes.email', 'changes.birthday', 'previous.name', 'previous.phone', 'previous.email', 'previous.birthday'],
  DuplicateCustomerAbsorbed: ['contacts.*.name', 'contacts.*.phone', 'contacts.*.email', 'contacts.*.birthday'],
};
