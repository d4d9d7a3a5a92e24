import { ChildProcess, execSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort } from '../src/common/free-port.js';
import { machine } from './support.js';

/**
 * `npm run bench:start`: how long a newcomer waits for `npm start` and `npm run cli`. In a throwaway copy of the
 * checkout (its own dist/ and .data/, node_modules linked), with nothing configured (embedded PostgreSQL):
 *  - cold: no dist/ and no .data/, as after `npm ci` — a full build, a new database cluster, every migration;
 *  - warm: the unchanged checkout started again, `BENCH_START_RUNS` times (default 5);
 *  - changed: one source file edited, then started — the edit must be live (the run fails otherwise).
 * `BENCH_START_REF=main` measures a commit's tree instead of the working tree's, by the same method.
 * Each start is timed from spawning `npm start` to the first /health 200, then the service is stopped with SIGTERM
 * (and waited for, database included); each CLI call is `npm run cli -- --help` to its exit.
 */

const RUNS = Number(process.env.BENCH_START_RUNS ?? 5);
const REF = process.env.BENCH_START_REF;
const GOAL = { startSeconds: 5, cliSeconds: 2 };
const COPIED = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'ormconfig.ts'];
const COPIED_DIRS = ['src', 'bench', 'scripts'];
const CHANGE_MARK = 'start.bench: this build has the edit';

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
const round = (s: number) => Math.round(s * 100) / 100;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** The working tree's build inputs, or with `BENCH_START_REF` a commit's whole tree (to compare with an older one). */
function copyCheckout(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'groundtruth-start-'));
  chmodSync(dir, 0o755); // the postgres system user (when run as root) must reach .data/
  if (REF) {
    execSync(`git archive --format=tar ${JSON.stringify(REF)} | tar -x -C ${JSON.stringify(dir)}`);
  } else {
    for (const entry of [...COPIED, ...COPIED_DIRS]) {
      cpSync(path.resolve(entry), path.join(dir, entry), { recursive: true });
    }
  }
  symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/** The environment of a newcomer's shell: nothing of ours configured (no DATABASE_URL, SMTP_URL…). */
function plainEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TERM'];
  return { ...Object.fromEntries(keep.filter((k) => process.env[k]).map((k) => [k, process.env[k]])), ...extra };
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', r));
}

/** `npm start` in `dir` until /health answers 200; returns the seconds and what it printed meanwhile. */
async function timeStart(dir: string): Promise<{ seconds: number; output: string }> {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn('npm', ['start'], {
    cwd: dir,
    env: plainEnv({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: npm, the shell and node are stopped together
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return { seconds: seconds(started), output };
      if (seconds(started) > 600) throw new Error(`no /health 200 within 600 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // the group is gone already (npm start exited on its own)
    }
    await exited(child);
    await databaseStopped(dir);
  }
}

/** The service stops its embedded PostgreSQL on SIGTERM; the next start must not find it still running. */
async function databaseStopped(dir: string): Promise<void> {
  const pid = path.join(dir, '.data', 'pg', 'postmaster.pid');
  for (let i = 0; i < 600 && existsSync(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (existsSync(pid)) throw new Error('the embedded PostgreSQL was still running 30 s after SIGTERM');
}

/** `npm run cli -- --help` in `dir` to its exit. */
async function timeCli(dir: string): Promise<{ seconds: number; output: string }> {
  const started = process.hrtime.bigint();
  const child = spawn('npm', ['run', '-s', 'cli', '--', '--help'], { cwd: dir, env: plainEnv({}), stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await exited(child);
  if (code !== 0) throw new Error(`npm run cli -- --help exited with ${code}:\n${output}`);
  return { seconds: seconds(started), output };
}

/** Edits src/main.ts (a line on start) and the CLI's usage text, as a developer's change would. */
function editSources(dir: string): void {
  const main = path.join(dir, 'src', 'main.ts');
  writeFileSync(main, `${readFileSync(main, 'utf8')}process.stdout.write('${CHANGE_MARK}\\n');\n`);
  const cli = path.join(dir, 'src', 'cli', 'main.ts');
  const usage = readFileSync(cli, 'utf8');
  if (!usage.includes('Groundtruth command line')) throw new Error('the CLI usage text moved: update start.bench');
  writeFileSync(cli, usage.replace('Groundtruth command line', `Groundtruth command line (${CHANGE_MARK})`));
}

async function main(): Promise<void> {
  const dir = copyCheckout();
  const load = () => os.loadavg()[0].toFixed(1);
  try {
    const loadBefore = load();
    const cold = await timeStart(dir);
    const coldCli = await timeCli(dir);
    process.stdout.write(`cold: npm start → /health ${round(cold.seconds)} s; cli ${round(coldCli.seconds)} s\n`);
    const warm: number[] = [];
    const warmCli: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      warm.push(round((await timeStart(dir)).seconds));
      warmCli.push(round((await timeCli(dir)).seconds));
      process.stdout.write(`warm ${i + 1}: npm start → /health ${warm[i]} s; cli ${warmCli[i]} s\n`);
    }
    editSources(dir);
    const changed = await timeStart(dir);
    const changedCli = await timeCli(dir);
    const live = changed.output.includes(CHANGE_MARK) && changedCli.output.includes(CHANGE_MARK);
    const line = `changed: npm start → /health ${round(changed.seconds)} s; cli ${round(changedCli.seconds)} s`;
    process.stdout.write(`${line}; edit live: ${live}\n`);
    if (!live) throw new Error('an edited source file was not rebuilt before the start');
    const summary = {
      tree: REF ?? 'working tree',
      machine: machine(),
      loadAverage: { before: Number(loadBefore), after: Number(load()) },
      runs: RUNS,
      cold: { startSeconds: round(cold.seconds), cliSeconds: round(coldCli.seconds) },
      warm: {
        startSeconds: warm,
        cliSeconds: warmCli,
        medianStartSeconds: median(warm),
        maxStartSeconds: Math.max(...warm),
        medianCliSeconds: median(warmCli),
        maxCliSeconds: Math.max(...warmCli),
      },
      changed: { startSeconds: round(changed.seconds), cliSeconds: round(changedCli.seconds), live },
      goal: GOAL,
      met: { start: Math.max(...warm) <= GOAL.startSeconds, cli: Math.max(...warmCli) <= GOAL.cliSeconds },
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
