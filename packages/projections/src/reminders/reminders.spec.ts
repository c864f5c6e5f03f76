import { applyConfigPatch, defaultConfig, isDomainError } from '@eventcrm/domain';
import { describe, expect, it } from 'vitest';
import {
  absorbed,
  amountRevised,
  assigned,
  birthdayChanged,
  claimed,
  closeDateRevised,
  configured,
  contact,
  contactAdded,
  contactRemoved,
  contactRenamed,
  deactivated,
  erased,
  followedUp,
  items,
  lines,
  locked,
  member,
  merged,
  movedToTeam,
  ofKind,
  opportunityLost,
  opportunityMoved,
  opportunityOpened,
  opportunityReassigned,
  opportunityReopened,
  opportunityWon,
  project,
  recycled,
  registered,
  released,
  report,
  stageChanged,
  ticketAssigned,
  ticketClosed,
  ticketCommented,
  ticketEscalated,
  ticketOpened,
  ticketPriorityChanged,
  ticketReopened,
  ticketResolved,
  ticketUnassigned,
  transferred,
  unlocked,
} from './fixtures.test.ts';
import { reminders } from './queries.ts';

// projections.md §4: for a member (or all) as of T — follow-ups due, recycles
// due within warnDaysBefore days, ticket SLAs passing within 24 h or passed
// while open, open opportunities past their expected close date, orphaned
// opportunities (domain.md §6.1), contact birthdays within 7 days; sorted by
// dueAt, then kind, then subject id. Every expectation below is computed by
// hand from the events.

/** alice and bob (reps, north), carol (rep, south), sam (manager, south), root (admin). */
const directory = [
  member('alice', 'rep', 'north'),
  member('bob', 'rep', 'north'),
  member('carol', 'rep', 'south'),
  member('sam', 'manager', 'south'),
  member('root', 'admin', null),
];

describe('reminders: follow-ups due (nextFollowUpAt ≤ T)', () => {
  const scheduled = [
    ...directory,
    registered('c1', 'alice', '2026-03-01T09:00:00.000Z'),
    followedUp('c1', 'alice', '2026-03-02T10:00:00.000Z', '2026-03-05T09:00:00.000Z'),
  ];

  it('lists the owner’s customer from nextFollowUpAt on (the instant itself included) and keeps it while overdue', async () => {
    const reader = project(scheduled);
    expect(await items(reader, '2026-03-05T08:59:59.999Z')).toEqual([]);
    const due = {
      kind: 'follow_up',
      memberId: 'alice',
      subjectId: 'c1',
      dueAt: '2026-03-05T09:00:00.000Z',
      detail: { customerId: 'c1', nextFollowUpAt: '2026-03-05T09:00:00.000Z', lastFollowUpAt: '2026-03-02T10:00:00.000Z' },
    };
    // The recycle clock (30 days from the follow-up: 2026-04-01T10:00) is far outside the 3-day window.
    expect(await report(reader, '2026-03-05T09:00:00.000Z')).toEqual({ asOf: '2026-03-05T09:00:00.000Z', memberId: null, items: [due] });
    expect(await items(reader, '2026-03-20T00:00:00.000Z')).toEqual([due]);
    expect(await items(reader, '2026-03-20T00:00:00.000Z', 'alice')).toEqual([due]);
    expect(await items(reader, '2026-03-20T00:00:00.000Z', 'bob')).toEqual([]);
  });

  it('a newer follow-up replaces the scheduled one, and one without a next date clears it', async () => {
    const rescheduled = [...scheduled, followedUp('c1', 'alice', '2026-03-04T10:00:00.000Z', '2026-03-10T09:00:00.000Z')];
    let reader = project(rescheduled);
    expect(await ofKind(reader, 'follow_up', '2026-03-06T00:00:00.000Z')).toEqual([]);
    expect(lines(await ofKind(reader, 'follow_up', '2026-03-10T09:00:00.000Z'))).toEqual(['follow_up alice c1 2026-03-10T09:00:00.000Z']);
    expect((await ofKind(reader, 'follow_up', '2026-03-10T09:00:00.000Z'))[0]?.detail).toMatchObject({ lastFollowUpAt: '2026-03-04T10:00:00.000Z' });
    reader = project([...rescheduled, followedUp('c1', 'alice', '2026-03-11T10:00:00.000Z', null)]);
    expect(await ofKind(reader, 'follow_up', '2026-03-12T00:00:00.000Z')).toEqual([]);
  });

  it('a release or a recycle to the pool clears it, and a claim or an assignment from the pool starts without one', async () => {
    expect(await ofKind(project([...scheduled, released('c1', 'alice', '2026-03-03T00:00:00.000Z')]), 'follow_up', '2026-03-06T00:00:00.000Z')).toEqual([]);
    expect(await ofKind(project([...scheduled, recycled('c1', 'alice', '2026-03-03T00:00:00.000Z', '2026-03-01T09:00:00.000Z')]), 'follow_up', '2026-03-06T00:00:00.000Z')).toEqual([]);
    const reclaimed = [...scheduled, released('c1', 'alice', '2026-03-03T00:00:00.000Z'), claimed('c1', 'bob', '2026-03-04T00:00:00.000Z')];
    expect(await ofKind(project(reclaimed), 'follow_up', '2026-03-06T00:00:00.000Z')).toEqual([]);
    const reassigned = [...scheduled, released('c1', 'alice', '2026-03-03T00:00:00.000Z'), assigned('c1', 'bob', '2026-03-04T00:00:00.000Z')];
    expect(await ofKind(project(reassigned), 'follow_up', '2026-03-06T00:00:00.000Z')).toEqual([]);
  });

  it('a transfer hands the scheduled follow-up to the new owner (the customer state keeps nextFollowUpAt across it)', async () => {
    const reader = project([...scheduled, transferred('c1', 'alice', 'bob', '2026-03-03T00:00:00.000Z')]);
    expect(lines(await ofKind(reader, 'follow_up', '2026-03-05T09:00:00.000Z'))).toEqual(['follow_up bob c1 2026-03-05T09:00:00.000Z']);
    expect(await items(reader, '2026-03-05T09:00:00.000Z', 'alice')).toEqual([]);
    expect(lines(await items(reader, '2026-03-05T09:00:00.000Z', 'bob'))).toEqual(['follow_up bob c1 2026-03-05T09:00:00.000Z']);
  });

  it('merged and erased customers produce none', async () => {
    expect(await items(project([...scheduled, merged('c1', 'c9', 'alice', '2026-03-03T00:00:00.000Z')]), '2026-03-06T00:00:00.000Z')).toEqual([]);
    expect(await items(project([...scheduled, erased('c1', '2026-03-03T00:00:00.000Z')]), '2026-03-06T00:00:00.000Z')).toEqual([]);
  });
});

