import { ForbiddenException, Injectable } from '@nestjs/common';

import { hasRole, type Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import type { PlanCalendarQuery } from './plan-calendar.dto.js';
import { PlanCalendarRepository } from './plan-calendar.repository.js';
import type { CalendarSlot, CalendarUnfilled } from './plan-calendar.repository.js';
import { explainUnfilled } from './unfilled-reasons.js';

export interface PlanCalendar {
  period: { from: Date; to: Date };
  items: CalendarSlot[];
  total: number;
  unfilled: Array<CalendarUnfilled & { explanation: string }>;
}

const WEEK = 7 * 86_400_000;

/** The coming weeks of the plan: admin and quality only, since every row here is a test still to happen. */
@Injectable()
export class PlanCalendarService {
  constructor(
    private readonly calendar: PlanCalendarRepository,
    private readonly clock: Clock,
  ) {}

  async read(me: Actor, query: PlanCalendarQuery): Promise<PlanCalendar> {
    if (!hasRole(me, 'admin', 'quality')) throw new ForbiddenException('The plan calendar is for admin and quality');
    const from = this.clock.now();
    const to = new Date(from.getTime() + query.weeks * WEEK);
    const filter = {
      organizationId: me.organizationId,
      from,
      to,
      campaignId: query.campaignId,
      team: query.team,
      channel: query.channel,
    };
    const [page, unfilled] = await Promise.all([
      this.calendar.slots(filter, { limit: query.limit, offset: query.offset }),
      this.calendar.unfilled(filter),
    ]);
    return {
      period: { from, to },
      ...page,
      unfilled: unfilled.map((u) => ({ ...u, explanation: explainUnfilled(u.reason) })),
    };
  }
}
