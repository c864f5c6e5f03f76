import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInMemoryEventStore, createInMemoryReadModelStore, Crm, ManualClock, type AppendRequest, type EventStore } from '@eventcrm/runtime';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCrm } from './openCrm.ts';
import { createServer } from './server.ts';

const day = (n: number, hour = 9) => new Date(Date.UTC(2026, 2, n, hour)).toISOString();
const now = day(20);

interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly etag: string | null;
  readonly body: unknown;
}

// vitest's asymmetric matchers are typed `any`; these keep the assertions typed.
const anyOf = (type: unknown): unknown => expect.any(type);
const like = (shape: object): unknown => expect.objectContaining(shape);
const containing = (text: string): unknown => expect.stringContaining(text);
const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);

/** The value at a path of a JSON answer (`undefined` when absent). */
function pick(value: unknown, ...path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) current = typeof current === 'object' && current !== null ? (current as Record<string | number, unknown>)[key] : undefined;
  return current;
}

/** The issue paths of a 400 problem, sorted. */
const issuePaths = (answer: Answer): string[] => ((pick(answer.body, 'details', 'issues') ?? []) as { path: string }[]).map((issue) => issue.path).sort();

/** A running server on a free port, and a tiny client for it. */
async function start(crm: Crm): Promise<{ app: FastifyInstance; post: (path: string, body: unknown, headers?: Record<string, string>) => Promise<Answer>; get: (path: string, headers?: Record<string, string>) => Promise<Answer> }> {
  const app = createServer({ crm });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const answer = async (response: Response): Promise<Answer> => {
    const text = await response.text();
    return { status: response.status, contentType: response.headers.get('content-type'), etag: response.headers.get('etag'), body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  return {
    app,
    post: async (path, body, headers = {}) =>
      answer(await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })),
    get: async (path, headers = {}) => answer(await fetch(base + path, { headers })),
  };
}

const problemShape = (status: number, code: string) => ({
  status,
  contentType: 'application/problem+json; charset=utf-8',
  body: like({ type: `/problems/${code.toLowerCase().replaceAll('_', '-')}`, title: anyOf(String), status, detail: anyOf(String), code, details: anyOf(Object) }),
});

