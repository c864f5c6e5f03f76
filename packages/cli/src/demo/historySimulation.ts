import {
  applyConfigPatch,
  defaultConfig,
  nextRecycle,
  ruleHoldingAt,
  type CommandName,
  type ConfigPatch,
  type CrmConfig,
  type LifecycleStage,
  type LossReason,
  type RecycleFacts,
  type TicketPriority,
} from '@eventcrm/domain';
import { Agenda } from './historyQueue.ts';
import { SeededRandom, Weighted } from './historyRandom.ts';
import {
  countsForHoldings,
  DAY,
  HOUR,
  ActionKind,
  type ActionSubject,
  type Currency,
  type Customer,
  type DemoCommand,
  type DemoHistorySummary,
  type Member,
  type Opportunity,
  type PlannedDeparture,
  type PoolAssignment,
  type Team,
  type Ticket,
  type TicketStep,
} from './historyModel.ts';
import * as vocabulary from './historyVocabulary.ts';

/** The sizes and seed of one simulated history, already validated. */
export interface SimulationSettings {
  readonly seed: number;
  readonly members: number;
  readonly customers: number;
  readonly startMs: number;
  readonly endMs: number;
}

/** Local aliases: module bindings can be accessors after transpilation, and these are read for every action. */
const Do = ActionKind;
const words = { ...vocabulary };

const MINUTE = 60_000;
const SWEEP_OFFSET = HOUR;
/** Leads an import job registers per second. */
const IMPORT_CHUNK = 50;
const WORK_START = 8 * HOUR;
const WORK_END = 18 * HOUR;
/** Former owners are remembered this long: beyond any cooldown the demo configures. */
const FORMER_OWNER_MEMORY = 60 * DAY;

const teamNames = ['north', 'south', 'emea', 'west', 'east', 'central', 'apac', 'latam', 'nordics', 'gulf', 'pacific', 'alpine'] as const;

/**
 * The configuration recorded at the start: the tenant's own pipeline
 * probabilities, SLAs and pool rules (a patch equal to the defaults would
 * change nothing and append nothing).
 */
const initialConfiguration: ConfigPatch = {
  pool: {
    holdingLimit: 150,
    dailyClaimLimit: 20,
    reclaimCooldownDays: 7,
    protectionDays: 3,
    recycle: { noFollowUpDays: 30, noDealDays: 90, warnDaysBefore: 3 },
  },
  pipeline: {
    stages: [
      { id: 'prospecting', probability: 10 },
      { id: 'qualification', probability: 25 },
      { id: 'needs_analysis', probability: 40 },
      { id: 'proposal', probability: 60 },
      { id: 'negotiation', probability: 80 },
    ],
  },
  sla: {
    urgent: { firstResponse: 1, resolution: 4 },
    high: { firstResponse: 4, resolution: 24 },
    normal: { firstResponse: 8, resolution: 48 },
    low: { firstResponse: 24, resolution: 120 },
  },
};

/** The mid-history policy change: stricter follow-up discipline, fewer claims a day, faster answers to high-priority tickets. */
const laterConfiguration: ConfigPatch = {
  pool: { dailyClaimLimit: 15, recycle: { noFollowUpDays: 21 } },
  sla: { high: { firstResponse: 2 } },
};

const importanceOfImports = new Weighted<'A' | 'B' | 'C'>([['A', 15], ['B', 35], ['C', 50]]);
const importanceOfReferrals = new Weighted<'A' | 'B' | 'C'>([['A', 25], ['B', 45], ['C', 30]]);
const importSources = new Weighted<string>([['web', 45], ['advertising', 30], ['event', 20], ['other', 5]]);
const repSources = new Weighted<string>([['inbound_call', 25], ['outbound_call', 30], ['referral', 25], ['event', 10], ['web', 7], ['other', 3]]);
const prospectChannels = new Weighted<string>([['call', 45], ['email', 25], ['message', 12], ['meeting', 12], ['visit', 6]]);
const accountChannels = new Weighted<string>([['call', 35], ['email', 20], ['meeting', 25], ['visit', 15], ['message', 5]]);
const dealChannels = new Weighted<string>([['meeting', 45], ['call', 30], ['visit', 20], ['email', 5]]);
const contactRolesTable = new Weighted<string>([
  ['decision_maker', 25], ['economic_buyer', 15], ['influencer', 15], ['champion', 12], ['technical_evaluator', 13], ['user', 15], ['opponent', 2], ['other', 3],
]);
const wonAtStage = new Weighted<number>([[4, 70], [3, 25], [2, 5]]);
const lostAtStage = new Weighted<number>([[0, 25], [1, 25], [2, 20], [3, 15], [4, 15]]);
const earlyLossReasons = new Weighted<LossReason>([['no_budget', 30], ['product_fit', 20], ['timing', 20], ['no_decision', 20], ['other', 10]]);
const lateLossReasons = new Weighted<LossReason>([['price', 35], ['competitor', 30], ['no_decision', 15], ['timing', 10], ['no_budget', 5], ['other', 5]]);
const ticketCategories = new Weighted<string>([['question', 30], ['request', 25], ['repair', 20], ['complaint', 15], ['return', 10]]);
const ticketChannels = new Weighted<string>([['phone', 30], ['email', 30], ['web', 20], ['chat', 15], ['visit', 5]]);
const prioritiesByCategory: { readonly [category: string]: Weighted<TicketPriority> } = {
  complaint: new Weighted<TicketPriority>([['urgent', 15], ['high', 35], ['normal', 40], ['low', 10]]),
  repair: new Weighted<TicketPriority>([['urgent', 10], ['high', 30], ['normal', 45], ['low', 15]]),
  question: new Weighted<TicketPriority>([['urgent', 2], ['high', 8], ['normal', 50], ['low', 40]]),
  request: new Weighted<TicketPriority>([['urgent', 2], ['high', 10], ['normal', 50], ['low', 38]]),
  return: new Weighted<TicketPriority>([['urgent', 3], ['high', 17], ['normal', 55], ['low', 25]]),
};
const happyScores = new Weighted<number>([[5, 50], [4, 33], [3, 10], [2, 4], [1, 3]]);
const unhappyScores = new Weighted<number>([[5, 8], [4, 17], [3, 30], [2, 25], [1, 20]]);

const isWeekend = (day: number): boolean => {
  const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday
  return weekday === 0 || weekday === 6;
};

const pad2 = (value: number): string => (value < 10 ? `0${value}` : String(value));
const dateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const decimal = (minor: number): string => `${Math.floor(minor / 100)}.${pad2(minor % 100)}`;
const roundTo = (value: number, step: number): number => Math.max(step, Math.round(value / step) * step);

/**
 * The discrete-event simulation behind `demoHistory`: an agenda of actions
 * (a rep's working day, a follow-up, the nightly pool sweep, a deal's next
 * meeting, a ticket's next step), each of which issues commands at its own
 * time and schedules what follows. Commands therefore come out in effective
 * time order, and each is decided against the same facts the domain will
 * see when it executes them, so every one is accepted (the deliberate
 * duplicate registrations aside).
 */
export class HistorySimulation {
  private readonly random: SeededRandom;
  private readonly agenda = new Agenda<ActionSubject>();
  private readonly output: DemoCommand[] = [];
  private readonly idPrefix: string;
  private config: CrmConfig = applyConfigPatch(defaultConfig, initialConfiguration);

  private now = 0;
  private isoMs = Number.NaN;
  private iso = '';
  private readonly datePrefixes = new Map<number, string>();
  private sequence = 0;
  private events = 0;
  private readonly counts = new Map<CommandName, number>();
  private readonly rejectedDuplicates: string[] = [];

  private admin: Member | null = null;
  private readonly teams: Team[] = [];
  private readonly members: Member[] = [];
  private readonly memberIds = new Set<string>();
  private readonly customers: Customer[] = [];
  private readonly pool: Customer[] = [];
  private readonly departures: PlannedDeparture[] = [];
  private activeRepCount = 0;
  private readonly departed: { memberId: string; successorId: string; at: string }[] = [];

  private customerNumber = 0;
  private opportunityNumber = 0;
  private ticketNumber = 0;
  private contactNumber = 0;
  private readonly phoneSalt: number;

  private repRegistrationsLeft: number;
  private importsLeft: number;
  /** Leads of the current import run not registered yet. */
  private importBacklog = 0;
  private importRuns = 0;
  private duplicatesLeft: number;
  private readonly initialReps: number;
  private readonly hires: number;

