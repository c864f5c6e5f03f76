import type { MavenCommand, MoneyInput, OpenOpportunityInput, RegisterCustomerInput, RegisterMemberInput } from './commands.ts';
import { mavenFileNames, type MavenDataset, type PipelineRow } from './csv.ts';
import { IdAllocator, slugOf } from './identifiers.ts';

/**
 * The pure converter from the Maven CRM rows to eventcrm commands, in
 * effective-time order. Every decision the data leaves open is a named
 * constant here and is written down in the package README; a row that cannot
 * be imported is skipped and reported with its file and line, never guessed.
 */

/** Every amount in the dataset is in US dollars. */
export const mavenCurrency = 'USD';

/**
 * The pipeline configured before anything else. The dataset has two open
 * stages; `engaging` carries 60 % because 63 % of the dataset's closed deals
 * were won. Won and lost are eventcrm's implicit terminal stages.
 */
export const mavenPipelineStages: readonly { readonly id: string; readonly probability: number }[] = [
  { id: 'prospecting', probability: 10 },
  { id: 'engaging', probability: 60 },
];

/** The dataset's deal stages and the eventcrm stage an opportunity opens in. */
const openingStage = { Prospecting: 'prospecting', Engaging: 'engaging', Won: 'engaging', Lost: 'engaging' } as const;
type DealStage = keyof typeof openingStage;
const isDealStage = (stage: string): stage is DealStage => Object.hasOwn(openingStage, stage);

/**
 * When the tenant is set up (admin, pipeline, members, customers) and when
 * the undated Prospecting opportunities open: before the dataset's first
 * engage date (2016-10-20). A dataset with earlier dates moves it back to
 * its first day, so setup always precedes the history.
 */
export const mavenSetupAt = '2016-10-01T00:00:00.000Z';

/** Days from opening to the expected close date: the dataset's median engage-to-close time (45 days) over its closed deals. */
export const expectedCycleDays = 45;

/** The admin member the import registers (as `system`) and that configures the tenant and registers the team. */
export const mavenAdminId = 'maven-admin';

/** The actor of the historical import itself (customers and opportunities). */
export const importActor = 'system';

/** The domain of the made-up contact addresses (the `.example` TLD is reserved: it can never reach anybody). */
export const contactDomain = 'maven-crm.example';

/** Known misspellings in `accounts.csv`'s sector column, corrected in the customer's industry. */
export const sectorCorrections: Readonly<Record<string, string>> = { technolgy: 'technology' };

/** Revenue (millions of USD) from which an account is importance A, resp. B; below is C. */
export const importanceThresholds = { A: 2000, B: 500 } as const;

/** A row that was not imported, and why. */
export interface SkippedRow {
  readonly file: string;
  readonly line: number;
  /** The row's key (agent, account, product or opportunity id). */
  readonly key: string;
  readonly reason: string;
}

/** What the conversion decided, in numbers (the README's figures come from here). */
export interface ConversionSummary {
  readonly setupAt: string;
  readonly members: { readonly admins: number; readonly managers: number; readonly agents: number; readonly agentsWithoutOpportunities: readonly string[] };
  readonly teams: readonly string[];
  readonly customers: { readonly accounts: number; readonly owned: number; readonly inPool: number; readonly unknownAccount: number };
  readonly opportunities: {
    readonly rows: number;
    readonly imported: number;
    readonly won: number;
    readonly lost: number;
    readonly open: number;
    /** Prospecting rows without an engage date, opened at setup time. */
    readonly openedAtSetup: number;
    /** Rows without an account, booked on their agent's stand-in customer. */
    readonly withoutAccount: number;
  };
  readonly corrections: {
    /** Pipeline product names that differ from `products.csv` and the product they were matched to, with the number of rows. */
    readonly productNames: Readonly<Record<string, { readonly product: string; readonly rows: number }>>;
    /** Misspelled sectors corrected, with the number of accounts. */
    readonly sectors: Readonly<Record<string, { readonly industry: string; readonly accounts: number }>>;
  };
}