describe('reminders: recycles due within warnDaysBefore days (domain.md §3 recycle clock)', () => {
  // Defaults: noFollowUpDays 30, noDealDays 90, warnDaysBefore 3, protectionDays 0.
  const owned = [...directory, registered('c1', 'alice', '2026-01-01T00:00:00.000Z')];

  it('lists the earliest rule from exactly warnDaysBefore days before its due time, and keeps it once due', async () => {
    const reader = project(owned);
    // no_follow_up: 2026-01-01 + 30 d = 2026-01-31T00:00; no_deal: + 90 d = 2026-04-01T00:00.
    expect(await items(reader, '2026-01-27T23:59:59.999Z')).toEqual([]);
    const coming = {
      kind: 'recycle_due',
      memberId: 'alice',
      subjectId: 'c1',
      dueAt: '2026-01-31T00:00:00.000Z',
      detail: {
        customerId: 'c1',
        rule: 'no_follow_up',
        dueAt: '2026-01-31T00:00:00.000Z',
        holds: false,
        warnDaysBefore: 3,
        ownedSince: '2026-01-01T00:00:00.000Z',
        lastFollowUpAt: null,
        lastDealWonAt: null,
      },
    };
    expect(await items(reader, '2026-01-28T00:00:00.000Z')).toEqual([coming]);
    expect(await items(reader, '2026-01-30T23:59:59.999Z', 'alice')).toEqual([coming]);
    expect(await items(reader, '2026-01-31T00:00:00.000Z')).toEqual([{ ...coming, detail: { ...coming.detail, holds: true } }]);
    expect(await items(reader, '2026-03-15T00:00:00.000Z')).toEqual([{ ...coming, detail: { ...coming.detail, holds: true } }]);
    expect(await items(reader, '2026-03-15T00:00:00.000Z', 'bob')).toEqual([]);
  });

  it('follow-ups push the no_follow_up clock, so no_deal can come first', async () => {
    const reader = project([
      ...owned,
      followedUp('c1', 'alice', '2026-01-20T00:00:00.000Z'),
      followedUp('c1', 'alice', '2026-02-15T00:00:00.000Z'),
      followedUp('c1', 'alice', '2026-03-10T00:00:00.000Z'),
    ]);
    // no_follow_up: 2026-03-10 + 30 d = 2026-04-09; no_deal: 2026-04-01.
    expect(await items(reader, '2026-03-28T23:59:59.999Z')).toEqual([]);
    const [item] = await items(reader, '2026-03-29T00:00:00.000Z');
    expect(item).toEqual({
      kind: 'recycle_due',
      memberId: 'alice',
      subjectId: 'c1',
      dueAt: '2026-04-01T00:00:00.000Z',
      detail: {
        customerId: 'c1',
        rule: 'no_deal',
        dueAt: '2026-04-01T00:00:00.000Z',
        holds: false,
        warnDaysBefore: 3,
        ownedSince: '2026-01-01T00:00:00.000Z',
        lastFollowUpAt: '2026-03-10T00:00:00.000Z',
        lastDealWonAt: null,
      },
    });
  });

  it('a deal won since ownedSince stops no_deal; one won before the current ownership does not', async () => {
    const followUps = [followedUp('c1', 'alice', '2026-01-20T00:00:00.000Z'), followedUp('c1', 'alice', '2026-02-15T00:00:00.000Z'), followedUp('c1', 'alice', '2026-03-10T00:00:00.000Z')];
    const won = [opportunityOpened('o1', 'c1', 'alice', '2026-12-31', '2026-01-02T00:00:00.000Z'), opportunityWon('o1', 'c1', 'alice', '2026-02-01T00:00:00.000Z')];
    const reader = project([...owned, ...won, ...followUps]);
    expect(await items(reader, '2026-03-29T00:00:00.000Z')).toEqual([]);
    // Only no_follow_up is left: 2026-03-10 + 30 d = 2026-04-09, listed from 2026-04-06.
    expect(lines(await items(reader, '2026-04-06T00:00:00.000Z'))).toEqual(['recycle_due alice c1 2026-04-09T00:00:00.000Z']);

    // Won on 01-05, transferred to bob on 01-10: bob's no_deal clock runs from 01-10 (due 04-10).
    const transferredAfterWin = project([
      ...directory,
      registered('c1', 'alice', '2026-01-01T00:00:00.000Z'),
      opportunityOpened('o1', 'c1', 'alice', '2026-12-31', '2026-01-02T00:00:00.000Z'),
      opportunityWon('o1', 'c1', 'alice', '2026-01-05T00:00:00.000Z'),
      transferred('c1', 'alice', 'bob', '2026-01-10T00:00:00.000Z'),
      followedUp('c1', 'bob', '2026-02-01T00:00:00.000Z'),
      followedUp('c1', 'bob', '2026-03-01T00:00:00.000Z'),
      followedUp('c1', 'bob', '2026-04-01T00:00:00.000Z'),
    ]);
    const [item] = await items(transferredAfterWin, '2026-04-07T00:00:00.000Z', 'bob');
    expect(item).toMatchObject({
      kind: 'recycle_due',
      memberId: 'bob',
      dueAt: '2026-04-10T00:00:00.000Z',
      detail: { rule: 'no_deal', ownedSince: '2026-01-10T00:00:00.000Z', lastDealWonAt: '2026-01-05T00:00:00.000Z' },
    });
  });

  it('locked customers, customer/vip stages and pool customers are never listed; unlocking or leaving the stage brings it back', async () => {
    const at = '2026-02-10T00:00:00.000Z';
    expect(await items(project([...owned, locked('c1', '2026-01-02T00:00:00.000Z')]), at)).toEqual([]);
    expect(lines(await items(project([...owned, locked('c1', '2026-01-02T00:00:00.000Z'), unlocked('c1', '2026-01-03T00:00:00.000Z')]), at))).toEqual([
      'recycle_due alice c1 2026-01-31T00:00:00.000Z',
    ]);
    expect(await items(project([...owned, stageChanged('c1', 'potential', 'customer', '2026-01-02T00:00:00.000Z')]), at)).toEqual([]);
    expect(await items(project([...owned, stageChanged('c1', 'potential', 'vip', '2026-01-02T00:00:00.000Z')]), at)).toEqual([]);
    expect(
      lines(await items(project([...owned, stageChanged('c1', 'potential', 'vip', '2026-01-02T00:00:00.000Z'), stageChanged('c1', 'vip', 'dormant', '2026-01-03T00:00:00.000Z')]), at)),
    ).toEqual(['recycle_due alice c1 2026-01-31T00:00:00.000Z']);
    expect(await items(project([...directory, registered('c1', null, '2026-01-01T00:00:00.000Z')]), at)).toEqual([]);
  });

  it('a claim restarts the clock for the new owner', async () => {
    const reader = project([...directory, registered('c1', null, '2026-01-01T00:00:00.000Z'), claimed('c1', 'bob', '2026-01-15T00:00:00.000Z')]);
    // 2026-01-15 + 30 d = 2026-02-14, listed from 2026-02-11.
    expect(await items(reader, '2026-02-10T23:59:59.999Z', 'bob')).toEqual([]);
    expect(lines(await items(reader, '2026-02-11T00:00:00.000Z', 'bob'))).toEqual(['recycle_due bob c1 2026-02-14T00:00:00.000Z']);
  });

  it('a configuration change moves the due time, using the configuration in force at T', async () => {
    const shorter = { pool: { recycle: { noFollowUpDays: 20 } } };
    const reader = project([...owned, configured(shorter, '2026-01-10T00:00:00.000Z')]);
    // Before the change: 30 days (due 01-31), nothing within 3 days of 01-09.
    expect(await items(reader, '2026-01-09T23:59:59.999Z')).toEqual([]);
    // From the change on: 20 days, due 2026-01-21T00:00, listed from exactly 2026-01-18T00:00.
    expect(await items(reader, '2026-01-17T23:59:59.999Z')).toEqual([]);
    expect(await items(reader, '2026-01-18T00:00:00.000Z')).toEqual([
      {
        kind: 'recycle_due',
        memberId: 'alice',
        subjectId: 'c1',
        dueAt: '2026-01-21T00:00:00.000Z',
        detail: {
          customerId: 'c1',
          rule: 'no_follow_up',
          dueAt: '2026-01-21T00:00:00.000Z',
          holds: false,
          warnDaysBefore: 3,
          ownedSince: '2026-01-01T00:00:00.000Z',
          lastFollowUpAt: null,
          lastDealWonAt: null,
        },
      },
    ]);
  });

  it('a wider warning window and protection days from the configuration in force at T', async () => {
    const first = { pool: { recycle: { noFollowUpDays: 20 } } };
    const wider = { pool: { recycle: { warnDaysBefore: 10 } } };
    const afterFirst = applyConfigPatch(defaultConfig, first);
    const reader = project([...owned, configured(first, '2026-01-10T00:00:00.000Z'), configured(wider, '2026-01-11T00:00:00.000Z', afterFirst)]);
    // Due 01-21T00:00; 10 days before is exactly 01-11T00:00, the instant the wider window starts.
    expect(await items(reader, '2026-01-10T23:59:59.999Z')).toEqual([]);
    expect(await items(reader, '2026-01-11T00:00:00.000Z')).toMatchObject([{ dueAt: '2026-01-21T00:00:00.000Z', detail: { warnDaysBefore: 10, holds: false } }]);
    const protectedReader = project([...owned, configured({ pool: { protectionDays: 45 } }, '2026-01-02T00:00:00.000Z')]);
    // Protection from ownedSince: 2026-01-01 + 45 d = 2026-02-15, later than 01-31.
    expect(await items(protectedReader, '2026-02-11T23:59:59.999Z')).toEqual([]);
    expect(lines(await items(protectedReader, '2026-02-12T00:00:00.000Z'))).toEqual(['recycle_due alice c1 2026-02-15T00:00:00.000Z']);
  });

  it('merged and erased customers produce none', async () => {
    expect(await items(project([...owned, merged('c1', 'c2', 'alice', '2026-01-05T00:00:00.000Z')]), '2026-02-10T00:00:00.000Z')).toEqual([]);
    expect(await items(project([...owned, erased('c1', '2026-01-05T00:00:00.000Z')]), '2026-02-10T00:00:00.000Z')).toEqual([]);
  });
});