describe('the HTTP API over an SQLite store', () => {
  let directory: string;
  let crm: Crm;
  let server: Awaited<ReturnType<typeof start>>;
  const post = (path: string, body: unknown, headers?: Record<string, string>) => server.post(path, body, headers);
  const get = (path: string, headers?: Record<string, string>) => server.get(path, headers);
  const command = (id: string, name: string, actor: string, at: string, data: object) => ({ command: name, id, actor, at, data });

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'eventcrm-http-'));
    crm = openCrm({ kind: 'sqlite', path: join(directory, 'crm.db') }, { clock: new ManualClock(now) });
    server = await start(crm);
    for (const [memberId, role] of [['u-alice', 'rep'], ['u-bob', 'rep'], ['u-mia', 'manager']] as const) {
      expect((await post('/commands', command(`cmd-${memberId}`, 'RegisterMember', 'system', day(1), { memberId, name: memberId, role, team: 'north' }))).status).toBe(201);
    }
  });

  afterAll(async () => {
    await server.app.close();
    await crm.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('registers members and customers: 201 with every event’s stream, revision and position', async () => {
    const member = await post('/commands', command('cmd-carol', 'RegisterMember', 'system', day(1), { memberId: 'u-carol', name: 'Carol', role: 'rep', team: 'south' }));
    expect(member).toMatchObject({ status: 201, contentType: 'application/json; charset=utf-8' });
    expect(member.body).toEqual({
      id: 'cmd-carol',
      ok: true,
      duplicate: false,
      events: [{ type: 'MemberRegistered', stream: 'member-u-carol', revision: 0, position: matching(/^[0-9]+$/), eventId: anyOf(String) }],
      triggered: [],
    });

    const customer = await post('/commands', command('cmd-cus-1', 'RegisterCustomer', 'u-alice', day(2), { customerId: 'cus-1', name: 'Acme Ltd', kind: 'company', phone: '+86 10 1234 5678', source: 'referral', importance: 'A' }));
    expect(customer).toMatchObject({ status: 201, body: { id: 'cmd-cus-1', ok: true, duplicate: false, events: [{ type: 'CustomerRegistered', stream: 'customer-cus-1', revision: 0 }] } });
  });

  it('a duplicate phone is a 409 problem naming the existing customer, and its type URI resolves', async () => {
    const duplicate = await post('/commands', command('cmd-cus-2', 'RegisterCustomer', 'u-bob', day(2, 10), { customerId: 'cus-2', name: 'Acme Copy', kind: 'company', phone: '+86-10-12345678', source: 'web', importance: 'B' }));
    expect(duplicate).toMatchObject(problemShape(409, 'DUPLICATE_CUSTOMER'));
    expect(duplicate.body).toMatchObject({ commandId: 'cmd-cus-2', details: { existingCustomerId: 'cus-1', field: 'phone' } });
    expect(pick(duplicate.body, 'detail')).toEqual(containing('cus-1'));
    expect((await get('/customers/cus-2')).status).toBe(404);

    const type = await get(String(pick(duplicate.body, 'type')));
    expect(type).toMatchObject({ status: 200, body: { type: '/problems/duplicate-customer', code: 'DUPLICATE_CUSTOMER', status: 409, title: pick(duplicate.body, 'title') } });
  });

  it('a replayed command id answers the original outcome with duplicate: true and appends nothing', async () => {
    const first = await get('/customers/cus-1');
    const replay = await post('/commands', command('cmd-cus-1', 'RegisterCustomer', 'u-alice', day(3), { customerId: 'cus-1', name: 'Renamed', kind: 'company', phone: '5550000', source: 'web', importance: 'C' }));
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ id: 'cmd-cus-1', ok: true, duplicate: true, events: [{ type: 'CustomerRegistered', stream: 'customer-cus-1', revision: 0 }] });
    expect(first.etag).toBe('"0"');
    expect((await get('/customers/cus-1')).etag).toBe('"0"');
  });

  it('claims: a pool customer is claimed once; the second claim is a 409 problem', async () => {
    expect((await post('/commands', command('cmd-cus-3', 'RegisterCustomer', 'u-mia', day(3), { customerId: 'cus-3', name: 'Globex', kind: 'company', email: 'buy@globex.example', source: 'web', importance: 'B', toPool: true }))).status).toBe(201);
    const claim = await post('/commands', command('cmd-claim-bob', 'ClaimCustomer', 'u-bob', day(4), { customerId: 'cus-3' }));
    expect(claim).toMatchObject({ status: 201, body: { events: [{ type: 'CustomerClaimed', stream: 'customer-cus-3', revision: 1 }] } });
    const again = await post('/commands', command('cmd-claim-alice', 'ClaimCustomer', 'u-alice', day(4, 10), { customerId: 'cus-3' }));
    expect(again).toMatchObject(problemShape(409, 'CUSTOMER_NOT_IN_POOL'));
  });

  it('GET /customers/:id gives the ownership history and a state summary, with the stream revision as ETag', async () => {
    const customer = await get('/customers/cus-3');
    expect(customer).toMatchObject({ status: 200, etag: '"1"' });
    expect(customer.body).toMatchObject({
      customerId: 'cus-3',
      revision: 1,
      customer: { kind: 'company', stage: 'potential', owner: 'u-bob', ownedSince: day(4), locked: false, status: 'active' },
      ownership: {
        customerId: 'cus-3',
        currentOwner: 'u-bob',
        periods: [
          { owner: null, from: day(3), to: day(4), start: { reason: 'registered', actor: 'u-mia' }, end: { reason: 'claimed', actor: 'u-bob' } },
          { owner: 'u-bob', from: day(4), to: null, start: { reason: 'claimed', actor: 'u-bob' }, end: null },
        ],
      },
    });
    expect(pick(customer.body, 'customer')).not.toHaveProperty('email');
    expect(await get('/customers/cus-3', { 'if-none-match': '"1"' })).toMatchObject({ status: 304, etag: '"1"', body: undefined });
    expect(await get('/customers/nobody')).toMatchObject(problemShape(404, 'NOT_FOUND'));
  });

  it('a stale If-Match is a 412 problem and appends nothing', async () => {
    const followUp = command('cmd-stale', 'LogFollowUp', 'u-bob', day(5), { customerId: 'cus-3', channel: 'call', summary: 'intro call' });
    const stale = await post('/customers/cus-3/commands', followUp, { 'if-match': '"0"' });
    expect(stale).toMatchObject(problemShape(412, 'PRECONDITION_FAILED'));
    expect(pick(stale.body, 'details')).toEqual({ customerId: 'cus-3', currentRevision: 1, ifMatch: '"0"' });
    expect(await crm.store.streamRevision('customer-cus-3')).toBe(1);
    expect(await crm.store.findCommand('cmd-stale')).toBeUndefined();
    // A weak tag never matches If-Match (strong comparison), even with the right number.
    expect((await post('/customers/cus-3/commands', followUp, { 'if-match': 'W/"1"' })).status).toBe(412);
  });

  it('a fresh If-Match executes the command and answers the new ETag', async () => {
    const followUp = command('cmd-fresh', 'LogFollowUp', 'u-bob', day(5), { customerId: 'cus-3', channel: 'call', summary: 'intro call', nextFollowUpAt: day(8) });
    const fresh = await post('/customers/cus-3/commands', followUp, { 'if-match': '"1"' });
    expect(fresh).toMatchObject({ status: 201, etag: '"2"', body: { id: 'cmd-fresh', ok: true, events: [{ type: 'FollowUpLogged', stream: 'customer-cus-3', revision: 2 }] } });
    expect((await get('/customers/cus-3')).etag).toBe('"2"');
    // A list and * match too; the replay of a done command answers its outcome even though "1" is stale now (RFC 9110 §13.1.1).
    expect(await post('/customers/cus-3/commands', followUp, { 'if-match': '"1"' })).toMatchObject({ status: 200, etag: null, body: { duplicate: true } });
    const lock = await post('/customers/cus-3/commands', command('cmd-lock', 'LockCustomer', 'u-bob', day(5, 10), { customerId: 'cus-3' }), { 'if-match': '"7", "2"' });
    expect(lock).toMatchObject({ status: 201, etag: '"3"' });
    const unlock = await post('/customers/cus-3/commands', command('cmd-unlock', 'UnlockCustomer', 'u-bob', day(5, 11), { customerId: 'cus-3' }), { 'if-match': '*' });
    expect(unlock).toMatchObject({ status: 201, etag: '"4"' });
  });

  it('conditional commands: the precondition is answered before a business rejection', async () => {
    const claim = command('cmd-claim-2', 'ClaimCustomer', 'u-alice', day(6), { customerId: 'cus-3' });
    expect(await post('/customers/cus-3/commands', claim, { 'if-match': '"1"' })).toMatchObject(problemShape(412, 'PRECONDITION_FAILED'));
    expect(await post('/customers/cus-3/commands', claim, { 'if-match': '"4"' })).toMatchObject(problemShape(409, 'CUSTOMER_NOT_IN_POOL'));
    expect(await post('/customers/cus-3/commands', claim)).toMatchObject(problemShape(428, 'PRECONDITION_REQUIRED'));
    expect(await post('/customers/cus-3/commands', claim, { 'if-match': '4' })).toMatchObject(problemShape(400, 'INVALID_REQUEST'));
    expect(await post('/customers/cus-3/commands', claim, { 'if-match': '"0"' })).toMatchObject({ status: 412 });
    expect(await post('/customers/nobody/commands', { ...claim, data: { customerId: 'nobody' } }, { 'if-match': '"0"' })).toMatchObject(problemShape(412, 'PRECONDITION_FAILED'));

    const mismatch = await post('/customers/cus-1/commands', claim, { 'if-match': '"0"' });
    expect(mismatch).toMatchObject(problemShape(400, 'INVALID_COMMAND'));
    expect(pick(mismatch.body, 'details', 'issues')).toEqual([{ path: 'data.customerId', message: containing('cus-1') }]);

    // A command that only reads the customer is conditional on it too (checked when decided: see the README).
    const open = command('cmd-open-cond', 'OpenOpportunity', 'u-bob', day(6), { opportunityId: 'op-cond', customerId: 'cus-3', title: 'Pilot', amount: { amount: '10.00', currency: 'USD' }, expectedCloseDate: '2026-04-01' });
    expect(await post('/customers/cus-3/commands', open, { 'if-match': '"3"' })).toMatchObject({ ...problemShape(412, 'PRECONDITION_FAILED'), body: like({ details: { customerId: 'cus-3', currentRevision: 4, ifMatch: '"3"' } }) });
    expect(await crm.store.streamRevision('opportunity-op-cond')).toBeNull();
    // An invalid command is a 400 even under a stale If-Match, and a weak tag on a customer that does not exist is a 412.
    expect(await post('/customers/cus-3/commands', { ...claim, data: { customerId: 'cus-3', extra: 1 } }, { 'if-match': '"0"' })).toMatchObject(problemShape(400, 'INVALID_COMMAND'));
    expect(await post('/customers/nobody/commands', { ...claim, data: { customerId: 'nobody' } }, { 'if-match': 'W/"0"' })).toMatchObject({ ...problemShape(412, 'PRECONDITION_FAILED'), body: like({ details: { customerId: 'nobody', currentRevision: null, ifMatch: 'W/"0"' } }) });
  });

  it('malformed JSON, a body that is not JSON and an unknown route are problems too', async () => {
    const malformed = await post('/commands', '{"command": "RegisterMember", ');
    expect(malformed).toMatchObject(problemShape(400, 'MALFORMED_JSON'));
    expect(await post('/commands', '')).toMatchObject(problemShape(400, 'MALFORMED_JSON'));
    expect(await post('/commands', 'RegisterMember', { 'content-type': 'text/plain' })).toMatchObject(problemShape(415, 'UNSUPPORTED_MEDIA_TYPE'));
    expect(await get('/nowhere')).toMatchObject(problemShape(404, 'ROUTE_NOT_FOUND'));
    expect(await get('/customers/not%20an%20id')).toMatchObject(problemShape(400, 'INVALID_COMMAND'));
  });

  it('an unknown command or a bad field is a 400 problem listing every issue path', async () => {
    const unknown = await post('/commands', { command: 'Frobnicate', id: 'cmd-frob', actor: 'system', data: {} });
    expect(unknown).toMatchObject(problemShape(400, 'INVALID_COMMAND'));
    expect(pick(unknown.body, 'details', 'issues')).toEqual([{ path: 'command', message: containing('Frobnicate') }]);
    expect(pick(unknown.body, 'commandId')).toBe('cmd-frob');

    const badFields = await post('/commands', command('cmd-bad', 'RegisterCustomer', 'u-alice', day(6), { customerId: 'cus-9', name: 'Initech', kind: 'robot', phone: '5551234', source: 'web', importance: 'Z' }));
    expect(badFields.status).toBe(400);
    expect(issuePaths(badFields)).toEqual(['data.importance', 'data.kind']);

    const proto = await post('/commands', '{"command":"RegisterMember","actor":"system","data":{"memberId":"u-x","name":"X","role":"rep"},"__proto__":{"admin":true}}');
    expect(proto).toMatchObject(problemShape(400, 'INVALID_COMMAND'));
    expect(pick(proto.body, 'details', 'issues')).toEqual([{ path: '__proto__', message: anyOf(String) }]);
  });

  it('MEMBER_INACTIVE is a 403 for a deactivated actor and a 422 for a deactivated target', async () => {
    expect((await post('/commands', command('cmd-deactivate', 'DeactivateMember', 'system', day(6), { memberId: 'u-carol' }))).status).toBe(201);
    const asActor = await post('/commands', command('cmd-carol-acts', 'RegisterCustomer', 'u-carol', day(7), { customerId: 'cus-5', name: 'Hooli', kind: 'company', phone: '5557777', source: 'web', importance: 'C' }));
    expect(asActor).toMatchObject(problemShape(403, 'MEMBER_INACTIVE'));
    expect((await post('/commands', command('cmd-cus-6', 'RegisterCustomer', 'u-mia', day(7), { customerId: 'cus-6', name: 'Umbrella', kind: 'company', phone: '5558888', source: 'web', importance: 'C', toPool: true }))).status).toBe(201);
    const asTarget = await post('/commands', command('cmd-assign', 'AssignCustomer', 'u-mia', day(7, 10), { customerId: 'cus-6', to: 'u-carol' }));
    expect(asTarget).toMatchObject(problemShape(422, 'MEMBER_INACTIVE'));
  });

  it('the read endpoints answer the JSON shapes of projections.md, and reject bad queries as problems', async () => {
    const open = (id: string, opportunityId: string, amount: string, currency: string) =>
      post('/commands', command(id, 'OpenOpportunity', 'u-bob', day(9), { opportunityId, customerId: 'cus-3', title: opportunityId, amount: { amount, currency }, expectedCloseDate: '2026-03-25' }));
    expect((await open('cmd-op-1', 'op-1', '1000.00', 'USD')).status).toBe(201);
    expect((await open('cmd-op-2', 'op-2', '500.00', 'EUR')).status).toBe(201);
    const won = await post('/commands', command('cmd-win', 'WinOpportunity', 'u-bob', day(12), { opportunityId: 'op-1' }));
    // The deal-won policy moved the customer to `customer`, and its outcome comes back nested.
    expect(pick(won.body, 'triggered')).toEqual([like({ ok: true, events: [like({ type: 'CustomerStageChanged', stream: 'customer-cus-3' })] })]);

    const funnel = await get('/funnel');
    expect(funnel.status).toBe(200);
    expect(Object.keys(funnel.body as object)).toEqual(expect.arrayContaining<string>(['filters', 'stages', 'won', 'lost', 'open', 'winRate', 'avgCycleDays', 'forecast']));
    expect(pick(funnel.body, 'stages', 0)).toEqual(like({ stage: 'prospecting', reached: 2, conversion: anyOf(Number), current: { count: 1, amount: { EUR: '500.00' }, weighted: { EUR: '50.00' } } }));
    expect(funnel.body).toMatchObject({ won: { count: 1, amount: { USD: '1000.00' } }, lost: { count: 0, amount: {}, byReason: {} }, open: { count: 1 }, winRate: 1, avgCycleDays: 3 });
    expect(await get('/funnel?currency=EUR&owner=u-bob')).toMatchObject({ status: 200, body: { filters: { currency: 'EUR', owner: 'u-bob' }, won: { count: 0 }, open: { count: 1 } } });
    const badFunnel = await get('/funnel?openedFrom=yesterday&bogus=1&owner=a&owner=b');
    expect(badFunnel).toMatchObject(problemShape(400, 'INVALID_COMMAND'));
    expect(issuePaths(badFunnel)).toEqual(['filters.owner']);
    const badFilters = await get('/funnel?openedFrom=yesterday&bogus=1');
    expect(issuePaths(badFilters)).toEqual(['filters.bogus', 'filters.openedFrom']);

    const rankings = await get('/rankings?period=2026-Q1&metric=wonAmount&currency=USD');
    expect(rankings).toMatchObject({ status: 200, body: { period: '2026-Q1', metric: 'wonAmount', currency: 'USD' } });
    expect(pick(rankings.body, 'rows', 0)).toMatchObject({ rank: 1, memberId: 'u-bob', value: '1000.00', wonAmount: { USD: '1000.00' }, wonCount: 1 });
    const noCurrency = await get('/rankings?period=2026-Q1&metric=wonAmount');
    expect(noCurrency).toMatchObject(problemShape(400, 'INVALID_COMMAND'));
    expect(pick(noCurrency.body, 'details', 'issues')).toEqual([like({ path: 'currency' })]);
    const noPeriod = await get('/rankings?metric=wonCount&teams=perhaps');
    expect(pick(noPeriod.body, 'details', 'issues')).toEqual([{ path: 'period', message: 'required' }]);
    expect(await get('/rankings?period=2026-Q1&metric=wonCount&teams=perhaps')).toMatchObject(problemShape(400, 'INVALID_COMMAND'));
    const teams = await get('/rankings?period=2026-Q1&metric=wonCount&teams=true');
    expect(pick(teams.body, 'rows', 0)).toMatchObject({ rank: 1, team: 'north', wonCount: 1 });

    const reminders = await get(`/members/u-bob/reminders?asOf=${day(10)}`);
    expect(reminders).toMatchObject({ status: 200, body: { asOf: day(10) } });
    expect(pick(reminders.body, 'items')).toContainEqual({ kind: 'follow_up', memberId: 'u-bob', subjectId: 'cus-3', dueAt: day(8), detail: like({ customerId: 'cus-3', nextFollowUpAt: day(8) }) });
    expect(pick((await get('/members/u-bob/reminders')).body, 'asOf')).toBe(now);
    expect(await get('/members/u-nobody/reminders')).toMatchObject(problemShape(404, 'NOT_FOUND'));
    const badAsOf = await get('/members/u-bob/reminders?asOf=tuesday');
    expect(pick(badAsOf.body, 'details', 'issues')).toEqual([like({ path: 'asOf' })]);

    expect(await get(`/customers/cus-3/owner?asOf=${day(3, 12)}`)).toMatchObject({ status: 200, body: { customerId: 'cus-3', asOf: day(3, 12), owner: null } });
    expect(await get(`/customers/cus-3/owner?asOf=${day(4)}`)).toMatchObject({ status: 200, body: { owner: 'u-bob' } });
    expect(await get('/customers/cus-3/owner')).toMatchObject({ status: 200, body: { customerId: 'cus-3', asOf: now, owner: 'u-bob' } });
    expect(await get(`/customers/cus-3/owner?asOf=${day(1)}`)).toMatchObject(problemShape(404, 'NOT_FOUND'));
    expect(await get('/customers/cus-3/owner?at=now')).toMatchObject(problemShape(400, 'INVALID_COMMAND'));

    const audit = await get('/customers/cus-3/audit');
    expect(audit).toMatchObject({ status: 200, body: { customerId: 'cus-3', differences: [], consistent: true } });
    expect(pick(audit.body, 'facts')).toEqual([
      like({ revision: 0, position: anyOf(String), eventId: anyOf(String), actor: 'u-mia', commandId: 'cmd-cus-3', at: day(3) }),
      like({ revision: 1, actor: 'u-bob', commandId: 'cmd-claim-bob', at: day(4) }),
    ]);
    expect(await get('/customers/nobody/audit')).toMatchObject(problemShape(404, 'NOT_FOUND'));
  });
});