/** The ids the conversion gave to the dataset's names, for callers that relate results back to the CSV. */
export interface ConversionIds {
  /** Agent and manager names → member ids. */
  readonly members: ReadonlyMap<string, string>;
  /** Manager names → team. Every agent is in its manager's team. */
  readonly teams: ReadonlyMap<string, string>;
  /** Account names → customer ids. */
  readonly accounts: ReadonlyMap<string, string>;
  /** Agent names → the stand-in customer for their opportunities without an account. */
  readonly unknownAccounts: ReadonlyMap<string, string>;
}

/** The converter's result. */
export interface MavenConversion {
  /** In effective-time order: execute them in this order. */
  readonly commands: readonly MavenCommand[];
  readonly skipped: readonly SkippedRow[];
  readonly summary: ConversionSummary;
  readonly ids: ConversionIds;
}

/** A whole or two-decimal amount of dollars, as the money input takes it. */
const dollars = /^\d{1,15}(\.\d{1,2})?$/;
const calendarDate = /^(\d{4})-(\d{2})-(\d{2})$/;
const opportunityIdPattern = /^[A-Za-z0-9._:-]{1,48}$/;
const DAY_MS = 86_400_000;

const isCalendarDate = (text: string): boolean => {
  const parts = calendarDate.exec(text);
  if (parts === null) return false;
  const date = new Date(Date.UTC(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3])));
  return date.toISOString().slice(0, 10) === text;
};
const startOfDay = (date: string): string => `${date}T00:00:00.000Z`;
const addDays = (instant: string, days: number): string => new Date(Date.parse(instant) + days * DAY_MS).toISOString().slice(0, 10);
const usd = (amount: string): MoneyInput => ({ amount, currency: mavenCurrency });
/** Product names compared without case or spaces: the pipeline's `GTXPro` is the product list's `GTX Pro`. */
const productKey = (name: string): string => name.toLowerCase().replace(/\s+/g, '');

/** Order of command kinds that share an effective time: who acts exists, then what is acted on. */
const phases = { admin: 0, configure: 1, manager: 2, agent: 3, customer: 4, open: 5, close: 6 } as const;

/** An opportunity row that passed every check, with what it maps to. */
interface AcceptedRow {
  readonly row: PipelineRow;
  readonly stage: DealStage;
  readonly agentId: string;
  readonly product: string;
  readonly listPrice: string;
  readonly openAt: string;
}

/**
 * Converts the dataset to commands (see the README for every decision).
 * Pure: the same dataset always gives the same commands, ids and order.
 */