describe('reminders: ticket SLA due times (passing within 24 h, or passed while open)', () => {
  // normal priority: first response 8 h, resolution 72 h after opening (2026-03-01T08:00).
  const opened = [
    ...directory,
    registered('c1', 'alice', '2026-03-01T00:00:00.000Z'),
    ticketOpened('t1', 'c1', 'normal', '2026-03-01T08:00:00.000Z', '2026-03-01T16:00:00.000Z', '2026-03-04T08:00:00.000Z'),
    ticketAssigned('t1', 'carol', '2026-03-01T08:30:00.000Z'),
  ];
  const responded = [...opened, ticketCommented('t1', '2026-03-01T09:00:00.000Z', true)];

  it('lists the first response while none was given', async () => {
    const reader = project(opened);
    const item = {
      kind: 'ticket_sla',
      memberId: 'carol',
      subjectId: 't1',
      dueAt: '2026-03-01T16:00:00.000Z',
      detail: {
        ticketId: 't1',
        customerId: 'c1',
        target: 'first_response',
        dueAt: '2026-03-01T16:00:00.000Z',
        breached: false,
        status: 'assigned',
        priority: 'normal',
        assignee: 'carol',
        firstResponseDueAt: '2026-03-01T16:00:00.000Z',
        resolutionDueAt: '2026-03-04T08:00:00.000Z',
      },
    };
    expect(await ofKind(reader, 'ticket_sla', '2026-03-01T09:00:00.000Z', 'carol')).toEqual([item]);
    expect(await ofKind(reader, 'ticket_sla', '2026-03-01T16:00:00.000Z')).toEqual([item]);
    expect(await ofKind(reader, 'ticket_sla', '2026-03-01T16:00:00.001Z')).toEqual([{ ...item, detail: { ...item.detail, breached: true } }]);
    // An internal comment is no first response.
    expect(await ofKind(project([...opened, ticketCommented('t1', '2026-03-01T09:00:00.000Z', false)]), 'ticket_sla', '2026-03-01T10:00:00.000Z')).toMatchObject([
      { detail: { target: 'first_response' } },
    ]);
  });

  it('lists the resolution from exactly 24 h before its due time; at the due time it is not breached yet, 1 ms later it is', async () => {
    const reader = project(responded);
    expect(await ofKind(reader, 'ticket_sla', '2026-03-03T07:59:59.999Z')).toEqual([]);
    const item = {
      kind: 'ticket_sla',
      memberId: 'carol',
      subjectId: 't1',
      dueAt: '2026-03-04T08:00:00.000Z',
      detail: {
        ticketId: 't1',
        customerId: 'c1',
        target: 'resolution',
        dueAt: '2026-03-04T08:00:00.000Z',
        breached: false,
        status: 'assigned',
        priority: 'normal',
        assignee: 'carol',
        firstResponseDueAt: null,
        resolutionDueAt: '2026-03-04T08:00:00.000Z',
      },
    };
    expect(await ofKind(reader, 'ticket_sla', '2026-03-03T08:00:00.000Z')).toEqual([item]);
    expect(await ofKind(reader, 'ticket_sla', '2026-03-04T08:00:00.000Z')).toEqual([item]);
    expect(await ofKind(reader, 'ticket_sla', '2026-03-04T08:00:00.001Z')).toEqual([{ ...item, detail: { ...item.detail, breached: true } }]);
    // Escalation changes no due time.
    expect(await ofKind(project([...responded, ticketEscalated('t1', '2026-03-02T00:00:00.000Z')]), 'ticket_sla', '2026-03-03T08:00:00.000Z')).toEqual([item]);
  });

  it('resolved and closed tickets drop out; a reopen brings back the resolution time that already passed', async () => {
    const resolved = [...responded, ticketResolved('t1', '2026-03-02T10:00:00.000Z', '2026-03-01T08:00:00.000Z')];
    expect(await ofKind(project(resolved), 'ticket_sla', '2026-03-03T08:00:00.000Z')).toEqual([]);
    const closed = [...resolved, ticketClosed('t1', '2026-03-02T11:00:00.000Z')];
    expect(await ofKind(project(closed), 'ticket_sla', '2026-03-05T00:00:00.000Z')).toEqual([]);
    const reopened = project([...closed, ticketReopened('t1', 'assigned', '2026-03-05T00:00:00.000Z')]);
    expect(await ofKind(reopened, 'ticket_sla', '2026-03-05T00:00:00.000Z', 'carol')).toMatchObject([
      { memberId: 'carol', dueAt: '2026-03-04T08:00:00.000Z', detail: { target: 'resolution', breached: true, status: 'assigned' } },
    ]);
  });

  it('a resolution without an earlier response counts as the first response, also after a reopen', async () => {
    const reader = project([
      ...opened,
      ticketResolved('t1', '2026-03-01T10:00:00.000Z', '2026-03-01T08:00:00.000Z', true),
      ticketReopened('t1', 'assigned', '2026-03-01T11:00:00.000Z'),
    ]);
    expect(await ofKind(reader, 'ticket_sla', '2026-03-03T08:00:00.000Z')).toMatchObject([
      { dueAt: '2026-03-04T08:00:00.000Z', detail: { target: 'resolution', firstResponseDueAt: null } },
    ]);
  });

  it('a priority change recomputes the due times from the opening time', async () => {
    // urgent: 1 h and 4 h after 08:00.
    const reader = project([...opened, ticketPriorityChanged('t1', 'normal', 'urgent', '2026-03-01T08:10:00.000Z', '2026-03-01T09:00:00.000Z', '2026-03-01T12:00:00.000Z')]);
    expect(await ofKind(reader, 'ticket_sla', '2026-03-01T08:10:00.000Z')).toMatchObject([
      { dueAt: '2026-03-01T09:00:00.000Z', detail: { target: 'first_response', priority: 'urgent', resolutionDueAt: '2026-03-01T12:00:00.000Z' } },
    ]);
  });

  it('unassigned tickets: memberId null for all; in a member view, for active managers and admins only', async () => {
    const unassigned = project([...responded, ticketUnassigned('t1', 'carol', '2026-03-02T00:00:00.000Z')]);
    const at = '2026-03-03T08:00:00.000Z';
    expect(await ofKind(unassigned, 'ticket_sla', at)).toMatchObject([{ memberId: null, subjectId: 't1', detail: { status: 'open', assignee: null } }]);
    expect(lines(await items(unassigned, at, 'sam'))).toEqual(['ticket_sla - t1 2026-03-04T08:00:00.000Z']);
    expect(lines(await items(unassigned, at, 'root'))).toEqual(['ticket_sla - t1 2026-03-04T08:00:00.000Z']);
    expect(await items(unassigned, at, 'carol')).toEqual([]);
    expect(await items(unassigned, at, 'alice')).toEqual([]);
    const samGone = project([...responded, ticketUnassigned('t1', 'carol', '2026-03-02T00:00:00.000Z'), deactivated('sam', '2026-03-02T12:00:00.000Z', 'manager', 'south')]);
    expect(await items(samGone, at, 'sam')).toEqual([]);
    // Assigning it again hands it to the new assignee.
    const bobs = project([...responded, ticketUnassigned('t1', 'carol', '2026-03-02T00:00:00.000Z'), ticketAssigned('t1', 'bob', '2026-03-02T01:00:00.000Z')]);
    expect(lines(await items(bobs, at, 'bob'))).toEqual(['ticket_sla bob t1 2026-03-04T08:00:00.000Z']);
    expect(await items(bobs, at, 'sam')).toEqual([]);
  });

  it('tickets stay listed for a merged or erased customer (they are not customer reminders)', async () => {
    expect(await ofKind(project([...responded, erased('c1', '2026-03-02T00:00:00.000Z')]), 'ticket_sla', '2026-03-03T08:00:00.000Z')).toHaveLength(1);
  });
});

