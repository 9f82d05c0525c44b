/**
 * Starts a built entry point (`dist/server.js`, `dist/echo-server.js`) as a child
 * process on PORT=0, the way an operator would, and waits for its first stdout
 * line `listening on http://HOST:PORT/` (SPEC §1) to learn the real port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunningServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  /** `ws://127.0.0.1:PORT` (no trailing slash). */
  readonly wsUrl: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Every stdout line after the first, as printed (JSON log records for the chat server). */
  readonly lines: string[];
  /** Everything printed on stderr. */
  stderr(): string;
  /** Resolves with the first later stdout line that satisfies `match`. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** SIGTERM and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  args?: string[];
  /** Entry file under dist/, default `server.js`. */
  entry?: string;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: ':memory:',
    LOG_LEVEL: 'info',
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    NODE_ENV: 'test',
    ...options.env,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', options.entry ?? 'server.js'), ...(options.args ?? [])], {
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  const reader = createInterface({ input: child.stdout! });
  const first = new Promise<string>((resolve, reject) => {
    let seenFirst = false;
    reader.on('line', (line) => {
      if (!seenFirst) {
        seenFirst = true;
        resolve(line);
        return;
      }
      lines.push(line);
      for (const waiter of waiters) waiter(line);
    });
    child.once('exit', (code) => {
      if (!seenFirst) reject(new Error(`server exited with ${code} before listening; stderr:\n${stderr}`));
    });
  });
  const firstLine = await first;
  const match = /^listening on (?:http|ws):\/\/([^/]+):(\d+)\/$/.exec(firstLine);
  if (!match) throw new Error(`unexpected first line: ${firstLine}`);
  const port = Number(match[2]);
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    child,
    lines,
    stderr: () => stderr,
    waitForLine(predicate, timeoutMs = 5000) {
      const found = lines.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error('timed out waiting for a log line'));
        }, timeoutMs);
        const waiter = (line: string) => {
          if (!predicate(line)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(line);
        };
        waiters.add(waiter);
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

/**
 * Runs an entry point that must refuse to start (SPEC §1: "a bad value exits 1 with a
 * one-line message"): exit code 1, nothing on stdout, exactly one line on stderr, which
 * is returned. `env` goes on top of PORT=0 and DATA_DIR=:memory:.
 */
export function refusedStart(env: Record<string, string | undefined>, options: { entry?: string; args?: string[] } = {}): string {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'dist', options.entry ?? 'server.js'), ...(options.args ?? [])], {
    env: { ...process.env, PORT: '0', DATA_DIR: ':memory:', ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.equal(run.status, 1, run.stderr);
  assert.equal(run.stdout, '', 'never listening');
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  return lines[0]!;
}
