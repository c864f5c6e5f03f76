import { isDeepStrictEqual } from 'node:util';
import { isRejection, UndecodableEventError, type Crm, type DomainError, type LogVerification, type OwnershipAudit, type StoredEvent } from '@eventcrm/runtime';
import { anchorStream, checkAnchor, type AnchorCheck, type StreamAnchor } from './anchor.ts';
import { cliStoreArgs, type StoreSelection } from './store.ts';
import { commandLine, jsonOf, runCli, type CliRun } from './cli.ts';
import { causationOf, decisionOf, type Causation, type DecisionRecord } from './decision.ts';
import { factInForce, type OwnershipFact } from './factInForce.ts';
import type { AskedInstant } from './instant.ts';

/** The auditor's question: who owned this customer at this instant, and how did it get there? */
export interface AuditQuestion {
  readonly customerId: string;
  readonly at: AskedInstant;
  /** A head of the customer's stream recorded earlier, outside the database (see anchor.ts). */
  readonly anchor?: StreamAnchor;
}

/** Who moved the customer to the owner in force, with everything the log recorded about that move. */
export interface Move {
  readonly fact: OwnershipFact;
  readonly decision: DecisionRecord;
  /** For a policy's move (the departure handover): the event it reacted to and who issued that. */
  readonly causation: Causation | null;
}

/** The answer the log gives, before any cross-check. */
export type LogAnswer =
  | { readonly kind: 'not_registered'; readonly registeredAt: string | null }
  | {
      readonly kind: 'owned';
      /** `null`: the public pool. */
      readonly owner: string | null;
      readonly since: string;
      /** When the next fact moved it on; `null` while still in force. */
      readonly until: string | null;
      readonly movedThere: Move;
      readonly movedOn: OwnershipFact | null;
      readonly supersededAtSameInstant: readonly OwnershipFact[];
    }
  | { readonly kind: 'merged'; readonly survivorId: string; readonly since: string; readonly movedThere: Move }
  /** The customer's stream holds an event that no longer decodes: the log cannot answer (verify names it). */
  | { readonly kind: 'unreadable'; readonly message: string };

/** The read model's answer (`crm.ownerAsOf`) and whether it says what the log says. */
export interface ReadModelCheck {
  readonly answer: { readonly customerId: string; readonly asOf: string; readonly owner: string | null } | DomainError | null;
  readonly agrees: boolean;
}

/** A problem `verify` found in the customer's own stream. */
export interface StreamProblem {
  readonly revision: number;
  readonly position: string;
  readonly problem: string;
  readonly message: string;
}

/** Everything the audit of one question established. `findings` lists each failed check in a sentence; none means every check passed. */
export interface OwnershipAuditReport {
  readonly customerId: string;
  readonly stream: string;
  readonly asOf: string;
  readonly asOfFromDate: boolean;
  readonly answer: LogAnswer;
  /** `crm.audit`: the facts read from the log, and the read model's history checked against them (`null` when the stream does not decode). */
  readonly replay: OwnershipAudit | null;
  readonly readModel: ReadModelCheck;
  readonly verify: LogVerification;
  readonly streamProblems: readonly StreamProblem[];
  /** The stream's newest event, to record outside the database as an anchor. */
  readonly head: StreamAnchor | null;
  readonly anchorCheck: AnchorCheck | null;
  readonly findings: readonly string[];
}

const ownerName = (owner: string | null): string => owner ?? '(pool)';

async function moveOf(crm: Crm, events: readonly StoredEvent[], fact: OwnershipFact): Promise<Move> {
  const event = events.find((candidate) => candidate.revision === fact.revision);
  // crm.audit read the same stream a moment ago; the event is there unless the stream changed in between.
  if (event === undefined) throw new Error(`${fact.type} at revision ${fact.revision} vanished from the stream during the audit`);
  return { fact, decision: decisionOf(event), causation: await causationOf(crm.store, event, fact) };
}

