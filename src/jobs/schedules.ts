/** Cron patterns (UTC). A tick is only a trigger: each job computes from the database what is due. */
export const SCHEDULES = {
  plan: '17 2 * * *', // nightly
  reveal: '* * * * *', // every minute: holds and reveals
  remindExpire: '*/5 * * * *', // every 5 minutes
  followUp: '*/15 * * * *', // every 15 minutes: ask whether promised callbacks came
  digest: '* * * * *', // every minute: send each digest whose period came due
  outbox: '*/5 * * * * *', // every 5 seconds
  cleanup: '41 * * * *', // hourly: forget expired idempotency keys, stale job failures, ended sessions, old sign-in links
} as const;

export type JobName = keyof typeof SCHEDULES;
