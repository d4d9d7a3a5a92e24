import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';

import { isDatabaseUnavailable, sqlState } from './connection-errors.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['connection reset', withCode('ECONNRESET', 'read ECONNRESET')],
    [
      'server shutting down (57P01)',
      new QueryFailedError('SELECT 1', [], withCode('57P01', 'terminating connection due to administrator command')),
    ],
    ['server starting up (57P03)', withCode('57P03', 'the database system is starting up')],
    ['too many connections (53300)', withCode('53300', 'sorry, too many clients already')],
    ['connection exception (08006)', withCode('08006')],
    [
      'connection lost mid-query',
      new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly')),
    ],
    ['the next statement of a read whose connection was lost', new QueryRunnerAlreadyReleasedError()],
    ['no pool connection in time', new Error('timeout exceeded when trying to connect')],
    ['a cause chain', new Error('outer', { cause: withCode('ECONNREFUSED') })],
  ])('%s: yes', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['unique violation (23505)', new QueryFailedError('INSERT', [], withCode('23505', 'duplicate key value'))],
    ['undefined table (42P01)', new QueryFailedError('SELECT', [], withCode('42P01', 'relation "x" does not exist'))],
    ['a plain bug', new TypeError('cannot read properties of undefined')],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('%s: no', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('sqlState', () => {
  it("reads the SQLSTATE of TypeORM's wrapped error and of pg's own, and nothing from socket errors", () => {
    expect(sqlState(Object.assign(new Error('duplicate key'), { driverError: { code: '23505' } }))).toBe('23505');
    expect(
      sqlState(Object.assign(new Error('insert or update violates foreign key'), { code: '23503', severity: 'ERROR' })),
    ).toBe('23503');
    expect(sqlState(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBeUndefined();
    expect(sqlState(new Error('plain'))).toBeUndefined();
  });
});
