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
};

/** What the form shows: the ad-hoc choice, and per metric the gap the organisation set (blank: the default). */
interface SettingsForm {
  countAdHocInVerdicts: string;
  gaps: Record<string, string>;
}

/**
 * The posted form as PATCH /api/v1/organization/settings takes it: every metric named, a blank gap as null (back
 * to the default), a number as a number and anything else as typed (so the DTO's rule names it).
 */
export function settingsPatchOf(form: SettingsForm): object {
  const gapThatMatters: Record<string, unknown> = {};
  for (const m of METRICS) {
    const text = (form.gaps[m.key] ?? '').trim();
    gapThatMatters[m.key] = text === '' ? null : /^[0-9]*\.?[0-9]+$/.test(text) ? Number(text) : text;
  }
  const adHoc = form.countAdHocInVerdicts;
  return { countAdHocInVerdicts: adHoc === 'true' ? true : adHoc === 'false' ? false : adHoc, gapThatMatters };
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
    this.sendForm(res, 200, session, { countAdHocInVerdicts: String(view.countAdHocInVerdicts), gaps }, []);
  }

  @Post()
  @ConsolePage('admin')
  async save(@CurrentConsole() session: CurrentSession, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const fields = formFields(body);
    const form: SettingsForm = { countAdHocInVerdicts: fields.countAdHocInVerdicts ?? '', gaps: {} };
    for (const m of METRICS) form.gaps[m.key] = fields[`gapThatMatters.${m.key}`] ?? '';
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
          <button type="submit">Save settings</button>
        </form>
      </Layout>,
    );
  }
}
