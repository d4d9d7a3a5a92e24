import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { useDatabaseTimeZones, zonesBothKnow } from '../common/validation/time-zones.js';

/**
 * Reads PostgreSQL's time zone names once at start, so validators accept only zones both luxon and
 * PostgreSQL know, and jobs that convert a stored zone in SQL can leave out rows whose zone it lacks.
 */
@Injectable()
export class TimeZoneCatalogue implements OnModuleInit {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    const rows: Array<{ name: string }> = await this.dataSource.query('SELECT name FROM pg_timezone_names');
    useDatabaseTimeZones(rows.map((r) => r.name));
  }

  /** Lower-cased zone names both sides know, for `lower(zone) = ANY($n)` filters. */
  bothKnow(): string[] {
    return zonesBothKnow();
  }
}
