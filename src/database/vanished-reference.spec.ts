import { ConflictException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';

import { retryWhenReferenceVanishes, vanishedReference } from './vanished-reference.js';

/** A foreign key error as pg reports it, wrapped as TypeORM wraps it. */
const fkError = (message: string, constraint: string) =>
  new QueryFailedError('INSERT', [], Object.assign(new Error(message), { code: '23503', constraint }));
const insertRefersToGone = (constraint = 'assignment_tester_fkey') =>
  fkError(`insert or update on table "assignment" violates foreign key constraint "${constraint}"`, constraint);

describe('vanishedReference', () => {
  it.each([
    ['assignment_tester_fkey', 'a tester'],
    ['assignment_touchpoint_fkey', 'a touchpoint'],
    ['unfilled_slot_touchpoint_fkey', 'a touchpoint'],
    ['assignment_scenario_fkey', 'a scenario'],
    ['campaign_week_campaign_fkey', 'the campaign'],
    ['assignment_cancelled_by_fkey', 'a person'],
    ['something_else_fkey', 'a row it refers to'],
  ])('names what an insert referred to through %s: %s', (constraint, what) => {
    expect(vanishedReference(insertRefersToGone(constraint))).toBe(what);
  });

  it('is not about a delete that other rows still refer to, nor any other error', () => {
    const del = fkError(
      'update or delete on table "person" violates foreign key constraint "assignment_tester_fkey" ' +
        'on table "assignment"',
      'assignment_tester_fkey',
    );
    expect(vanishedReference(del)).toBeNull();
    expect(vanishedReference(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBeNull();
    expect(vanishedReference(new TypeError('x'))).toBeNull();
  });
});

describe('retryWhenReferenceVanishes', () => {
  it('runs the work again with fresh inputs, and answers what the second try answers', async () => {
    let calls = 0;
    const result = await retryWhenReferenceVanishes(() => {
      calls++;
      if (calls === 1) return Promise.reject(insertRefersToGone());
      return Promise.resolve('planned');
    });
    expect({ result, calls }).toEqual({ result: 'planned', calls: 2 });
  });

  it('gives up after its tries with a 409 that names what changed', async () => {
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(insertRefersToGone());
    };
    const error = await retryWhenReferenceVanishes(failing).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(error).toBeInstanceOf(ConflictException);
    expect((error as ConflictException).message).toBe(
      'A tester this request refers to was removed while it ran; try again',
    );
  });

  it('passes any other error on at once', async () => {
    let calls = 0;
    const error = new Error('boom');
    await expect(
      retryWhenReferenceVanishes(() => {
        calls++;
        return Promise.reject(error);
      }),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
  });
});
