/**
 * Rejections as values (docs/guide-embedding.md): every outcome of a
 * command and every query answer is a value to inspect, never an exception.
 */
import { customerStream } from '@eventcrm/domain';
import { Crm, ManualClock, createInMemoryEventStore, isRejection, type ExecutionOutcome } from '@eventcrm/runtime';

// #region describe
/** One line for a user interface, from any outcome. */
function describeOutcome(outcome: ExecutionOutcome): string {
  if (outcome.ok) {
    if (outcome.duplicate) return `already done (command ${outcome.commandId})`;
    if (outcome.events.length === 0) return 'nothing to change';
    return `recorded ${outcome.events.map((event) => event.type).join(', ')}`;
  }
  const { code, message, details } = outcome.error;
  switch (code) {
    case 'INVALID_COMMAND': {
      const issues = (details?.['issues'] ?? []) as readonly { readonly path: string; readonly message: string }[];
      return `please correct: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`;
    }
    case 'DUPLICATE_CUSTOMER':
      return `this customer is already registered as ${String(details?.['existingCustomerId'])}`;
    case 'CONCURRENCY_CONFLICT':
      return 'someone changed this customer meanwhile: reload and try again';
    default:
      return `${code}: ${message}`;
  }
}
// #endregion describe

export async function main() {
  const clock = new ManualClock('2026-01-05T09:00:00.000Z');
  const crm = new Crm({ store: createInMemoryEventStore(), clock });
  await crm.execute({ command: 'RegisterMember', actor: 'system', data: { memberId: 'u-alice', name: 'Alice', role: 'manager', team: 'north' } });
  const lines: string[] = [];

  // #region invalid
  const invalid = await crm.execute({
    command: 'RegisterCustomer',
    actor: 'u-alice',
    data: { customerId: 'cus-1', name: 'Acme Ltd', kind: 'company', source: 'referral', importance: 'Z' },
  });
  lines.push(describeOutcome(invalid));
  // please correct: data.importance Invalid option: expected one of "A"|"B"|"C"
  // #endregion invalid

  const registered = await crm.execute({
    command: 'RegisterCustomer',
    actor: 'u-alice',
    data: { customerId: 'cus-1', name: 'Acme Ltd', kind: 'company', email: 'buyer@acme.example', source: 'referral', importance: 'A' },
  });
  lines.push(describeOutcome(registered));

  // #region expected-revisions
  // The revision the user saw when the form was shown (say, from an HTTP If-Match header).
  const seen = await crm.store.streamRevision(customerStream('cus-1'));
  await crm.execute({ command: 'ChangeCustomerStage', actor: 'u-alice', data: { customerId: 'cus-1', stage: 'intent' } });

  // The form is submitted after someone else's change: nothing is appended.
  const stale = await crm.execute(
    { command: 'UpdateCustomerProfile', actor: 'u-alice', data: { customerId: 'cus-1', changes: { importance: 'B' } } },
    { expectedRevisions: { [customerStream('cus-1')]: seen ?? 'no_stream' } },
  );
  lines.push(describeOutcome(stale));
  // someone changed this customer meanwhile: reload and try again
  // #endregion expected-revisions

  // #region query-rejection
  const history = await crm.ownership('cus-404');
  if (isRejection(history)) {
    lines.push(`${history.code}: ${history.message}`);
    // NOT_FOUND: customer cus-404 does not exist
  } else {
    lines.push(`owned by ${history.currentOwner ?? 'the pool'}`);
  }
  // #endregion query-rejection

  await crm.close();
  return { lines, invalid, stale, history };
}