describe('reminders: open opportunities past their expected close date', () => {
  const opened = [...directory, registered('c1', 'alice', '2026-03-01T00:00:00.000Z'), opportunityOpened('o1', 'c1', 'alice', '2026-03-10', '2026-03-01T10:00:00.000Z')];

  it('lists it from the start of the UTC day after the expected close date', async () => {
    const reader = project(opened);
    expect(await ofKind(reader, 'opportunity_overdue', '2026-03-10T23:59:59.999Z')).toEqual([]);
    const item = {
      kind: 'opportunity_overdue',
      memberId: 'alice',
      subjectId: 'o1',
      dueAt: '2026-03-11T00:00:00.000Z',
      detail: { opportunityId: 'o1', customerId: 'c1', title: 'Deal o1', stage: 'prospecting', expectedCloseDate: '2026-03-10', daysOverdue: 0 },
    };
    expect(await ofKind(reader, 'opportunity_overdue', '2026-03-11T00:00:00.000Z')).toEqual([item]);
    expect(await ofKind(reader, 'opportunity_overdue', '2026-03-13T12:00:00.000Z', 'alice')).toEqual([{ ...item, detail: { ...item.detail, daysOverdue: 2 } }]);
    expect(await ofKind(reader, 'opportunity_overdue', '2026-03-13T12:00:00.000Z', 'bob')).toEqual([]);
  });

  it('follows revisions of the close date (not of the amount), stage moves and reassignment', async () => {
    const revised = project([...opened, amountRevised('o1', '2026-03-02T00:00:00.000Z'), closeDateRevised('o1', '2026-03-20', '2026-03-10', '2026-03-12T00:00:00.000Z')]);
    expect(await ofKind(revised, 'opportunity_overdue', '2026-03-13T00:00:00.000Z')).toEqual([]);
    expect(lines(await ofKind(revised, 'opportunity_overdue', '2026-03-21T00:00:00.000Z'))).toEqual(['opportunity_overdue alice o1 2026-03-21T00:00:00.000Z']);
    const moved = project([...opened, opportunityMoved('o1', 'prospecting', 'qualification', '2026-03-02T00:00:00.000Z'), opportunityReassigned('o1', 'alice', 'bob', '2026-03-03T00:00:00.000Z')]);
    expect(await ofKind(moved, 'opportunity_overdue', '2026-03-12T00:00:00.000Z')).toMatchObject([{ memberId: 'bob', detail: { stage: 'qualification', daysOverdue: 1 } }]);
    expect(await items(moved, '2026-03-12T00:00:00.000Z', 'alice')).toEqual([]);
  });

  it('won and lost opportunities drop out; a reopened one comes back', async () => {
    expect(await ofKind(project([...opened, opportunityWon('o1', 'c1', 'alice', '2026-03-05T00:00:00.000Z')]), 'opportunity_overdue', '2026-03-12T00:00:00.000Z')).toEqual([]);
    const lost = [...opened, opportunityLost('o1', 'c1', 'alice', '2026-03-05T00:00:00.000Z')];
    expect(await ofKind(project(lost), 'opportunity_overdue', '2026-03-12T00:00:00.000Z')).toEqual([]);
    expect(await ofKind(project([...lost, opportunityReopened('o1', '2026-03-06T00:00:00.000Z')]), 'opportunity_overdue', '2026-03-12T00:00:00.000Z')).toMatchObject([
      { memberId: 'alice', dueAt: '2026-03-11T00:00:00.000Z', detail: { stage: 'qualification' } },
    ]);
  });
});

