import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const COPIED = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'ormconfig.ts'];
const COPIED_DIRS = ['src', 'bench', 'scripts', 'dist'];
const USAGE_HEAD = 'Groundtruth command line';
const PROBE = (dir: string) => path.join(dir, 'src', 'common', 'build-probe.ts');

/** `npm start` and `npm run cli` run scripts/build.mjs first: what it printed on stderr (it rejects on failure). */
async function build(dir: string): Promise<string> {
  const { stderr } = await run(process.execPath, [path.join(dir, 'scripts', 'build.mjs')], { cwd: dir });
  return stderr;
}

async function cliHelp(dir: string): Promise<string> {
  const cli = path.join(dir, 'dist', 'src', 'cli', 'main.js');
  const { stdout } = await run(process.execPath, [cli, '--help'], { cwd: dir });
  return stdout;
}

const mtime = (file: string) => statSync(file).mtimeMs;

/**
 * The start scripts compile only when a build input changed: in a copy of this checkout (its dist/ included, so the
 * copy starts warm; node_modules linked), an unchanged tree is not compiled again and an edited file is.
 */
describe('the build before npm start and npm run cli', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'groundtruth-build-'));
    for (const entry of [...COPIED, ...COPIED_DIRS]) {
      cpSync(path.resolve(entry), path.join(dir, entry), { recursive: true });
    }
    symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'), 'dir');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('skips tsc on an unchanged tree; compiles an edited or added file, and the edit is live', async () => {
    await build(dir); // whatever state the copied dist/ was in, it now matches the sources
    const entry = path.join(dir, 'dist', 'src', 'cli', 'main.js');
    const before = mtime(entry);

    expect(await build(dir)).toBe('');
    // A date alone is no change (inputs are hashed): touching a file compiles nothing.
    const source = path.join(dir, 'src', 'cli', 'main.ts');
    utimesSync(source, new Date(), new Date());
    expect(await build(dir)).toBe('');
    expect(mtime(entry)).toBe(before);
    expect(await cliHelp(dir)).toContain(`${USAGE_HEAD}\n`);

    writeFileSync(source, readFileSync(source, 'utf8').replace(USAGE_HEAD, `${USAGE_HEAD} (edited)`));
    writeFileSync(PROBE(dir), 'export const probe: number = 1;\n');
    expect(await build(dir)).toContain('compiling with tsc');
    expect(await cliHelp(dir)).toContain(`${USAGE_HEAD} (edited)\n`);
    expect(readFileSync(path.join(dir, 'dist', 'src', 'common', 'build-probe.js'), 'utf8')).toContain('probe = 1');
    expect(await build(dir)).toBe('');
  }, 300_000);

  it('fails on a type error and writes no stamp, so the next start compiles (and fails) again', async () => {
    writeFileSync(PROBE(dir), "export const probe: number = 'one';\n");
    await expect(build(dir)).rejects.toMatchObject({ code: 2, stdout: expect.stringContaining('TS2322') });
    await expect(build(dir)).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('compiling with tsc') });
  }, 300_000);
});
