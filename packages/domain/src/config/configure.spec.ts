import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { CrmEvent } from '../events.ts';
import type { DomainError } from '../shared/errors.ts';
import { event, given } from '../testing/index.ts';
import { applyConfigPatch, configAt, defaultConfig, type ConfigPatch, type CrmConfig } from './configuration.ts';

// domain.md §1 Configuration: per tenant, versioned, all optional; Configure
// (admin or system) deep-merges a partial configuration over the current one
// (arrays replaced whole) and applies from its effective time on.

const T0 = '2026-01-05T09:00:00.000Z';

const directory = [
  event('MemberRegistered', { memberId: 'admin', name: 'Ada', role: 'admin', team: null }, { at: T0 }),
  event('MemberRegistered', { memberId: 'mgr-n', name: 'Nora', role: 'manager', team: 'north' }, { at: T0 }),
  event('MemberRegistered', { memberId: 'rep-a', name: 'Ann', role: 'rep', team: 'north' }, { at: T0 }),
  event('MemberRegistered', { memberId: 'rep-b', name: 'Bo', role: 'rep', team: 'north' }, { at: T0 }),
];

/** The defaults of domain.md §1, written out by hand. */
const defaults = {
  pool: { holdingLimit: 200, dailyClaimLimit: 20, reclaimCooldownDays: 7, protectionDays: 0, recycle: { noFollowUpDays: 30, noDealDays: 90, warnDaysBefore: 3 } },
  pipeline: {
    stages: [
      { id: 'prospecting', probability: 10 },
      { id: 'qualification', probability: 20 },
      { id: 'needs_analysis', probability: 40 },
      { id: 'proposal', probability: 60 },
      { id: 'negotiation', probability: 80 },
    ],
  },
  sla: {
    urgent: { firstResponse: 1, resolution: 4 },
    high: { firstResponse: 4, resolution: 24 },
    normal: { firstResponse: 8, resolution: 72 },
    low: { firstResponse: 24, resolution: 120 },
  },
};

const configured = (changes: ConfigPatch, at: string, base: CrmConfig = defaultConfig) =>
  event('ConfigurationChanged', { changes, config: applyConfigPatch(base, changes) }, { at, actor: 'admin' });

const configure = (data: unknown, actor = 'admin', at?: string) => ({ command: 'Configure', actor, data, ...(at === undefined ? {} : { at }) });

const issuesOf = (error: DomainError) => error.details?.['issues'] as readonly { path: string; message: string }[];
const pathsOf = (error: DomainError) => issuesOf(error).map((issue) => issue.path).sort();

describe('the defaults', () => {
  it('are those of domain.md §1', () => {
    expect(defaultConfig).toEqual(defaults);
  });

  it('apply while the config stream has no change at or before a time', () => {
    expect(configAt([], T0)).toEqual(defaults);
  });
});

describe('Configure: a partial configuration deep-merged over the current one', () => {
  it('an admin changes one value; the event records the patch and the complete configuration', () => {
    given(...directory)
      .when(configure({ pool: { holdingLimit: 50 } }))
      .then({
        type: 'ConfigurationChanged',
        data: { changes: { pool: { holdingLimit: 50 } }, config: { ...defaults, pool: { ...defaults.pool, holdingLimit: 50 } } },
      });
  });

  it('system configures too', () => {
    given(...directory)
      .when(configure({ sla: { urgent: { firstResponse: 2 } } }, 'system'))
      .then({
        type: 'ConfigurationChanged',
        data: {
          changes: { sla: { urgent: { firstResponse: 2 } } },
          config: { ...defaults, sla: { ...defaults.sla, urgent: { firstResponse: 2, resolution: 4 } } },
        },
      });
  });

  it('merges deep: a nested value changes, its siblings stay', () => {
    given(...directory)
      .when(configure({ pool: { recycle: { noDealDays: 60 } } }))
      .then({
        type: 'ConfigurationChanged',
        data: {
          changes: { pool: { recycle: { noDealDays: 60 } } },
          config: { ...defaults, pool: { ...defaults.pool, recycle: { noFollowUpDays: 30, noDealDays: 60, warnDaysBefore: 3 } } },
        },
      });
  });

  it('merges over the current configuration, not over the defaults', () => {
    given(...directory, configured({ pool: { holdingLimit: 50 } }, T0))
      .when(configure({ pool: { dailyClaimLimit: 5 } }))
      .then({
        type: 'ConfigurationChanged',
        data: { changes: { pool: { dailyClaimLimit: 5 } }, config: { ...defaults, pool: { ...defaults.pool, holdingLimit: 50, dailyClaimLimit: 5 } } },
      });
  });

  it('replaces arrays whole: the pipeline is exactly the stages given', () => {
    const stages = [
      { id: 'lead', probability: 5 },
      { id: 'closing', probability: 90 },
    ];
    given(...directory)
      .when(configure({ pipeline: { stages } }))
      .then({ type: 'ConfigurationChanged', data: { changes: { pipeline: { stages } }, config: { ...defaults, pipeline: { stages } } } });
  });

  it('a change that changes nothing emits nothing', () => {
    given(...directory, configured({ pool: { holdingLimit: 50 } }, T0)).when(configure({ pool: { holdingLimit: 50 } })).thenNothing();
    given(...directory).when(configure({})).thenNothing();
    given(...directory).when(configure({ pipeline: { stages: defaults.pipeline.stages } })).thenNothing();
  });

  it.each(['mgr-n', 'rep-a'])('%s may not configure: FORBIDDEN', (actor) => {
    given(...directory).when(configure({ pool: { holdingLimit: 50 } }, actor)).thenRejects('FORBIDDEN');
  });

  it('permission comes before the validity of the configuration', () => {
    given(...directory).when(configure({ pool: { holdingLimit: -1 } }, 'rep-a')).thenRejects('FORBIDDEN');
  });

  it('obeys CLOCK_SKEW on the config stream', () => {
    given(...directory, configured({ pool: { holdingLimit: 50 } }, '2026-02-01T00:00:00.000Z'))
      .when(configure({ pool: { holdingLimit: 60 } }, 'admin', '2026-01-31T23:59:59.999Z'))
      .thenRejects('CLOCK_SKEW', { stream: 'config', lastEventAt: '2026-02-01T00:00:00.000Z' });
  });

  it('the outer command object is checked like any other: an unknown key is INVALID_COMMAND', () => {
    const error = given(...directory).when({ command: 'Configure', actor: 'admin', data: {}, tenant: 'acme' } as never).thenRejects('INVALID_COMMAND');
    expect(pathsOf(error)).toEqual(['tenant']);
  });
});

