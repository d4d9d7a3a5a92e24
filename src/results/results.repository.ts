import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface TeamRow {
  team: string;
  touchpoints: number;
}

/** The results pages' own reads (the evidence itself comes from the digest's repository). */
@Injectable()
export class ResultsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The organization's teams (as touchpoints name them), by name, with how many touchpoints each holds. */
  async teams(organizationId: string): Promise<TeamRow[]> {
    const rows: Array<{ team: string; touchpoints: number }> = await this.dataSource.query(
      `SELECT team, count(*)::int AS touchpoints FROM touchpoint
        WHERE organization_id = $1 AND team IS NOT NULL GROUP BY team ORDER BY team`,
      [organizationId],
    );
    return rows;
  }
}
