/**
 * The command objects the converter produces: exactly the NDJSON command
 * format of the CLI contract (`{ command, id, actor, at, data }`), so they can
 * be written to a file and run with `eventcrm exec` as well as passed to
 * `Crm.executeBatch`. Typed per command so a mapping mistake is a compile
 * error here rather than an `INVALID_COMMAND` at import time.
 */

/** Money as commands take it: a decimal string and an ISO-4217 code. */
export interface MoneyInput {
  readonly amount: string;
  readonly currency: string;
}

interface CommandInput<Name extends string, Data> {
  readonly command: Name;
  /** Deterministic, so importing the same files twice appends nothing the second time. */
  readonly id: string;
  readonly actor: string;
  /** Effective time (historical import), `YYYY-MM-DDTHH:mm:ss.sssZ`. */
  readonly at: string;
  readonly data: Data;
}

/** `RegisterMember` (domain.md §2). */
export type RegisterMemberInput = CommandInput<'RegisterMember', { readonly memberId: string; readonly name: string; readonly role: 'rep' | 'manager' | 'admin'; readonly team?: string }>;

/** `Configure` with the dataset's pipeline (domain.md §1). */
export type ConfigureInput = CommandInput<'Configure', { readonly pipeline: { readonly stages: readonly { readonly id: string; readonly probability: number }[] } }>;

/** `RegisterCustomer` (domain.md §3): an account, or the stand-in for an agent's unnamed accounts. */
export type RegisterCustomerInput = CommandInput<
  'RegisterCustomer',
  {
    readonly customerId: string;
    readonly name: string;
    readonly kind: 'company';
    readonly email: string;
    readonly industry?: string;
    readonly region?: string;
    readonly source: 'other';
    readonly importance: 'A' | 'B' | 'C';
    readonly owner?: string;
    readonly toPool?: true;
  }
>;

/** `OpenOpportunity` (domain.md §4). */
export type OpenOpportunityInput = CommandInput<
  'OpenOpportunity',
  {
    readonly opportunityId: string;
    readonly customerId: string;
    readonly title: string;
    readonly amount: MoneyInput;
    readonly expectedCloseDate: string;
    readonly stage: string;
    readonly owner: string;
  }
>;

/** `WinOpportunity` with the final amount (domain.md §4). */
export type WinOpportunityInput = CommandInput<'WinOpportunity', { readonly opportunityId: string; readonly amount: MoneyInput }>;

/** `LoseOpportunity` (domain.md §4); the dataset records no reason. */
export type LoseOpportunityInput = CommandInput<'LoseOpportunity', { readonly opportunityId: string; readonly reason: 'other' }>;

/** Every command the Maven import issues. */
export type MavenCommand = RegisterMemberInput | ConfigureInput | RegisterCustomerInput | OpenOpportunityInput | WinOpportunityInput | LoseOpportunityInput;
