import { AppConfig, ConfigError, loadConfig } from './config/app-config.js';
import { createLogger } from './common/logging/logger.js';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres.js';
import { createApp } from './app.js';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let embedded: EmbeddedDatabase | undefined;
  try {
    if (!config.databaseUrl) {
      embedded = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        port: config.embeddedPgPort,
        log: (message) => logger.info({ component: 'embedded-postgres' }, message),
      });
      config = config.with({ databaseUrl: embedded.url });
    }
    const app = await createApp(config, { logger });
    await app.listen(config.port, config.host);
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info({ port, embeddedDatabase: Boolean(embedded) }, `Groundtruth is listening on http://localhost:${port} (API docs at /api/docs)`);

    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      setTimeout(() => {
        logger.error('shutdown took longer than 20 s; exiting');
        process.exit(1);
      }, 20_000).unref();
      try {
        await app.close(); // stops accepting, lets requests finish, closes the pool
      } catch (error) {
        logger.error({ err: error }, 'error while closing the application');
      }
      await embedded?.stop();
      logger.info('stopped');
      process.exit(0);
    };
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    const message =
      err.code === 'EADDRINUSE' ? `PORT ${config.port} is already in use` : `Groundtruth could not start: ${err.message ?? String(error)}`;
    logger.fatal({ err: error }, message);
    process.stderr.write(`${message}\n`);
    await embedded?.stop();
    process.exit(1);
  }
}

void main();