/** Delegates every method of `store`, with `append` replaced. */
function withAppend(store: EventStore, append: (request: AppendRequest) => Promise<Awaited<ReturnType<EventStore['append']>>>): EventStore {
  return {
    kind: store.kind,
    append,
    appendBatch: (requests) => store.appendBatch(requests),
    readStream: (stream, options) => store.readStream(stream, options),
    streamRevision: (stream) => store.streamRevision(stream),
    readAll: (options) => store.readAll(options),
    subscribe: (options) => store.subscribe(options),
    headPosition: () => store.headPosition(),
    findCommand: (commandId) => store.findCommand(commandId),
    lookupReservations: (keys) => store.lookupReservations(keys),
    loadKeys: (subjects) => store.loadKeys(subjects),
    close: () => store.close(),
  };
}

/**
 * A service whose store lets a second `Crm` (another process on the same store, with its own caches) write once at
 * the moment of the service's next append: after the command was decided, before its append is committed.
 */
async function withInterference(): Promise<{ events: EventStore; server: Awaited<ReturnType<typeof start>>; close: () => Promise<void>; interfereAtNextAppend: (input: unknown) => void; interferencePending: () => boolean }> {
  const events = createInMemoryEventStore();
  const other = new Crm({ store: events, clock: new ManualClock(now) });
  let interfere: unknown;
  const store = withAppend(events, async (request) => {
    const competing = interfere;
    interfere = undefined;
    if (competing !== undefined) expect(await other.execute(competing)).toMatchObject({ ok: true });
    return events.append(request);
  });
  const crm = new Crm({ store, readModels: createInMemoryReadModelStore(), clock: new ManualClock(now) });
  const server = await start(crm);
  for (const input of [
    { command: 'RegisterMember', actor: 'system', at: day(1), data: { memberId: 'u-alice', name: 'Alice', role: 'rep' } },
    { command: 'RegisterCustomer', actor: 'u-alice', at: day(2), data: { customerId: 'cus-9', name: 'Initech', kind: 'company', phone: '5550199', source: 'web', importance: 'A' } },
  ]) {
    expect((await server.post('/commands', input)).status).toBe(201);
  }
  return {
    events,
    server,
    close: async () => {
      await server.app.close();
      await crm.close();
    },
    interfereAtNextAppend: (input) => {
      interfere = input;
    },
    interferencePending: () => interfere !== undefined,
  };
}

