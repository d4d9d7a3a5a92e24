import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import type { INestApplicationContext } from '@nestjs/common';
import { HttpException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';

import { AppModule } from '../app.module.js';
import { BootstrapService } from '../bootstrap/bootstrap.service.js';
import { PlanPeriodDto } from '../campaigns/campaign.dto.js';
import { Campaign } from '../campaigns/campaign.entity.js';
import { PlanningService } from '../campaigns/planning.service.js';
import { SystemClock } from '../common/clock.js';
import { createLogger } from '../common/logging/logger.js';
import { validateDto } from '../common/validation/validate-dto.js';
import { FieldError, FieldValidationException } from '../common/validation/validation-errors.js';
import { AppConfig, ConfigError, loadConfig } from '../config/app-config.js';
import { runMigrations } from '../database/advisory-lock.js';
import { databaseFor } from '../database/embedded-postgres.js';
import { chartDataUri, renderDigest } from '../digests/digest-render.js';
import { PreviewQuery } from '../digests/digest-subscription.dto.js';
import { DigestSubscription } from '../digests/digest-subscription.entity.js';
import { DigestSubscriptionsService } from '../digests/digest-subscriptions.service.js';
import { JobsService } from '../jobs/jobs.service.js';
import { JobName, SCHEDULES } from '../jobs/schedules.js';
import { OutboxService } from '../mail/outbox.service.js';
import { Organization } from '../organizations/organization.entity.js';
import { PeopleService } from '../people/people.service.js';
import { SignInService } from '../signin/signin.service.js';
import { TouchpointsService } from '../touchpoints/touchpoints.service.js';

const USAGE = `Groundtruth command line

  npm run cli -- bootstrap --org "Name" --admin-email you@example.org [--admin-name "Your Name"] [--timezone Europe/London] [--json]
      Creates an organization and its first admin, and prints the admin's API key (shown once).

  npm run cli -- plan --campaign CAMPAIGN_ID --from 2026-11-30 --to 2026-12-27 [--replan]
      Plans every week of a campaign that overlaps the period now (a week already planned adds nothing;
      with --replan, its unrevealed tests are withdrawn and it is planned again around those revealed or done).

  npm run cli -- digest --subscription SUBSCRIPTION_ID --period-start 2026-11-16 [--period-end 2026-11-23] --out digest.html
      Writes the digest for a period to an HTML file (chart included), computed now; nothing is sent.

  npm run cli -- signin-link --email you@example.org
      Prints a one-time console sign-in link for the person with that address (one per organization they are
      in), without mailing it: it opens once, within 15 minutes, at PUBLIC_URL.

  npm run cli -- run-job JOB
      Runs one scheduled job once, now, as its tick would; e.g. outbox delivers waiting mail at once.
      JOB: ${Object.keys(SCHEDULES).join(', ')}

  npm run cli -- mail-status
      Prints the mail of the whole instance by status, and how much is overdue (undelivered 15 minutes
      after it was written) or dead: what a monitor watches (the public /health says nothing of mail).

  npm run cli -- import people --org ORG_ID --file people.csv
  npm run cli -- import touchpoints --org ORG_ID --file touchpoints.csv
      Imports a CSV: all rows or none; every bad row is listed with its field and rule.

Uses DATABASE_URL when set, else the embedded PostgreSQL under DATA_DIR (default .data).`;

class UsageError extends Error {}

async function withContext<T>(config: AppConfig, work: (ctx: INestApplicationContext) => Promise<T>): Promise<T> {
  // A command does its one thing: no cron ticks in it (they would deliver mail with this shell's settings).
  const database = await databaseFor(config.with({ enableJobs: false }));
  config = database.config;
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  let ctx: INestApplicationContext | undefined;
  try {
    ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config, new SystemClock(), logger), {
      logger: false,
    });
    await runMigrations(ctx.get(DataSource));
    return await work(ctx);
  } finally {
    await ctx?.close();
    await database.stop();
  }
}

