import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { configOrExit } from '../config/app-config.js';
import { databaseFor } from './embedded-postgres.js';

/**
 * Runs the TypeORM CLI against the project's DataSource (dist/ormconfig.js) and the configured
 * database — or the embedded one when DATABASE_URL is not set, started and stopped around the command.
 *   npm run migration:run | migration:revert
 *   npm run migration:generate -- src/database/migrations/add-something
 */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const config = configOrExit();
  const cli = path.resolve('node_modules/typeorm/cli.js');
  const dataSource = path.resolve('dist/ormconfig.js');
  if (!existsSync(cli) || !existsSync(dataSource)) {
    process.stderr.write('Run from the project folder after `npm ci` and `npm run build`.\n');
    return 2;
  }
  const database = await databaseFor(config);
  try {
    const [command, ...rest] = args;
    if (!command) {
      process.stderr.write(
        'usage: npm run typeorm -- <migration:run|migration:revert|migration:show|migration:generate PATH>\n',
      );
      return 2;
    }
    const extra = command === 'migration:generate' ? ['--pretty'] : [];
    const child = spawn(process.execPath, [cli, command, ...rest, ...extra, '-d', dataSource], {
      stdio: 'inherit',
      env: { ...process.env, DATABASE_URL: database.config.databaseUrl },
    });
    return await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  } finally {
    await database.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  },
);
