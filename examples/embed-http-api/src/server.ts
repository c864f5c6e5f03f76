import { isRejection, isStoreError, type Crm, type DomainError, type ExecutionOutcome, type LoadedStream } from '@eventcrm/runtime';
import { fastify, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { etagOf, expectationOf, ifNoneMatchHits, parseIfMatch, type IfMatch } from './ifMatch.ts';
import { allEvents, successJson } from './outcome.ts';
import { codeOfSlug, problem, problemMediaType, problemOfRejection, problemTypes, problemTypeUri, type Problem } from './problems.ts';
import { checkIdentifier, invalidArguments, readQuery } from './queryParams.ts';

/** Options of `createServer`. */
export interface ServerOptions {
  /** The embedded eventcrm, over any event store. The caller owns it and closes it after the server. */
  readonly crm: Crm;
  /** Fastify's logger (default off). Internal errors are logged through it. */
  readonly logger?: FastifyServerOptions['logger'];
  /** Largest request body in bytes (default Fastify's 1 MiB). */
  readonly bodyLimit?: number;
}

/** Thrown by the JSON body parser; the error handler turns it into the library's `MALFORMED_JSON`. */
class MalformedJsonError extends Error {
  override readonly name = 'MalformedJsonError';
}

type Json = Readonly<Record<string, unknown>>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The `actor` of a raw command, when it has a readable one (it decides between 403 and 422 for `MEMBER_INACTIVE`). */
const actorOf = (body: unknown): string | undefined => (isRecord(body) && typeof body['actor'] === 'string' ? body['actor'] : undefined);

const sendProblem = (reply: FastifyReply, document: Problem): FastifyReply =>
  // Serialised here: the body must be exactly the document, whatever Fastify does with unfamiliar media types.
  reply.code(document.status).type(problemMediaType).send(JSON.stringify(document));

const sendRejection = (reply: FastifyReply, error: DomainError, body?: unknown, commandId?: string): FastifyReply =>
  sendProblem(reply, problemOfRejection(error, { actor: actorOf(body), commandId }));

/** 201 when the command appended events, 200 for an idempotent replay or a command with nothing to change. */
function sendOutcome(reply: FastifyReply, outcome: ExecutionOutcome, body: unknown): FastifyReply {
  if (!outcome.ok) return sendRejection(reply, outcome.error, body, outcome.commandId);
  return reply.code(!outcome.duplicate && outcome.events.length > 0 ? 201 : 200).send(successJson(outcome));
}

/** What `GET /customers/:id` shows of the folded stream: no personal data (name, phone, email, address, contacts), since this example authenticates nobody. */
function customerSummary(state: LoadedStream['state']): Json | undefined {
  if (state.kind !== 'customer' || !state.exists) return undefined;
  return {
    kind: state.customerKind,
    stage: state.stage,
    importance: state.importance,
    source: state.source,
    industry: state.industry,
    region: state.region,
    owner: state.owner,
    ownedSince: state.ownedSince,
    lastFollowUpAt: state.lastFollowUpAt,
    nextFollowUpAt: state.nextFollowUpAt,
    locked: state.locked,
    status: state.status,
    mergedInto: state.mergedInto,
    contacts: Object.keys(state.contacts).length,
    lastEventAt: state.lastEventAt,
  };
}

const customerStream = (customerId: string): string => `customer-${customerId}`;

const customerNotFound = (customerId: string): Problem => problem('NOT_FOUND', `customer ${customerId} does not exist`, { customerId });

/**
 * Builds the HTTP service over an embedded `Crm` (not listening yet: call
 * `listen`). Commands go in as the CLI's NDJSON objects, rejections come out
 * as RFC 9457 problem documents, `POST /customers/:id/commands` executes only
 * on top of the revision named by `If-Match`, and the read models come out as
 * the spec's JSON. Concurrent requests need no queue of their own: the
 * `Crm`'s executor and projection runner each take one call at a time.
 */
export function createServer(options: ServerOptions): FastifyInstance {
  const { crm } = options;
  const app = fastify({ logger: options.logger ?? false, ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }) });

  // Only JSON bodies, parsed as plain JSON: Fastify's default parser refuses `__proto__` keys on its own terms,
  // where the library's strict schema reports them as INVALID_COMMAND with their path, as the spec asks.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(typeof body === 'string' ? body : body.toString('utf8')));
    } catch (error) {
      done(new MalformedJsonError(error instanceof Error ? error.message : String(error)), undefined);
    }
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    if (error instanceof MalformedJsonError) return sendProblem(reply, problem('MALFORMED_JSON', error.message));
    if (isStoreError(error)) {
      request.log.error({ err: error }, 'event store fault');
      if (error.code === 'STORE_UNAVAILABLE') return sendProblem(reply, problem('STORE_UNAVAILABLE', 'the event store is unavailable; try again later', { storeCode: error.code }));
      return sendProblem(reply, problem('INTERNAL_ERROR', 'the event store failed', { storeCode: error.code }));
    }
    const fastifyError = isRecord(error) ? error : {};
    const code = fastifyError['code'];
    const statusCode = fastifyError['statusCode'];
    const message = typeof fastifyError['message'] === 'string' ? fastifyError['message'] : 'bad request';
    if (statusCode === 415) return sendProblem(reply, problem('UNSUPPORTED_MEDIA_TYPE', 'commands are sent as application/json', { contentType: request.headers['content-type'] ?? null }));
    if (statusCode === 413) return sendProblem(reply, problem('PAYLOAD_TOO_LARGE', message));
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return sendProblem(reply, problem('INVALID_REQUEST', message, { fastifyCode: code ?? null }));
    request.log.error({ err: error }, 'internal error');
    return sendProblem(reply, problem('INTERNAL_ERROR', 'the request could not be completed'));
  });

  app.setNotFoundHandler((request, reply) => sendProblem(reply, problem('ROUTE_NOT_FOUND', `no endpoint ${request.method} ${request.url.split('?')[0] ?? ''}`)));

  // --- Commands -------------------------------------------------------------

  app.post('/commands', async (request, reply) => {
    const outcome = await crm.execute(request.body);
    return sendOutcome(reply, outcome, request.body);
  });

  app.post<{ Params: { id: string } }>('/customers/:id/commands', async (request, reply) => {
    const customerId = request.params.id;
    const body = request.body;
    const badId = checkIdentifier(customerId, 'customerId');
    if (badId !== undefined) return sendRejection(reply, badId);
    // The URL names the customer, so the body must agree (checked before anything else, including an idempotent replay).
    const data = isRecord(body) ? body['data'] : undefined;
    const bodyCustomer = isRecord(data) ? data['customerId'] : undefined;
    if (bodyCustomer !== customerId) {
      const message = bodyCustomer === undefined ? `required here: the customer of the URL (${customerId})` : `must be the customer of the URL (${customerId})`;
      return sendRejection(reply, invalidArguments([{ path: 'data.customerId', message }]), body);
    }
    const header = request.headers['if-match'];
    if (header === undefined) return sendProblem(reply, problem('PRECONDITION_REQUIRED', `send If-Match with the ETag of GET /customers/${customerId}; unconditional commands go to POST /commands`, { customerId }));
    const condition: IfMatch | undefined = parseIfMatch(header);
    if (condition === undefined) return sendProblem(reply, problem('INVALID_REQUEST', `If-Match must be * or a list of entity tags such as "3", got ${header}`, { header: 'If-Match', value: header }));

    const stream = customerStream(customerId);
    const preconditionFailed = (current: number | null): FastifyReply =>
      sendProblem(reply, problem('PRECONDITION_FAILED', `customer ${customerId} is at ${current === null ? 'no revision (it does not exist)' : `revision ${current}`}, not ${header}; nothing was appended`, { customerId, currentRevision: current, ifMatch: header }));
    const expectation = expectationOf(condition, await crm.store.streamRevision(stream));
    if (expectation.kind === 'unsatisfiable') return preconditionFailed(null);
    // The executor answers an idempotent replay, then validates, then checks the expectation, then decides: the order
    // this endpoint documents. For the customer's stream the check is repeated by the append itself (see the README).
    const outcome = await crm.execute(body, expectation.kind === 'expect' ? { expectedRevisions: { [stream]: expectation.revision } } : {});
    // An idempotent replay reports the original outcome whatever the stream is now (RFC 9110 §13.1.1 allows a 2xx for a change already made).
    if (outcome.ok && outcome.duplicate) return sendOutcome(reply, outcome, body);
    if (!outcome.ok && outcome.error.code === 'CONCURRENCY_CONFLICT' && expectation.kind === 'expect' && outcome.error.details?.['stream'] === stream) {
      // Our expectation failed, when the command was decided or when its append raced another writer. A conflict on
      // another stream the command writes (or on this one under `*`, which expects nothing) stays a 409.
      const actual = outcome.error.details['actual'];
      return preconditionFailed(typeof actual === 'number' ? actual : null);
    }
    // An invalid command was never held against the stream, so it gets no ETag.
    if (!outcome.ok && (outcome.error.code === 'INVALID_COMMAND' || outcome.error.code === 'MALFORMED_JSON')) return sendOutcome(reply, outcome, body);
    // The ETag names only a revision the client caused or saw: the last one appended to the stream (policies' events
    // included, the outcome lists them), else (a rejection, a no-op, a command that only reads the customer) the one
    // the command was decided on, which the client matched. Under `*` it saw none, so none.
    const appended = allEvents(outcome).filter((event) => event.stream === stream);
    const decidedOn = expectation.kind === 'expect' && typeof expectation.revision === 'number' ? expectation.revision : undefined;
    const revision = appended.length > 0 ? Math.max(...appended.map((event) => event.revision)) : decidedOn;
    if (revision !== undefined) reply.header('ETag', etagOf(revision));
    return sendOutcome(reply, outcome, body);
  });

  // --- Reads ----------------------------------------------------------------

  app.get<{ Params: { id: string } }>('/customers/:id', async (request, reply) => {
    const customerId = request.params.id;
    const badId = checkIdentifier(customerId, 'customerId');
    if (badId !== undefined) return sendRejection(reply, badId);
    const query = readQuery(request.query, {});
    if (!query.ok) return sendRejection(reply, query.error);
    // The state comes with the revision it reflects; the ownership history, read after, reflects that revision or a
    // newer one. So the ETag is never newer than anything shown: at worst a needless 412 later, never a wrong success.
    const { state, revision } = await crm.executor.stream(customerStream(customerId));
    if (revision === null) return sendProblem(reply, customerNotFound(customerId));
    reply.header('ETag', etagOf(revision));
    const ifNoneMatch = request.headers['if-none-match'];
    if (ifNoneMatch !== undefined && ifNoneMatchHits(ifNoneMatch, etagOf(revision))) return reply.code(304).send();
    const ownership = await crm.ownership(customerId);
    if (isRejection(ownership)) return sendRejection(reply, ownership);
    const customer = customerSummary(state);
    if (customer === undefined) return sendProblem(reply, customerNotFound(customerId));
    return reply.send({ customerId, revision, customer, ownership });
  });

  app.get<{ Params: { id: string } }>('/customers/:id/owner', async (request, reply) => {
    const customerId = request.params.id;
    const badId = checkIdentifier(customerId, 'customerId');
    if (badId !== undefined) return sendRejection(reply, badId);
    const query = readQuery(request.query, { optional: ['asOf'] });
    if (!query.ok) return sendRejection(reply, query.error);
    const answer = await crm.ownerAsOf(customerId, query.values['asOf'] ?? crm.clock.now());
    return isRejection(answer) ? sendRejection(reply, answer) : reply.send(answer);
  });

  app.get<{ Params: { id: string } }>('/customers/:id/audit', async (request, reply) => {
    const customerId = request.params.id;
    const badId = checkIdentifier(customerId, 'customerId');
    if (badId !== undefined) return sendRejection(reply, badId);
    const query = readQuery(request.query, {});
    if (!query.ok) return sendRejection(reply, query.error);
    const audit = await crm.audit(customerId);
    return isRejection(audit) ? sendRejection(reply, audit) : reply.send(audit);
  });

  app.get('/funnel', async (request, reply) => {
    // Names are passed on for the library to check, so unknown filters and bad values read alike (`filters.x`).
    const query = readQuery(request.query, { optional: 'any', pathPrefix: 'filters.' });
    if (!query.ok) return sendRejection(reply, query.error);
    const funnel = await crm.funnel(query.values);
    return isRejection(funnel) ? sendRejection(reply, funnel) : reply.send(funnel);
  });

  app.get('/rankings', async (request, reply) => {
    const query = readQuery(request.query, { required: ['period', 'metric'], optional: ['currency', 'teams'] });
    if (!query.ok) return sendRejection(reply, query.error);
    const { period = '', metric = '', currency, teams } = query.values;
    if (teams !== undefined && teams !== 'true' && teams !== 'false') return sendRejection(reply, invalidArguments([{ path: 'teams', message: 'must be true or false' }]));
    const ranking = await crm.rankings({ period, metric, ...(currency === undefined ? {} : { currency }), teams: teams === 'true' });
    return isRejection(ranking) ? sendRejection(reply, ranking) : reply.send(ranking);
  });

  app.get<{ Params: { id: string } }>('/members/:id/reminders', async (request, reply) => {
    const memberId = request.params.id;
    const badId = checkIdentifier(memberId, 'memberId');
    if (badId !== undefined) return sendRejection(reply, badId);
    const query = readQuery(request.query, { optional: ['asOf'] });
    if (!query.ok) return sendRejection(reply, query.error);
    const list = await crm.reminders({ memberId, asOf: query.values['asOf'] ?? crm.clock.now() });
    return isRejection(list) ? sendRejection(reply, list) : reply.send(list);
  });

  // --- Problem types: what every `type` URI of a problem document resolves to -----------------------------

  app.get<{ Params: { slug: string } }>('/problems/:slug', async (request, reply) => {
    const code = codeOfSlug(request.params.slug);
    if (code === undefined) return sendProblem(reply, problem('ROUTE_NOT_FOUND', `no problem type ${request.params.slug}`));
    const { status, actorStatus, title } = problemTypes[code];
    return reply.send({ type: problemTypeUri(code), code, title, status, ...(actorStatus === undefined ? {} : { actorStatus }) });
  });

  return app;
}
