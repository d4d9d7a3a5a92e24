import { randomUUID } from 'node:crypto';

import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import { hasRole, type Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { optionalCell } from '../common/csv/cell-formats.js';
import { CsvImportRejected, CsvRowError, parseCsv } from '../common/csv/csv-import.js';
import { Page } from '../common/pagination.js';
import { assertValidMerged } from '../common/validation/validate-dto.js';
import { FieldValidationException } from '../common/validation/validation-errors.js';
import { claimNeeds, familySizes, mondayOf, progressOf, weekFamilySizes } from '../digests/claim-progress.js';
import type { ClaimProgress } from '../digests/claim-progress.js';
import { ClaimProgressRepository } from '../digests/claim-progress.repository.js';
import { idempotencyKeyPending, markIdempotencyKeyUsed } from '../idempotency/idempotency-context.js';
import { TouchpointsRepository } from '../touchpoints/touchpoints.repository.js';
import { claimZone, ownerChangeRefusal, Refusal, scopeChannels, scopeErrors, storedChannel } from './claim-rules.js';
import type { ClaimTouchpoint, TeamChannel } from './claim-rules.js';
import { ClaimHistoryQuery, ClaimsQuery, CreateClaimDto, UpdateClaimDto } from './claim.dto.js';
import { Claim, ClaimEdit } from './claim.entity.js';
import { ClaimsRepository } from './claims.repository.js';
import type { ClaimReader } from './claims.repository.js';

export const CLAIMS_CSV_COLUMNS = {
  required: ['metric', 'periodStart', 'periodEnd', 'value', 'source', 'reportedAt'],
  optional: ['touchpoint', 'team', 'channel'],
};

/** Through what a claim was changed: a request with a key, or a CSV import. */
type Via = 'api' | 'import';

/** The fields that decide what a claim's verdict tests: a change of one is judged anew (see revisedAt). */
const TESTED = ['touchpointId', 'team', 'channel', 'metric', 'periodStart', 'periodEnd', 'value'] as const;

/** Every recorded field of a claim: the tested ones and where the figure came from. */
const FIELDS = [...TESTED, 'source', 'reportedAt', 'reportedBy'] as const;

/** The recorded fields of a claim, as kept in its history. */
function snapshot(c: Claim): Record<string, unknown> {
  return Object.fromEntries(FIELDS.map((f) => [f, f === 'reportedAt' ? c.reportedAt.toISOString() : c[f]]));
}

/** A claim about to change, and the version it is at. */
interface Changeable {
  claim: Claim;
  version: number;
}

/** One change, as the history keeps it. */
type ChangeOf = Pick<ClaimEdit, 'claimId' | 'version' | 'action' | 'before' | 'after'>;

/** What a request decides of a claim (the rest is who and when). */
type ClaimColumns = Pick<
  Claim,
  'touchpointId' | 'team' | 'channel' | 'metric' | 'periodStart' | 'periodEnd' | 'value' | 'source' | 'reportedAt'
>;

const isAdminOrQuality = (me: Actor) => hasRole(me, 'admin', 'quality');

/** Admin and quality read every claim of their organization; an owner those of their touchpoints. */
const readerOf = (me: Actor): ClaimReader => ({
  organizationId: me.organizationId,
  ownerId: isAdminOrQuality(me) ? null : me.personId,
});

/** 403 naming the rule an owner's change broke. */
export class ClaimChangeForbidden extends ForbiddenException {
  constructor(refusal: Refusal) {
    super({ statusCode: 403, error: 'Forbidden', message: refusal.message, rule: refusal.rule });
  }
}

@Injectable()
export class ClaimsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly claims: ClaimsRepository,
    private readonly touchpoints: TouchpointsRepository,
    private readonly progressReads: ClaimProgressRepository,
    private readonly clock: Clock,
  ) {}

  /** The touchpoint asked for, as the rules need it: undefined when none was, null when not the organization's. */
  private async touchpoint(
    manager: EntityManager,
    me: Actor,
    id: string | null | undefined,
  ): Promise<ClaimTouchpoint | null | undefined> {
    if (!id) return undefined;
    return this.touchpoints.summary(manager, me.organizationId, id);
  }

  /** The channels a team or organization claim speaks for (read only when the claim names no touchpoint or channel). */
  private async teamChannels(manager: EntityManager, me: Actor, dto: CreateClaimDto): Promise<TeamChannel[]> {
    return dto.touchpointId || dto.channel ? [] : this.touchpoints.teamChannels(manager, me.organizationId);
  }

  /** Admin and quality claim for any scope, an owner for touchpoints they own; then the scope and channel rules. */
  private checkScope(
    me: Actor,
    dto: CreateClaimDto,
    tp: ClaimTouchpoint | null | undefined,
    teams: readonly TeamChannel[],
    row?: number,
  ): void {
    if (!isAdminOrQuality(me)) {
      const at = row ? ` (row ${row})` : '';
      if (!dto.touchpointId) {
        throw new ForbiddenException(`Owners may enter claims only for a touchpoint they own (touchpointId)${at}`);
      }
      if (tp && tp.ownerId !== me.personId) {
        throw new ForbiddenException(`Owners may enter claims only for touchpoints they own${at}`);
      }
    }
    const errors = scopeErrors(dto, tp, scopeChannels(dto, teams));
    if (errors.length) throw new FieldValidationException(errors);
  }

  private columns(dto: CreateClaimDto, tp: ClaimTouchpoint | null | undefined): ClaimColumns {
    return {
      touchpointId: dto.touchpointId ?? null,
      team: dto.touchpointId ? null : (dto.team ?? null),
      channel: storedChannel(dto, tp),
      metric: dto.metric,
      periodStart: dto.periodStart,
      periodEnd: dto.periodEnd,
      value: dto.value,
      source: dto.source,
      reportedAt: new Date(dto.reportedAt),
    };
  }

  async create(me: Actor, dto: CreateClaimDto): Promise<Claim> {
    const manager = this.dataSource.manager;
    const tp = await this.touchpoint(manager, me, dto.touchpointId);
    this.checkScope(me, dto, tp, await this.teamChannels(manager, me, dto));
    const [claim] = await this.insert(manager, me, 'api', [this.columns(dto, tp)]);
    return claim;
  }

  /**
   * Inserts claims reported by the caller, each with its first history row, in one statement (an
   * import of thousands of rows is one round trip). Ids are made here so the answer keeps row order.
   */
  private async insert(manager: EntityManager, me: Actor, via: Via, rows: Array<ClaimColumns>): Promise<Claim[]> {
    // with an Idempotency-Key, the claims and the key's mark commit together
    if (idempotencyKeyPending()) {
      return this.dataSource.transaction(async (m) => {
        await markIdempotencyKeyUsed(m);
        return this.insert(m, me, via, rows);
      });
    }
    const now = this.clock.now();
    const claims = rows.map((columns) =>
      Object.assign(new Claim(), {
        id: randomUUID(),
        organizationId: me.organizationId,
        ...columns,
        reportedBy: me.personId,
        createdAt: now,
        updatedAt: now,
        revisedAt: now,
      }),
    );
    await this.claims.insert(
      manager,
      claims.map((c) => ({ ...c, after: snapshot(c) })),
      via,
    );
    return claims;
  }

  list(me: Actor, query: ClaimsQuery): Promise<Page<Claim>> {
    // an owner reads the digests addressed to them, not the archive a verdict is looked up in
    if (query.verdict && !isAdminOrQuality(me))
      throw new FieldValidationException([
        {
          field: 'verdict',
          rule: 'role',
          message: "verdict: only admin and quality filter claims by the digest's verdict",
        },
      ]);
    return this.claims.list(readerOf(me), query);
  }

  /** The digest archive's verdict of each of these claims (admin and quality read the archive). */
  verdicts(me: Actor, ids: string[]): Promise<Map<string, string>> {
    return isAdminOrQuality(me)
      ? this.claims.verdicts(me.organizationId, ids)
      : Promise.resolve(new Map<string, string>());
  }

  /**
   * Each open claim's progress towards a verdict (contacts so far, still needed, the week expected at this week's
   * tests), for admin and quality only: an owner would learn from it how many tests their touchpoint gets this
   * week, which a campaign never tells them. A claim whose period has ended has none (its digest judges it).
   */
  async progress(me: Actor, claims: Claim[]): Promise<Map<string, ClaimProgress>> {
    const out = new Map<string, ClaimProgress>();
    if (!isAdminOrQuality(me)) return out;
    const now = this.clock.now();
    const today = now.toISOString().slice(0, 10);
    const open = claims.filter((c) => c.periodEnd >= today).map((c) => c.id);
    if (!open.length) return out;
    const week = mondayOf(today);
    const { all, rows } = await this.progressReads.openClaims(null, me.organizationId, today, now, week, open);
    const settings = await this.progressReads.settings(null, me.organizationId);
    const needs = claimNeeds(rows, settings, familySizes(all), weekFamilySizes(all));
    rows.forEach((row, i) => out.set(row.id, progressOf(row, needs[i], week)));
    return out;
  }

  async get(me: Actor, id: string): Promise<Claim> {
    const claim = await this.claims.byId(readerOf(me), id);
    if (!claim) throw new NotFoundException(`Claim ${id} not found`);
    return claim;
  }

  /**
   * A claim the caller may see, locked until the change commits (so its versions follow one another),
   * once the caller may change it: admin and quality always, an owner as ownerChangeRefusal says.
   */
  private async changeable(manager: EntityManager, me: Actor, id: string): Promise<Changeable> {
    const locked = await this.claims.lock(manager, readerOf(me), id);
    if (!locked) throw new NotFoundException(`Claim ${id} not found`);
    const { claim, version, touchpointZone } = locked;
    if (!isAdminOrQuality(me)) {
      const zone = claimZone(touchpointZone ? { timezone: touchpointZone } : undefined);
      const refusal = ownerChangeRefusal(claim, me.personId, zone, this.clock.now());
      if (refusal) throw new ClaimChangeForbidden(refusal);
    }
    return { claim, version };
  }

  async update(me: Actor, id: string, dto: UpdateClaimDto): Promise<Claim> {
    return this.dataSource.transaction(async (manager) => {
      const { claim, version } = await this.changeable(manager, me, id);
      // a touchpoint claim's channel is its touchpoint's, so it follows the scope rather than being carried over
      const channel = claim.touchpointId || dto.touchpointId ? undefined : (claim.channel ?? undefined);
      const merged = await assertValidMerged(CreateClaimDto, {
        touchpointId: claim.touchpointId,
        team: claim.team,
        channel,
        metric: claim.metric,
        periodStart: claim.periodStart,
        periodEnd: claim.periodEnd,
        value: claim.value,
        source: claim.source,
        reportedAt: claim.reportedAt.toISOString(),
        ...dto,
      });
      const tp = await this.touchpoint(manager, me, merged.touchpointId);
      this.checkScope(me, merged, tp, await this.teamChannels(manager, me, merged));
      const before = snapshot(claim);
      const changed = Object.assign(new Claim(), claim, this.columns(merged, tp));
      const after = snapshot(changed);
      if (JSON.stringify(before) === JSON.stringify(after)) return claim; // nothing changed: no new version
      changed.updatedAt = this.clock.now();
      // what the verdict tests changed: the claim as changed is judged in the digest that holds this moment
      if (TESTED.some((f) => before[f] !== after[f])) changed.revisedAt = changed.updatedAt;
      const { id: _id, organizationId: _org, reportedBy: _by, createdAt: _created, ...columns } = changed;
      await this.claims.update(manager, id, columns);
      await this.record(manager, me, 'api', { claimId: id, version: version + 1, action: 'updated', before, after });
      return changed;
    });
  }

  /** Removes the claim; its history keeps the last state, so the deletion leaves a trail. */
  async remove(me: Actor, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const { claim, version } = await this.changeable(manager, me, id);
      await this.claims.delete(manager, id);
      const before = snapshot(claim);
      const deletion: ChangeOf = { claimId: id, version: version + 1, action: 'deleted', before, after: null };
      await this.record(manager, me, 'api', deletion);
    });
  }

  private async record(manager: EntityManager, me: Actor, via: Via, edit: ChangeOf): Promise<void> {
    const now = this.clock.now();
    const by = { organizationId: me.organizationId, editedBy: me.personId, via, editedAt: now };
    await this.claims.recordChange(manager, { ...by, ...edit });
  }

  /**
   * Every change of a claim, oldest first: for admin, quality and the owner of its touchpoint (a
   * deleted claim's, as it was when deleted). Another organization's claim is a missing one.
   */
  async history(me: Actor, id: string, query: ClaimHistoryQuery): Promise<Page<ClaimEdit>> {
    const scope = await this.claims.historyScope(me.organizationId, id);
    if (!scope || (!isAdminOrQuality(me) && scope.ownerId !== me.personId)) {
      throw new NotFoundException(`Claim ${id} not found`);
    }
    return this.claims.history(me.organizationId, id, query);
  }

  /** All rows or none. `touchpoint` takes a touchpoint's id or exact name. */
  async importCsv(me: Actor, text: string): Promise<Claim[]> {
    const touchpoints = new Map<string, string>();
    const byId = new Map<string, ClaimTouchpoint>();
    for (const t of await this.touchpoints.summaries(me.organizationId)) {
      touchpoints.set(t.id, t.id);
      if (!touchpoints.has(t.name)) touchpoints.set(t.name, t.id);
      byId.set(t.id, t);
    }
    const unknown: CsvRowError[] = [];
    let row = 0;
    const { rows, errors } = await parseCsv(text, {
      ...CLAIMS_CSV_COLUMNS,
      dto: CreateClaimDto,
      toPlain: (r) => {
        row++;
        const tp = optionalCell(r.touchpoint);
        if (tp && !touchpoints.has(tp)) {
          const message = `touchpoint ${tp} is not a touchpoint of your organization`;
          unknown.push({ row, line: 0, field: 'touchpoint', rule: 'exists', message });
        }
        const value = Number(r.value?.replace('%', '').trim());
        return {
          ...(tp && touchpoints.has(tp) ? { touchpointId: touchpoints.get(tp) } : {}),
          ...(optionalCell(r.team) ? { team: r.team } : {}),
          ...(optionalCell(r.channel) ? { channel: r.channel } : {}),
          metric: r.metric,
          periodStart: r.periodStart,
          periodEnd: r.periodEnd,
          // "96%" is read as 0.96; a bare number is taken as written.
          value: r.value?.trim().endsWith('%') ? value / 100 : r.value?.trim() === '' ? undefined : value,
          source: r.source,
          reportedAt: r.reportedAt,
        };
      },
    });
    const tpOf = (dto: CreateClaimDto) => (dto.touchpointId ? byId.get(dto.touchpointId) : undefined);
    const teams = await this.touchpoints.teamChannels(this.dataSource.manager, me.organizationId);
    const lineOf = new Map([...rows, ...errors].map((r) => [r.row, r.line] as const));
    const all = [
      ...errors,
      ...unknown.map((e) => ({ ...e, line: lineOf.get(e.row) ?? e.row + 1 })),
      ...rows.flatMap((r) =>
        scopeErrors(r.value, tpOf(r.value), scopeChannels(r.value, teams)).map((e) => ({
          row: r.row,
          line: r.line,
          ...e,
        })),
      ),
    ];
    if (all.length) throw new CsvImportRejected(all);
    for (const r of rows) this.checkScope(me, r.value, tpOf(r.value), teams, r.row);
    const columns = rows.map((r) => this.columns(r.value, tpOf(r.value)));
    return this.insert(this.dataSource.manager, me, 'import', columns); // one statement: all rows or none
  }
}