describe('an invalid configuration is INVALID_CONFIGURATION, with the path of every bad key', () => {
  const rejects = (data: unknown) => given(...directory).when(configure(data)).thenRejects('INVALID_CONFIGURATION');

  it('unknown keys, each named by its own path', () => {
    expect(pathsOf(rejects({ pool: { holdingLimits: 5 }, colour: 'blue' }))).toEqual(['data.colour', 'data.pool.holdingLimits']);
  });

  it('__proto__ and constructor are unknown keys too', () => {
    expect(pathsOf(rejects(JSON.parse('{"__proto__":{"pool":{}},"pool":{"constructor":{}}}')))).toEqual(['data.__proto__', 'data.pool.constructor']);
  });

  it('negative days', () => {
    expect(pathsOf(rejects({ pool: { reclaimCooldownDays: -1, protectionDays: -3, recycle: { noFollowUpDays: -30 } } }))).toEqual([
      'data.pool.protectionDays',
      'data.pool.reclaimCooldownDays',
      'data.pool.recycle.noFollowUpDays',
    ]);
  });

  it('fractional or non-numeric counts', () => {
    expect(pathsOf(rejects({ pool: { holdingLimit: 1.5, dailyClaimLimit: '20' } }))).toEqual(['data.pool.dailyClaimLimit', 'data.pool.holdingLimit']);
  });

  it('an empty pipeline', () => {
    expect(pathsOf(rejects({ pipeline: { stages: [] } }))).toEqual(['data.pipeline.stages']);
  });

  it('duplicate stage ids (the second one is named)', () => {
    expect(
      pathsOf(
        rejects({
          pipeline: {
            stages: [
              { id: 'lead', probability: 10 },
              { id: 'lead', probability: 20 },
            ],
          },
        }),
      ),
    ).toEqual(['data.pipeline.stages.1.id']);
  });

  it('a stage that redefines an implicit terminal stage (won/lost), or a probability outside 0-100', () => {
    expect(
      pathsOf(
        rejects({
          pipeline: {
            stages: [
              { id: 'won', probability: 100 },
              { id: 'proposal', probability: 101 },
            ],
          },
        }),
      ),
    ).toEqual(['data.pipeline.stages.0.id', 'data.pipeline.stages.1.probability']);
  });

  it('SLA hours that are not positive', () => {
    expect(pathsOf(rejects({ sla: { urgent: { firstResponse: 0 }, low: { resolution: -1 } } }))).toEqual(['data.sla.low.resolution', 'data.sla.urgent.firstResponse']);
  });

  it('data that is not an object at all', () => {
    expect(pathsOf(rejects('pool.holdingLimit=5'))).toEqual(['data']);
  });

  it('every bad key at once', () => {
    expect(pathsOf(rejects({ pool: { holdingLimit: -1, extra: true }, pipeline: { stages: [] } }))).toEqual([
      'data.pipeline.stages',
      'data.pool.extra',
      'data.pool.holdingLimit',
    ]);
  });
});

