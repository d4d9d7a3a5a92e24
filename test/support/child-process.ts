import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export interface NodeChild {
  child: ChildProcess;
  /** Everything written to stdout so far (the service logs one JSON object per line). */
  stdout(): string;
  stderr(): string;
  /** The JSON log lines written so far. */
  logs(): Array<Record<string, unknown>>;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** Resolves once a stdout line matches; rejects if the process ends first or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>;
}

/** Runs a built entry point (dist/, built by the test script first) as a user would, with only the given environment. */
export function startNode(script: string, args: string[], env: Record<string, string>): NodeChild {
  const child = spawn(process.execPath, [path.resolve(script), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      ended = true;
      resolve({ code, signal });
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    exited,
    alive: () => !ended,
    async waitForLine(pattern, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const line = out.split('\n').find((l) => pattern.test(l));
        if (line) return line;
        if (ended) throw new Error(`process ended before printing ${pattern}: ${err || out.slice(-2_000)}`);
        if (Date.now() > until)
          throw new Error(`no line matching ${pattern} within ${timeoutMs} ms: ${out.slice(-2_000)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async kill() {
      if (!ended) child.kill('SIGKILL');
      await exited;
    },
  };
}
