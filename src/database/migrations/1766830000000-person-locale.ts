import { MigrationInterface, QueryRunner } from 'typeorm';

/** A person's own date format (a BCP 47 tag such as de-DE), for the mails written to them; null: the default. */
export class PersonLocale1766830000000 implements MigrationInterface {
  name = 'PersonLocale1766830000000';

  async up(q: QueryRunner): Promise<void> {
    // the API checks the tag with Intl.getCanonicalLocales; the database only keeps it short and non-blank
    await q.query(`
      ALTER TABLE person
        ADD COLUMN locale text,
        ADD CONSTRAINT person_locale_check CHECK (length(locale) BETWEEN 2 AND 64)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE person DROP CONSTRAINT person_locale_check, DROP COLUMN locale`);
  }
}
