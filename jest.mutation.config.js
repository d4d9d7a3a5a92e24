// The mutation run (`npm run test:mutation`, stryker.config.mjs): unit specs only, no PostgreSQL.
// Left out: the owner-attack measurement (minutes of planning per run; a statistical yardstick, not a unit spec).
import base from './jest.config.js';

export default {
  ...base,
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/src/campaigns/planner/unpredictability.spec.ts'],
  globalSetup: undefined,
  globalTeardown: undefined,
  // fast-check stops at the first counterexample (no shrinking): a verdict on each mutant, not a readable failure.
  setupFilesAfterEnv: ['<rootDir>/test/mutation/fast-check-setup.ts'],
  maxWorkers: 1,
};
