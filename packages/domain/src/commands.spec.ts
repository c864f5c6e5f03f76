import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { commandNames, malformedJson, parseCommand, type CrmCommand } from './commands.ts';
import type { DomainError } from './shared/errors.ts';

// domain.md §0 Validation and Errors: strict command objects, trimmed strings,
// every bad field reported with its path, `at` normalised and at most five
// minutes ahead of the clock, money digits per currency, real dates.

const NOW = '2026-01-05T09:00:00.000Z';
const environment = { now: NOW, newId: () => 'generated-id' };

const parse = (input: unknown) => parseCommand(input, environment);

const accepted = (input: unknown): CrmCommand => {
  const result = parse(input);
  if (E.isLeft(result)) throw new Error(`expected acceptance, got ${JSON.stringify(result.left)}`);
  return result.right;
};

const rejected = (input: unknown): DomainError => {
  const result = parse(input);
  if (E.isRight(result)) throw new Error(`expected rejection, got ${JSON.stringify(result.right)}`);
  return result.left;
};

/** The paths of an INVALID_COMMAND rejection, sorted. */
const badPaths = (input: unknown): string[] => {
  const error = rejected(input);
  expect(error.code).toBe('INVALID_COMMAND');
  return (error.details?.['issues'] as { path: string }[]).map((issue) => issue.path).sort();
};

const registerCustomer = (data: Record<string, unknown> = {}) => ({
  command: 'RegisterCustomer',
  actor: 'rep-a',
  data: { customerId: 'c1', name: 'Acme Ltd', kind: 'company', email: 'info@acme.com', source: 'web', importance: 'A', ...data },
});

const openOpportunity = (amount: unknown, extra: Record<string, unknown> = {}) => ({
  command: 'OpenOpportunity',
  actor: 'rep-a',
  data: { opportunityId: 'o1', customerId: 'c1', title: 'Fleet renewal', amount, expectedCloseDate: '2026-03-31', ...extra },
});

describe('a valid command', () => {
  it('gets its id, effective time (the clock), correlation and no causation', () => {
    expect(accepted({ command: 'ClaimCustomer', actor: 'rep-a', data: { customerId: 'c1' } })).toEqual({
      command: 'ClaimCustomer',
      id: 'generated-id',
      actor: 'rep-a',
      at: NOW,
      data: { customerId: 'c1' },
      correlationId: 'generated-id',
      causationId: null,
    });
  });

  it('keeps a caller-supplied id, correlation and causation', () => {
    expect(
      accepted({ command: 'ClaimCustomer', id: 'cmd-1', actor: 'rep-a', correlationId: 'corr-1', causationId: 'evt-9', data: { customerId: 'c1' } }),
    ).toMatchObject({ id: 'cmd-1', correlationId: 'corr-1', causationId: 'evt-9' });
  });

  it('has every string trimmed, the phone and email normalised', () => {
    const command = accepted(
      registerCustomer({ customerId: 'c1', name: '  Acme Ltd  ', phone: ' +86 10 1234 5678 ', email: '  Info@ACME.com ', industry: ' logistics ', region: ' north ' }),
    );
    expect(command.data).toEqual({
      customerId: 'c1',
      name: 'Acme Ltd',
      kind: 'company',
      phone: '+861012345678',
      email: 'info@acme.com',
      industry: 'logistics',
      region: 'north',
      source: 'web',
      importance: 'A',
    });
  });

  it('covers every command of the catalogue, UnassignTicket included', () => {
    expect([...commandNames].sort()).toEqual(
      [
        'RegisterMember', 'ChangeMemberRole', 'MoveMemberToTeam', 'SetSalesTarget', 'DeactivateMember',
        'RegisterCustomer', 'UpdateCustomerProfile', 'ChangeCustomerStage', 'AddContact', 'UpdateContact', 'RemoveContact', 'LogFollowUp',
        'ClaimCustomer', 'AssignCustomer', 'TransferCustomer', 'ReleaseCustomer', 'RecycleCustomer', 'LockCustomer', 'UnlockCustomer',
        'MergeCustomers', 'ErasePersonalData',
        'OpenOpportunity', 'MoveOpportunityStage', 'ReviseOpportunity', 'ReassignOpportunity', 'WinOpportunity', 'LoseOpportunity', 'ReopenOpportunity',
        'OpenTicket', 'AssignTicket', 'UnassignTicket', 'CommentOnTicket', 'ChangeTicketPriority', 'EscalateTicket', 'ResolveTicket', 'CloseTicket',
        'ReopenTicket', 'RateTicket',
        'Configure',
      ].sort(),
    );
  });
});

