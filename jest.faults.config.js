// Fault tests (`npm run test:faults`): the service and the CLI run as child processes that are
// killed, and PostgreSQL is stopped under load. One file at a time: they drive real processes.
import base from './jest.config.js';

export default {
  ...base,
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.faults-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 180_000,
  maxWorkers: 1,
};
