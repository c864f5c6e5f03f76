/**
 * Commands and decisions (docs/concepts.md): a decision is a pure function
 * of the command, the folded stream state and a plain context value.
 */
import { decide, defaultConfig, emptyFacts, evolve, initialStateOf, parseCommand, type DecisionContext } from '@eventcrm/domain';
import { event } from '@eventcrm/domain/testing';

export function main() {
  // #region decide
  // The command, validated at the edge; the effective time is handed in.
  const parsed = parseCommand(
    { command: 'ClaimCustomer', actor: 'u-bob', data: { customerId: 'cus-1' } },
    { now: '2026-02-11T08:00:00.000Z', newId: () => 'cmd-claim-1' },
  );
  if (parsed._tag === 'Left') throw new Error(parsed.left.message);
  const claim = parsed.right;

  // The customer's stream, folded: it was registered straight into the pool.
  const customer = evolve(
    initialStateOf('customer-cus-1'),
    event('CustomerRegistered', {
      customerId: 'cus-1', name: 'Acme Ltd', kind: 'company', phone: '+861012345678', email: null, address: null,
      industry: null, region: null, source: 'referral', importance: 'A', stage: 'potential', owner: null, possibleDuplicateOf: [],
    }),
  );

  // Everything else the rules need, as a plain value: no lookups inside the domain.
  const context: DecisionContext = {
    ...emptyFacts,
    config: defaultConfig,
    members: new Map([['u-bob', { id: 'u-bob', name: 'Bob', role: 'rep', team: 'north', active: true }]]),
    actorHoldings: defaultConfig.pool.holdingLimit,
  };

  const atTheLimit = decide(claim, () => customer, context);
  // Left: { code: 'HOLDING_LIMIT_REACHED', ... }
  const withRoom = decide(claim, () => customer, { ...context, actorHoldings: 3 });
  // Right: [ { type: 'CustomerClaimed', data: { customerId: 'cus-1', to: 'u-bob', holdingsBefore: 3, ... } } ]
  // #endregion decide

  return { atTheLimit, withRoom };
}
