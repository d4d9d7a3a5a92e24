// `npm run build` (and so `npm start`, `npm run cli`, the benches): compiles with tsc only when a build input changed
// since the last successful build, so an unchanged checkout starts at once. Plain JavaScript: it runs before any build.
//
// The inputs are hashed (path and bytes), not compared by date: a checkout, `git stash` or a copy that keeps dates
// still rebuilds when a byte differs, and a file added or deleted counts. tsc itself stays incremental
// (dist/.tsbuildinfo), so a rebuild recompiles what changed. `--force` runs tsc whatever the hash says.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** What tsconfig.build.json compiles, what it is compiled with, and the compiler's version (via the lock file). */
const INPUT_DIRS = ['src', 'bench'];
const INPUT_FILES = ['ormconfig.ts', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'scripts/build.mjs'];
const STAMP = path.join(ROOT, 'dist', '.build-inputs.sha256');
const ENTRY = path.join(ROOT, 'dist', 'src', 'main.js');

/** tsconfig.build.json leaves unit specs out: editing one needs no rebuild. */
const isInput = (file) => !/\.spec\.tsx?$/.test(file);

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** One hash over every input's path and bytes, in a fixed order. */
function inputsHash() {
  const candidates = [
    ...INPUT_DIRS.flatMap((dir) => filesUnder(path.join(ROOT, dir))),
    ...INPUT_FILES.map((file) => path.join(ROOT, file)),
  ];
  const files = candidates
    .filter((file) => isInput(file) && existsSync(file))
    .map((file) => path.relative(ROOT, file).split(path.sep).join('/'))
    .sort();
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(readFileSync(path.join(ROOT, file)))
      .update('\0');
  return hash.digest('hex');
}

function build() {
  const hash = inputsHash();
  const built = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : '';
  if (!process.argv.includes('--force') && built === hash && existsSync(ENTRY)) return 0;
  const why = built ? 'sources changed since the last build' : 'no build yet';
  process.stderr.write(`build: ${why}, compiling with tsc…\n`);
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) return result.status ?? 1; // no stamp: the next start compiles (and reports) again
  mkdirSync(path.dirname(STAMP), { recursive: true });
  writeFileSync(STAMP, `${hash}\n`); // the hash taken before compiling: an edit made meanwhile rebuilds next time
  return 0;
}

process.exitCode = build();
