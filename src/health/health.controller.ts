import { Controller, Get } from '@nestjs/common';
import { ApiTags, ApiOperation } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { Public } from '../auth/auth.decorators.js';
import { isDatabaseUnavailable } from '../database/connection-errors.js';

/** /health is public: say what is wrong in words, never the driver's message (it names hosts and ports). */
async function plainly<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // eslint-disable-next-line preserve-caught-error -- the cause is left out on purpose: it names hosts and ports
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
  ) {}

  /**
   * 200 when the database answers within 2 s, else 503. Nothing about mail: any count of waiting mail
   * moves when a reveal is written (during an SMTP outage too), and this route is public. Mail in
   * trouble is in `GET /api/v1/outbox/summary` (admins) and `npm run cli -- mail-status` (operators).
   */
  @Get()
  @ApiOperation({ summary: 'Is the service up and its database answering (no key needed)' })
  @Public()
  @HealthCheck()
  check() {
    return this.health.check([
      () =>
        this.indicators
          .check('database')
          .attempt(() => plainly(() => this.dataSource.query('SELECT 1')))
          .withTimeout(2_000),
    ]);
  }
}
