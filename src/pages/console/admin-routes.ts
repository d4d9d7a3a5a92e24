import { Body, ConflictException, Get, Post, Res } from '@nestjs/common';
import type { ClassConstructor } from 'class-transformer';
import type { Response } from 'express';

import { ConsolePage, CurrentConsole } from '../../auth/console.guard.js';
import type { CurrentSession } from '../../auth/sessions/sessions.service.js';
import { UuidParam } from '../../common/validation/uuid-param.js';
import type { FieldError } from '../../common/validation/validation-errors.js';
import { DeletePages, type RowKind } from './confirm-delete.js';
import { postForm, rowOr404, type FormPage } from './forms.js';

/** One kind of row the admin pages add and edit with a form `F`, checked by the API's DTO `D`, through its service. */
export interface EditableKind<T extends { id: string }, F, D extends object> extends RowKind<T>, FormPage<T, F> {
  dto: ClassConstructor<D>;
  /** A new row's form, and a saved row's. */
  emptyForm: () => F;
  rowForm: (row: T) => F;
  create: (session: CurrentSession, value: D) => Promise<T>;
  update: (session: CurrentSession, id: string, value: D) => Promise<T>;
  /** A conflict (409) the form shows beside a field, when the service may answer one. */
  conflict?: (error: ConflictException) => FieldError;
  /** The flash after a save, from the row's name ("… is added." and "… is saved." by default). */
  addedText?: (name: string) => string;
  savedText?: (name: string) => string;
  /** Where the browser goes after a save (the list by default). */
  next?: (row: T) => string;
}

/**
 * A kind's add and edit pages: the form, empty or filled from the row (a row not there is a 404 page), and its POST
 * checked and saved as the API would (postForm), answered with a flash and a redirect (303) or the form again.
 */
export class EditPages<T extends { id: string }, F, D extends object> {
  constructor(private readonly k: EditableKind<T, F, D>) {}

  async newForm(session: CurrentSession, res: Response): Promise<void> {
    await this.k.send(res, 200, session, null, this.k.emptyForm(), []);
  }

  async editForm(session: CurrentSession, id: string, res: Response): Promise<void> {
    const row = await this.read(session, id);
    await this.k.send(res, 200, session, row, this.k.rowForm(row), []);
  }

  create(session: CurrentSession, body: unknown, res: Response): Promise<void> {
    return this.submit(session, null, body, res);
  }

  async update(session: CurrentSession, id: string, body: unknown, res: Response): Promise<void> {
    return this.submit(session, await this.read(session, id), body, res);
  }

  private read(session: CurrentSession, id: string): Promise<T> {
    return rowOr404(this.k.read(session.actor.organizationId, id), this.k.kind);
  }

  private submit(session: CurrentSession, row: T | null, body: unknown, res: Response): Promise<void> {
    const k = this.k;
    return postForm(k, session, res, body, row, {
      dto: k.dto,
      save: (value) => (row ? k.update(session, row.id, value) : k.create(session, value)),
      done: (saved) => {
        const name = k.nameOf(saved);
        const flash = row ? (k.savedText?.(name) ?? `${name} is saved.`) : (k.addedText?.(name) ?? `${name} is added.`);
        return { flash, next: k.next ? k.next(saved) : k.path };
      },
      conflict: k.conflict,
    });
  }
}

/**
 * The admin pages' delete routes, inherited by each kind's controller: `GET :id/delete` asks, `POST :id/delete`
 * deletes, both through the controller's DeletePages.
 */
export abstract class AdminDeleteRoutes {
  protected abstract readonly deletes: Pick<DeletePages<never>, 'confirm' | 'remove'>;

  @Get(':id/delete')
  @ConsolePage('admin')
  confirmDelete(@CurrentConsole() session: CurrentSession, @UuidParam('id') id: string, @Res() res: Response) {
    return this.deletes.confirm(session, id, res);
  }

  @Post(':id/delete')
  @ConsolePage('admin')
  remove(@CurrentConsole() session: CurrentSession, @UuidParam('id') id: string, @Res() res: Response) {
    return this.deletes.remove(session, id, res);
  }
}

/**
 * The admin pages' add, edit and delete routes, inherited by each kind's controller: `GET new` and `POST /` add,
 * `GET :id` and `POST :id` edit, through the controller's EditPages; the delete routes as AdminDeleteRoutes.
 * (Nest registers a controller's own routes first, then these in this order: `new` before `:id`.)
 */
export abstract class AdminCrudRoutes extends AdminDeleteRoutes {
  protected abstract readonly edits: Pick<EditPages<never, never, never>, 'newForm' | 'create' | 'editForm' | 'update'>;

  @Get('new')
  @ConsolePage('admin')
  newForm(@CurrentConsole() session: CurrentSession, @Res() res: Response) {
    return this.edits.newForm(session, res);
  }

  @Post()
  @ConsolePage('admin')
  create(@CurrentConsole() session: CurrentSession, @Body() body: unknown, @Res() res: Response) {
    return this.edits.create(session, body, res);
  }

  @Get(':id')
  @ConsolePage('admin')
  editForm(@CurrentConsole() session: CurrentSession, @UuidParam('id') id: string, @Res() res: Response) {
    return this.edits.editForm(session, id, res);
  }

  @Post(':id')
  @ConsolePage('admin')
  update(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    return this.edits.update(session, id, body, res);
  }
}
