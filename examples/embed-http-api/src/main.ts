/**
 * Starts the service: `EVENTCRM_STORE` (`sqlite:PATH`, default
 * `sqlite:./eventcrm.db`, or `memory:`), `PORT` (default 3000, 0 = any free
 * port) and `HOST` (default 127.0.0.1). Prints one line with the address on
 * stdout once listening; SIGINT or SIGTERM close the server, then the store.
 */
import { openCrm, parseStoreLocation } from './openCrm.ts';
import { createServer } from './server.ts';

async function main(): Promise<number> {
  const storeUrl = process.env['EVENTCRM_STORE'] ?? 'sqlite:./eventcrm.db';
  const location = parseStoreLocation(storeUrl);
  if (location === undefined) {
    console.error(`EVENTCRM_STORE must be sqlite:PATH or memory:, got ${JSON.stringify(storeUrl)}`);
    return 2;
  }
  const port = Number(process.env['PORT'] ?? '3000');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`PORT must be a port number, got ${JSON.stringify(process.env['PORT'])}`);
    return 2;
  }
  const crm = openCrm(location);
  const app = createServer({ crm, logger: { level: 'warn' } });
  // Catch the read models up before the first request, so it does not pay for the whole log.
  await crm.catchUp();
  const address = await app.listen({ port, host: process.env['HOST'] ?? '127.0.0.1' });
  console.log(`eventcrm HTTP API listening on ${address} (store ${storeUrl})`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await app.close();
  await crm.close();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