describe('reminders: orphaned opportunities (domain.md §6.1)', () => {
  // alice (north) leaves without a successor while north has no active manager: o1 stays hers.
  const orphaned = [
    ...directory,
    registered('c1', 'alice', '2026-03-01T00:00:00.000Z'),
    opportunityOpened('o1', 'c1', 'alice', '2026-03-31', '2026-03-01T10:00:00.000Z'),
    released('c1', 'alice', '2026-03-05T00:00:00.000Z'),
    deactivated('alice', '2026-03-05T00:00:00.000Z'),
  ];
  const item = {
    kind: 'opportunity_orphaned',
    memberId: 'alice',
    subjectId: 'o1',
    dueAt: '2026-03-05T00:00:00.000Z',
    detail: {
      opportunityId: 'o1',
      customerId: 'c1',
      title: 'Deal o1',
      stage: 'prospecting',
      expectedCloseDate: '2026-03-31',
      owner: 'alice',
      ownerTeam: 'north',
      ownerDeactivatedAt: '2026-03-05T00:00:00.000Z',
      overdue: false,
    },
  };

  it('lists it under the inactive owner, dated at the deactivation', async () => {
    expect(await items(project(orphaned), '2026-03-06T00:00:00.000Z')).toEqual([item]);
  });

  it('a member view shows it to admins, to active managers of the owner’s last team, and to the owner itself', async () => {
    const reader = project(orphaned);
    const at = '2026-03-06T00:00:00.000Z';
    expect(await items(reader, at, 'root')).toEqual([item]);
    expect(await items(reader, at, 'alice')).toEqual([item]);
    expect(await items(reader, at, 'sam')).toEqual([]);
    expect(await items(reader, at, 'bob')).toEqual([]);
    const withManager = project([...orphaned, member('max', 'manager', 'north', '2026-03-07T00:00:00.000Z')]);
    expect(await items(withManager, at, 'max')).toEqual([item]);
    const samMoved = project([...orphaned, movedToTeam('sam', 'south', 'north', '2026-03-07T00:00:00.000Z')]);
    expect(await items(samMoved, at, 'sam')).toEqual([item]);
    const maxGone = project([...orphaned, member('max', 'manager', 'north', '2026-03-07T00:00:00.000Z'), deactivated('max', '2026-03-08T00:00:00.000Z', 'manager', 'north')]);
    expect(await items(maxGone, at, 'max')).toEqual([]);
  });

  it('is listed as orphaned only (never also as overdue), with the overdue flag', async () => {
    expect(await items(project(orphaned), '2026-04-02T00:00:00.000Z')).toEqual([{ ...item, detail: { ...item.detail, overdue: true } }]);
  });

  it('reassigning it ends the orphanage; winning or losing it too', async () => {
    const reassigned = project([...orphaned, opportunityReassigned('o1', 'alice', 'bob', '2026-03-08T00:00:00.000Z')]);
    expect(await ofKind(reassigned, 'opportunity_orphaned', '2026-03-09T00:00:00.000Z')).toEqual([]);
    expect(lines(await items(reassigned, '2026-04-02T00:00:00.000Z', 'bob'))).toEqual(['opportunity_overdue bob o1 2026-04-01T00:00:00.000Z']);
    expect(await items(project([...orphaned, opportunityLost('o1', 'c1', 'alice', '2026-03-08T00:00:00.000Z')]), '2026-03-09T00:00:00.000Z')).toEqual([]);
  });

  it('a lost opportunity of an inactive owner reopened later is orphaned from the reopening', async () => {
    const reader = project([
      ...directory,
      registered('c1', 'alice', '2026-03-01T00:00:00.000Z'),
      opportunityOpened('o2', 'c1', 'alice', '2026-03-31', '2026-03-01T10:00:00.000Z'),
      opportunityLost('o2', 'c1', 'alice', '2026-03-02T00:00:00.000Z'),
      deactivated('alice', '2026-03-05T00:00:00.000Z'),
      opportunityReopened('o2', '2026-03-09T00:00:00.000Z'),
    ]);
    expect(lines(await ofKind(reader, 'opportunity_orphaned', '2026-03-10T00:00:00.000Z'))).toEqual(['opportunity_orphaned alice o2 2026-03-09T00:00:00.000Z']);
  });
});

