// Mutation testing of the pure modules (`npm run test:mutation`; README "Mutation testing"). Not part of `npm test`.
// Runs the unit specs only (jest.mutation.config.js: no PostgreSQL), one file's related specs per mutant.
// The planner's random-calendar property runs 40 plans per mutant here (150 in `npm test`): the targeted specs kill the rest.
process.env.PLANNER_RUNS ??= '40';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning'],
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js', enableFindRelatedTests: true },
  coverageAnalysis: 'perTest',
  checkers: [],
  mutate: [
    'src/digests/statistics.ts',
    'src/digests/verdicts.ts',
    'src/campaigns/planner/planner.ts',
    'src/campaigns/planner/calendar.ts',
    'src/campaigns/planner/window-draw.ts',
    'src/campaigns/planner/tester-index.ts',
    'src/campaigns/planner/random.ts',
    'src/assignments/assignment-lifecycle.ts',
    'src/assignments/withdrawal-reasons.ts',
    'src/outcomes/outcome-rules.ts',
    'src/outcomes/case-rules.ts',
  ],
  plugins: ['@stryker-mutator/*', './test/mutation/io-ignorer.mjs'],
  ignorers: ['database-bound'],
  ignorePatterns: ['dist', 'reports', 'coverage', '.data', 'test-output', 'bench'],
  // Two cores, often shared: a short per-mutant allowance, and a slow machine's dry run may take a while.
  concurrency: 2,
  // jest workers grow to about 2 GB each within 15 minutes of mutants; a fresh worker every 12 runs keeps memory flat
  maxTestRunnerReuse: 12,
  timeoutMS: 6000,
  timeoutFactor: 1.5,
  dryRunTimeoutMinutes: 20,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
};