  constructor(private readonly settings: SimulationSettings) {
    this.random = new SeededRandom(settings.seed);
    this.idPrefix = `demo-${settings.seed}-`;
    this.phoneSalt = this.random.int(0, 7_999_999_999);
    this.repRegistrationsLeft = Math.round(settings.customers * 0.4);
    this.importsLeft = settings.customers - this.repRegistrationsLeft;
    this.duplicatesLeft = Math.max(2, Math.round(settings.customers / 1500));
    const teamCount = this.teamCount();
    const repsTotal = settings.members - 1 - teamCount;
    const departures = Math.max(1, Math.round(repsTotal * 0.08));
    this.hires = Math.max(1, Math.min(Math.ceil(departures / 2), repsTotal - teamCount));
    this.initialReps = repsTotal - this.hires;
    for (let index = 0; index < departures; index += 1) this.departures.push({ withHire: index < this.hires, hire: null, leaver: null });
  }

  /** The commands of the whole history, in effective-time order, produced as the simulation advances. */
  *run(): Generator<DemoCommand, DemoHistorySummary, undefined> {
    this.schedule(this.settings.startMs + 7 * HOUR, Do.setup, null, 0);
    const output = this.output;
    const endMs = this.settings.endMs;
    while (this.agenda.peekTime() < endMs) {
      this.now = this.agenda.peekTime();
      const kind = this.agenda.pop() as ActionKind;
      this.perform(kind, this.agenda.subject!, this.agenda.token);
      if (output.length > 0) {
        for (let index = 0; index < output.length; index += 1) yield output[index]!;
        output.length = 0;
      }
    }
    return {
      commands: this.sequence,
      events: this.events,
      customers: this.customers.length,
      members: this.members.length,
      rejectedDuplicates: this.rejectedDuplicates,
      commandCounts: Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : 1))),
      highlights: { busiestCustomerId: this.busiestCustomer()?.id ?? null, departures: this.departed },
    };
  }

  private busiestCustomer(): Customer | null {
    let busiest: Customer | null = null;
    for (const customer of this.customers) if (busiest === null || customer.ownerChanges > busiest.ownerChanges) busiest = customer;
    return busiest;
  }

  // ---------------------------------------------------------------- plumbing

  private teamCount(): number {
    const members = this.settings.members;
    if (members <= 15) return 3;
    if (members <= 45) return 4;
    return Math.min(200, Math.round((members - 1) / 9));
  }

  /** The current time as a canonical timestamp (formatted once per distinct time: every command needs it). */
  private nowIso(): string {
    if (this.isoMs !== this.now) {
      this.iso = this.isoOf(this.now);
      this.isoMs = this.now;
    }
    return this.iso;
  }

  /** A canonical timestamp (`toISOString` form) of a whole millisecond, with the date part formatted once per day. */
  private isoOf(ms: number): string {
    const day = Math.floor(ms / DAY);
    let prefix = this.datePrefixes.get(day);
    if (prefix === undefined) {
      prefix = new Date(day * DAY).toISOString().slice(0, 11);
      this.datePrefixes.set(day, prefix);
    }
    let rest = ms - day * DAY;
    const hours = Math.floor(rest / HOUR);
    rest -= hours * HOUR;
    const minutes = Math.floor(rest / MINUTE);
    rest -= minutes * MINUTE;
    const seconds = Math.floor(rest / 1000);
    const millis = rest - seconds * 1000;
    return `${prefix}${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
  }

  /** Schedules an action at a whole millisecond, never in the past. */
  private schedule(at: number, kind: ActionKind, subject: ActionSubject, token: number): void {
    this.agenda.push(at < this.now ? this.now : Math.floor(at), kind, subject, token);
  }

  /** Issues a command at the current time; `events` is how many events it appends, policies included. */
  private emit(command: CommandName, actor: string, data: { readonly [field: string]: unknown }, events = 1): string {
    this.sequence += 1;
    const id = this.idPrefix + this.sequence;
    this.output.push({ command, id, actor, at: this.nowIso(), data });
    this.events += events;
    this.counts.set(command, (this.counts.get(command) ?? 0) + 1);
    return id;
  }

  /**
   * A moment in working hours (Mon–Fri 08:00–18:00 UTC, whole seconds) for
   * something planned at `target`: kept when it already is one; moved to a
   * random working hour of that day or the next otherwise, and off weekends
   * to a working day around them (never before now). `morning`
   * keeps it to the first two hours, for the start of a working day.
   */
  private workMoment(target: number, morning = false): number {
    let day = Math.floor(target / DAY);
    let offset = target - day * DAY;
    if (offset >= WORK_END) {
      day += 1;
      offset = -1;
    }
    if (isWeekend(day)) {
      // Work planned for a weekend happens on a working day around it (Wednesday to Tuesday).
      const saturday = (day + 4) % 7 === 6;
      const monday = day + (saturday ? 2 : 1);
      const choice = morning ? 3 : this.random.int(0, 4);
      const candidate = choice < 3 ? monday - 5 + choice : monday + choice - 3;
      day = candidate * DAY + WORK_END > this.now ? candidate : monday;
      offset = -1;
    }
    if (offset < WORK_START) offset = WORK_START + this.random.next() * (morning ? 2 : 10) * HOUR;
    const at = day * DAY + Math.floor(offset / 1000) * 1000;
    return at < this.now ? this.now : at;
  }

  /** The first nightly sweep (01:00 UTC) at or after `at`. */
  private sweepAfter(at: number): number {
    const sweep = Math.floor(at / DAY) * DAY + SWEEP_OFFSET;
    return sweep >= at ? sweep : sweep + DAY;
  }

  private fraction(share: number): number {
    return this.settings.startMs + (this.settings.endMs - this.settings.startMs) * share;
  }

  private managerOf(member: Member): Member | null {
    const manager = member.team?.manager ?? null;
    return manager !== null && manager.active ? manager : null;
  }

  private activeReps(team: Team): Member[] {
    return team.reps.filter((rep) => rep.active);
  }

  // ---------------------------------------------------------------- dispatch

  /** Does what an agenda entry says; an entry whose token no longer matches its subject's was overtaken by events and is dropped. */
  private perform(kind: ActionKind, subject: ActionSubject, token: number): void {
    switch (kind) {
      case Do.setup:
        return this.setup();
      case Do.repDay:
        return this.repDay(subject as Member);
      case Do.claim:
        return this.claimSession(subject as Member);
      case Do.register:
        return this.registerByRep(subject as Member);
      case Do.duplicate:
        return this.duplicateRegistration();
      case Do.import:
        return this.importLeads(token === 1);
      case Do.assign: {
        const { customer, manager, to } = subject as PoolAssignment;
        return this.assignFromPool(customer, manager, to);
      }
      case Do.touch:
        if (token === (subject as Customer).epoch) this.touch(subject as Customer);
        return;
      case Do.reminderCall:
        if (token === (subject as Customer).epoch) this.reminderCall(subject as Customer);
        return;
      case Do.recycleWarn:
        if (token === (subject as Customer).recycleToken) this.recycleWarning(subject as Customer);
        return;
      case Do.sweep:
        if (token === (subject as Customer).recycleToken) this.sweep(subject as Customer);
        return;
      case Do.opportunityStep:
        return this.opportunityStep(subject as Opportunity);
      case Do.reopen:
        return this.reopenOpportunity(subject as Opportunity);
      case Do.ticketArrival:
        return this.ticketArrival(subject as Customer);
      case Do.ticketStep:
        if (token === (subject as Ticket).token) this.ticketStep(subject as Ticket);
        return;
      case Do.ticketReassign:
        if (token === (subject as Ticket).token) this.ticketReassign(subject as Ticket);
        return;
      case Do.targets:
        return this.setTargets(subject as string);
      case Do.rebalance:
        return this.rebalance(token === 1);
      case Do.moveMember:
        return this.moveMember();
      case Do.hire:
        return this.hire(subject as PlannedDeparture);
      case Do.depart:
        return this.depart(subject as PlannedDeparture);
      case Do.reconfigure:
        return this.reconfigure();
    }
  }

  // ---------------------------------------------------------------- organisation

  private newMember(name: string, role: Member['role'], team: Team | null): Member {
    const base = `u-${name.toLowerCase().replace(/[^a-z]+/g, '-')}`;
    let id = base;
    for (let suffix = 2; this.memberIds.has(id); suffix += 1) id = `${base}-${suffix}`;
    this.memberIds.add(id);
    const random = this.random;
    const member: Member = {
      id,
      name,
      role,
      team,
      active: true,
      winRate: random.between(0.12, 0.4),
      gapFactor: random.between(0.2, 0.5),
      neglect: random.between(0.03, 0.14),
      responsive: random.between(0.3, 0.9),
      capacity: random.int(40, 110),
      claimsPerDay: random.int(2, 10),
      persuasion: random.between(0.7, 1.3),
      holdings: 0,
      owned: new Set(),
      openOpportunities: new Set(),
      openTickets: new Set(),
      claimDay: -1,
      claimsToday: 0,
      claimsWanted: 0,
      wonByQuarter: new Map(),
    };
    this.members.push(member);
    if (role === 'rep') this.activeRepCount += 1;
    return member;
  }

  private registerMember(member: Member, actor: string): void {
    this.emit('RegisterMember', actor, {
      memberId: member.id,
      name: member.name,
      role: member.role,
      ...(member.team === null ? {} : { team: member.team.id }),
    });
  }

  private setup(): void {
    const random = this.random;
    this.emit('Configure', 'system', structuredClone(initialConfiguration));
    const admin = this.newMember(`${random.pick(words.firstNames)} Admin`, 'admin', null);
    this.admin = admin;
    this.registerMember(admin, 'system');
    const teamCount = this.teamCount();
    for (let index = 0; index < teamCount; index += 1) {
      const name = teamNames[index % teamNames.length]!;
      const id = index < teamNames.length ? name : `${name}-${Math.floor(index / teamNames.length) + 1}`;
      const team: Team = { id, currency: name === 'emea' ? 'EUR' : 'USD', manager: null, reps: [] };
      this.teams.push(team);
      team.manager = this.newMember(words.personName(random), 'manager', team);
      this.registerMember(team.manager, admin.id);
    }
    for (let index = 0; index < this.initialReps; index += 1) {
      const team = this.teams[index % teamCount]!;
      const rep = this.newMember(words.personName(random), 'rep', team);
      team.reps.push(rep);
      this.registerMember(rep, admin.id);
    }
    this.setTargets(this.quarterOf(this.now));
    this.schedule(this.now + HOUR, Do.import, null, 0);
    for (const member of this.members) {
      if (member.role === 'rep') this.schedule(this.workMoment(this.now + HOUR + random.next() * HOUR, true), Do.repDay, member, 0);
    }
    this.scheduleMilestones();
  }

  private scheduleMilestones(): void {
    const random = this.random;
    const { startMs, endMs } = this.settings;
    // Quarterly targets and rebalancing.
    const start = new Date(startMs);
    for (let month = start.getUTCMonth() + 1; ; month += 1) {
      const quarterStart = Date.UTC(start.getUTCFullYear(), month, 1);
      if (quarterStart >= endMs) break;
      if (new Date(quarterStart).getUTCMonth() % 3 !== 0) continue;
      this.schedule(quarterStart + 7 * HOUR, Do.targets, this.quarterOf(quarterStart), 0);
      this.schedule(this.workMoment(quarterStart + 20 * DAY), Do.rebalance, null, 0);
    }
    this.schedule(this.workMoment(this.fraction(0.3)), Do.rebalance, null, 1);
    this.schedule(this.workMoment(this.fraction(0.4)), Do.moveMember, null, 0);
    this.schedule(this.workMoment(this.fraction(0.6)), Do.reconfigure, null, 0);
    // Departures: the first at mid-history, the others spread over the second half.
    this.departures.forEach((departure, index) => {
      const share = index === 0 ? 0.5 : random.between(0.55, 0.9);
      const at = this.workMoment(this.fraction(share));
      if (departure.withHire) this.schedule(this.workMoment(at - 8 * DAY), Do.hire, departure, 0);
      this.schedule(at, Do.depart, departure, 0);
    });
    // Deliberate duplicate registrations, spread over the history.
    for (let index = 0; index < this.duplicatesLeft; index += 1) {
      this.schedule(this.workMoment(this.fraction(random.between(0.15, 0.95))), Do.duplicate, null, 0);
    }
  }

  private quarterOf(ms: number): string {
    const date = new Date(ms);
    return `${date.getUTCFullYear()}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`;
  }

  private setTargets(period: string): void {
    for (const team of this.teams) {
      const manager = team.manager;
      if (manager === null || !manager.active) continue;
      for (const rep of this.activeReps(team)) this.setTarget(manager, rep, period);
    }
  }

  /** A quarter's target: last quarter's result plus growth, or a baseline by the rep's ability when there is none yet. */
  private setTarget(manager: Member, rep: Member, period: string): void {
    const team = rep.team!;
    const [year, quarter] = period.split('-Q').map(Number) as [number, number];
    const previous = quarter === 1 ? `${year - 1}-Q4` : `${year}-Q${quarter - 1}`;
    const baseline = (80_000 + 320_000 * rep.winRate) * this.random.between(0.85, 1.15);
    const amount = roundTo(Math.max(baseline, (rep.wonByQuarter.get(previous) ?? 0) * this.random.between(1.05, 1.3)), 5_000);
    this.emit('SetSalesTarget', manager.id, { memberId: rep.id, period, amount: { amount: `${amount}.00`, currency: team.currency } });
  }

  private moveMember(): void {
    const usdTeams = this.teams.filter((team) => team.currency === 'USD' && team.manager !== null);
    if (usdTeams.length < 2 || this.admin === null) return;
    const bySize = [...usdTeams].sort((a, b) => this.activeReps(b).length - this.activeReps(a).length);
    const from = bySize[0]!;
    const to = bySize[bySize.length - 1]!;
    const candidates = this.activeReps(from);
    if (from === to || candidates.length < 2) return;
    const rep = this.random.pick(candidates);
    this.emit('MoveMemberToTeam', this.admin.id, { memberId: rep.id, team: to.id });
    from.reps.splice(from.reps.indexOf(rep), 1);
    to.reps.push(rep);
    rep.team = to;
  }

  private hire(departure: PlannedDeparture): void {
    const leaver = this.chooseLeaver();
    if (leaver === null || this.admin === null) return;
    const team = leaver.team!;
    const rep = this.newMember(words.personName(this.random), 'rep', team);
    team.reps.push(rep);
    departure.leaver = leaver;
    departure.hire = rep;
    this.registerMember(rep, this.admin.id);
    const manager = this.managerOf(rep);
    if (manager !== null) {
      this.setTarget(manager, rep, this.quarterOf(this.now));
      // A starter portfolio from the pool, assigned over the next day.
      for (let index = 0; index < 8 && index < this.pool.length; index += 1) {
        const customer = this.pool[this.random.int(0, this.pool.length - 1)]!;
        this.schedule(this.workMoment(this.now + HOUR + index * 40 * MINUTE), Do.assign, { customer, manager, to: rep }, 0);
      }
    }
    this.schedule(this.workMoment(Math.floor(this.now / DAY) * DAY + DAY, true), Do.repDay, rep, 0);
  }

  private chooseLeaver(): Member | null {
    const candidates = this.members.filter((member) => member.role === 'rep' && member.active && member.owned.size > 0 && this.activeReps(member.team!).length >= 2);
    const fallback = this.members.filter((member) => member.role === 'rep' && member.active && member.owned.size > 0);
    const pool = candidates.length > 0 ? candidates : fallback;
    return pool.length === 0 ? null : this.random.pick(pool);
  }

  private depart(departure: PlannedDeparture): void {
    if (this.admin === null) return;
    let leaver = departure.leaver;
    let successor = departure.hire;
    if (leaver === null || !leaver.active) {
      leaver = this.chooseLeaver();
      successor = null;
    }
    if (leaver === null) return;
    if (successor === null || !successor.active) {
      const teammates = this.activeReps(leaver.team!).filter((rep) => rep !== leaver);
      successor = teammates.sort((a, b) => a.holdings - b.holdings)[0] ?? this.managerOf(leaver);
    }
    if (successor === null) return;
    const handover = leaver.owned.size + leaver.openOpportunities.size + leaver.openTickets.size;
    this.emit('DeactivateMember', this.admin.id, { memberId: leaver.id, successorId: successor.id }, 1 + handover);
    this.departed.push({ memberId: leaver.id, successorId: successor.id, at: this.nowIso() });
    leaver.active = false;
    if (leaver.role === 'rep') this.activeRepCount -= 1;
    // The departure handover (domain.md §6.1), as the policy will decide it.
    for (const customer of [...leaver.owned]) this.startOwnership(customer, successor);
    for (const opportunity of [...leaver.openOpportunities]) {
      leaver.openOpportunities.delete(opportunity);
      opportunity.owner = successor;
      successor.openOpportunities.add(opportunity);
    }
    const manager = this.managerOf(successor) ?? this.managerOf(leaver);
    for (const ticket of [...leaver.openTickets]) {
      leaver.openTickets.delete(ticket);
      ticket.assignee = null;
      ticket.status = 'open';
      ticket.token += 1;
      ticket.reassignTo = successor;
      if (manager !== null) this.schedule(this.workMoment(this.now + this.random.between(0.5, 3) * HOUR), Do.ticketReassign, ticket, ticket.token);
    }
  }

  private reconfigure(): void {
    const actor = this.admin?.id ?? 'system';
    this.emit('Configure', actor, structuredClone(laterConfiguration));
    this.config = applyConfigPatch(this.config, laterConfiguration);
    // The recycle clock changed for everyone: every owned customer's next check is recomputed.
    for (const customer of this.customers) if (customer.owner !== null) this.scheduleRecycleCheck(customer);
  }

  /**
   * A manager evens out the team: customers move from the fullest to the
   * emptiest rep (prospects without open deals, never locked ones). The
   * quarterly round acts only on a large gap; the forced one (once per
   * history, so the demo always has a rebalance) on any gap.
   */
  private rebalance(forced: boolean): void {
    const teams = forced ? [...this.teams].sort((a, b) => this.spread(b) - this.spread(a)) : this.teams;
    for (const team of teams) {
      const manager = team.manager;
      const reps = this.activeReps(team);
      if (manager === null || !manager.active || reps.length < 2) continue;
      reps.sort((a, b) => b.holdings - a.holdings);
      const most = reps[0]!;
      const least = reps[reps.length - 1]!;
      const gap = most.holdings - least.holdings;
      if (gap < (forced ? 2 : 25)) continue;
      const movable = [...most.owned].filter((customer) => countsForHoldings(customer.stage) && customer.openOpportunities === 0 && !customer.locked);
      const count = Math.min(movable.length, Math.max(1, Math.min(15, Math.floor(gap / 3))));
      for (let index = 0; index < count; index += 1) {
        const customer = movable[index]!;
        this.emit('TransferCustomer', manager.id, { customerId: customer.id, to: least.id, reason: 'rebalance' });
        this.startOwnership(customer, least);
      }
      if (forced && count > 0) return;
    }
  }

  private spread(team: Team): number {
    const holdings = this.activeReps(team).map((rep) => rep.holdings);
    return holdings.length < 2 ? -1 : Math.max(...holdings) - Math.min(...holdings);
  }

  // ---------------------------------------------------------------- customers enter

  private newCustomer(kind: 'company' | 'person', importance: 'A' | 'B' | 'C'): Customer {
    const random = this.random;
    this.customerNumber += 1;
    const number = this.customerNumber;
    const name = kind === 'company' ? words.companyName(random) : words.personName(random);
    const contactPoints = random.next();
    const phone = contactPoints < 0.8 ? words.customerPhone(number, this.phoneSalt) : null;
    const email = contactPoints >= 0.55 || phone === null ? words.customerEmail(name, kind, number) : null;
    const quality = importance === 'A' ? random.between(0.3, 0.9) : importance === 'B' ? random.between(0.15, 0.6) : random.between(0.05, 0.4);
    return {
      number,
      id: `cus-${number}`,
      kind,
      name,
      phone,
      email,
      importance,
      quality,
      owner: null,
      ownedSinceMs: 0,
      lastFollowUpMs: -1,
      lastTouchMs: 0,
      stage: 'potential',
      locked: false,
      epoch: 0,
      poolSlot: -1,
      formerOwners: [],
      formerEnds: [],
      contacts: [],
      touches: 0,
      patience: 0,
      abandoned: false,
      opportunitiesThisOwnership: 0,
      openOpportunities: 0,
      wonDeals: 0,
      lastDealWonMs: -1,
      recycleToken: 0,
      ticketsStarted: false,
      openTicket: false,
      ownerChanges: 0,
    };
  }

  private registrationData(customer: Customer, source: string): { [field: string]: unknown } {
    const random = this.random;
    const data: { [field: string]: unknown } = { customerId: customer.id, name: customer.name, kind: customer.kind };
    if (customer.phone !== null) data['phone'] = customer.phone;
    if (customer.email !== null) data['email'] = customer.email;
    if (random.chance(0.5)) data['address'] = words.address(random);
    if (customer.kind === 'company' || random.chance(0.2)) data['industry'] = random.pick(words.industries);
    if (random.chance(0.7)) data['region'] = random.pick(words.regions);
    data['source'] = source;
    data['importance'] = customer.importance;
    return data;
  }

  /**
   * The weekly lead import (Monday 06:00 UTC; the first one right after
   * setup is the big initial list). A run registers its leads in chunks a
   * second apart, as an import job would, so even a huge list streams.
   */
  private importLeads(continuation: boolean): void {
    const { endMs } = this.settings;
    if (!continuation) {
      const initial = this.importRuns === 0;
      this.importRuns += 1;
      const weeksLeft = Math.max(1, Math.ceil((endMs - this.now) / (7 * DAY)));
      const notScheduled = this.importsLeft - this.importBacklog;
      let count = initial ? Math.round(notScheduled * 0.35) : Math.round(notScheduled / weeksLeft);
      if (weeksLeft === 1 && !initial) {
        // The last import of the history takes whatever the reps did not register, so the total is exact.
        this.importsLeft += this.repRegistrationsLeft;
        this.repRegistrationsLeft = 0;
        count = this.importsLeft - this.importBacklog;
      }
      this.importBacklog += count;
      const day = Math.floor(this.now / DAY);
      const weekday = (day + 4) % 7;
      const nextMonday = (day + ((8 - weekday) % 7 || 7)) * DAY + 6 * HOUR;
      if (this.importsLeft > this.importBacklog) this.schedule(nextMonday >= endMs ? Math.max(this.now, endMs - 18 * HOUR) : nextMonday, Do.import, null, 0);
    }
    const random = this.random;
    const chunk = Math.min(IMPORT_CHUNK, this.importBacklog);
    for (let index = 0; index < chunk; index += 1) {
      this.importBacklog -= 1;
      this.importsLeft -= 1;
      const customer = this.newCustomer(random.chance(0.75) ? 'company' : 'person', random.weighted(importanceOfImports));
      this.customers.push(customer);
      const data = this.registrationData(customer, random.weighted(importSources));
      if (random.chance(0.3)) data['toPool'] = true;
      this.emit('RegisterCustomer', 'system', data);
      this.addToPool(customer);
      // Hot leads go straight to a rep: a manager assigns them during the next working hours.
      if (customer.importance === 'A' && random.chance(0.25)) {
        const team = this.teams[customer.number % this.teams.length]!;
        const manager = team.manager;
        const rep = this.activeReps(team).sort((a, b) => a.holdings / a.capacity - b.holdings / b.capacity)[0];
        if (manager !== null && manager.active && rep !== undefined) {
          this.schedule(this.workMoment(this.now + random.between(1, 20) * HOUR), Do.assign, { customer, manager, to: rep }, 0);
        }
      }
    }
    if (this.importBacklog > 0) this.schedule(this.now + 1000, Do.import, null, 1);
  }

  private registerByRep(member: Member): void {
    if (!member.active || this.repRegistrationsLeft <= 0) return;
    this.repRegistrationsLeft -= 1;
    const random = this.random;
    const customer = this.newCustomer(random.chance(0.7) ? 'company' : 'person', random.weighted(importanceOfReferrals));
    this.customers.push(customer);
    const data = this.registrationData(customer, random.weighted(repSources));
    this.emit('RegisterCustomer', member.id, data);
    this.startOwnership(customer, member);
  }

  /** A rep enters a customer someone already entered: the duplicate check rejects it, and the rep claims it if it sits in the pool. */
  private duplicateRegistration(): void {
    const rep = this.members.filter((member) => member.role === 'rep' && member.active);
    const existing = this.customers.filter((customer) => customer.phone !== null);
    if (rep.length === 0 || existing.length === 0) return;
    const member = this.random.pick(rep);
    const original = this.random.pick(existing);
    this.customerNumber += 1;
    const data: { [field: string]: unknown } = {
      customerId: `cus-${this.customerNumber}`,
      name: original.name.toUpperCase(),
      kind: original.kind,
      source: 'outbound_call',
      importance: original.importance,
    };
    data['phone'] = words.retypedPhone(original.phone!);
    const id = this.emit('RegisterCustomer', member.id, data, 0);
    this.rejectedDuplicates.push(id);
    if (original.owner === null && this.canClaim(member, original)) this.claim(member, original);
  }

  // ---------------------------------------------------------------- ownership

  private addToPool(customer: Customer): void {
    customer.poolSlot = this.pool.length;
    this.pool.push(customer);
  }

  private removeFromPool(customer: Customer): void {
    const slot = customer.poolSlot;
    if (slot < 0) return;
    const last = this.pool.pop()!;
    if (last !== customer) {
      this.pool[slot] = last;
      last.poolSlot = slot;
    }
    customer.poolSlot = -1;
  }

  private rememberFormerOwner(customer: Customer, member: Member): void {
    const owners = customer.formerOwners;
    const ends = customer.formerEnds;
    for (let index = owners.length - 1; index >= 0; index -= 1) {
      if (owners[index] === member || this.now - ends[index]! >= FORMER_OWNER_MEMORY) {
        owners.splice(index, 1);
        ends.splice(index, 1);
      }
    }
    owners.push(member);
    ends.push(this.now);
  }

  private inCooldown(customer: Customer, member: Member): boolean {
    const index = customer.formerOwners.indexOf(member);
    return index >= 0 && this.now - customer.formerEnds[index]! < this.config.pool.reclaimCooldownDays * DAY;
  }

  /** Ends the current ownership (if any) and makes `member` the owner from now on. */
  private startOwnership(customer: Customer, member: Member): void {
    const previous = customer.owner;
    if (previous !== null) this.leaveOwner(customer, previous);
    else this.removeFromPool(customer);
    customer.owner = member;
    customer.ownerChanges += 1;
    customer.ownedSinceMs = this.now;
    customer.lastTouchMs = this.now;
    customer.epoch += 1;
    customer.touches = 0;
    customer.patience = this.random.int(2, 6);
    customer.abandoned = false;
    customer.opportunitiesThisOwnership = 0;
    member.owned.add(customer);
    if (countsForHoldings(customer.stage)) member.holdings += 1;
    const first = countsForHoldings(customer.stage) ? this.random.between(0.05, 3) : this.random.between(3, 20);
    this.scheduleTouch(customer, first);
    this.scheduleRecycleCheck(customer);
  }

  /** The current owner's ownership ends and the customer returns to the pool. */
  private toPool(customer: Customer): void {
    const owner = customer.owner;
    if (owner !== null) this.leaveOwner(customer, owner);
    customer.owner = null;
    customer.ownerChanges += 1;
    customer.ownedSinceMs = this.now;
    customer.epoch += 1;
    customer.recycleToken += 1;
    this.addToPool(customer);
  }

  private leaveOwner(customer: Customer, owner: Member): void {
    owner.owned.delete(customer);
    if (countsForHoldings(customer.stage)) owner.holdings -= 1;
    this.rememberFormerOwner(customer, owner);
  }

  private changeStage(customer: Customer, stage: LifecycleStage): void {
    const owner = customer.owner;
    if (owner !== null) owner.holdings += (countsForHoldings(stage) ? 1 : 0) - (countsForHoldings(customer.stage) ? 1 : 0);
    customer.stage = stage;
  }

  private claimsToday(member: Member): number {
    const day = Math.floor(this.now / DAY);
    if (member.claimDay !== day) {
      member.claimDay = day;
      member.claimsToday = 0;
    }
    return member.claimsToday;
  }

  /** Whether the domain will accept `member` claiming `customer` now (domain.md §3, ClaimCustomer). */
  private canClaim(member: Member, customer: Customer): boolean {
    if (!member.active || customer.owner !== null || customer.locked) return false;
    const pool = this.config.pool;
    if (countsForHoldings(customer.stage) && member.holdings + 1 > pool.holdingLimit) return false;
    if (this.claimsToday(member) + 1 > pool.dailyClaimLimit) return false;
    return !this.inCooldown(customer, member);
  }

  private claim(member: Member, customer: Customer): void {
    this.emit('ClaimCustomer', member.id, { customerId: customer.id });
    member.claimsToday += 1;
    this.startOwnership(customer, member);
  }

  private assignFromPool(customer: Customer, manager: Member, to: Member): void {
    if (customer.owner !== null || !manager.active || !to.active) return;
    this.emit('AssignCustomer', manager.id, { customerId: customer.id, to: to.id });
    this.startOwnership(customer, to);
  }

  // ---------------------------------------------------------------- a rep's day

  private repDay(member: Member): void {
    if (!member.active) return;
    const random = this.random;
    const { endMs } = this.settings;
    // New customers the rep finds today (first entrant owns).
    const today = Math.floor(this.now / DAY);
    const workdaysLeft = Math.max(1, Math.round(((Math.floor(endMs / DAY) - today) * 5) / 7));
    const registrations = random.count(this.repRegistrationsLeft / (workdaysLeft * Math.max(1, this.activeRepCount)));
    for (let index = 0; index < registrations; index += 1) {
      this.schedule(this.workMoment(this.now + random.between(0.5, 8) * HOUR), Do.register, member, 0);
    }
    // Claims from the pool, up to the rep's appetite and the limits.
    const room = Math.min(member.capacity, this.config.pool.holdingLimit) - member.holdings;
    // Now and then a rep has a prospecting day and claims up to the daily limit.
    const appetite = random.chance(0.04) ? this.config.pool.dailyClaimLimit - this.claimsToday(member) : member.claimsPerDay;
    member.claimsWanted = Math.min(appetite, Math.max(0, room));
    if (member.claimsWanted > 0 && this.pool.length > 0) this.schedule(this.now + random.between(5, 40) * MINUTE, Do.claim, member, 0);
    // Tomorrow's working day.
    this.schedule(this.workMoment(Math.floor(this.now / DAY) * DAY + DAY, true), Do.repDay, member, 0);
  }

  private claimSession(member: Member): void {
    if (!member.active || member.claimsWanted <= 0) return;
    const pool = this.pool;
    const random = this.random;
    let best: Customer | null = null;
    // Look at a few pool customers and take the most important claimable one.
    for (let attempt = 0; attempt < 6 && pool.length > 0; attempt += 1) {
      const candidate = pool[random.int(0, pool.length - 1)]!;
      if (!this.canClaim(member, candidate)) continue;
      if (best === null || candidate.importance < best.importance) best = candidate;
      if (attempt >= 1) break;
    }
    if (best === null) return;
    this.claim(member, best);
    member.claimsWanted -= 1;
    if (member.claimsWanted > 0) this.schedule(this.now + random.between(2, 25) * MINUTE, Do.claim, member, 0);
  }

  // ---------------------------------------------------------------- working a customer

  private scheduleTouch(customer: Customer, days: number): number {
    const at = this.workMoment(this.now + days * DAY);
    this.schedule(at, Do.touch, customer, customer.epoch);
    return at;
  }

  private touch(customer: Customer): void {
    const owner = customer.owner;
    if (owner === null || !owner.active) return;
    if (countsForHoldings(customer.stage)) this.prospectTouch(customer, owner);
    else this.accountTouch(customer, owner);
  }

  private addContacts(customer: Customer, owner: Member, count: number): void {
    const random = this.random;
    for (let index = 0; index < count; index += 1) {
      this.contactNumber += 1;
      const contactId = `ct-${this.contactNumber}`;
      const name = words.personName(random);
      const data: { [field: string]: unknown } = { customerId: customer.id, contactId, name, role: random.weighted(contactRolesTable) };
      if (random.chance(0.8)) data['title'] = random.pick(words.contactTitles);
      const contactPoints = random.next();
      if (contactPoints < 0.7) data['phone'] = words.contactPhone(random);
      if (contactPoints >= 0.4) data['email'] = words.contactEmail(name, customer.name, this.contactNumber);
      if (random.chance(0.45)) data['birthday'] = words.birthday(random);
      this.emit('AddContact', owner.id, data);
      customer.contacts.push(contactId);
    }
  }

  private logFollowUp(customer: Customer, owner: Member, channel: string, summary: string, nextAt: number | null): void {
    const data: { [field: string]: unknown } = { customerId: customer.id, channel, summary };
    if (customer.contacts.length > 0 && this.random.chance(0.6)) data['contactId'] = this.random.pick(customer.contacts);
    if (nextAt !== null) data['nextFollowUpAt'] = this.isoOf(Math.ceil(nextAt / HOUR) * HOUR);
    this.emit('LogFollowUp', owner.id, data);
    customer.lastFollowUpMs = this.now;
    customer.lastTouchMs = this.now;
  }

  private prospectTouch(customer: Customer, owner: Member): void {
    const random = this.random;
    const noFollowUpDays = this.config.pool.recycle.noFollowUpDays;
    customer.touches += 1;
    if (customer.kind === 'company' && customer.contacts.length === 0 && random.chance(0.7)) this.addContacts(customer, owner, random.int(1, 2));

    if (customer.stage === 'dormant' && customer.touches === 1 && random.chance(0.4)) {
      this.emit('ChangeCustomerStage', owner.id, { customerId: customer.id, stage: 'potential', reason: 're-engaged by the new owner' });
      this.changeStage(customer, 'potential');
    }

    const givingUp = customer.openOpportunities === 0 && customer.touches > customer.patience && !(customer.stage === 'intent' && customer.opportunitiesThisOwnership === 0);
    if (givingUp) return this.giveUp(customer, owner);

    const channel = random.weighted(prospectChannels);
    let gapDays = owner.gapFactor * noFollowUpDays * random.between(0.5, 1.5);
    if (customer.openOpportunities > 0) gapDays *= 1.3;
    gapDays = Math.min(gapDays, noFollowUpDays - 1.5);
    const forgotten = customer.openOpportunities === 0 && random.chance(owner.neglect);
    if (forgotten) gapDays = noFollowUpDays + random.between(1, 25);
    const promised = random.chance(0.55) ? this.now + (forgotten ? owner.gapFactor * noFollowUpDays : gapDays) * DAY : null;
    this.logFollowUp(customer, owner, channel, random.pick(words.prospectSummaries[channel]!), promised);

    if (customer.stage === 'potential' && random.chance(customer.quality * owner.persuasion * 0.45)) {
      this.emit('ChangeCustomerStage', owner.id, { customerId: customer.id, stage: 'intent', reason: 'expressed buying intent' });
      this.changeStage(customer, 'intent');
      customer.patience = customer.touches + random.int(2, 4);
      if (customer.importance !== 'A' && customer.quality > 0.6 && random.chance(0.3)) {
        this.emit('UpdateCustomerProfile', owner.id, { customerId: customer.id, changes: { importance: 'A' } });
        customer.importance = 'A';
      }
    } else if (customer.stage === 'intent' && customer.openOpportunities === 0 && customer.opportunitiesThisOwnership < 2) {
      if (random.chance(customer.opportunitiesThisOwnership === 0 ? 0.6 : 0.12)) this.openOpportunity(customer, owner);
    }
    if (random.chance(0.015) && !customer.openTicket) this.openTicket(customer, 'question');
    this.scheduleTouch(customer, gapDays);
  }

  private giveUp(customer: Customer, owner: Member): void {
    const random = this.random;
    customer.abandoned = true;
    const choice = random.next();
    if (choice < 0.45) {
      this.emit('ReleaseCustomer', owner.id, { customerId: customer.id, note: random.pick(words.releaseNotes) });
      this.toPool(customer);
    } else if (choice < 0.6 && customer.stage !== 'dormant') {
      this.emit('ChangeCustomerStage', owner.id, { customerId: customer.id, stage: 'dormant', reason: 'no response' });
      this.changeStage(customer, 'dormant');
    } else if (choice < 0.64) {
      const colleague = this.activeReps(owner.team!).filter((rep) => rep !== owner).sort((a, b) => a.holdings - b.holdings)[0];
      const manager = this.managerOf(owner);
      if (colleague !== undefined && manager !== null) {
        this.emit('TransferCustomer', manager.id, { customerId: customer.id, to: colleague.id, reason: 'request' });
        this.startOwnership(customer, colleague);
      }
    }
    // Otherwise the rep simply stops calling, and the recycle rules take it back.
  }

  private accountTouch(customer: Customer, owner: Member): void {
    const random = this.random;
    const channel = random.weighted(accountChannels);
    const gapDays = random.between(20, 50);
    this.logFollowUp(customer, owner, channel, random.pick(words.accountSummaries[channel]!), random.chance(0.5) ? this.now + gapDays * DAY : null);
    if (customer.stage === 'customer' && customer.wonDeals >= 2 && random.chance(0.5)) {
      this.emit('ChangeCustomerStage', owner.id, { customerId: customer.id, stage: 'vip', reason: 'repeat business' });
      this.changeStage(customer, 'vip');
    } else if (customer.openOpportunities === 0 && random.chance(0.12)) {
      this.openOpportunity(customer, owner);
    }
    if (!customer.ticketsStarted) {
      customer.ticketsStarted = true;
      this.schedule(this.now + random.exponential(60) * DAY, Do.ticketArrival, customer, 0);
    }
    this.scheduleTouch(customer, gapDays);
  }

  // ---------------------------------------------------------------- the recycle clock

  private recycleFacts(customer: Customer): RecycleFacts {
    return {
      owner: customer.owner?.id ?? null,
      ownedSince: customer.owner === null ? null : this.isoOf(customer.ownedSinceMs),
      lastFollowUpAt: customer.lastFollowUpMs < 0 ? null : this.isoOf(customer.lastFollowUpMs),
      stage: customer.stage,
      locked: customer.locked,
      active: true,
      lastDealWonAt: customer.lastDealWonMs < 0 ? null : this.isoOf(customer.lastDealWonMs),
    };
  }

  /**
   * The earliest a recycle rule could fall due under the current facts: the
   * no-follow-up and no-deal clocks without their exceptions (protection,
   * locks, won deals only ever make it later). Checking earlier than this
   * is pointless, so the domain's `nextRecycle` is asked only from then on.
   */
  private recycleLowerBound(customer: Customer): number {
    const { noFollowUpDays, noDealDays } = this.config.pool.recycle;
    return Math.min(customer.lastTouchMs + noFollowUpDays * DAY, customer.ownedSinceMs + noDealDays * DAY);
  }

  /** Replaces any pending recycle check with one at the earliest time a warning could be due. */
  private scheduleRecycleCheck(customer: Customer): void {
    customer.recycleToken += 1;
    if (customer.owner === null || customer.locked || !countsForHoldings(customer.stage)) return;
    const warnAt = this.recycleLowerBound(customer) - this.config.pool.recycle.warnDaysBefore * DAY;
    this.schedule(warnAt, Do.recycleWarn, customer, customer.recycleToken);
  }

  /**
   * A recycle's reminder window may have opened. If the facts moved the due
   * time on (follow-ups since), the check moves with it; once the domain's
   * `nextRecycle` says a rule falls due within `warnDaysBefore`, the owner
   * reacts like people do: a hot deal gets the customer locked, a diligent
   * rep makes the overdue call, otherwise the nightly sweep takes it.
   */
  private recycleWarning(customer: Customer): void {
    const owner = customer.owner;
    if (owner === null) return;
    const warnDays = this.config.pool.recycle.warnDaysBefore * DAY;
    const earliestWarning = this.recycleLowerBound(customer) - warnDays;
    if (earliestWarning > this.now) {
      this.schedule(earliestWarning, Do.recycleWarn, customer, customer.recycleToken);
      return;
    }
    const next = nextRecycle(this.recycleFacts(customer), this.config);
    if (next === null) return;
    const dueMs = Date.parse(next.dueAt);
    if (dueMs - warnDays > this.now) {
      this.schedule(dueMs - warnDays, Do.recycleWarn, customer, customer.recycleToken);
      return;
    }
    if (owner.active && customer.openOpportunities > 0 && !customer.locked) {
      this.emit('LockCustomer', owner.id, { customerId: customer.id });
      customer.locked = true;
      customer.recycleToken += 1;
      return;
    }
    if (owner.active && next.rule === 'no_follow_up' && !customer.abandoned && this.random.chance(owner.responsive * 0.6)) {
      const callAt = this.workMoment(this.now);
      if (callAt < dueMs) this.schedule(callAt, Do.reminderCall, customer, customer.epoch);
    }
    this.schedule(this.sweepAfter(Math.max(dueMs, this.now)), Do.sweep, customer, customer.recycleToken);
  }

  private reminderCall(customer: Customer): void {
    const owner = customer.owner;
    if (owner === null || !owner.active) return;
    this.logFollowUp(customer, owner, 'call', 'Called after the recycle reminder', null);
    this.scheduleRecycleCheck(customer);
  }

  /** The nightly pool sweep reaches a customer: recycle it with the rule the domain says holds now. */
  private sweep(customer: Customer): void {
    if (customer.owner === null) return;
    const rule = ruleHoldingAt(this.recycleFacts(customer), this.nowIso(), this.config);
    if (rule === null) return this.scheduleRecycleCheck(customer);
    this.emit('RecycleCustomer', 'system', { customerId: customer.id, rule });
    this.toPool(customer);
  }

  // ---------------------------------------------------------------- opportunities

  private stageId(index: number): string {
    return this.config.pipeline.stages[index]!.id;
  }

  private planMoves(from: number, outcome: 'won' | 'lost'): number[] {
    const random = this.random;
    const last = this.config.pipeline.stages.length - 1;
    const target = Math.max(from, Math.min(last, random.weighted(outcome === 'won' ? wonAtStage : lostAtStage)));
    const moves: number[] = [];
    let stage = from;
    let reentered = false;
    while (stage < target) {
      if (!reentered && stage > from && random.chance(0.08)) {
        moves.push(stage - 1, stage);
        reentered = true;
        continue;
      }
      stage += stage + 2 <= target && random.chance(0.12) ? 2 : 1;
      moves.push(stage);
    }
    return moves;
  }

  private openOpportunity(customer: Customer, owner: Member): void {
    const random = this.random;
    const currency: Currency = owner.team?.currency ?? 'USD';
    const median = customer.importance === 'A' ? 48_000 : customer.importance === 'B' ? 18_000 : 6_000;
    const amount = roundTo(random.logNormal(customer.kind === 'person' ? median / 5 : median, 0.6), 100) * 100;
    const stage = random.chance(0.8) ? 0 : 1;
    const upsell = !countsForHoldings(customer.stage);
    const importanceFactor = customer.importance === 'A' ? 1.2 : customer.importance === 'B' ? 1 : 0.8;
    const winChance = Math.min(0.85, owner.winRate * importanceFactor * (upsell ? 1.5 : 1));
    const outcome = random.chance(winChance) ? 'won' : 'lost';
    const moves = this.planMoves(stage, outcome);
    this.opportunityNumber += 1;
    const expectedCloseMs = this.now + (moves.length + 1) * 9 * DAY * random.between(0.7, 1.3) + 7 * DAY;
    const opportunity: Opportunity = {
      id: `opp-${this.opportunityNumber}`,
      customer,
      owner,
      currency,
      amount,
      stage,
      expectedCloseMs,
      probabilityOverride: null,
      status: 'open',
      outcome,
      moves,
      nextMove: 0,
      reopened: false,
    };
    const data: { [field: string]: unknown } = {
      opportunityId: opportunity.id,
      customerId: customer.id,
      title: words.opportunityTitle(random, customer.name),
      amount: { amount: decimal(amount), currency },
      expectedCloseDate: dateOf(expectedCloseMs),
    };
    if (stage !== 0) data['stage'] = this.stageId(stage);
    this.emit('OpenOpportunity', owner.id, data);
    customer.openOpportunities += 1;
    customer.opportunitiesThisOwnership += 1;
    owner.openOpportunities.add(opportunity);
    this.scheduleOpportunityStep(opportunity);
  }

  private scheduleOpportunityStep(opportunity: Opportunity): void {
    this.schedule(this.workMoment(this.now + this.random.between(3, 14) * DAY), Do.opportunityStep, opportunity, 0);
  }

  private opportunityStep(opportunity: Opportunity): void {
    if (opportunity.status !== 'open') return;
    const owner = opportunity.owner;
    if (!owner.active) return; // orphaned: left as it is (the handover always names a successor here)
    const random = this.random;
    const customer = opportunity.customer;
    if (opportunity.nextMove < opportunity.moves.length) {
      if (random.chance(0.15)) {
        this.revise(opportunity);
      } else {
        const stage = opportunity.moves[opportunity.nextMove]!;
        opportunity.nextMove += 1;
        this.emit('MoveOpportunityStage', owner.id, { opportunityId: opportunity.id, stage: this.stageId(stage) });
        opportunity.stage = stage;
        opportunity.probabilityOverride = null;
        if (customer.owner === owner && random.chance(0.7)) {
          const channel = random.weighted(dealChannels);
          this.logFollowUp(customer, owner, channel, `${this.stageId(stage).replace('_', ' ')}: ${random.pick(words.prospectSummaries[channel]!)}`, null);
        }
      }
      this.scheduleOpportunityStep(opportunity);
      return;
    }
    if (opportunity.outcome === 'won') this.win(opportunity);
    else this.lose(opportunity);
  }

  private revise(opportunity: Opportunity): void {
    const random = this.random;
    const data: { [field: string]: unknown } = { opportunityId: opportunity.id };
    const kind = random.next();
    if (kind < 0.5) {
      let amount = roundTo((opportunity.amount / 100) * random.between(0.8, 1.25), 100) * 100;
      if (amount === opportunity.amount) amount += 50_000;
      opportunity.amount = amount;
      data['amount'] = { amount: decimal(amount), currency: opportunity.currency };
    } else if (kind < 0.8) {
      opportunity.expectedCloseMs = Math.max(opportunity.expectedCloseMs, this.now) + random.int(14, 45) * DAY;
      data['expectedCloseDate'] = dateOf(opportunity.expectedCloseMs);
    } else {
      const stageProbability = this.config.pipeline.stages[opportunity.stage]!.probability;
      const current = opportunity.probabilityOverride ?? stageProbability;
      let probability = Math.max(5, Math.min(95, stageProbability + random.pick([-15, -10, 10, 15])));
      if (probability === current) probability = current >= 50 ? current - 5 : current + 5;
      opportunity.probabilityOverride = probability;
      data['probability'] = probability;
    }
    this.emit('ReviseOpportunity', opportunity.owner.id, data);
  }

  private closeOpportunity(opportunity: Opportunity, status: 'won' | 'lost'): void {
    opportunity.status = status;
    opportunity.owner.openOpportunities.delete(opportunity);
    const customer = opportunity.customer;
    customer.openOpportunities -= 1;
    if (customer.locked && customer.openOpportunities === 0 && customer.owner !== null && customer.owner.active) {
      this.emit('UnlockCustomer', customer.owner.id, { customerId: customer.id });
      customer.locked = false;
      this.scheduleRecycleCheck(customer);
    }
  }

  private win(opportunity: Opportunity): void {
    const random = this.random;
    const customer = opportunity.customer;
    const data: { [field: string]: unknown } = { opportunityId: opportunity.id };
    let final = opportunity.amount;
    if (random.chance(0.6)) {
      final = roundTo((opportunity.amount / 100) * random.between(0.85, 1.05), 50) * 100;
      data['amount'] = { amount: decimal(final), currency: opportunity.currency };
    }
    // The deal-won policy (domain.md §6.2) moves a potential or intent customer to `customer`.
    const promotes = customer.stage === 'potential' || customer.stage === 'intent';
    this.emit('WinOpportunity', opportunity.owner.id, data, promotes ? 2 : 1);
    const quarter = this.quarterOf(this.now);
    const won = opportunity.owner.wonByQuarter;
    won.set(quarter, (won.get(quarter) ?? 0) + final / 100);
    customer.wonDeals += 1;
    customer.lastDealWonMs = this.now;
    if (promotes) this.changeStage(customer, 'customer');
    this.closeOpportunity(opportunity, 'won');
    if (!countsForHoldings(customer.stage)) customer.recycleToken += 1;
  }

  private lose(opportunity: Opportunity): void {
    const random = this.random;
    const late = opportunity.stage >= 3;
    const reason = random.weighted(late ? lateLossReasons : earlyLossReasons);
    const data: { [field: string]: unknown } = { opportunityId: opportunity.id, reason };
    if (reason === 'competitor' || (reason === 'price' && random.chance(0.4))) data['competitor'] = random.pick(words.competitors);
    if (random.chance(0.6)) data['note'] = random.pick(words.lossNotes[reason]!);
    this.emit('LoseOpportunity', opportunity.owner.id, data);
    this.closeOpportunity(opportunity, 'lost');
    const customer = opportunity.customer;
    customer.patience = customer.touches + random.int(1, 3);
    if (!opportunity.reopened && (reason === 'timing' || reason === 'no_decision' || reason === 'no_budget') && random.chance(0.15)) {
      this.schedule(this.workMoment(this.now + random.between(20, 60) * DAY), Do.reopen, opportunity, 0);
    }
  }

  private reopenOpportunity(opportunity: Opportunity): void {
    const owner = opportunity.owner;
    const manager = this.managerOf(owner);
    const customer = opportunity.customer;
    if (opportunity.status !== 'lost' || !owner.active || manager === null || customer.owner !== owner) return;
    const random = this.random;
    const data: { [field: string]: unknown } = { opportunityId: opportunity.id };
    if (opportunity.stage > 0 && random.chance(0.3)) {
      opportunity.stage -= 1;
      data['stage'] = this.stageId(opportunity.stage);
    }
    this.emit('ReopenOpportunity', manager.id, data);
    opportunity.status = 'open';
    opportunity.reopened = true;
    opportunity.outcome = random.chance(0.35) ? 'won' : 'lost';
    opportunity.moves = this.planMoves(opportunity.stage, opportunity.outcome);
    opportunity.nextMove = 0;
    opportunity.probabilityOverride = null;
    owner.openOpportunities.add(opportunity);
    customer.openOpportunities += 1;
    this.scheduleOpportunityStep(opportunity);
  }

  // ---------------------------------------------------------------- tickets

  private ticketArrival(customer: Customer): void {
    if (!customer.openTicket) this.openTicket(customer, null);
    this.schedule(this.now + this.random.exponential(100) * DAY, Do.ticketArrival, customer, 0);
  }

  private openTicket(customer: Customer, category: string | null): void {
    const random = this.random;
    const kind = category ?? random.weighted(ticketCategories);
    const priority = random.weighted(prioritiesByCategory[kind]!);
    const channel = kind === 'question' && category !== null ? 'web' : random.weighted(ticketChannels);
    const owner = customer.owner !== null && customer.owner.active ? customer.owner : null;
    const byMember = channel === 'phone' || channel === 'visit';
    const opener = byMember ? (owner ?? this.teamFor(customer).manager) : null;
    this.ticketNumber += 1;
    const data: { [field: string]: unknown } = {
      ticketId: `tkt-${this.ticketNumber}`,
      customerId: customer.id,
      subject: random.pick(words.ticketSubjects[kind]!),
      category: kind,
      priority,
      channel,
    };
    if (random.chance(0.5)) data['description'] = `Reported via ${channel}. ${random.pick(words.ticketSubjects[kind]!)}.`;
    this.emit('OpenTicket', opener !== null && opener.active ? opener.id : 'system', data);
    const sla = this.config.sla[priority];
    const ticket: Ticket = {
      id: `tkt-${this.ticketNumber}`,
      customer,
      category: kind,
      priority,
      openedMs: this.now,
      firstResponseDue: this.now + sla.firstResponse * HOUR,
      resolutionDue: this.now + sla.resolution * HOUR,
      assignee: null,
      status: 'open',
      firstResponseMet: null,
      resolutionMet: false,
      resolutionBreached: false,
      rated: false,
      reopened: false,
      next: 'assign',
      nextAt: 0,
      reassignTo: null,
      respondAt: 0,
      token: 0,
    };
    customer.openTicket = true;
    const assignWithin = Math.min(sla.firstResponse * HOUR * 0.3, 45 * MINUTE);
    this.ticketNext(ticket, 'assign', this.now + random.between(0.1, 1) * assignWithin);
  }

  private teamFor(customer: Customer): Team {
    return customer.owner?.team ?? this.teams[customer.number % this.teams.length]!;
  }

  private ticketNext(ticket: Ticket, step: TicketStep, at: number): void {
    ticket.next = step;
    ticket.nextAt = at < this.now ? this.now : Math.floor(at / 1000) * 1000;
    this.schedule(ticket.nextAt, Do.ticketStep, ticket, ticket.token);
  }

  private ticketStep(ticket: Ticket): void {
    const random = this.random;
    switch (ticket.next) {
      case 'assign':
        return this.assignTicket(ticket);
      case 'note': {
        const assignee = ticket.assignee!;
        this.emit('CommentOnTicket', assignee.id, { ticketId: ticket.id, body: random.pick(words.internalNotes), visibility: 'internal' });
        return this.ticketNext(ticket, 'respond', ticket.respondAt);
      }
      case 'respond':
        return this.respond(ticket);
      case 'escalate': {
        const manager = this.managerOf(ticket.assignee!) ?? this.teams.find((team) => team.manager?.active)?.manager ?? null;
        if (manager !== null) this.emit('EscalateTicket', manager.id, { ticketId: ticket.id, reason: random.pick(words.escalationReasons) });
        return this.ticketNext(ticket, 'resolve', ticket.respondAt);
      }
      case 'resolve':
        return this.resolveTicket(ticket);
      case 'reopen':
        return this.reopenTicket(ticket);
      case 'rate':
        return this.rateTicket(ticket);
      case 'close': {
        const assignee = ticket.assignee;
        const actor = assignee !== null && assignee.active && random.chance(0.4) ? assignee.id : 'system';
        this.emit('CloseTicket', actor, { ticketId: ticket.id });
        ticket.status = 'closed';
        ticket.customer.openTicket = false;
        return;
      }
    }
  }

  private assignTicket(ticket: Ticket): void {
    const random = this.random;
    const customer = ticket.customer;
    const owner = customer.owner;
    let assignee: Member | undefined = owner !== null && owner.active && owner.role === 'rep' ? owner : undefined;
    if (assignee === undefined) {
      assignee = this.activeReps(this.teamFor(customer)).sort((a, b) => a.openTickets.size - b.openTickets.size)[0];
    }
    const manager = assignee === undefined ? null : this.managerOf(assignee);
    if (assignee === undefined || manager === null) {
      // Nobody to take it: a manager of any team resolves it later.
      return;
    }
    const selfAssign = assignee === owner && random.chance(0.5);
    this.emit('AssignTicket', selfAssign ? assignee.id : manager.id, { ticketId: ticket.id, to: assignee.id });
    ticket.assignee = assignee;
    ticket.status = 'assigned';
    assignee.openTickets.add(ticket);
    if (random.chance(0.06)) {
      const priority: TicketPriority = ticket.priority === 'urgent' ? 'high' : ticket.priority === 'high' ? 'urgent' : 'high';
      this.emit('ChangeTicketPriority', assignee.id, { ticketId: ticket.id, priority });
      ticket.priority = priority;
      const sla = this.config.sla[priority];
      ticket.firstResponseDue = ticket.openedMs + sla.firstResponse * HOUR;
      ticket.resolutionDue = ticket.openedMs + sla.resolution * HOUR;
    }
    const hours = this.config.sla[ticket.priority].firstResponse;
    const onTime = random.chance(ticket.priority === 'urgent' ? 0.65 : 0.82);
    const respondAt = Math.max(this.now + 2 * MINUTE, ticket.openedMs + (onTime ? random.between(0.15, 0.9) : random.between(1.1, 3)) * hours * HOUR);
    ticket.respondAt = respondAt;
    if (random.chance(0.25)) this.ticketNext(ticket, 'note', this.now + (respondAt - this.now) * random.between(0.2, 0.8));
    else this.ticketNext(ticket, 'respond', respondAt);
  }

  private respond(ticket: Ticket): void {
    const random = this.random;
    const assignee = ticket.assignee!;
    this.emit('CommentOnTicket', assignee.id, { ticketId: ticket.id, body: random.pick(words.firstResponses), visibility: 'public' });
    ticket.firstResponseMet = this.now <= ticket.firstResponseDue;
    const hours = this.config.sla[ticket.priority].resolution;
    const onTime = random.chance(ticket.priority === 'urgent' ? 0.6 : 0.8);
    const resolveAt = Math.max(this.now + 10 * MINUTE, ticket.openedMs + (onTime ? random.between(0.3, 0.95) : random.between(1.05, 2.5)) * hours * HOUR);
    ticket.respondAt = resolveAt;
    if (ticket.category === 'complaint' && !ticket.firstResponseMet && random.chance(0.5)) {
      this.ticketNext(ticket, 'escalate', this.now + (resolveAt - this.now) * random.between(0.1, 0.5));
    } else {
      this.ticketNext(ticket, 'resolve', resolveAt);
    }
  }

  private resolveTicket(ticket: Ticket): void {
    const random = this.random;
    const assignee = ticket.assignee!;
    this.emit('ResolveTicket', assignee.id, { ticketId: ticket.id, resolution: random.pick(words.resolutions) });
    ticket.resolutionMet = !ticket.resolutionBreached && this.now <= ticket.resolutionDue;
    if (!ticket.resolutionMet) ticket.resolutionBreached = true;
    ticket.status = 'resolved';
    assignee.openTickets.delete(ticket);
    if (!ticket.reopened && random.chance(0.07)) return this.ticketNext(ticket, 'reopen', this.now + random.between(6, 96) * HOUR);
    this.afterResolution(ticket);
  }

  private afterResolution(ticket: Ticket): void {
    const random = this.random;
    if (!ticket.rated && random.chance(0.75)) this.ticketNext(ticket, 'rate', this.now + random.between(1, 48) * HOUR);
    else this.ticketNext(ticket, 'close', this.now + random.between(48, 120) * HOUR);
  }

  private reopenTicket(ticket: Ticket): void {
    const assignee = ticket.assignee;
    if (assignee === null || !assignee.active) return this.afterResolution(ticket);
    this.emit('ReopenTicket', assignee.id, { ticketId: ticket.id, reason: this.random.pick(words.reopenReasons) });
    ticket.status = 'assigned';
    ticket.reopened = true;
    assignee.openTickets.add(ticket);
    this.ticketNext(ticket, 'resolve', this.now + this.random.between(2, 72) * HOUR);
  }

  private rateTicket(ticket: Ticket): void {
    const random = this.random;
    const happy = ticket.firstResponseMet === true && ticket.resolutionMet && !ticket.reopened;
    const score = random.weighted(happy ? happyScores : unhappyScores);
    const data: { [field: string]: unknown } = { ticketId: ticket.id, score };
    if (random.chance(0.4)) data['comment'] = random.pick(words.ratingComments[score]!);
    this.emit('RateTicket', 'system', data);
    ticket.rated = true;
    this.ticketNext(ticket, 'close', this.now + random.between(24, 96) * HOUR);
  }

  /** After a departure unassigned the ticket: the successor's manager hands it over, and work resumes. */
  private ticketReassign(ticket: Ticket): void {
    const to = ticket.reassignTo;
    if (to === null) return;
    const manager = this.managerOf(to) ?? this.teams.find((team) => team.manager?.active)?.manager ?? null;
    if (manager === null || !to.active || ticket.status !== 'open') return;
    this.emit('AssignTicket', manager.id, { ticketId: ticket.id, to: to.id });
    ticket.assignee = to;
    ticket.status = 'assigned';
    to.openTickets.add(ticket);
    this.ticketNext(ticket, ticket.next, Math.max(ticket.nextAt, this.now + 5 * MINUTE));
  }
}
