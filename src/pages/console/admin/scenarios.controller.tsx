import { Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';

import { ConsolePage, CurrentConsole } from '../../../auth/console.guard.js';
import { SessionsService } from '../../../auth/sessions/sessions.service.js';
import type { CurrentSession } from '../../../auth/sessions/sessions.service.js';
import { validateDto } from '../../../common/validation/validate-dto.js';
import type { FieldError } from '../../../common/validation/validation-errors.js';
import { CreateScenarioDto, ScenariosQuery } from '../../../scenarios/scenario.dto.js';
import { QUESTION_TYPES } from '../../../scenarios/scenario.entity.js';
import type { Scenario } from '../../../scenarios/scenario.entity.js';
import { ScenariosService } from '../../../scenarios/scenarios.service.js';
import { AdminCrudRoutes, EditPages } from '../admin-routes.js';
import {
  CsrfField,
  EmptyState,
  ErrorSummary,
  Field,
  PagedTable,
  SelectField,
  CheckboxGroup,
  TextareaField,
} from '../components.js';
import { DeletePages } from '../confirm-delete.js';
import { ConsoleController } from '../console-routes.js';
import { formFields, listOf } from '../forms.js';
import { Layout, sendPage } from '../layout.js';
import { RowInput, RowSelect, RowsTable, rowsOf, RowTextarea, withSpareRows } from './admin-fields.js';
import { CHANNEL_LABELS, channelOptions } from './touchpoints.controller.js';

const TYPE_LABELS: Record<string, string> = {
  yes_no: 'Yes / no',
  number: 'Number',
  seconds: 'Duration (seconds)',
  rating: 'Rating 1–5',
  choice: 'Choice',
  text: 'Text',
};
const typeOptions = QUESTION_TYPES.map((q) => ({ value: q, label: TYPE_LABELS[q] }));
const QUESTION_KEYS = ['key', 'label', 'type', 'required', 'options', 'channels', 'order', 'remove'] as const;

interface ScenarioForm {
  title: string;
  brief: string;
  channels: string[];
  /** As the rows show them: options one a line, required "yes" when ticked. */
  questions: Record<string, string>[];
}

/**
 * The posted question rows, as the admin left them: blank rows dropped, rows ticked "remove" dropped, then
 * ordered by their "order" numbers (ties keep the page's order).
 */
export function questionRowsOf(fields: Record<string, string>): Record<string, string>[] {
  return rowsOf(fields, 'questions', QUESTION_KEYS)
    .filter((q) => (q.key || q.label || q.options) && q.remove !== 'yes')
    .map((q, i) => ({ q, i, order: Number(q.order || NaN) }))
    .sort((a, b) => (isNaN(a.order) ? 1e9 : a.order) - (isNaN(b.order) ? 1e9 : b.order) || a.i - b.i)
    .map(({ q }) => ({
      key: q.key ?? '',
      label: q.label ?? '',
      type: q.type ?? '',
      required: q.required === 'yes' ? 'yes' : '',
      options: q.options ?? '',
      channels: q.channels ?? '',
    }));
}

export function scenarioFormOf(body: unknown): ScenarioForm {
  const fields = formFields(body);
  return {
    title: fields.title ?? '',
    brief: fields.brief ?? '',
    channels: listOf(body, 'channels'),
    questions: questionRowsOf(fields),
  };
}

/** What CreateScenarioDto validates: options split a line each, sent only when there are some (or type is choice). */
const dtoPlainOf = (form: ScenarioForm) => ({
  title: form.title,
  brief: form.brief,
  channels: form.channels,
  questions: form.questions.map((q) => {
    const options = q.options
      .split(/\r?\n/)
      .map((o) => o.trim())
      .filter(Boolean);
    const channels = (q.channels ?? '').split(/[\s,;]+/).filter(Boolean);
    return {
      key: q.key,
      label: q.label,
      type: q.type,
      required: q.required === 'yes',
      ...(q.type === 'choice' || options.length ? { options } : {}),
      ...(channels.length ? { channels } : {}),
    };
  }),
});

const formOf = (s: Scenario): ScenarioForm => ({
  title: s.title,
  brief: s.brief,
  channels: s.channels,
  questions: s.questions.map((q) => ({
    key: q.key,
    label: q.label,
    type: q.type,
    required: q.required ? 'yes' : '',
    options: (q.options ?? []).join('\n'),
    channels: (q.channels ?? []).join(', '),
  })),
});

const EMPTY_FORM: ScenarioForm = { title: '', brief: '', channels: [], questions: [] };

function QuestionRows(props: { questions: Record<string, string>[]; errors: FieldError[] }) {
  const { errors } = props;
  return (
    <RowsTable
      caption="Questions after the test"
      name="questions"
      headers={[
        'Order',
        'Key',
        'Question',
        'Answer type',
        'Required',
        'Choices (one a line)',
        'Only for channels',
        'Remove',
      ]}
      errors={errors}
      hint={
        'Fill a blank row to add a question; change the order numbers to reorder; tick Remove to drop one. ' +
        'Only for channels: e.g. "in_person" or "phone, chat" (blank: every channel of the scenario).'
      }
    >
      {withSpareRows(props.questions, 2).map((q, i) => {
        const row = `Question ${i + 1}`;
        return (
          <tr key={i}>
            <td>
              <RowInput name={`questions[${i}].order`} label={`${row}: order`} value={String(i + 1)} errors={[]} />
            </td>
            <td>
              <RowInput name={`questions[${i}].key`} label={`${row}: key`} value={q.key} errors={errors} />
            </td>
            <td>
              <RowInput name={`questions[${i}].label`} label={`${row}: question`} value={q.label} errors={errors} />
            </td>
            <td>
              <RowSelect
                name={`questions[${i}].type`}
                label={`${row}: answer type`}
                options={typeOptions}
                value={q.type}
                blank="—"
                errors={errors}
              />
            </td>
            <td>
              <input
                type="checkbox"
                name={`questions[${i}].required`}
                value="yes"
                checked={q.required === 'yes'}
                aria-label={`${row}: required`}
              />
            </td>
            <td>
              <RowTextarea
                name={`questions[${i}].options`}
                label={`${row}: choices, one a line`}
                value={q.options}
                errors={errors}
              />
            </td>
            <td>
              <RowInput
                name={`questions[${i}].channels`}
                label={`${row}: only for channels`}
                value={q.channels ?? ''}
                errors={errors}
              />
            </td>
            <td>
              <input type="checkbox" name={`questions[${i}].remove`} value="yes" aria-label={`${row}: remove`} />
            </td>
          </tr>
        );
      })}
    </RowsTable>
  );
}

/**
 * Scenarios (admin): the list (search by title or brief, filter by channel), adding and editing one with its
 * question rows (add, remove, reorder without JavaScript), through ScenariosService as /api/v1/scenarios uses it.
 */
@ConsoleController('scenarios')
export class ScenarioPagesController extends AdminCrudRoutes {
  constructor(
    private readonly scenarios: ScenariosService,
    private readonly sessions: SessionsService,
  ) {
    super();
  }

  private readonly rows = {
    kind: 'scenario',
    path: '/scenarios',
    nameOf: (scenario: Scenario) => scenario.title,
    read: (org: string, id: string) => this.scenarios.get(org, id),
    flash: (session: CurrentSession, text: string) => this.sessions.flash(session.actor, text),
  };

  /** Adding and editing a scenario with its questions, through the API's service. */
  protected readonly edits = new EditPages<Scenario, ScenarioForm, CreateScenarioDto>({
    ...this.rows,
    dto: CreateScenarioDto,
    formOf: scenarioFormOf,
    plainOf: dtoPlainOf,
    emptyForm: () => EMPTY_FORM,
    rowForm: formOf,
    create: (session, value) => this.scenarios.create(session.actor.organizationId, value),
    update: (session, id, value) => this.scenarios.update(session.actor.organizationId, id, value),
    send: (res, status, session, scenario, form, errors) => this.sendForm(res, status, session, scenario, form, errors),
  });

  /** Deleting a scenario: asked first, then through the API's service (which refuses one in use). */
  protected readonly deletes = new DeletePages<Scenario>({
    ...this.rows,
    effect: 'Tests and contacts that used it keep their record without it; campaigns no longer hand it out.',
    remove: (org, id) => this.scenarios.remove(org, id),
  });

  @Get()
  @ConsolePage('admin')
  async list(
    @CurrentConsole() session: CurrentSession,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const asked = formFields(query);
    const { value, errors } = await validateDto(ScenariosQuery, asked);
    const filter = errors.length ? new ScenariosQuery() : value;
    const page = await this.scenarios.list(session.actor.organizationId, filter);
    const kept: Record<string, string> = {};
    if (filter.q) kept.q = filter.q;
    if (filter.channel) kept.channel = filter.channel;
    sendPage(
      res,
      errors.length ? 400 : 200,
      <Layout session={session} path="/scenarios" title="Scenarios">
        <p>
          <a href="/scenarios/new">Add a scenario</a>
        </p>
        <form method="get" action="/scenarios" role="search" class="narrow">
          <Field name="q" label="Search by title or brief" type="search" value={asked.q} errors={errors} />
          <SelectField
            name="channel"
            label="Fits channel"
            options={channelOptions}
            value={asked.channel}
            errors={errors}
            blank="Any channel"
          />
          <button type="submit">Search</button>
        </form>
        <PagedTable
          caption="Scenarios"
          base="/scenarios"
          query={kept}
          page={page}
          paging={{ limit: filter.limit, offset: filter.offset }}
          rowKey={(s) => s.id}
          empty={
            <EmptyState title={Object.keys(kept).length ? 'No scenario matches that search.' : 'No scenarios yet.'}>
              <p>
                <a href="/scenarios/new">Add a scenario</a>.
              </p>
            </EmptyState>
          }
          columns={[
            { header: 'Title', cell: (s) => <a href={`/scenarios/${s.id}`}>{s.title}</a> },
            { header: 'Channels', cell: (s) => s.channels.map((c) => CHANNEL_LABELS[c]).join(', ') },
            { header: 'Questions', cell: (s) => String(s.questions.length) },
          ]}
        />
      </Layout>,
    );
  }

  private sendForm(
    res: Response,
    status: number,
    session: CurrentSession,
    scenario: Scenario | null,
    form: ScenarioForm,
    errors: FieldError[],
  ): void {
    const action = scenario ? `/scenarios/${scenario.id}` : '/scenarios';
    sendPage(
      res,
      status,
      <Layout session={session} path={action} title={scenario ? `Edit ${scenario.title}` : 'Add a scenario'}>
        <ErrorSummary errors={errors} />
        <form method="post" action={action} novalidate>
          <CsrfField token={session.csrfToken} />
          <Field name="title" label="Title" value={form.title} errors={errors} required />
          <TextareaField
            name="brief"
            label="Brief"
            value={form.brief}
            errors={errors}
            hint="What the tester asks for or says, in their words."
          />
          <CheckboxGroup
            name="channels"
            legend="Channels it fits"
            options={channelOptions}
            checked={form.channels}
            errors={errors}
          />
          <QuestionRows questions={form.questions} errors={errors} />
          <button type="submit">{scenario ? 'Save' : 'Add scenario'}</button>
        </form>
        <p>
          <a href="/scenarios">Back to scenarios</a>
          {scenario && (
            <>
              {' '}
              · <a href={`/scenarios/${scenario.id}/delete`}>Delete {scenario.title}…</a>
            </>
          )}
        </p>
      </Layout>,
    );
  }
}