export function convertMavenDataset(dataset: MavenDataset): MavenConversion {
  const skipped: SkippedRow[] = [];
  const skip = (file: string, line: number, key: string, reason: string): void => {
    skipped.push({ file, line, key, reason });
  };
  const memberIds = new IdAllocator();
  memberIds.idOf(`\u0000${mavenAdminId}`); // reserves the admin's id for the admin
  const customerIds = new IdAllocator();

  // Team directory: one team per manager, named after its regional office and manager.
  const agents = new Map<string, { readonly memberId: string; readonly team: string }>();
  const managers = new Map<string, { readonly memberId: string; readonly team: string }>();
  for (const row of dataset.salesTeams) {
    const file = mavenFileNames.salesTeams;
    if (row.salesAgent === '' || row.manager === '' || row.regionalOffice === '') {
      skip(file, row.line, row.salesAgent, 'sales_agent, manager and regional_office are all required');
      continue;
    }
    if (agents.has(row.salesAgent)) {
      skip(file, row.line, row.salesAgent, 'agent listed again (the first row counts)');
      continue;
    }
    let manager = managers.get(row.manager);
    if (manager === undefined) {
      manager = { memberId: memberIds.idOf(row.manager), team: `${slugOf(row.regionalOffice)}.${slugOf(row.manager)}` };
      managers.set(row.manager, manager);
    }
    agents.set(row.salesAgent, { memberId: memberIds.idOf(row.salesAgent), team: manager.team });
  }

  // Products by name, and by the space- and case-blind key for the pipeline's variants.
  const products = new Map<string, string>();
  const productsByKey = new Map<string, string | null>();
  for (const row of dataset.products) {
    if (!dollars.test(row.salesPrice)) {
      skip(mavenFileNames.products, row.line, row.product, `sales_price ${JSON.stringify(row.salesPrice)} is not an amount of dollars`);
      continue;
    }
    if (products.has(row.product)) {
      skip(mavenFileNames.products, row.line, row.product, 'product listed again (the first row counts)');
      continue;
    }
    products.set(row.product, row.salesPrice);
    const key = productKey(row.product);
    productsByKey.set(key, productsByKey.has(key) ? null : row.product); // null: two products fold together, so neither is matched loosely
  }
  const resolveProduct = (name: string): string | undefined => (products.has(name) ? name : (productsByKey.get(productKey(name)) ?? undefined));

  // Accounts.
  const accounts = new Map<string, { readonly customerId: string; readonly industry: string | null; readonly region: string | null; readonly importance: 'A' | 'B' | 'C' }>();
  const sectorFixes = new Map<string, { industry: string; accounts: number }>();
  for (const row of dataset.accounts) {
    if (row.account === '') {
      skip(mavenFileNames.accounts, row.line, row.account, 'account name is empty');
      continue;
    }
    if (accounts.has(row.account)) {
      skip(mavenFileNames.accounts, row.line, row.account, 'account listed again (the first row counts)');
      continue;
    }
    const corrected = Object.hasOwn(sectorCorrections, row.sector) ? sectorCorrections[row.sector]! : undefined;
    if (corrected !== undefined) {
      const fix = sectorFixes.get(row.sector) ?? { industry: corrected, accounts: 0 };
      fix.accounts += 1;
      sectorFixes.set(row.sector, fix);
    }
    const revenue = Number(row.revenue);
    const importance = !Number.isFinite(revenue) || row.revenue === '' ? 'C' : revenue >= importanceThresholds.A ? 'A' : revenue >= importanceThresholds.B ? 'B' : 'C';
    accounts.set(row.account, {
      customerId: customerIds.idOf(row.account),
      industry: (corrected ?? row.sector) || null,
      region: row.officeLocation || null,
      importance,
    });
  }

  // Opportunities: every check first, so that nothing references a row that is skipped.
  const accepted: AcceptedRow[] = [];
  const seenOpportunities = new Set<string>();
  for (const row of dataset.pipeline) {
    const reject = (reason: string): void => skip(mavenFileNames.pipeline, row.line, row.opportunityId, reason);
    if (!opportunityIdPattern.test(row.opportunityId)) {
      reject('opportunity_id is not 1-48 characters of A-Z a-z 0-9 . _ : -');
      continue;
    }
    if (seenOpportunities.has(row.opportunityId)) {
      reject('opportunity listed again (the first row counts)');
      continue;
    }
    if (!isDealStage(row.dealStage)) {
      reject(`unknown deal_stage ${JSON.stringify(row.dealStage)}`);
      continue;
    }
    const agent = agents.get(row.salesAgent);
    if (agent === undefined) {
      reject(`sales agent ${JSON.stringify(row.salesAgent)} is not in ${mavenFileNames.salesTeams}`);
      continue;
    }
    const product = resolveProduct(row.product);
    if (product === undefined) {
      reject(`product ${JSON.stringify(row.product)} is not in ${mavenFileNames.products}`);
      continue;
    }
    if (row.account !== null && !accounts.has(row.account)) {
      reject(`account ${JSON.stringify(row.account)} is not in ${mavenFileNames.accounts}`);
      continue;
    }
    const badDate = (
      [
        ['engage_date', row.engageDate],
        ['close_date', row.closeDate],
      ] as const
    ).find(([, value]) => value !== null && !isCalendarDate(value));
    if (badDate !== undefined) {
      reject(`${badDate[0]} ${JSON.stringify(badDate[1])} is not a date YYYY-MM-DD`);
      continue;
    }
    const stage = row.dealStage;
    if (stage !== 'Prospecting' && row.engageDate === null) {
      reject(`${stage} opportunities need an engage_date`);
      continue;
    }
    const closed = stage === 'Won' || stage === 'Lost';
    if (closed && row.closeDate === null) {
      reject(`${stage} opportunities need a close_date`);
      continue;
    }
    if (!closed && row.closeDate !== null) {
      reject(`an open (${stage}) opportunity has a close_date`);
      continue;
    }
    if (closed && row.engageDate !== null && row.closeDate! < row.engageDate) {
      reject(`closed (${row.closeDate}) before it was engaged (${row.engageDate})`);
      continue;
    }
    if (stage === 'Won' && (row.closeValue === null || !dollars.test(row.closeValue))) {
      reject(`Won opportunities need a close_value in dollars, not ${JSON.stringify(row.closeValue)}`);
      continue;
    }
    seenOpportunities.add(row.opportunityId);
    accepted.push({ row, stage, agentId: agent.memberId, product, listPrice: products.get(product)!, openAt: row.engageDate === null ? '' : startOfDay(row.engageDate) });
  }

  const productNameCorrections = new Map<string, { product: string; rows: number }>();
  for (const { row, product } of accepted) {
    if (row.product === product) continue;
    const correction = productNameCorrections.get(row.product) ?? { product, rows: 0 };
    correction.rows += 1;
    productNameCorrections.set(row.product, correction);
  }

  // Setup happens before the first dated opportunity, at the default time or earlier.
  const firstDated = accepted.reduce<string | null>((first, { openAt }) => (openAt !== '' && (first === null || openAt < first) ? openAt : first), null);
  const setupAt = firstDated !== null && firstDated < mavenSetupAt ? firstDated : mavenSetupAt;

  // The account's owner is the agent with the most opportunities on it (ties: the lowest member id).
  const countsByAccount = new Map<string, Map<string, number>>();
  for (const { row, agentId } of accepted) {
    if (row.account === null) continue;
    const counts = countsByAccount.get(row.account) ?? new Map<string, number>();
    counts.set(agentId, (counts.get(agentId) ?? 0) + 1);
    countsByAccount.set(row.account, counts);
  }
  const ownerOf = (account: string): string | undefined => {
    let best: [string, number] | undefined;
    for (const [agentId, count] of countsByAccount.get(account) ?? []) {
      if (best === undefined || count > best[1] || (count === best[1] && agentId < best[0])) best = [agentId, count];
    }
    return best?.[0];
  };

  // Commands, each with its effective time and phase for the final ordering.
  const planned: { readonly at: string; readonly phase: number; readonly command: MavenCommand }[] = [];
  const add = (phase: number, command: MavenCommand): void => {
    planned.push({ at: command.at, phase, command });
  };
  const registerMember = (actor: string, data: RegisterMemberInput['data']): RegisterMemberInput => ({
    command: 'RegisterMember',
    id: `maven.member.${data.memberId}`,
    actor,
    at: setupAt,
    data,
  });

  add(phases.admin, registerMember(importActor, { memberId: mavenAdminId, name: 'Maven import admin', role: 'admin' }));
  add(phases.configure, { command: 'Configure', id: 'maven.configure.pipeline', actor: mavenAdminId, at: setupAt, data: { pipeline: { stages: mavenPipelineStages } } });
  for (const [name, manager] of managers) add(phases.manager, registerMember(mavenAdminId, { memberId: manager.memberId, name, role: 'manager', team: manager.team }));
  for (const [name, agent] of agents) add(phases.agent, registerMember(mavenAdminId, { memberId: agent.memberId, name, role: 'rep', team: agent.team }));

  const registerCustomer = (data: Omit<RegisterCustomerInput['data'], 'kind' | 'source' | 'email'>): RegisterCustomerInput => ({
    command: 'RegisterCustomer',
    id: `maven.customer.${data.customerId}`,
    actor: importActor,
    at: setupAt,
    data: { ...data, kind: 'company', email: `${data.customerId}@${contactDomain}`, source: 'other' },
  });
  let owned = 0;
  let inPool = 0;
  for (const [name, account] of accounts) {
    const owner = ownerOf(name);
    if (owner === undefined) inPool += 1;
    else owned += 1;
    add(
      phases.customer,
      registerCustomer({
        customerId: account.customerId,
        name,
        ...(account.industry === null ? {} : { industry: account.industry }),
        ...(account.region === null ? {} : { region: account.region }),
        importance: account.importance,
        ...(owner === undefined ? { toPool: true } : { owner }),
      }),
    );
  }

  // Opportunities without an account go to a stand-in customer per agent, owned by that agent.
  const unknownAccounts = new Map<string, string>();
  const agentNames = new Map([...agents].map(([name, agent]) => [agent.memberId, name]));
  for (const { row, agentId } of accepted) {
    if (row.account !== null || unknownAccounts.has(row.salesAgent)) continue;
    const customerId = `unknown.${agentId}`;
    unknownAccounts.set(row.salesAgent, customerId);
    add(phases.customer, registerCustomer({ customerId, name: `Unknown account (${agentNames.get(agentId)!})`, importance: 'C', owner: agentId }));
  }

  let won = 0;
  let lost = 0;
  let openedAtSetup = 0;
  for (const { row, stage, agentId, product, listPrice, openAt } of accepted) {
    const at = openAt === '' ? setupAt : openAt;
    if (openAt === '') openedAtSetup += 1;
    const open: OpenOpportunityInput = {
      command: 'OpenOpportunity',
      id: `maven.open.${row.opportunityId}`,
      actor: importActor,
      at,
      data: {
        opportunityId: row.opportunityId,
        customerId: row.account === null ? unknownAccounts.get(row.salesAgent)! : accounts.get(row.account)!.customerId,
        title: `${product} for ${row.account ?? 'an unknown account'}`,
        amount: usd(listPrice),
        expectedCloseDate: addDays(at, expectedCycleDays),
        stage: openingStage[stage],
        owner: agentId,
      },
    };
    add(phases.open, open);
    if (stage === 'Won') {
      won += 1;
      add(phases.close, { command: 'WinOpportunity', id: `maven.win.${row.opportunityId}`, actor: importActor, at: startOfDay(row.closeDate!), data: { opportunityId: row.opportunityId, amount: usd(row.closeValue!) } });
    } else if (stage === 'Lost') {
      lost += 1;
      add(phases.close, { command: 'LoseOpportunity', id: `maven.lose.${row.opportunityId}`, actor: importActor, at: startOfDay(row.closeDate!), data: { opportunityId: row.opportunityId, reason: 'other' } });
    }
  }

  planned.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.phase - b.phase || (a.command.id < b.command.id ? -1 : a.command.id > b.command.id ? 1 : 0)));

  const agentsWithOpportunities = new Set(accepted.map(({ agentId }) => agentId));
  return {
    commands: planned.map(({ command }) => command),
    skipped,
    summary: {
      setupAt,
      members: {
        admins: 1,
        managers: managers.size,
        agents: agents.size,
        agentsWithoutOpportunities: [...agents].filter(([, agent]) => !agentsWithOpportunities.has(agent.memberId)).map(([name]) => name),
      },
      teams: [...new Set([...managers.values()].map((manager) => manager.team))],
      customers: { accounts: accounts.size, owned, inPool, unknownAccount: unknownAccounts.size },
      opportunities: {
        rows: dataset.pipeline.length,
        imported: accepted.length,
        won,
        lost,
        open: accepted.length - won - lost,
        openedAtSetup,
        withoutAccount: accepted.filter(({ row }) => row.account === null).length,
      },
      corrections: { productNames: Object.fromEntries(productNameCorrections), sectors: Object.fromEntries(sectorFixes) },
    },
    ids: {
      members: new Map([...[...managers].map(([name, manager]) => [name, manager.memberId] as const), ...[...agents].map(([name, agent]) => [name, agent.memberId] as const)]),
      teams: new Map([...managers].map(([name, manager]) => [name, manager.team])),
      accounts: new Map([...accounts].map(([name, account]) => [name, account.customerId])),
      unknownAccounts,
    },
  };
}
