import { rm } from 'node:fs/promises';

export default async function globalTeardown() {
  const state = globalThis.__groundtruthTestDb;
  if (!state) return;
  await state.db.stop();
  await rm(state.dir, { recursive: true, force: true });
}
