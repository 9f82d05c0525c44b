/**
 * `npm run bench`: every benchmark in turn, each in its own child process, so that one's
 * memory, JIT state or open sockets cannot disturb the next. Fails loudly: a benchmark that
 * exits non-zero or overruns its time bound makes the whole run exit 1 (after the others ran).
 *
 *   npm run bench                      all six, full size (about 15 minutes)
 *   npm run bench -- --only=http,ws    a subset, in the given order
 *   npm run bench -- --quick           shrunk counts and durations (a smoke test, about 2 minutes);
 *                                      results go to bench/results/quick/, not bench/results/
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './lib/results.js';

/** Each benchmark and the wall-clock bound it gets (full size); quick mode gets a third. */
const BENCHMARKS: ReadonlyArray<{ name: string; boundMinutes: number }> = [
  { name: 'http', boundMinutes: 8 },
  { name: 'jwt', boundMinutes: 1 },
  { name: 'login', boundMinutes: 2 },
  { name: 'ws', boundMinutes: 8 },
  { name: 'chat', boundMinutes: 7 },
  { name: 'store', boundMinutes: 4 },
];

function parseArgs(argv: readonly string[]): { only: string[]; quick: boolean } {
  let only = BENCHMARKS.map((b) => b.name);
  let quick = false;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg.startsWith('--only=')) only = arg.slice('--only='.length).split(',').filter(Boolean);
    else {
      console.error(`unknown argument ${arg}; usage: run-all.ts [--quick] [--only=${BENCHMARKS.map((b) => b.name).join(',')}]`);
      process.exit(2);
    }
  }
  const unknown = only.filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length) {
    console.error(`no such benchmark: ${unknown.join(', ')}`);
    process.exit(2);
  }
  return { only, quick };
}

/** Runs one benchmark to completion; resolves with a failure reason, or undefined on success. */
function runOne(name: string, boundMs: number, quick: boolean): Promise<string | undefined> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', name, 'run.ts')], {
    cwd: ROOT,
    env: { ...process.env, BENCH_QUICK: quick ? '1' : '0' },
    stdio: 'inherit',
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(`exceeded its ${Math.round(boundMs / 1000)} s bound`);
    }, boundMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve(error.message);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 ? undefined : `exited with ${signal ?? `code ${code}`}`);
    });
  });
}

const { only, quick } = parseArgs(process.argv.slice(2));
const began = performance.now();
const failures: string[] = [];
for (const [i, name] of only.entries()) {
  const bound = BENCHMARKS.find((b) => b.name === name)!.boundMinutes * 60_000 * (quick ? 1 / 3 : 1);
  const started = performance.now();
  console.log(`\n=== [${i + 1}/${only.length}] bench:${name}${quick ? ' (quick)' : ''} ===`);
  const failure = await runOne(name, bound, quick);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (failure) {
    failures.push(`bench:${name} ${failure}`);
    console.error(`=== bench:${name} FAILED after ${seconds} s: ${failure} ===`);
  } else console.log(`=== bench:${name} done in ${seconds} s ===`);
}
const dir = path.join('bench/results', quick ? 'quick' : '');
console.log(`\n${only.length - failures.length}/${only.length} benchmarks finished in ${((performance.now() - began) / 1000).toFixed(0)} s; results (Markdown + SVG) in ${dir}/`);
if (failures.length) {
  console.error(`FAILED:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
