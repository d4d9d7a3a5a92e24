import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { DataSource } from 'typeorm';

import { AllExceptionsFilter } from './all-exceptions.filter.js';
import { AppModule } from './app.module.js';
import { guessLimit } from './auth/guess-limit.js';
import { completeApiDocument } from './common/api-docs.decorators.js';
import { Clock, SystemClock } from './common/clock.js';
import { CSV_BODY_LIMIT_BYTES } from './common/csv/csv-import.js';
import { AppLogger, createLogger, NestPinoLogger } from './common/logging/logger.js';
import { requestLogging } from './common/logging/request-logging.middleware.js';
import { securityHeaders } from './common/security-headers.js';
import { createValidationPipe } from './common/validation/validation-errors.js';
import { AppConfig } from './config/app-config.js';
import { runMigrations } from './database/advisory-lock.js';
import { ConsolePageNotFound } from './pages/console/page-not-found.js';

export interface AppOptions {
  clock?: Clock;
  logger?: AppLogger;
}

/** The HTTP application, fully configured and migrated, not yet listening. Used by main and by tests. */
export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<NestExpressApplication> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? new SystemClock();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, clock, logger), {
    logger: new NestPinoLogger(logger),
    bodyParser: false,
    abortOnError: false,
  });
  app.use(requestLogging(logger));
  app.use(securityHeaders(config.publicUrl));
  if (config.trustProxy > 0) app.set('trust proxy', config.trustProxy);
  app.use(guessLimit(config.rateLimit, clock, logger));
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.useBodyParser('urlencoded', { extended: false, limit: config.bodyLimit });
  app.useBodyParser('text', { type: 'text/csv', limit: CSV_BODY_LIMIT_BYTES });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter(logger, app.get(ConsolePageNotFound)));
  setupOpenApi(app);
  await runMigrations(app.get(DataSource));
  return app;
}

function setupOpenApi(app: NestExpressApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Groundtruth')
      .setDescription(
        'Unannounced test contacts through real customer channels, their outcomes, and claims set beside them.\n\n' +
          "Every route except `/health` needs a person's API key in the header `Authorization: Bearer <key>` " +
          "(`npm run cli -- bootstrap` prints the first admin's key; `POST /api/v1/people/{id}/api-keys` issues " +
          'more). Press **Authorize** and paste the key alone: the page adds `Bearer `. Each operation says which ' +
          'roles may call it; a key whose person holds none of them gets 403.',
      )
      .setVersion('1')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        description: "A person's API key, sent as `Authorization: Bearer <key>` (paste the key alone)",
      })
      .build(),
  );
  completeApiDocument(document);
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs-json',
    yamlDocumentUrl: 'api/docs-yaml',
  });
}
