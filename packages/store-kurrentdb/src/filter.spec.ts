import { describe, expect, it } from 'vitest';
import { escapeRegex, eventTypeRegex, planLogSelection, streamRegex } from './filter.ts';
import { createStreamNaming } from './naming.ts';

const prefixed = createStreamNaming('tenant.a/');
const bare = createStreamNaming('');

describe('regular expressions for server-side filters', () => {
  it('escapes every metacharacter so that prefixes and types match literally', () => {
    const literal = 'a.b*c+d?e(f)g[h]i{j}k|l^m$n\\o';
    expect(new RegExp(`^${escapeRegex(literal)}$`).test(literal)).toBe(true);
    expect(new RegExp(`^${escapeRegex('a.b')}$`).test('axb'), 'a dot is not a wildcard').toBe(false);
    expect(escapeRegex('customer-1/ünï code')).toBe('customer-1/ünï code');
  });

  it('matches the store’s port streams and nothing else', () => {
    const regex = new RegExp(streamRegex(prefixed, undefined));
    expect(regex.test('tenant.a/customer-1')).toBe(true);
    expect(regex.test('tenant.a/__eventcrm-command-00ff'), 'the adapter’s own streams').toBe(false);
    expect(regex.test('tenantXa/customer-1'), 'the dot in the prefix is literal').toBe(false);
    expect(regex.test('tenant.b/customer-1'), 'other tenants').toBe(false);
    expect(regex.test('$stats-1')).toBe(false);
  });

  it('without a store prefix, excludes system streams and the adapter’s own', () => {
    const regex = new RegExp(streamRegex(bare, undefined));
    expect(regex.test('customer-1')).toBe(true);
    expect(regex.test('$ce-customer')).toBe(false);
    expect(regex.test('$$customer-1')).toBe(false);
    expect(regex.test('__eventcrm-key-00ff')).toBe(false);
  });

  it('adds the caller’s prefixes as alternatives after the store prefix', () => {
    const regex = new RegExp(streamRegex(prefixed, ['orders-', 'customers-']));
    expect(regex.test('tenant.a/orders-1')).toBe(true);
    expect(regex.test('tenant.a/customers-1')).toBe(true);
    expect(regex.test('tenant.a/other-1')).toBe(false);
    expect(regex.test('orders-1')).toBe(false);
  });

  it('matches exact event types', () => {
    const regex = new RegExp(eventTypeRegex(['Opened', 'Closed.v2']));
    expect(regex.test('Opened')).toBe(true);
    expect(regex.test('Closed.v2')).toBe(true);
    expect(regex.test('Closedxv2')).toBe(false);
    expect(regex.test('OpenedAgain')).toBe(false);
    expect(regex.test('ReOpened')).toBe(false);
  });
});

describe('log selection', () => {
  it('filters on the stream name on the server when the store has a prefix', () => {
    const selection = planLogSelection(prefixed, { eventTypes: ['Opened'] }, true);
    expect(selection.server).toEqual({ filterOn: 'streamName', regex: streamRegex(prefixed, undefined), checkpointInterval: 1 });
    expect(selection.matches('tenant.a/x', 'Opened')).toBe(true);
    expect(selection.matches('tenant.a/x', 'Closed'), 'event types are checked on the client').toBe(false);
  });

  it('filters on event types on the server when only types narrow the read', () => {
    const selection = planLogSelection(bare, { eventTypes: ['Opened', 'Closed'] }, true);
    expect(selection.server).toEqual({ filterOn: 'eventType', regex: eventTypeRegex(['Opened', 'Closed']), checkpointInterval: 1 });
    expect(selection.matches('customer-1', 'Opened')).toBe(true);
    expect(selection.matches('$ce-customer', 'Opened'), 'system streams are still excluded on the client').toBe(false);
    expect(selection.matches('__eventcrm-command-00', 'Opened'), 'the adapter’s own streams are still excluded').toBe(false);
  });

  it('uses the caller’s stream prefixes on the server', () => {
    const selection = planLogSelection(prefixed, { streamPrefixes: ['orders-'], eventTypes: ['Opened'] }, true);
    expect(selection.server?.regex).toBe(streamRegex(prefixed, ['orders-']));
    expect(selection.matches('tenant.a/orders-1', 'Opened')).toBe(true);
    expect(selection.matches('tenant.a/customers-1', 'Opened')).toBe(false);
  });

  it('applies the complete rule on the client', () => {
    const selection = planLogSelection(prefixed, undefined, true);
    expect(selection.matches('tenant.a/customer-1', 'Renamed')).toBe(true);
    expect(selection.matches('tenant.a/customer-1', '$streamDeleted'), 'tombstone records').toBe(false);
    expect(selection.matches('tenant.a/customer-1', '$>'), 'link events').toBe(false);
    expect(selection.matches('tenant.b/customer-1', 'Renamed')).toBe(false);
    expect(selection.matches(prefixed.internalStream('key', 's'), 'eventcrm.KeyCreated')).toBe(false);
  });

  it('filters nothing on the server when the client cannot (EventStoreDB 6.x readAll)', () => {
    const selection = planLogSelection(prefixed, { streamPrefixes: ['orders-'] }, false);
    expect(selection.server).toBeUndefined();
    expect(selection.matches('tenant.a/orders-1', 'Opened')).toBe(true);
    expect(selection.matches('tenant.a/other-1', 'Opened')).toBe(false);
  });

  it('treats an empty list as "match nothing", as every store does', () => {
    expect(planLogSelection(prefixed, { streamPrefixes: [] }, true).matchesNothing).toBe(true);
    expect(planLogSelection(prefixed, { eventTypes: [] }, true).matchesNothing).toBe(true);
    expect(planLogSelection(prefixed, { streamPrefixes: [], eventTypes: ['x'] }, true).matches('tenant.a/a', 'x')).toBe(false);
    expect(planLogSelection(prefixed, {}, true).matchesNothing).toBe(false);
  });

  it('refuses filter lists that are not string arrays', () => {
    expect(() => planLogSelection(prefixed, { streamPrefixes: 'orders-' as unknown as string[] }, true)).toThrow(RangeError);
    expect(() => planLogSelection(prefixed, { eventTypes: [1] as unknown as string[] }, true)).toThrow(RangeError);
  });
});
