import { own } from '../shared/records.ts';
import type { Timestamp } from '../shared/time.ts';
import type { customerKinds, customerSources, importanceLevels, LifecycleStage } from './commands.ts';
import type { Contact, CustomerEvent } from './events.ts';

/** Whether a customer can still be acted on. */
export type CustomerStatus = 'active' | 'merged' | 'erased';

/** A customer's stream state (`customer-<id>`). */
export interface CustomerState {
  readonly kind: 'customer';
  readonly exists: boolean;
  readonly id: string;
  readonly name: string | null;
  readonly customerKind: (typeof customerKinds)[number];
  readonly phone: string | null;
  readonly email: string | null;
  readonly address: string | null;
  readonly industry: string | null;
  readonly region: string | null;
  readonly source: (typeof customerSources)[number];
  readonly importance: (typeof importanceLevels)[number];
  readonly stage: LifecycleStage;
  /** The owner, or `null` when the customer is in the public pool. */
  readonly owner: string | null;
  /** When the current ownership (or pool period) started: every owner change resets it. */
  readonly ownedSince: Timestamp | null;
  readonly lastFollowUpAt: Timestamp | null;
  readonly nextFollowUpAt: Timestamp | null;
  readonly locked: boolean;
  readonly contacts: { readonly [contactId: string]: Contact };
  /** Per former owner, when its ownership last ended by release, recycle or transfer (the reclaim cooldown). */
  readonly ownershipEndedAt: { readonly [memberId: string]: Timestamp };
  readonly status: CustomerStatus;
  readonly mergedInto: string | null;
  readonly lastEventAt: Timestamp | null;
}

/** The state of a customer stream with no events. */
export const initialCustomerState: CustomerState = {
  kind: 'customer',
  exists: false,
  id: '',
  name: null,
  customerKind: 'company',
  phone: null,
  email: null,
  address: null,
  industry: null,
  region: null,
  source: 'other',
  importance: 'C',
  stage: 'potential',
  owner: null,
  ownedSince: null,
  lastFollowUpAt: null,
  nextFollowUpAt: null,
  locked: false,
  contacts: {},
  ownershipEndedAt: {},
  status: 'active',
  mergedInto: null,
  lastEventAt: null,
};

const endOwnership = (state: CustomerState, memberId: string, at: Timestamp): CustomerState['ownershipEndedAt'] => ({
  ...state.ownershipEndedAt,
  [memberId]: at,
});

const withoutKey = <Value>(record: { readonly [key: string]: Value }, key: string): { readonly [key: string]: Value } => {
  const { [key]: _removed, ...rest } = record;
  return rest;
};

/** Folds one customer event into the state. Total: never throws. */
export function evolveCustomer(state: CustomerState, event: CustomerEvent): CustomerState {
  const at = event.metadata.at;
  const next: CustomerState = { ...state, lastEventAt: at };
  switch (event.type) {
    case 'CustomerRegistered': {
      const { data } = event;
      return {
        ...next,
        exists: true,
        id: data.customerId,
        name: data.name,
        customerKind: data.kind,
        phone: data.phone,
        email: data.email,
        address: data.address,
        industry: data.industry,
        region: data.region,
        source: data.source,
        importance: data.importance,
        stage: data.stage,
        owner: data.owner,
        ownedSince: at,
      };
    }
    case 'CustomerProfileUpdated': {
      const { data } = event;

      const changes = data.changes;
      return {
        ...next,
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.phone !== undefined ? { phone: changes.phone } : {}),
        ...(changes.email !== undefined ? { email: changes.email } : {}),
        ...(changes.address !== undefined ? { address: changes.address } : {}),
        ...(changes.industry !== undefined ? { industry: changes.industry } : {}),
        ...(changes.region !== undefined ? { region: changes.region } : {}),
        ...(changes.importance !== undefined ? { importance: changes.importance } : {}),
      };
    }
    case 'CustomerStageChanged': {
      const { data } = event;
      return { ...next, stage: data.to };
    }
    case 'ContactAdded': {
      const { data } = event;
      return { ...next, contacts: { ...state.contacts, [data.contact.contactId]: data.contact } };
    }
    case 'ContactUpdated': {
      const { data } = event;

      const contact = own(state.contacts, data.contactId);
      if (contact === undefined) return next;
      const updated: Contact = {
        ...contact,
        ...Object.fromEntries(Object.entries(data.changes).filter(([, value]) => value !== undefined)),
      };
      return { ...next, contacts: { ...state.contacts, [data.contactId]: updated } };
    }
    case 'ContactRemoved': {
      const { data } = event;
      return { ...next, contacts: withoutKey(state.contacts, data.contactId) };
    }
    case 'FollowUpLogged': {
      const { data } = event;
      return { ...next, lastFollowUpAt: at, nextFollowUpAt: data.nextFollowUpAt };
    }
    case 'CustomerClaimed': {
      const { data } = event;
      return { ...next, owner: data.to, ownedSince: at, nextFollowUpAt: null };
    }
    case 'CustomerAssigned': {
      const { data } = event;
      return { ...next, owner: data.to, ownedSince: at, nextFollowUpAt: null };
    }
    case 'CustomerTransferred': {
      const { data } = event;
      return {
        ...next,
        owner: data.to,
        ownedSince: at,
        ownershipEndedAt: endOwnership(state, data.from, at),
      };
    }
    case 'CustomerReleased': {
      const { data } = event;
      return {
        ...next,
        owner: null,
        ownedSince: at,
        nextFollowUpAt: null,
        ownershipEndedAt: endOwnership(state, data.from, at),
      };
    }
    case 'CustomerRecycled': {
      const { data } = event;
      return {
        ...next,
        owner: null,
        ownedSince: at,
        nextFollowUpAt: null,
        ownershipEndedAt: endOwnership(state, data.from, at),
      };
    }
    case 'CustomerLocked': {
      return { ...next, locked: true };
    }
    case 'CustomerUnlocked': {
      return { ...next, locked: false };
    }
    case 'CustomerMerged': {
      const { data } = event;
      return { ...next, status: 'merged', mergedInto: data.survivorId };
    }
    case 'DuplicateCustomerAbsorbed': {
      const { data } = event;
      return {
        ...next,
        contacts: { ...state.contacts, ...Object.fromEntries(data.contacts.map((contact) => [contact.contactId, contact])) },
      };
    }
    case 'PersonalDataErased': {
      return {
        ...next,
        status: 'erased',
        name: null,
        phone: null,
        email: null,
        address: null,
        contacts: Object.fromEntries(
          Object.entries(state.contacts).map(([id, contact]) => [id, { ...contact, name: null, phone: null, email: null, birthday: null }]),
        ),
      };
    }
  }
}
