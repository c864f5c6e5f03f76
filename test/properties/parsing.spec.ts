import { commandNames, commandSchemas, parseCommand } from '@eventcrm/domain';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';

const environment = { now: '2026-01-05T09:00:00.000Z', newId: () => 'generated-id' };

/** Inputs that look like commands, with every part possibly wrong, plus prototype-polluting keys. */
const commandLike = fc.record(
  {
    command: fc.oneof(fc.constantFrom(...commandNames), fc.string()),
    id: fc.oneof(fc.string(), fc.integer(), fc.constant(undefined)),
    actor: fc.oneof(fc.constantFrom('system', 'u-1', ''), fc.string()),
    at: fc.oneof(fc.constantFrom('2026-01-05T09:00:00Z', '2026-01-05T17:00:00+08:00', '2026-02-30T00:00:00Z', '2030-01-01T00:00:00Z'), fc.string()),
    data: fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom('customerId', 'name', 'kind', 'phone', 'email', 'source', 'importance', 'amount', '__proto__', 'constructor', 'memberId', 'role'), fc.jsonValue())),
  },
  { requiredKeys: [] },
);

describe('command parsing never crashes (domain.md §0)', () => {
  it('never throws on arbitrary JSON, and every accepted command satisfies its schema', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), commandLike, fc.jsonValue().map((value) => JSON.parse(`{"__proto__":${JSON.stringify(value ?? null)},"command":"ClaimCustomer","actor":"system","data":{"customerId":"c-1"}}`) as unknown)), (input) => {
        const result = parseCommand(input, environment);
        if (E.isRight(result)) {
          const command = result.right;
          // The parsed data is a fixed point of its schema: validating it again accepts it unchanged.
          const again = (commandSchemas[command.command] as { safeParse(value: unknown): { success: boolean } }).safeParse(
            command.command === 'Configure' ? command.data : JSON.parse(JSON.stringify(toInput(command.data))),
          );
          expect(again.success).toBe(true);
          expect(command.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        } else {
          expect(['INVALID_COMMAND']).toContain(result.left.code);
          expect(result.left.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

/** Parsed money is `{ currency, minor }`; as input it is `{ amount, currency }`. */
function toInput(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toInput);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record['minor'] === 'string' && typeof record['currency'] === 'string' && Object.keys(record).length === 2) {
      return { amount: formatMinor(record['minor'], record['currency']), currency: record['currency'] };
    }
    return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, toInput(inner)]));
  }
  return value;
}

function formatMinor(minor: string, currency: string): string {
  const digits = currency === 'JPY' || currency === 'KRW' ? 0 : currency === 'BHD' || currency === 'KWD' ? 3 : 2;
  if (digits === 0) return minor;
  const padded = minor.padStart(digits + 1, '0');
  return `${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}
