import { MigrationInterface, QueryRunner } from 'typeorm';

/** The mail outbox: every email as a row, written with the change that caused it. */
export class MailOutbox1764100000000 implements MigrationInterface {
  name = 'MailOutbox1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_message (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid,
        message_id text NOT NULL,
        recipient text NOT NULL,
        subject text NOT NULL,
        text_body text NOT NULL,
        html_body text,
        attachments jsonb NOT NULL DEFAULT '[]',
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_expires_at timestamptz,
        last_error text,
        sent_at timestamptz,
        created_at timestamptz NOT NULL,
        dedupe_key text,
        CONSTRAINT outbox_message_message_id_key UNIQUE (message_id),
        CONSTRAINT outbox_message_dedupe_key_key UNIQUE (dedupe_key),
        CONSTRAINT outbox_message_status_check CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
        CONSTRAINT outbox_message_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX outbox_message_due_idx ON outbox_message (status, next_attempt_at)`);
    await q.query(`CREATE INDEX outbox_message_recipient_idx ON outbox_message (recipient, created_at)`);
    await q.query(`CREATE INDEX outbox_message_org_idx ON outbox_message (organization_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox_message`);
  }
}
