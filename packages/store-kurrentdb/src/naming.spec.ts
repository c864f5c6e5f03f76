import { describe, expect, it } from 'vitest';
import { checkStreamPrefix, createStreamNaming, internalMarker } from './naming.ts';

describe('stream naming', () => {
  const naming = createStreamNaming('tenant-a/');

  it('maps port streams 1:1 under the prefix and back', () => {
    expect(naming.toServer('customer-1')).toBe('tenant-a/customer-1');
    expect(naming.fromServer('tenant-a/customer-1')).toBe('customer-1');
    expect(createStreamNaming('').toServer('customer-1')).toBe('customer-1');
    expect(createStreamNaming('').fromServer('customer-1')).toBe('customer-1');
  });

  it('does not claim streams of other prefixes, system streams or its own bookkeeping', () => {
    expect(naming.fromServer('tenant-b/customer-1')).toBeUndefined();
    expect(naming.fromServer('tenant-a/')).toBeUndefined();
    expect(naming.fromServer('$stats-1')).toBeUndefined();
    expect(naming.fromServer('$$tenant-a/customer-1')).toBeUndefined();
    expect(naming.fromServer('tenant-a/$x')).toBeUndefined();
    expect(naming.fromServer(naming.internalStream('command', 'c-1'))).toBeUndefined();
    expect(createStreamNaming('').fromServer('$ce-customer')).toBeUndefined();
    expect(createStreamNaming('').fromServer(`${internalMarker}key-abc`)).toBeUndefined();
  });

  it('names bookkeeping streams by kind and a SHA-256 of the id, never the id itself', () => {
    const stream = naming.internalStream('reservation', '+44 20 7946 0000');
    expect(stream).toMatch(/^tenant-a\/__eventcrm-reservation-[0-9a-f]{64}$/);
    expect(stream).not.toContain('7946');
    expect(naming.internalStream('reservation', '+44 20 7946 0000'), 'the same key always names the same stream').toBe(stream);
    expect(naming.internalStream('key', '+44 20 7946 0000'), 'kinds never share a stream').not.toBe(stream);
    expect(naming.internalStream('reservation', '+44 20 7946 0001')).not.toBe(stream);
    expect(naming.isInternal(stream)).toBe(true);
    expect(naming.isInternal('tenant-a/customer-1')).toBe(false);
  });

  it('refuses port stream names KurrentDB or the adapter reserve', () => {
    expect(naming.problemWith('customer-1')).toBeUndefined();
    expect(naming.problemWith('')).toMatch(/non-empty/);
    expect(naming.problemWith('$all')).toMatch(/system/);
    expect(naming.problemWith(`${internalMarker}command-x`)).toMatch(/reserves/);
  });

  it('refuses a prefix that would make every stream a system stream', () => {
    expect(checkStreamPrefix('$tenant')).toMatch(/\$/);
    expect(checkStreamPrefix('tenant/')).toBeUndefined();
    expect(() => createStreamNaming('$tenant')).toThrow(RangeError);
  });
});
