import { configOrExit } from './config/app-config.js';
import { startServer, stopOnSignals } from './server.js';

async function main(): Promise<void> {
  const server = await startServer(configOrExit());
  stopOnSignals(server);
}

void main();