function readModelAgrees(answer: LogAnswer, readModel: ReadModelCheck['answer']): boolean {
  if (readModel === null) return false;
  switch (answer.kind) {
    case 'unreadable':
      return false;
    case 'not_registered':
      return isRejection(readModel) && readModel.code === 'NOT_FOUND' && readModel.details?.['registeredAt'] === answer.registeredAt;
    case 'merged':
      return isRejection(readModel) && readModel.code === 'NOT_FOUND' && readModel.details?.['mergedInto'] === answer.survivorId;
    case 'owned':
      return !isRejection(readModel) && readModel.owner === answer.owner;
  }
}

const describeAnswer = (answer: LogAnswer): string => {
  switch (answer.kind) {
    case 'not_registered':
      return 'not registered yet';
    case 'merged':
      return `merged into ${answer.survivorId}`;
    case 'owned':
      return ownerName(answer.owner);
    case 'unreadable':
      return 'unreadable';
  }
};

const describeReadModel = (answer: ReadModelCheck['answer']): string =>
  answer === null ? 'nothing (it could not be read)' : isRejection(answer) ? `${answer.code}: ${answer.message}` : ownerName(answer.owner);

/**
 * Answers "who owned customer X at instant D, and who moved it there" from
 * the event log, then checks the answer three ways: against the read model
 * (`crm.ownerAsOf` and the replay's comparison of whole histories), against
 * the hash chains (`crm.verify`), and, when given, against a head hash
 * recorded earlier. Resolves to `NOT_FOUND` when the store holds no event of
 * the customer. Read models are caught up first; if that fails (an event
 * that no longer decodes stops the projections) the audit goes on with the
 * read models as they are and says so.
 */
