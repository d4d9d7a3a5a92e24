import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators.js';
import { isDatabaseUnavailable } from '../database/connection-errors.js';
import { OutboxService } from '../mail/outbox.service.js';

/** /health is public: say what is wrong in words, never the driver's message (it names hosts and ports). */
async function plainly<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new Error(isDatabaseUnavailable(error) ? 'database unavailable' : 'database query failed');
  }
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  /** 200 when the database answers within 2 s, else 503. Overdue and dead mail is reported, never a failure. */
  @Get()
  @Public()
  @HealthCheck()
  check() {
    return this.health.check([
      () =>
        this.indicators
          .check('database')
          .attempt(() => plainly(() => this.dataSource.query('SELECT 1')))
          .withTimeout(2_000),
      () =>
        this.indicators
          .check('outbox')
          .attempt(() => plainly(() => this.outbox.backlog()))
          .withTimeout(2_000),
    ]);
  }
}