describe('removing a stage that open opportunities are in', () => {
  const opened = (opportunityId: string, stage: string) =>
    event(
      'OpportunityOpened',
      { opportunityId, customerId: 'c1', title: 'Deal', amount: { currency: 'USD', minor: '100' }, expectedCloseDate: '2026-03-31', stage, probability: 60, owner: 'rep-a' },
      { at: T0, actor: 'rep-a' },
    );
  const withoutProposal = { pipeline: { stages: defaults.pipeline.stages.filter((stage) => stage.id !== 'proposal') } };

  it('is INVALID_CONFIGURATION at data.pipeline.stages', () => {
    const error = given(...directory, opened('o1', 'proposal')).when(configure(withoutProposal)).thenRejects('INVALID_CONFIGURATION');
    expect(issuesOf(error)).toEqual([{ path: 'data.pipeline.stages', message: 'stage proposal still has 1 open opportunities' }]);
  });

  it('counts the stage an opportunity moved into', () => {
    given(...directory, opened('o1', 'qualification'), event('OpportunityStageMoved', { opportunityId: 'o1', from: 'qualification', to: 'proposal', probability: 60 }, { at: T0 }))
      .when(configure(withoutProposal))
      .thenRejects('INVALID_CONFIGURATION');
  });

  it('is allowed once the opportunities there are closed (won or lost)', () => {
    given(
      ...directory,
      opened('o1', 'proposal'),
      opened('o2', 'proposal'),
      event('OpportunityWon', { opportunityId: 'o1', customerId: 'c1', owner: 'rep-a', amount: { currency: 'USD', minor: '100' }, stage: 'proposal' }, { at: T0 }),
      event(
        'OpportunityLost',
        { opportunityId: 'o2', customerId: 'c1', owner: 'rep-a', reason: 'price', competitor: null, note: null, amount: { currency: 'USD', minor: '100' }, stage: 'proposal' },
        { at: T0 },
      ),
    )
      .when(configure(withoutProposal))
      .then({ type: 'ConfigurationChanged', data: { changes: withoutProposal, config: { ...defaults, ...withoutProposal } } });
  });

  it('keeping the occupied stage (renaming the others) is fine', () => {
    const stages = [
      { id: 'lead', probability: 5 },
      { id: 'proposal', probability: 50 },
    ];
    given(...directory, opened('o1', 'proposal'))
      .when(configure({ pipeline: { stages } }))
      .then({ type: 'ConfigurationChanged', data: { changes: { pipeline: { stages } }, config: { ...defaults, pipeline: { stages } } } });
  });
});

describe('a change applies to commands whose effective time is at or after its own', () => {
  const change = configured({ pool: { holdingLimit: 0 } }, '2026-02-01T00:00:00.000Z');
  const inPool = event(
    'CustomerRegistered',
    {
      customerId: 'c9',
      name: 'Pool Co',
      kind: 'company',
      phone: null,
      email: 'pool@example.com',
      address: null,
      industry: null,
      region: null,
      source: 'web',
      importance: 'C',
      stage: 'potential',
      owner: null,
      possibleDuplicateOf: [],
    },
    { at: T0 },
  );
  const claimAt = (at: string) => ({ command: 'ClaimCustomer', actor: 'rep-a', at, data: { customerId: 'c9' } });

  it('a command before the change uses the configuration in force then (and records it)', () => {
    given(...directory, inPool, change)
      .when(claimAt('2026-01-31T23:59:59.999Z'))
      .then({
        type: 'CustomerClaimed',
        data: { customerId: 'c9', to: 'rep-a', holdingsBefore: 0, claimsTodayBefore: 0, policy: { holdingLimit: 200, dailyClaimLimit: 20, reclaimCooldownDays: 7 } },
      });
  });

  it('a command at the change\'s own time uses the new configuration', () => {
    given(...directory, inPool, change).when(claimAt('2026-02-01T00:00:00.000Z')).thenRejects('HOLDING_LIMIT_REACHED', { holdingLimit: 0 });
  });

  it('SLA due times of a ticket opened before a change come from the older configuration', () => {
    const owned = { ...inPool, data: { ...inPool.data, owner: 'rep-a' } } as CrmEvent;
    const slaChange = configured({ sla: { normal: { firstResponse: 2 } } }, '2026-01-06T00:00:00.000Z');
    const openAt = (at: string) => ({
      command: 'OpenTicket',
      actor: 'rep-a',
      at,
      data: { ticketId: 't1', customerId: 'c9', subject: 'Broken', category: 'repair', priority: 'normal', channel: 'phone' },
    });
    const outcome = (at: string) => {
      const result = given(...directory, owned, slaChange).when(openAt(at)).outcome.result;
      return E.isRight(result) ? (result.right[0]?.data as { firstResponseDueAt: string }).firstResponseDueAt : result.left.code;
    };
    expect(outcome('2026-01-05T23:00:00.000Z')).toBe('2026-01-06T07:00:00.000Z');
    expect(outcome('2026-01-06T00:00:00.000Z')).toBe('2026-01-06T02:00:00.000Z');
  });
});