export async function auditOwnershipAt(crm: Crm, question: AuditQuestion): Promise<OwnershipAuditReport | DomainError> {
  const { customerId } = question;
  const asOf = question.at.instant;
  const stream = `customer-${customerId}`;
  const findings: string[] = [];
  try {
    await crm.catchUp();
  } catch (error) {
    findings.push(`the read models could not catch up with the log (${error instanceof Error ? error.message : String(error)}); they answer as of their last checkpoint`);
  }
  const noCatchUp = { catchUp: false } as const;

  let replay: OwnershipAudit | null = null;
  let answer: LogAnswer;
  try {
    const audited = await crm.audit(customerId, noCatchUp);
    if (isRejection(audited)) return audited;
    replay = audited;
    answer = await logAnswer(crm, stream, replay.facts, asOf);
  } catch (error) {
    if (!(error instanceof UndecodableEventError)) throw error;
    answer = { kind: 'unreadable', message: error.message };
    findings.push(`the log cannot answer: an event of ${stream} no longer decodes (${error.message})`);
  }
  if (replay !== null && !replay.consistent) {
    findings.push(`the read model's history of ${customerId} differs from the log: ${replay.differences.map((difference) => difference.message).join('; ')}`);
  }

  let readModelAnswer: ReadModelCheck['answer'] = null;
  try {
    readModelAnswer = await crm.ownerAsOf(customerId, asOf, noCatchUp);
  } catch (error) {
    findings.push(`the read model could not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  const readModel = { answer: readModelAnswer, agrees: readModelAgrees(answer, readModelAnswer) };
  if (!readModel.agrees && answer.kind !== 'unreadable') findings.push(`at ${asOf} the log says ${describeAnswer(answer)}, the read model says ${describeReadModel(readModelAnswer)}`);

  const verify = await crm.verify();
  const streamProblems: StreamProblem[] = [
    ...verify.breaks.filter((item) => item.stream === stream).map(({ revision, position, problem, message }) => ({ revision, position, problem, message })),
    ...verify.undecodable.filter((item) => item.stream === stream).map(({ revision, position, message }) => ({ revision, position, problem: 'undecodable', message })),
  ].sort((a, b) => a.revision - b.revision);
  if (!verify.intact) {
    const elsewhere = verify.breaks.length + verify.undecodable.length - streamProblems.length;
    findings.push(
      `the log is not intact: ${streamProblems.map((item) => `${stream}@${item.revision} ${item.problem}`).join(', ') || `nothing in ${stream}`}` +
        (elsewhere > 0 ? `; ${elsewhere} problem(s) in other streams` : ''),
    );
  }

  const head = await anchorStream(crm.store, stream);
  const anchorCheck = question.anchor === undefined ? null : await checkAnchor(crm.store, question.anchor);
  if (anchorCheck?.status === 'changed') findings.push(`${anchorCheck.anchor.stream}@${anchorCheck.anchor.revision} no longer has the anchored hash: it or an event before it was rewritten`);
  if (anchorCheck?.status === 'missing') findings.push(`${anchorCheck.anchor.stream}@${anchorCheck.anchor.revision}, anchored earlier, is gone: events were cut from the stream`);

  return { customerId, stream, asOf, asOfFromDate: question.at.fromDate, answer, replay, readModel, verify, streamProblems, head, anchorCheck, findings };
}

async function logAnswer(crm: Crm, stream: string, facts: readonly OwnershipFact[], asOf: string): Promise<LogAnswer> {
  const inForce = factInForce(facts, asOf);
  if (inForce.kind === 'not_registered') return inForce;
  const events = await crm.store.readStream(stream);
  const movedThere = await moveOf(crm, events, inForce.fact);
  if (inForce.kind === 'merged') return { kind: 'merged', survivorId: inForce.survivorId, since: inForce.fact.at, movedThere };
  return {
    kind: 'owned',
    owner: inForce.owner,
    since: inForce.fact.at,
    until: inForce.until?.at ?? null,
    movedThere,
    movedOn: inForce.until,
    supersededAtSameInstant: inForce.supersededAtSameInstant,
  };
}

/** One CLI command run for the cross-check: the `--json` run compared, and optionally the human form to show. */
export interface CliCheck {
  readonly name: 'ownership' | 'audit' | 'verify';
  readonly json: CliRun;
  readonly human: CliRun | null;
  readonly agrees: boolean;
}

/** The CLI's answers to the same three questions, and whether they equal the library's. */
export interface CliCrossCheck {
  readonly checks: readonly CliCheck[];
  readonly findings: readonly string[];
}

/** Values as JSON would carry them (no `undefined` fields), for comparing library objects with CLI documents. */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

/**
 * Asks the CLI the same questions (`eventcrm ownership X --as-of D`,
 * `eventcrm audit X`, `eventcrm verify`, each with `--json`) and compares
 * each document and exit code with the library's answer in `report`: the
 * CLI is a thin shell over the same calls, so any difference is a finding.
 * With `human`, also runs each without `--json` to show what an auditor at
 * a terminal sees.
 */
export async function crossCheckWithCli(selection: StoreSelection, report: OwnershipAuditReport, options: { readonly human?: boolean; readonly cwd?: string } = {}): Promise<CliCrossCheck> {
  const store = cliStoreArgs(selection);
  const questions = [
    { name: 'ownership', args: ['ownership', report.customerId, '--as-of', report.asOf] },
    { name: 'audit', args: ['audit', report.customerId] },
    { name: 'verify', args: ['verify'] },
  ] as const;
  const checks: CliCheck[] = [];
  const findings: string[] = [];
  for (const question of questions) {
    const json = await runCli([...store, '--json', ...question.args], options.cwd);
    const human = options.human === true ? await runCli([...store, ...question.args], options.cwd) : null;
    const agrees = cliAgrees(question.name, json, report);
    if (!agrees) findings.push(`${commandLine(json)} (exit ${json.exitCode}) does not say what the library says`);
    checks.push({ name: question.name, json, human, agrees });
  }
  return { checks, findings };
}

function cliAgrees(name: CliCheck['name'], cli: CliRun, report: OwnershipAuditReport): boolean {
  const document = jsonOf(cli);
  switch (name) {
    case 'ownership': {
      const expected = report.readModel.answer;
      if (expected === null) return cli.exitCode !== 0;
      if (isRejection(expected)) return cli.exitCode === 1 && isDeepStrictEqual(document, asJson({ error: { code: expected.code, message: expected.message, details: expected.details } }));
      return cli.exitCode === 0 && isDeepStrictEqual(document, asJson(expected));
    }
    case 'audit':
      if (report.replay === null) return cli.exitCode !== 0;
      return cli.exitCode === (report.replay.consistent ? 0 : 1) && isDeepStrictEqual(document, asJson(report.replay));
    case 'verify':
      return cli.exitCode === (report.verify.intact ? 0 : 1) && isDeepStrictEqual(document, asJson(report.verify));
  }
}
