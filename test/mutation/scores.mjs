// Prints each mutated module's score from Stryker's JSON report and fails when any falls below the bar:
// Stryker's own `thresholds.break` only judges all files together, and issue 13 asks ≥ 80 % of each.
// Score = (killed + timeout) / (killed + timeout + survived + no coverage), as Stryker counts it.
import { readFileSync } from 'node:fs';

const BAR = Number(process.env.MUTATION_BAR ?? 80);
const report = JSON.parse(readFileSync(process.argv[2] ?? 'reports/mutation/mutation.json', 'utf8'));
const columns = ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored', 'CompileError', 'RuntimeError'];

const rows = Object.entries(report.files).map(([file, { mutants }]) => {
  const count = Object.fromEntries(columns.map((c) => [c, 0]));
  for (const m of mutants) count[m.status] = (count[m.status] ?? 0) + 1;
  const detected = count.Killed + count.Timeout;
  const valid = detected + count.Survived + count.NoCoverage;
  return { file, ...count, score: valid === 0 ? 100 : (100 * detected) / valid };
});

console.table(
  Object.fromEntries(rows.map(({ file, score, ...count }) => [file, { score: score.toFixed(2), ...count }])),
);
const below = rows.filter((r) => r.score < BAR);
if (below.length > 0) {
  console.error(`Below ${BAR} %: ${below.map((r) => `${r.file} (${r.score.toFixed(2)} %)`).join(', ')}`);
  process.exit(1);
}
console.log(`Every module at or above ${BAR} %.`);