describe('If-Match is enforced by the executor, not by a check beforehand', () => {
  it('a write by another process between the decision and the append makes the conditional command a 412; an unconditional one is retried on top', async () => {
    const { events, server, close, interfereAtNextAppend, interferencePending } = await withInterference();
    try {
      const { etag } = await server.get('/customers/cus-9');
      expect(etag).toBe('"0"');

      // The lock lands after the release was decided on revision 0 and before its append.
      interfereAtNextAppend({ command: 'LockCustomer', id: 'cmd-lock-elsewhere', actor: 'u-alice', at: day(3), data: { customerId: 'cus-9' } });
      const release = { command: 'ReleaseCustomer', id: 'cmd-release', actor: 'u-alice', at: day(4), data: { customerId: 'cus-9' } };
      const refused = await server.post('/customers/cus-9/commands', release, { 'if-match': etag! });
      expect(refused).toMatchObject(problemShape(412, 'PRECONDITION_FAILED'));
      expect(pick(refused.body, 'details', 'currentRevision')).toBe(1);
      expect(interferencePending()).toBe(false);
      expect((await events.readStream('customer-cus-9')).map((event) => event.type)).toEqual(['CustomerRegistered', 'CustomerLocked']);
      expect(await events.findCommand('cmd-release')).toBeUndefined();

      // Without If-Match the executor retries on the newer state: what a revision check before `execute` could not stop.
      interfereAtNextAppend({ command: 'UnlockCustomer', id: 'cmd-unlock-elsewhere', actor: 'u-alice', at: day(4), data: { customerId: 'cus-9' } });
      const unconditional = await server.post('/commands', release);
      expect(unconditional).toMatchObject({ status: 201, body: { events: [{ type: 'CustomerReleased', stream: 'customer-cus-9', revision: 3 }] } });
    } finally {
      await close();
    }
  });

  it('a command that only reads the customer is checked when decided: a write landing before its append goes unnoticed (the window the README documents)', async () => {
    const { events, server, close, interfereAtNextAppend, interferencePending } = await withInterference();
    try {
      const open = (opportunityId: string) => ({ command: 'OpenOpportunity', id: `cmd-${opportunityId}`, actor: 'u-alice', at: day(3), data: { opportunityId, customerId: 'cus-9', title: opportunityId, amount: { amount: '10.00', currency: 'USD' }, expectedCloseDate: '2026-04-01' } });
      // Nothing else writes: 201, and the ETag is the revision the command was decided on (the customer's stream did not move).
      expect(await server.post('/customers/cus-9/commands', open('op-1'), { 'if-match': '"0"' })).toMatchObject({ status: 201, etag: '"0"', body: { events: [{ stream: 'opportunity-op-1' }] } });

      // The owner releases the customer to the pool after the opening was decided on revision 0: decided a moment
      // later it would be CUSTOMER_IN_POOL, but the append writes only the opportunity's stream, so it goes through.
      // Should the library ever make the check race-free for streams a command only reads, this turns into a 412
      // and the README's "remaining window" paragraph must go.
      interfereAtNextAppend({ command: 'ReleaseCustomer', id: 'cmd-release-elsewhere', actor: 'u-alice', at: day(3), data: { customerId: 'cus-9' } });
      expect(await server.post('/customers/cus-9/commands', open('op-2'), { 'if-match': '"0"' })).toMatchObject({ status: 201, etag: '"0"', body: { events: [{ stream: 'opportunity-op-2' }] } });
      expect(interferencePending()).toBe(false);
      expect(await events.streamRevision('customer-cus-9')).toBe(1);
      expect(await server.post('/customers/cus-9/commands', open('op-3'), { 'if-match': '"0"' })).toMatchObject(problemShape(412, 'PRECONDITION_FAILED'));
    } finally {
      await close();
    }
  });
});

