import { createTestApp, TestApp } from './support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('schema', () => {
  it('matches the entities exactly after the migrations, so migration:generate finds nothing to do', async () => {
    const sql = await t.dataSource.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query.trim())).toEqual([]);
  });

  it('reverts every migration cleanly and applies them again', async () => {
    const count = (await t.dataSource.query('SELECT count(*)::int AS n FROM migrations'))[0].n;
    for (let i = 0; i < count; i++) await t.dataSource.undoLastMigration({ transaction: 'each' });
    const tables = await t.dataSource.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'",
    );
    expect(tables).toEqual([]);
    await t.dataSource.runMigrations({ transaction: 'each' });
    const again = await t.dataSource.driver.createSchemaBuilder().log();
    expect(again.upQueries).toEqual([]);
  });
});
