import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import autocannon from 'autocannon';

/**
 * The load generator, in a process of its own so it does not share the service's event loop:
 * reads its options from the JSON file named in argv, drives the target, prints autocannon's result as JSON.
 * `bodies` (optional) are cycled through, one per request; `idempotencyKeys` sends a fresh Idempotency-Key with each.
 */
interface DriverOptions {
  url: string;
  method: string;
  headers: Record<string, string>;
  bodies?: string[];
  idempotencyKeys?: boolean;
  /** Either a duration, or a number of requests (every answer is then awaited: nothing is in flight at the end). */
  seconds?: number;
  amount?: number;
  connections: number;
  /** Requests cycled through, one per request: each its own path and headers (many readers, many pages). */
  cycle?: Array<{ path?: string; headers?: Record<string, string> }>;
}

async function main(): Promise<void> {
  const options = JSON.parse(readFileSync(process.argv[2], 'utf8')) as DriverOptions;
  let next = 0;
  const result = await autocannon({
    url: options.url,
    method: options.method,
    headers: options.headers,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.seconds }),
    ...(options.bodies
      ? {
          requests: [
            {
              setupRequest: (request) => {
                const body = options.bodies![next++ % options.bodies!.length];
                if (!options.idempotencyKeys) return { ...request, body };
                const headers = { ...(request.headers as Record<string, string>), 'idempotency-key': randomUUID() };
                return { ...request, body, headers };
              },
            },
          ],
        }
      : {}),
    ...(options.cycle && !options.bodies
      ? {
          requests: [
            {
              setupRequest: (request) => {
                const entry = options.cycle![next++ % options.cycle!.length];
                const headers = { ...(request.headers as Record<string, string>), ...entry.headers };
                return { ...request, ...(entry.path ? { path: entry.path } : {}), headers };
              },
            },
          ],
        }
      : {}),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
