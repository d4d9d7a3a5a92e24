import 'reflect-metadata';
import { DataSource, DataSourceOptions } from 'typeorm';
import { entities } from './src/database/entities.js';
import { migrations } from './src/database/migrations/index.js';

/** The one set of DataSource options: the service, the CLI and the TypeORM CLI all use it. */
export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: poolSize, connectionTimeoutMillis: 5_000, application_name: 'groundtruth' },
  };
}

// The TypeORM CLI (`npm run typeorm -- …`) loads this default export; DATABASE_URL is set by
// src/database/typeorm-cli.ts, which starts the embedded server when nothing is configured.
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://localhost/groundtruth'));
