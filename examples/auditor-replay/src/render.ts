import { isRejection } from '@eventcrm/runtime';
import { formatAnchor } from './anchor.ts';
import type { CliCrossCheck, Move, OwnershipAuditReport } from './audit.ts';
import { commandLine } from './cli.ts';

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

const owner = (member: string | null): string => member ?? 'the public pool';

function moveLines(move: Move): string[] {
  const { fact, decision, causation } = move;
  const lines = [
    `  actor:       ${fact.actor}${fact.actor === 'system' ? ' (a policy, an import or the pool sweep)' : ''}`,
    `  command id:  ${fact.commandId}`,
    `  event:       ${fact.type} ${fact.eventId}`,
    `  stream:      revision ${fact.revision}, global position ${fact.position}, effective ${fact.at}`,
    `  why:         ${decision.summary}`,
  ];
  if (causation !== null) {
    lines.push(
      causation.found === null
        ? `  caused by:   event ${causation.eventId} (correlation ${causation.correlationId})`
        : `  caused by:   ${causation.found.type} ${causation.eventId} (${causation.found.stream}@${causation.found.revision}, position ${causation.found.position}), issued by ${causation.found.actor} with command ${causation.found.commandId} at ${causation.found.at}`,
    );
  }
  return lines;
}

/** The audit as a page of text for a terminal: the answer, who moved it there and why, then every check. */
export function renderReport(report: OwnershipAuditReport): string {
  const lines: string[] = [];
  const asked = report.asOfFromDate ? `${report.asOf} (the start of that UTC day)` : report.asOf;
  lines.push(`Who owned ${report.customerId} at ${asked}? (from the event log, stream ${report.stream})`, '');
  const { answer } = report;
  switch (answer.kind) {
    case 'not_registered':
      lines.push(answer.registeredAt === null ? `  Nobody: the log records no registration of ${report.customerId}.` : `  Nobody: ${report.customerId} was registered only at ${answer.registeredAt}.`);
      break;
    case 'unreadable':
      lines.push(`  The log cannot say: ${answer.message}`);
      break;
    case 'merged':
      lines.push(`  Nobody: it had been merged into ${answer.survivorId} at ${answer.since}. Ask about ${answer.survivorId}.`, '', 'Merged by:', ...moveLines(answer.movedThere));
      break;
    case 'owned':
      lines.push(
        `  ${owner(answer.owner)}, since ${answer.since}${answer.until === null ? ' (still in force)' : ` until ${answer.until}`}.`,
        '',
        `Moved there by (${answer.movedThere.fact.reason}${answer.movedThere.fact.detail === undefined ? '' : `/${answer.movedThere.fact.detail}`}):`,
        ...moveLines(answer.movedThere),
      );
      if (answer.movedOn !== null) {
        const next = answer.movedOn;
        lines.push(`Moved on by:   ${next.type} at ${next.at} by ${next.actor} (command ${next.commandId}, revision ${next.revision})`);
      }
      for (const superseded of answer.supersededAtSameInstant) {
        lines.push(`Also at that instant, superseded: ${superseded.type} to ${owner(superseded.to)} (revision ${superseded.revision}); a zero-length period owns no instant`);
      }
      break;
  }

  lines.push('', 'Checks:');
  const readModel = report.readModel.answer;
  lines.push(
    `  read model (ownerAsOf):   ${report.readModel.agrees ? 'agrees' : 'DISAGREES'}: ${readModel === null ? 'no answer' : isRejection(readModel) ? `${readModel.code}: ${readModel.message}` : owner(readModel.owner)}`,
  );
  lines.push(
    report.replay === null
      ? '  replay (audit):           not possible, the stream does not decode'
      : `  replay (audit):           ${report.replay.facts.length} ownership facts; the read model's whole history ${report.replay.consistent ? 'agrees' : `DIFFERS (${plural(report.replay.differences.length, 'difference')})`}`,
  );
  for (const difference of report.replay?.differences ?? []) lines.push(`    - ${difference.kind}: ${difference.message}`);
  lines.push(
    `  hash chains (verify):     ${report.verify.intact ? 'intact' : 'NOT INTACT'}: ${report.verify.eventsChecked} events in ${report.verify.streamsChecked} streams, ` +
      `${plural(report.verify.breaks.length, 'break')}, ${report.verify.undecodable.length} undecodable`,
  );
  for (const problem of report.streamProblems) lines.push(`    - ${report.stream}@${problem.revision} (position ${problem.position}): ${problem.problem}: ${problem.message}`);
  if (report.head !== null) lines.push(`  head of the stream:       ${formatAnchor(report.head)}`, '    (record this line outside the database; pass it back with --anchor to detect a rewritten chain)');
  if (report.anchorCheck !== null) {
    const check = report.anchorCheck;
    lines.push(
      `  anchor ${formatAnchor(check.anchor)}: ` +
        (check.status === 'holds' ? `holds: revision ${check.anchor.revision} still carries the recorded hash (with an intact verify, nothing up to it changed)` : check.status === 'changed' ? `BROKEN, that revision now carries hash ${check.hashNow}` : `BROKEN, that revision is gone (head now ${check.headRevisionNow ?? 'none'})`),
    );
  }
  lines.push('', report.findings.length === 0 ? 'Every check passed.' : `${report.findings.length} check(s) failed:`);
  for (const finding of report.findings) lines.push(`  - ${finding}`);
  return `${lines.join('\n')}\n`;
}

/** The CLI's answers as a terminal session, each followed by whether it equals the library's. */
export function renderCliCheck(check: CliCrossCheck): string {
  const lines: string[] = ['The same questions through the eventcrm CLI:'];
  for (const item of check.checks) {
    const shown = item.human ?? item.json;
    lines.push('', `$ ${commandLine(shown)}`);
    const output = `${shown.stdout}${shown.stderr}`.trimEnd();
    if (output !== '') lines.push(output);
    lines.push(`(exit ${shown.exitCode}; --json ${item.agrees ? 'equals the library answer' : 'DIFFERS from the library answer'})`);
  }
  return `${lines.join('\n')}\n`;
}