describe('concurrent requests', () => {
  it('keep the cross-aggregate limits: of five simultaneous claims by one member, as many pass as dailyClaimLimit allows', async () => {
    // Slow appends, as on a busy disk, so that the five requests are all in flight at once.
    const events = createInMemoryEventStore();
    const slow = withAppend(events, async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 25));
      return events.append(request);
    });
    const crm = new Crm({ store: slow, readModels: createInMemoryReadModelStore(), clock: new ManualClock(now) });
    const server = await start(crm);
    try {
      const setup = [
        { command: 'RegisterMember', actor: 'system', at: day(1), data: { memberId: 'u-dan', name: 'Dan', role: 'rep' } },
        { command: 'Configure', actor: 'system', at: day(1), data: { pool: { dailyClaimLimit: 2 } } },
        ...[1, 2, 3, 4, 5].map((n) => ({ command: 'RegisterCustomer', actor: 'system', at: day(2), data: { customerId: `pool-${n}`, name: `Pool ${n}`, kind: 'company', phone: `55501${n}0`, source: 'web', importance: 'C' } })),
      ];
      for (const input of setup) expect((await server.post('/commands', input)).status).toBe(201);
      const claims = await Promise.all([1, 2, 3, 4, 5].map((n) => server.post('/commands', { command: 'ClaimCustomer', actor: 'u-dan', at: day(3), data: { customerId: `pool-${n}` } })));
      expect(claims.map((claim) => claim.status).sort()).toEqual([201, 201, 422, 422, 422]);
      expect(claims.filter((claim) => claim.status === 422).map((claim) => pick(claim.body, 'code'))).toEqual(['DAILY_CLAIM_LIMIT_REACHED', 'DAILY_CLAIM_LIMIT_REACHED', 'DAILY_CLAIM_LIMIT_REACHED']);
    } finally {
      await server.app.close();
      await crm.close();
    }
  });

});

describe('createServer', () => {
  it('answers a body over the limit with a 413 problem', async () => {
    const crm = openCrm({ kind: 'memory' });
    const app = createServer({ crm, bodyLimit: 64 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const response = await fetch(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ command: 'RegisterMember', actor: 'system', data: { memberId: 'u-long', name: 'x'.repeat(100), role: 'rep' } }),
      });
      expect(response.status).toBe(413);
      expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(await response.json()).toMatchObject({ type: '/problems/payload-too-large', status: 413, code: 'PAYLOAD_TOO_LARGE' });
    } finally {
      await app.close();
      await crm.close();
    }
  });
});
