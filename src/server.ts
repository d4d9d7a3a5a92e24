import type { NestExpressApplication } from '@nestjs/platform-express';

import { createApp } from './app.js';
import type { Clock } from './common/clock.js';
import { AppLogger, createLogger } from './common/logging/logger.js';
import { AppConfig } from './config/app-config.js';
import { databaseFor } from './database/embedded-postgres.js';

export interface RunningServer {
  app: NestExpressApplication;
  config: AppConfig;
  logger: AppLogger;
  /** e.g. http://localhost:3000 */
  url: string;
  /** Stops HTTP (letting requests finish), closes the pool, then the embedded database. */
  stop(): Promise<void>;
}

/**
 * Starts the embedded PostgreSQL when no DATABASE_URL is set, then the application, listening.
 * On failure it says why on stderr and exits 1 (after stopping what it started).
 */
export async function startServer(
  config: AppConfig,
  options: { clock?: Clock; logger?: AppLogger } = {},
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  let database: Awaited<ReturnType<typeof databaseFor>> | undefined;
  try {
    const embedded = !config.databaseUrl;
    database = await databaseFor(config, (message) => logger.info({ component: 'embedded-postgres' }, message));
    config = database.config;
    const app = await createApp(config, { logger, clock: options.clock });
    await app.listen(config.port, config.host);
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info(
      { port, embeddedDatabase: embedded },
      `Groundtruth is listening on http://localhost:${port} (API docs at /api/docs)`,
    );
    return {
      app,
      config,
      logger,
      url: `http://localhost:${port}`,
      async stop() {
        try {
          await app.close(); // stops accepting, lets requests finish, closes the pool
        } catch (error) {
          logger.error({ err: error }, 'error while closing the application');
        }
        await database?.stop();
      },
    };
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    const message =
      err.code === 'EADDRINUSE'
        ? `PORT ${config.port} is already in use`
        : `Groundtruth could not start: ${err.message ?? String(error)}`;
    logger.fatal({ err: error }, message);
    process.stderr.write(`${message}\n`);
    await database?.stop();
    process.exit(1);
  }
}

/** SIGINT/SIGTERM stop the server once, within 20 s, then exit. */
export function stopOnSignals(server: RunningServer): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      server.logger.error('shutdown took longer than 20 s; exiting');
      process.exit(1);
    }, 20_000).unref();
    await server.stop();
    server.logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