describe('reminders: contact birthdays within 7 days (personal data)', () => {
  const withContact = [...directory, registered('c1', 'alice', '2026-03-01T00:00:00.000Z'), contactAdded('c1', 'k1', '03-10', '2026-03-01T10:00:00.000Z')];

  it('lists a birthday from 7 days before its day to the day itself, for the customer’s owner', async () => {
    const reader = project(withContact);
    expect(await items(reader, '2026-03-02T23:59:59.999Z')).toEqual([]);
    const item = {
      kind: 'birthday',
      memberId: 'alice',
      subjectId: 'c1',
      dueAt: '2026-03-10T00:00:00.000Z',
      detail: { customerId: 'c1', contactId: 'k1', birthday: '03-10', date: '2026-03-10', daysUntil: 7, age: null },
    };
    expect(await items(reader, '2026-03-03T00:00:00.000Z')).toEqual([item]);
    expect(await items(reader, '2026-03-03T00:00:00.000Z', 'alice')).toEqual([item]);
    expect(await items(reader, '2026-03-10T18:00:00.000Z')).toEqual([{ ...item, detail: { ...item.detail, daysUntil: 0 } }]);
    expect(await items(reader, '2026-03-11T00:00:00.000Z')).toEqual([]);
  });

  it('a full date gives the age; February 29 is reminded on February 28 in common years', async () => {
    const reader = project([...withContact, contactAdded('c1', 'k2', '1990-03-08', '2026-03-01T11:00:00.000Z')]);
    expect(await items(reader, '2026-03-05T00:00:00.000Z')).toEqual([
      { kind: 'birthday', memberId: 'alice', subjectId: 'c1', dueAt: '2026-03-08T00:00:00.000Z', detail: { customerId: 'c1', contactId: 'k2', birthday: '1990-03-08', date: '2026-03-08', daysUntil: 3, age: 36 } },
      { kind: 'birthday', memberId: 'alice', subjectId: 'c1', dueAt: '2026-03-10T00:00:00.000Z', detail: { customerId: 'c1', contactId: 'k1', birthday: '03-10', date: '2026-03-10', daysUntil: 5, age: null } },
    ]);
    const leap = project([...directory, registered('c1', 'alice', '2026-03-01T00:00:00.000Z'), contactAdded('c1', 'k3', '02-29', '2026-03-01T10:00:00.000Z')]);
    expect(await ofKind(leap, 'birthday', '2027-02-20T12:00:00.000Z')).toEqual([]);
    expect(await ofKind(leap, 'birthday', '2027-02-21T12:00:00.000Z')).toMatchObject([{ dueAt: '2027-02-28T00:00:00.000Z', detail: { date: '2027-02-28', daysUntil: 7 } }]);
    expect(await ofKind(leap, 'birthday', '2028-02-25T12:00:00.000Z')).toMatchObject([{ dueAt: '2028-02-29T00:00:00.000Z', detail: { date: '2028-02-29', daysUntil: 4 } }]);
  });

  it('follows contact updates and removals; other contact changes leave it alone', async () => {
    const moved = [...withContact, birthdayChanged('c1', 'k1', '03-12', '03-10', '2026-03-02T00:00:00.000Z')];
    expect(lines(await items(project(moved), '2026-03-05T00:00:00.000Z'))).toEqual(['birthday alice c1 2026-03-12T00:00:00.000Z']);
    expect(await items(project([...moved, birthdayChanged('c1', 'k1', null, '03-12', '2026-03-03T00:00:00.000Z')]), '2026-03-05T00:00:00.000Z')).toEqual([]);
    expect(await items(project([...withContact, contactRemoved('c1', 'k1', '2026-03-02T00:00:00.000Z')]), '2026-03-05T00:00:00.000Z')).toEqual([]);
    expect(lines(await items(project([...withContact, contactRenamed('c1', 'k1', '2026-03-02T00:00:00.000Z')]), '2026-03-05T00:00:00.000Z'))).toEqual([
      'birthday alice c1 2026-03-10T00:00:00.000Z',
    ]);
    // A contact added later without a birthday, then given one.
    const later = [...directory, registered('c1', 'alice', '2026-03-01T00:00:00.000Z'), contactAdded('c1', 'k4', null, '2026-03-01T10:00:00.000Z'), birthdayChanged('c1', 'k4', '03-06', null, '2026-03-02T00:00:00.000Z')];
    expect(lines(await items(project(later), '2026-03-05T00:00:00.000Z'))).toEqual(['birthday alice c1 2026-03-06T00:00:00.000Z']);
  });

  it('pool customers’ contacts are reminded to nobody; a claim hands them to the new owner', async () => {
    const pooled = [...directory, registered('c1', null, '2026-03-01T00:00:00.000Z'), contactAdded('c1', 'k1', '03-10', '2026-03-01T10:00:00.000Z')];
    expect(await items(project(pooled), '2026-03-05T00:00:00.000Z')).toEqual([]);
    expect(lines(await ofKind(project([...pooled, claimed('c1', 'bob', '2026-03-02T00:00:00.000Z')]), 'birthday', '2026-03-05T00:00:00.000Z'))).toEqual([
      'birthday bob c1 2026-03-10T00:00:00.000Z',
    ]);
  });

  it('after PersonalDataErased the birthdays are gone (null) and nothing is reminded, and a rebuild (birthdays read back as null) gives the same rows', async () => {
    const live = project([...withContact, erased('c1', '2026-03-02T00:00:00.000Z')]);
    expect(await items(live, '2026-03-05T00:00:00.000Z')).toEqual([]);
    expect((await live.get('reminders_customers', ['c1']))?.['birthdays']).toBeNull();
    // Crypto-shredding: replayed after the erasure, the ContactAdded birthday decrypts to null.
    const rebuilt = project([...directory, registered('c1', 'alice', '2026-03-01T00:00:00.000Z'), contactAdded('c1', 'k1', null, '2026-03-01T10:00:00.000Z'), erased('c1', '2026-03-02T00:00:00.000Z')]);
    expect(await rebuilt.scan('reminders_customers')).toEqual(await live.scan('reminders_customers'));
  });

  it('a merge moves the duplicate’s contacts to the survivor: reminded to the survivor’s owner, nothing about the duplicate', async () => {
    const reader = project([
      ...withContact,
      registered('c2', 'bob', '2026-03-01T00:00:00.000Z'),
      contactAdded('c2', 'k2', '1985-03-08', '2026-03-01T11:00:00.000Z'),
      followedUp('c2', 'bob', '2026-03-01T12:00:00.000Z', '2026-03-02T00:00:00.000Z'),
      merged('c2', 'c1', 'bob', '2026-03-02T00:00:00.000Z'),
      absorbed('c1', 'c2', [contact('k2', '1985-03-08')], '2026-03-02T00:00:00.000Z'),
    ]);
    expect(await items(reader, '2026-03-03T00:00:00.000Z')).toEqual([
      { kind: 'birthday', memberId: 'alice', subjectId: 'c1', dueAt: '2026-03-08T00:00:00.000Z', detail: { customerId: 'c1', contactId: 'k2', birthday: '1985-03-08', date: '2026-03-08', daysUntil: 5, age: 41 } },
      { kind: 'birthday', memberId: 'alice', subjectId: 'c1', dueAt: '2026-03-10T00:00:00.000Z', detail: { customerId: 'c1', contactId: 'k1', birthday: '03-10', date: '2026-03-10', daysUntil: 7, age: null } },
    ]);
    expect(await items(reader, '2026-03-03T00:00:00.000Z', 'bob')).toEqual([]);
  });

  it('an absorbed contact replaces the survivor’s contact with the same id (as in the customer state)', async () => {
    const reader = project([...withContact, registered('c2', 'bob', '2026-03-01T00:00:00.000Z'), merged('c2', 'c1', 'bob', '2026-03-02T00:00:00.000Z'), absorbed('c1', 'c2', [contact('k1', null)], '2026-03-02T00:00:00.000Z')]);
    expect(await items(reader, '2026-03-05T00:00:00.000Z')).toEqual([]);
  });
});

