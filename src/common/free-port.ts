import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A port that was free a moment ago on `host`: for the embedded PostgreSQL, and wherever a port
 * must be known before a server starts (links in mail carry it).
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