async function bootstrap(config: AppConfig, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      org: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-name': { type: 'string' },
      timezone: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.org || !values['admin-email']) throw new UsageError('bootstrap needs --org and --admin-email');
  const result = await withContext(config, (ctx) =>
    ctx.get(BootstrapService).bootstrap({
      name: values.org!,
      adminEmail: values['admin-email']!,
      adminName: values['admin-name'],
      timezone: values.timezone,
    }),
  );
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ organizationId: result.organization.id, adminId: result.admin.id, apiKey: result.apiKey.key })}\n`,
    );
    return;
  }
  process.stdout.write(
    [
      `Organization: ${result.organization.name} (${result.organization.id})`,
      `Admin:        ${result.admin.email} (${result.admin.id})`,
      `API key:      ${result.apiKey.key}`,
      '',
      'The key is shown only now: store it. Use it as "Authorization: Bearer <key>".',
      '',
    ].join('\n'),
  );
}

async function importCsv(config: AppConfig, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { org: { type: 'string' }, file: { type: 'string' } },
  });
  const kind = positionals[0];
  const file = values.file ?? positionals[1];
  if (kind !== 'people' && kind !== 'touchpoints') throw new UsageError('import needs "people" or "touchpoints"');
  if (!values.org || !file) throw new UsageError('import needs --org ORG_ID and --file FILE');
  const text = await readFile(file, 'utf8');
  const { created, updated } = await withContext(config, async (ctx) => {
    const org = await ctx
      .get(DataSource)
      .getRepository(Organization)
      .findOneBy({ id: values.org! })
      .catch(() => null);
    if (!org) throw new UsageError(`organization ${values.org} not found`);
    return kind === 'people'
      ? ctx.get(PeopleService).importCsv(org.id, text)
      : { created: await ctx.get(TouchpointsService).importCsv(org.id, text), updated: [] };
  });
  const known = updated.length ? `; updated ${updated.length} already known by email` : '';
  process.stdout.write(`Imported ${created.length} ${kind} from ${file}${known}\n`);
}

async function plan(config: AppConfig, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      campaign: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      replan: { type: 'boolean' },
    },
  });
  if (!values.campaign || !values.from || !values.to)
    throw new UsageError('plan needs --campaign, --from and --to (YYYY-MM-DD)');
  const { value, errors } = await validateDto(PlanPeriodDto, { from: values.from, to: values.to });
  if (errors.length) throw new FieldValidationException(errors);
  const result = await withContext(config, async (ctx) => {
    const campaign = await ctx
      .get(DataSource)
      .getRepository(Campaign)
      .findOneBy({ id: values.campaign! })
      .catch(() => null);
    if (!campaign) throw new UsageError(`campaign ${values.campaign} not found`);
    const options = values.replan ? { replan: { by: null } } : {};
    return ctx.get(PlanningService).planPeriod(campaign.organizationId, campaign.id, value.from, value.to, options);
  });
  if (result.withdrawn !== undefined) {
    process.stdout.write(`Re-planned: ${result.withdrawn} unrevealed test(s) withdrawn first\n`);
  }
  process.stdout.write(
    `Planned ${result.planned} assignment(s) in week(s) ${result.weeksPlanned.join(', ') || '(none)'}\n`,
  );
  if (result.weeksAlreadyPlanned.length)
    process.stdout.write(`Already planned, left as they are: ${result.weeksAlreadyPlanned.join(', ')}\n`);
  for (const u of result.unfilled)
    process.stdout.write(
      `Unfilled: touchpoint ${u.touchpointId}, week ${u.weekStart}, slot ${u.slot}: ${u.explanation}\n`,
    );
}

async function digest(config: AppConfig, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      subscription: { type: 'string' },
      'period-start': { type: 'string' },
      'period-end': { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (!values.subscription || !values['period-start'] || !values.out)
    throw new UsageError('digest needs --subscription, --period-start and --out');
  const { value, errors } = await validateDto(PreviewQuery, {
    periodStart: values['period-start'],
    ...(values['period-end'] ? { periodEnd: values['period-end'] } : {}),
  });
  if (errors.length) throw new FieldValidationException(errors);
  const html = await withContext(config, async (ctx) => {
    const sub = await ctx
      .get(DataSource)
      .getRepository(DigestSubscription)
      .findOneBy({ id: values.subscription! })
      .catch(() => null);
    if (!sub) throw new UsageError(`subscription ${values.subscription} not found`);
    const payload = await ctx
      .get(DigestSubscriptionsService)
      .preview(sub.organizationId, sub.id, value.periodStart, value.periodEnd);
    return renderDigest(payload, {
      name: sub.name,
      zone: sub.timezone,
      link: '#',
      chartSrc: chartDataUri(payload, sub.name, sub.timezone),
    }).html;
  });
  await writeFile(values.out, html);
  process.stdout.write(`Wrote the digest to ${values.out}\n`);
}

async function signInLink(config: AppConfig, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { email: { type: 'string' } } });
  if (!values.email) throw new UsageError('signin-link needs --email');
  const links = await withContext(config, (ctx) => ctx.get(SignInService).linksFor(values.email!));
  if (!links.length) throw new UsageError(`nobody has the address ${values.email}`);
  for (const link of links) process.stdout.write(`${link.name} (${link.organizationName}): ${link.url}\n`);
}

async function runJob(config: AppConfig, argv: string[]): Promise<void> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const name = positionals[0] as JobName | undefined;
  if (!name || !Object.hasOwn(SCHEDULES, name))
    throw new UsageError(`run-job needs one of: ${Object.keys(SCHEDULES).join(', ')}`);
  const result = await withContext(config, (ctx) => ctx.get(JobsService).run(name));
  process.stdout.write(`${JSON.stringify({ job: name, result })}\n`);
}

async function mailStatus(config: AppConfig): Promise<void> {
  const status = await withContext(config, async (ctx) => {
    const outbox = ctx.get(OutboxService);
    const [counts, backlog] = await Promise.all([outbox.countByStatus(), outbox.backlog()]);
    return { ...counts, overdue: backlog.overdue };
  });
  process.stdout.write(`${JSON.stringify(status)}\n`);
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  try {
    const config = loadConfig();
    switch (command) {
      case 'bootstrap':
        await bootstrap(config, rest);
        return 0;
      case 'import':
        await importCsv(config, rest);
        return 0;
      case 'plan':
        await plan(config, rest);
        return 0;
      case 'digest':
        await digest(config, rest);
        return 0;
      case 'signin-link':
        await signInLink(config, rest);
        return 0;
      case 'run-job':
        await runJob(config, rest);
        return 0;
      case 'mail-status':
        await mailStatus(config);
        return 0;
      case undefined:
      case 'help':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        return command ? 0 : 2;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof ConfigError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof HttpException) {
      const body = error.getResponse() as {
        message?: string;
        errors?: Array<FieldError & { row?: number; line?: number }>;
      };
      process.stderr.write(`${body.message ?? error.message}\n`);
      for (const e of body.errors ?? []) {
        const where = e.row !== undefined ? `row ${e.row} (line ${e.line}): ` : '';
        process.stderr.write(`  ${where}${e.field}: ${e.message} [${e.rule}]\n`);
      }
      return error instanceof FieldValidationException || error.getStatus() < 500 ? 1 : 3;
    }
    process.stderr.write(`${(error as Error).message ?? String(error)}\n`);
    return 1;
  }
}

// main() answers every error with an exit code: nothing reaches this promise's rejection.
void main().then((code) => process.exit(code));
