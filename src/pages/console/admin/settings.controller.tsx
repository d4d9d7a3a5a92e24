import { Body, Get, Post, Res } from '@nestjs/common';
import type { Response } from 'express';

import { ConsolePage, CurrentConsole } from '../../../auth/console.guard.js';
import { SessionsService } from '../../../auth/sessions/sessions.service.js';
import type { CurrentSession } from '../../../auth/sessions/sessions.service.js';
import { validateDto } from '../../../common/validation/validate-dto.js';
import type { FieldError } from '../../../common/validation/validation-errors.js';
import { METRICS } from '../../../metrics/metric-catalogue.js';
import { UpdateOrganizationSettingsDto } from '../../../metrics/verdict-settings.dto.js';
import { VerdictSettingsService } from '../../../metrics/verdict-settings.service.js';
import { CsrfField, ErrorSummary, Field, SelectField } from '../components.js';
import { ConsoleController } from '../console-routes.js';
import { formFields } from '../forms.js';
import { Layout, sendPage } from '../layout.js';

const UNIT_HINT = {
  rate: 'a fraction of 1: 0.1 is 10 points',
  seconds: 'seconds',
  rating: 'rating points (1–5 scale)',
  count: 'contacts or times per case',
};

const TARGET_HINT = {
  rate: 'a fraction of 1: 0.9 is 90 %',
  seconds: 'seconds, up to 14 days (1209600)',
  rating: 'a rating from 1 to 5',
  count: 'contacts or times per case (0 to 20)',
};

/**
 * What the form shows: the ad-hoc choice, per metric the gap the organisation set (blank: the default) and its
 * target (blank: none).
 */
interface SettingsForm {
  countAdHocInVerdicts: string;
  gaps: Record<string, string>;
  targets: Record<string, string>;
}

/** A typed number as a number, blank as null, anything else as typed (so the DTO's rule names it). */
function numberOrNull(text: string | undefined): unknown {
  const trimmed = (text ?? '').trim();
  return trimmed === '' ? null : /^[0-9]*\.?[0-9]+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/**
 * The posted form as PATCH /api/v1/organization/settings takes it: every metric named, a blank gap as null (back
 * to the default), a blank target as null (none), a number as a number and anything else as typed.
 */
export function settingsPatchOf(form: SettingsForm): object {
  const gapThatMatters: Record<string, unknown> = {};
  const targets: Record<string, unknown> = {};
  for (const m of METRICS) {
    gapThatMatters[m.key] = numberOrNull(form.gaps[m.key]);
    targets[m.key] = numberOrNull(form.targets[m.key]);
  }
  const adHoc = form.countAdHocInVerdicts;
  return {
    countAdHocInVerdicts: adHoc === 'true' ? true : adHoc === 'false' ? false : adHoc,
    gapThatMatters,
    targets,
  };
}

/** Settings (admin): the organisation's verdict settings, read and changed through VerdictSettingsService. */
@ConsoleController('settings')
export class SettingsPagesController {
  constructor(
    private readonly settings: VerdictSettingsService,
    private readonly sessions: SessionsService,
  ) {}

  @Get()
  @ConsolePage('admin')
  async show(@CurrentConsole() session: CurrentSession, @Res() res: Response): Promise<void> {
    const view = await this.settings.view(session.actor.organizationId);
    const gaps: Record<string, string> = {};
    for (const key of view.overridden) gaps[key] = String(view.gapThatMatters[key]);
    const targets = Object.fromEntries(Object.entries(view.targets).map(([k, v]) => [k, String(v)]));
    this.sendForm(res, 200, session, { countAdHocInVerdicts: String(view.countAdHocInVerdicts), gaps, targets }, []);
  }

  @Post()
  @ConsolePage('admin')
  async save(@CurrentConsole() session: CurrentSession, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const fields = formFields(body);
    const form: SettingsForm = { countAdHocInVerdicts: fields.countAdHocInVerdicts ?? '', gaps: {}, targets: {} };
    for (const m of METRICS) {
      form.gaps[m.key] = fields[`gapThatMatters.${m.key}`] ?? '';
      form.targets[m.key] = fields[`targets.${m.key}`] ?? '';
    }
    const { value, errors } = await validateDto(UpdateOrganizationSettingsDto, settingsPatchOf(form));
    if (errors.length) return this.sendForm(res, 400, session, form, errors);
    await this.settings.update(session.actor.organizationId, value);
    await this.sessions.flash(session.actor, 'The settings are saved.');
    res.redirect(303, '/settings');
  }

  private sendForm(
    res: Response,
    status: number,
    session: CurrentSession,
    form: SettingsForm,
    errors: FieldError[],
  ): void {
    sendPage(
      res,
      status,
      <Layout session={session} path="/settings" title="Settings">
        <ErrorSummary errors={errors} />
        <form method="post" action="/settings" class="narrow" novalidate>
          <CsrfField token={session.csrfToken} />
          <SelectField
            name="countAdHocInVerdicts"
            label="Contacts recorded without a planned test"
            options={[
              { value: 'false', label: 'Shown, but verdicts use planned tests only' },
              { value: 'true', label: 'Count in verdicts too' },
            ]}
            value={form.countAdHocInVerdicts}
            errors={errors}
          />
          <h2>The gap that matters, per metric</h2>
          <p class="hint">
            The smallest gap between a claim and the tests worth detecting. Leave blank for the default.
          </p>
          {METRICS.map((m) => (
            <Field
              key={m.key}
              name={`gapThatMatters.${m.key}`}
              label={`${m.key.replace(/_/g, ' ')}: ${m.description}`}
              value={form.gaps[m.key]}
              errors={errors}
              hint={`In ${UNIT_HINT[m.unit]}; default ${m.gapThatMatters}.`}
            />
          ))}
          <h2>Targets, per metric</h2>
          <p class="hint">
            The organisation's own targets. The digest flags a fact nobody claimed when a test says it is worse than its
            target. Leave blank for no target.
          </p>
          {METRICS.map((m) => (
            <Field
              key={`target-${m.key}`}
              name={`targets.${m.key}`}
              label={`${m.key.replace(/_/g, ' ')} target (${m.better} is better)`}
              value={form.targets[m.key]}
              errors={errors}
              hint={`In ${TARGET_HINT[m.unit]}.`}
            />
          ))}
          <button type="submit">Save settings</button>
        </form>
      </Layout>,
    );
  }
}