describe('reminders: order (dueAt, then kind, then subject id)', () => {
  it('breaks ties on dueAt by kind name, then by subject id (string order)', async () => {
    const at = '2026-03-10T00:00:00.000Z';
    const reader = project([
      ...directory,
      registered('c2', 'alice', '2026-03-01T00:00:00.000Z'),
      registered('c10', 'alice', '2026-03-01T00:00:00.000Z'),
      // Both follow-ups due at T; their recycles (03-31T12:00) are outside the window.
      followedUp('c2', 'alice', '2026-03-01T12:00:00.000Z', at),
      followedUp('c10', 'alice', '2026-03-01T12:00:00.000Z', at),
      contactAdded('c2', 'k1', '03-10', '2026-03-01T13:00:00.000Z'),
      // Registered 30 days before T: no_follow_up due exactly at T.
      registered('c3', 'alice', '2026-02-08T00:00:00.000Z'),
      // Expected to close 03-09: overdue from T.
      opportunityOpened('o1', 'c2', 'alice', '2026-03-09', '2026-03-02T00:00:00.000Z'),
      // normal: resolution 72 h after 03-07T00:00 = T; first response given.
      ticketOpened('t1', 'c2', 'normal', '2026-03-07T00:00:00.000Z', '2026-03-07T08:00:00.000Z', at),
      ticketAssigned('t1', 'alice', '2026-03-07T00:10:00.000Z'),
      ticketCommented('t1', '2026-03-07T01:00:00.000Z', true, 'alice'),
      // A later due time sorts after all of them whatever its kind.
      contactAdded('c10', 'k2', '03-11', '2026-03-01T13:00:00.000Z'),
    ]);
    const expected = [
      `birthday alice c2 ${at}`,
      `follow_up alice c10 ${at}`,
      `follow_up alice c2 ${at}`,
      `opportunity_overdue alice o1 ${at}`,
      `recycle_due alice c3 ${at}`,
      `ticket_sla alice t1 ${at}`,
      'birthday alice c10 2026-03-11T00:00:00.000Z',
    ];
    expect(lines(await items(reader, at))).toEqual(expected);
    expect(lines(await items(reader, at, 'alice'))).toEqual(expected);
  });

  it('orders birthdays of one customer on the same day by contact id', async () => {
    const reader = project([
      ...directory,
      registered('c1', 'alice', '2026-03-01T00:00:00.000Z'),
      contactAdded('c1', 'kb', '03-10', '2026-03-01T10:00:00.000Z'),
      contactAdded('c1', 'ka', '1970-03-10', '2026-03-01T10:00:00.000Z'),
    ]);
    expect((await items(reader, '2026-03-05T00:00:00.000Z')).map((item) => (item.kind === 'birthday' ? item.detail.contactId : item.kind))).toEqual(['ka', 'kb']);
  });
});

describe('reminders: the query', () => {
  it('normalises asOf to UTC and names the member in the report', async () => {
    const reader = project(directory);
    expect(await report(reader, '2026-03-05T10:00:00+01:00', 'alice')).toEqual({ asOf: '2026-03-05T09:00:00.000Z', memberId: 'alice', items: [] });
  });

  it('answers INVALID_COMMAND for an unreadable time and NOT_FOUND for an unknown member', async () => {
    const reader = project(directory);
    const invalid = await reminders(reader, { asOf: 'yesterday' });
    expect(isDomainError(invalid) && invalid.code).toBe('INVALID_COMMAND');
    expect(isDomainError(invalid) && invalid.details).toMatchObject({ issues: [{ path: 'asOf' }] });
    const unknown = await reminders(reader, { asOf: '2026-03-05T00:00:00.000Z', memberId: 'nobody' });
    expect(isDomainError(unknown) && unknown.code).toBe('NOT_FOUND');
  });
});
