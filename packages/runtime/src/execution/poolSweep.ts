import { configAt, domainError, normaliseInstant, poolSweep, type DomainError, type RecycleRule } from '@eventcrm/domain';
import type { Clock } from '../clock.ts';
import type { CommandExecutor } from './executor.ts';

/** One recycle of a sweep (made, or that would be made in a dry run). */
export interface SweepRecycleReport {
  readonly customerId: string;
  readonly owner: string;
  readonly rule: RecycleRule;
  readonly idleDays: number;
}

/** A customer the sweep did not recycle although a rule held, and why. */
export interface SweepSkipReport {
  readonly customerId: string;
  /** `later_events`: its stream has events after the as-of time; otherwise the rejection code of the recycle. */
  readonly reason: string;
  readonly lastEventAt?: string;
  readonly message?: string;
}

/** The CLI's `pool sweep` result (cli.md). */
export interface SweepReport {
  readonly asOf: string;
  readonly dryRun: boolean;
  readonly recycles: readonly SweepRecycleReport[];
  readonly skipped: readonly SweepSkipReport[];
}

/**
 * The pool sweep policy (domain.md §6.3) at `asOf`: every owned customer for
 * which a recycle rule holds is recycled by system, effective at `asOf`.
 * Deterministic and idempotent (command ids derive from the time and the
 * customer), so running it twice recycles nothing new.
 */
export async function sweepPool(
  executor: CommandExecutor,
  clock: Clock,
  asOfInput: string,
  options: { readonly dryRun?: boolean } = {},
): Promise<{ ok: true; report: SweepReport } | { ok: false; error: DomainError }> {
  const asOf = normaliseInstant(asOfInput);
  if (asOf === undefined) {
    return { ok: false, error: domainError('INVALID_COMMAND', 'asOf: must be an ISO-8601 date-time with a UTC offset', { issues: [{ path: 'asOf', message: 'must be an ISO-8601 date-time with a UTC offset' }] }) };
  }
  if (Date.parse(asOf) > Date.parse(clock.now()) + 5 * 60_000) {
    return { ok: false, error: domainError('INVALID_COMMAND', 'asOf: must not lie more than 5 minutes ahead of the clock', { issues: [{ path: 'asOf', message: 'must not lie more than 5 minutes ahead of the clock' }] }) };
  }
  const index = await executor.factIndex();
  const planned = poolSweep(asOf, index.sweepCandidates(), configAt(index.configurations, asOf));
  const dryRun = options.dryRun === true;
  const recycles: SweepRecycleReport[] = [];
  const skipped: SweepSkipReport[] = planned.skipped.map((skip) => ({ customerId: skip.customerId, reason: skip.reason, lastEventAt: skip.lastEventAt }));
  for (const recycle of planned.recycles) {
    const report = { customerId: recycle.customerId, owner: recycle.owner, rule: recycle.rule, idleDays: recycle.idleDays };
    if (dryRun) {
      recycles.push(report);
      continue;
    }
    const outcome = await executor.executeParsed(recycle.command);
    if (outcome.ok) recycles.push(report);
    else skipped.push({ customerId: recycle.customerId, reason: outcome.error.code, message: outcome.error.message });
  }
  return { ok: true, report: { asOf, dryRun, recycles, skipped } };
}
