// The usage example of README.md, type-checked with the package (it needs a server to run).
import { randomUUID } from 'node:crypto';
import { createKurrentDbEventStore } from '../src/index.ts';

export async function registerCustomer(): Promise<void> {
  const store = createKurrentDbEventStore({
    connectionString: 'kurrentdb://admin:changeit@localhost:2113?tls=true&tlsVerifyCert=false',
    streamPrefix: 'acme/',
  });
  try {
    const customerId = randomUUID();
    // One atomic append: the event, the command record and the phone reservation
    // (three KurrentDB streams, so KurrentDB 25.1 or later).
    await store.append({
      writes: [
        {
          stream: `customer-${customerId}`,
          expected: 'no_stream',
          events: [
            {
              eventId: randomUUID(),
              type: 'CustomerRegistered',
              schemaVersion: 1,
              data: { customerId, name: 'Ada' },
              metadata: { commandId: 'command-1', actor: 'user-1', at: '2024-05-06T07:08:09.010Z', correlationId: 'command-1', causationId: null },
            },
          ],
        },
      ],
      commandId: 'command-1',
      reservations: { claim: [{ key: '+442079460000', owner: customerId }] },
    });

    const controller = new AbortController();
    for await (const batch of store.subscribe({ filter: { streamPrefixes: ['customer-'] }, signal: controller.signal })) {
      for (const event of batch) console.log(event.position, event.stream, event.type);
      controller.abort();
    }
  } finally {
    await store.close();
  }
}