describe('strictness: unknown keys are INVALID_COMMAND', () => {
  it('an unknown key at the top level', () => {
    expect(badPaths({ command: 'ClaimCustomer', actor: 'rep-a', data: { customerId: 'c1' }, priority: 'high' })).toEqual(['priority']);
  });

  it('__proto__ and constructor at the top level (as JSON.parse makes them: own keys)', () => {
    expect(badPaths(JSON.parse('{"command":"ClaimCustomer","actor":"rep-a","data":{"customerId":"c1"},"__proto__":{"admin":true}}'))).toEqual(['__proto__']);
    expect(badPaths(JSON.parse('{"command":"ClaimCustomer","actor":"rep-a","data":{"customerId":"c1"},"constructor":{"prototype":{}}}'))).toEqual(['constructor']);
  });

  it('__proto__ and constructor inside data, each with its own path', () => {
    expect(badPaths(JSON.parse('{"command":"ClaimCustomer","actor":"rep-a","data":{"customerId":"c1","__proto__":{"x":1},"constructor":1}}'))).toEqual([
      'data.__proto__',
      'data.constructor',
    ]);
  });

  it('an unknown key in a nested object (the money input, profile changes)', () => {
    expect(badPaths(openOpportunity({ amount: '1.00', currency: 'USD', rate: 7 }))).toEqual(['data.amount.rate']);
    expect(badPaths({ command: 'UpdateCustomerProfile', actor: 'rep-a', data: { customerId: 'c1', changes: { owner: 'rep-b' } } })).toEqual(['data.changes.owner']);
  });

  it('no pollution: a __proto__ key never reaches the parsed command', () => {
    rejected(JSON.parse('{"command":"ClaimCustomer","actor":"rep-a","data":{"customerId":"c1","__proto__":{"polluted":true}}}'));
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('every bad field is reported with its path', () => {
  it('several bad data fields at once', () => {
    expect(badPaths(registerCustomer({ importance: 'D', kind: 'robot', source: undefined, name: '   ' }))).toEqual(['data.importance', 'data.kind', 'data.name', 'data.source']);
  });

  it('a bad `at` and bad data together', () => {
    expect(badPaths({ command: 'ClaimCustomer', actor: 'rep-a', at: 'tomorrow', data: { customerId: 'has space' } })).toEqual(['at', 'data.customerId']);
  });

  it('missing envelope fields', () => {
    expect(badPaths({ data: {} })).toEqual(['actor', 'command']);
  });

  it('an unknown command', () => {
    const error = rejected({ command: 'DeleteEverything', actor: 'admin', data: {} });
    expect(error).toMatchObject({ code: 'INVALID_COMMAND', details: { issues: [{ path: 'command' }] } });
  });

  it('an actor that is not an identifier', () => {
    expect(badPaths({ command: 'ClaimCustomer', actor: 'rep a', data: { customerId: 'c1' } })).toEqual(['actor']);
  });

  it.each([null, 42, 'RegisterCustomer', [], true, undefined])('a non-object input (%s) is rejected, never thrown', (input) => {
    expect(rejected(input).code).toBe('INVALID_COMMAND');
  });

  it('a non-object data is rejected', () => {
    expect(badPaths({ command: 'ClaimCustomer', actor: 'rep-a', data: 'c1' })).toEqual(['data']);
  });
});

describe('identifiers, names, free text, phones and emails', () => {
  it('identifiers are 1-64 characters of [A-Za-z0-9._:-]', () => {
    expect(accepted({ command: 'ClaimCustomer', actor: 'rep-a', data: { customerId: 'A.b_c:d-9' } }).data).toEqual({ customerId: 'A.b_c:d-9' });
    expect(accepted({ command: 'ClaimCustomer', actor: 'rep-a', data: { customerId: 'x'.repeat(64) } }).command).toBe('ClaimCustomer');
    expect(badPaths({ command: 'ClaimCustomer', actor: 'rep-a', data: { customerId: 'x'.repeat(65) } })).toEqual(['data.customerId']);
    expect(badPaths({ command: 'ClaimCustomer', actor: 'rep-a', data: { customerId: '' } })).toEqual(['data.customerId']);
    expect(badPaths({ command: 'ClaimCustomer', actor: 'rep-a', data: { customerId: 'c/1' } })).toEqual(['data.customerId']);
  });

  it('names and titles are 1-200 characters after trimming', () => {
    expect(accepted(registerCustomer({ name: ` ${'n'.repeat(200)} ` })).data).toMatchObject({ name: 'n'.repeat(200) });
    expect(badPaths(registerCustomer({ name: 'n'.repeat(201) }))).toEqual(['data.name']);
    expect(badPaths(registerCustomer({ name: '  ' }))).toEqual(['data.name']);
  });

  it('free text is at most 10,000 characters', () => {
    const followUp = (summary: string) => ({ command: 'LogFollowUp', actor: 'rep-a', data: { customerId: 'c1', channel: 'call', summary } });
    expect(accepted(followUp('s'.repeat(10_000))).data).toMatchObject({ summary: 's'.repeat(10_000) });
    expect(badPaths(followUp('s'.repeat(10_001)))).toEqual(['data.summary']);
  });

  it('a phone normalises to 6-20 digits', () => {
    expect(badPaths(registerCustomer({ phone: '12345' }))).toEqual(['data.phone']);
    expect(badPaths(registerCustomer({ phone: '1'.repeat(21) }))).toEqual(['data.phone']);
    expect(accepted(registerCustomer({ phone: '1'.repeat(20) })).data).toMatchObject({ phone: '1'.repeat(20) });
  });

  it('an email is a valid address of at most 254 characters', () => {
    const emailOfLength = (domainTail: number) => `${'a'.repeat(64)}@${'d'.repeat(60)}.${'e'.repeat(63)}.${'f'.repeat(domainTail)}.com`;
    expect(emailOfLength(60)).toHaveLength(254);
    expect(accepted(registerCustomer({ email: emailOfLength(60) })).data).toMatchObject({ email: emailOfLength(60) });
    expect(badPaths(registerCustomer({ email: emailOfLength(61) }))).toEqual(['data.email']);
    expect(badPaths(registerCustomer({ email: 'not-an-address' }))).toEqual(['data.email']);
  });

  it('a customer needs a phone or an email', () => {
    expect(badPaths(registerCustomer({ email: undefined }))).toEqual(['data.phone']);
  });
});

describe('the effective time `at`', () => {
  const claimAt = (at: string) => ({ command: 'ClaimCustomer', actor: 'rep-a', at, data: { customerId: 'c1' } });

  it('may carry any UTC offset and is normalised to Z', () => {
    expect(accepted(claimAt('2026-01-05T16:30:00+08:00')).at).toBe('2026-01-05T08:30:00.000Z');
    expect(accepted(claimAt('2025-12-31T20:00:00-05:00')).at).toBe('2026-01-01T01:00:00.000Z');
  });

  it('may lie in the past (historical import)', () => {
    expect(accepted(claimAt('2020-02-29T00:00:00Z')).at).toBe('2020-02-29T00:00:00.000Z');
  });

  it('may lie up to exactly 5 minutes ahead of the clock', () => {
    expect(accepted(claimAt('2026-01-05T09:05:00.000Z')).at).toBe('2026-01-05T09:05:00.000Z');
    expect(accepted(claimAt('2026-01-05T17:05:00+08:00')).at).toBe('2026-01-05T09:05:00.000Z');
  });

  it('more than 5 minutes ahead is INVALID_COMMAND with path `at`', () => {
    expect(badPaths(claimAt('2026-01-05T09:05:00.001Z'))).toEqual(['at']);
    expect(badPaths(claimAt('2026-01-05T17:05:00.001+08:00'))).toEqual(['at']);
  });

  it.each(['2026-02-30T09:00:00Z', '2026-01-05T09:00:00', '2026-01-05', 'now'])('"%s" is not a valid effective time', (at) => {
    expect(badPaths(claimAt(at))).toEqual(['at']);
  });
});

describe('money input', () => {
  it('becomes integer minor units of the currency', () => {
    expect(accepted(openOpportunity({ amount: '12500.50', currency: 'USD' })).data).toMatchObject({ amount: { currency: 'USD', minor: '1250050' } });
    expect(accepted(openOpportunity({ amount: '1500000', currency: 'JPY' })).data).toMatchObject({ amount: { currency: 'JPY', minor: '1500000' } });
    expect(accepted(openOpportunity({ amount: '12.345', currency: 'BHD' })).data).toMatchObject({ amount: { currency: 'BHD', minor: '12345' } });
    expect(accepted(openOpportunity({ amount: '0', currency: 'USD' })).data).toMatchObject({ amount: { currency: 'USD', minor: '0' } });
  });

  it('has at most the currency\'s minor digits: JPY 0, USD 2, BHD 3', () => {
    expect(badPaths(openOpportunity({ amount: '100.5', currency: 'JPY' }))).toEqual(['data.amount.amount']);
    expect(badPaths(openOpportunity({ amount: '1.005', currency: 'USD' }))).toEqual(['data.amount.amount']);
    expect(badPaths(openOpportunity({ amount: '12.3456', currency: 'BHD' }))).toEqual(['data.amount.amount']);
  });

  it('is a decimal string, never a number, never negative', () => {
    expect(badPaths(openOpportunity({ amount: 12500.5, currency: 'USD' }))).toEqual(['data.amount.amount']);
    expect(badPaths(openOpportunity({ amount: '-1.00', currency: 'USD' }))).toEqual(['data.amount.amount']);
    expect(badPaths(openOpportunity({ amount: '1e6', currency: 'USD' }))).toEqual(['data.amount.amount']);
  });

  it('names a known ISO-4217 currency', () => {
    expect(badPaths(openOpportunity({ amount: '1.00', currency: 'XYZ' }))).toEqual(['data.amount.currency']);
    expect(badPaths(openOpportunity({ amount: '1.00', currency: 'XAU' }))).toEqual(['data.amount.currency']);
  });
});

describe('dates', () => {
  it('a real calendar date is accepted, 2026-02-30 is not', () => {
    expect(accepted(openOpportunity({ amount: '1.00', currency: 'USD' }, { expectedCloseDate: '2028-02-29' })).data).toMatchObject({ expectedCloseDate: '2028-02-29' });
    expect(badPaths(openOpportunity({ amount: '1.00', currency: 'USD' }, { expectedCloseDate: '2026-02-30' }))).toEqual(['data.expectedCloseDate']);
    expect(badPaths(openOpportunity({ amount: '1.00', currency: 'USD' }, { expectedCloseDate: '2026-02-29' }))).toEqual(['data.expectedCloseDate']);
    expect(badPaths(openOpportunity({ amount: '1.00', currency: 'USD' }, { expectedCloseDate: '31/03/2026' }))).toEqual(['data.expectedCloseDate']);
  });

  it('a birthday is MM-DD or a full date', () => {
    const contact = (birthday: string) => ({
      command: 'AddContact',
      actor: 'rep-a',
      data: { customerId: 'c1', contactId: 'k1', name: 'Li Lei', role: 'champion', email: 'li@acme.com', birthday },
    });
    expect(accepted(contact('02-29')).data).toMatchObject({ birthday: '02-29' });
    expect(accepted(contact('1990-12-31')).data).toMatchObject({ birthday: '1990-12-31' });
    expect(badPaths(contact('02-30'))).toEqual(['data.birthday']);
    expect(badPaths(contact('1990-02-29'))).toEqual(['data.birthday']);
    expect(badPaths(contact('13-01'))).toEqual(['data.birthday']);
  });

  it('a follow-up time carries an offset and is normalised', () => {
    const command = accepted({
      command: 'LogFollowUp',
      actor: 'rep-a',
      data: { customerId: 'c1', channel: 'visit', summary: 'demo', nextFollowUpAt: '2026-01-12T10:00:00+08:00' },
    });
    expect(command.data).toMatchObject({ nextFollowUpAt: '2026-01-12T02:00:00.000Z' });
  });

  it('a sales target period is a year, quarter or month', () => {
    const target = (period: string) => ({ command: 'SetSalesTarget', actor: 'mgr-n', data: { memberId: 'rep-a', period, amount: { amount: '1000', currency: 'USD' } } });
    expect(accepted(target('2026-Q1')).data).toMatchObject({ period: '2026-Q1' });
    expect(badPaths(target('2026-Q5'))).toEqual(['data.period']);
    expect(badPaths(target('2026-13'))).toEqual(['data.period']);
  });
});

describe('enumerations and numbers', () => {
  it('a score is a whole number 1-5', () => {
    const rate = (score: unknown) => ({ command: 'RateTicket', actor: 'system', data: { ticketId: 't1', score } });
    expect(accepted(rate(5)).data).toMatchObject({ score: 5 });
    expect(badPaths(rate(0))).toEqual(['data.score']);
    expect(badPaths(rate(6))).toEqual(['data.score']);
    expect(badPaths(rate(4.5))).toEqual(['data.score']);
    expect(badPaths(rate('5'))).toEqual(['data.score']);
  });

  it('a probability override is 0-100', () => {
    const revise = (probability: unknown) => ({ command: 'ReviseOpportunity', actor: 'rep-a', data: { opportunityId: 'o1', probability } });
    expect(accepted(revise(0)).data).toMatchObject({ probability: 0 });
    expect(accepted(revise(100)).data).toMatchObject({ probability: 100 });
    expect(badPaths(revise(101))).toEqual(['data.probability']);
    expect(badPaths(revise(-1))).toEqual(['data.probability']);
  });

  it('a member id may not be the reserved actor name system', () => {
    expect(badPaths({ command: 'RegisterMember', actor: 'admin', data: { memberId: 'system', name: 'System', role: 'admin' } })).toEqual(['data.memberId']);
  });

  it('a customer registered to the pool names no owner', () => {
    expect(badPaths(registerCustomer({ toPool: true, owner: 'rep-a' }))).toEqual(['data.owner']);
  });

  it('a customer is not merged into itself', () => {
    expect(badPaths({ command: 'MergeCustomers', actor: 'admin', data: { survivorId: 'c1', duplicateId: 'c1' } })).toEqual(['data.duplicateId']);
  });
});

describe('Configure', () => {
  it('its outer command object is checked like any other (INVALID_COMMAND); its data is left to the decider', () => {
    expect(badPaths({ command: 'Configure', actor: 'admin', data: {}, scope: 'tenant' })).toEqual(['scope']);
    expect(accepted({ command: 'Configure', actor: 'admin', data: { pool: { holdingLimit: -1 } } }).data).toEqual({ pool: { holdingLimit: -1 } });
  });
});

describe('MALFORMED_JSON', () => {
  it('is the rejection of an NDJSON line that is not JSON', () => {
    expect(malformedJson('Unexpected token } in JSON at position 7')).toEqual({ code: 'MALFORMED_JSON', message: 'Unexpected token } in JSON at position 7' });
  });
});

describe('text no store can keep', () => {
  const environment = { now: '2026-01-05T09:00:00.000Z', newId: () => 'id' };
  it('rejects NUL and unpaired surrogates anywhere in data, with the path', () => {
    const nul = parseCommand({ command: 'LogFollowUp', actor: 'system', data: { customerId: 'c1', channel: 'call', summary: 'a\u0000b' } }, environment);
    expect(nul).toMatchObject({ _tag: 'Left', left: { code: 'INVALID_COMMAND', details: { issues: [{ path: 'data.summary' }] } } });
    const surrogate = parseCommand({ command: 'AddContact', actor: 'system', data: { customerId: 'c1', contactId: 'k1', name: 'x\uD800', role: 'user', email: 'a@b.co' } }, environment);
    expect(surrogate).toMatchObject({ _tag: 'Left', left: { code: 'INVALID_COMMAND', details: { issues: [{ path: 'data.name' }] } } });
  });
});
