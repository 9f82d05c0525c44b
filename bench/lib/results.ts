/**
 * Where results go and how they are written: `bench/results/<name>.md` plus one SVG chart per
 * headline table (`<name>.svg`, `<name>-<slug>.svg`), linked from the Markdown. A quick run
 * (BENCH_QUICK=1, set by `npm run bench -- --quick`) writes to `bench/results/quick/` instead,
 * so a smoke test never overwrites full-size results.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { barChart, type BarChart } from './svg.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Smoke-test mode: every benchmark shrinks its counts and durations. */
export const QUICK = process.env.BENCH_QUICK === '1';
export const RESULTS_DIR = path.join(ROOT, 'bench/results', QUICK ? 'quick' : '');

/** `full` normally, `quick` in quick mode: `pick(5, 1)` is a duration in seconds, say. */
export const pick = <T>(full: T, quick: T): T => (QUICK ? quick : full);

/** A Markdown table; `align` has one 'l' or 'r' per column (default: first left, rest right). */
export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>, align?: string): string {
  const a = align ?? `l${'r'.repeat(headers.length - 1)}`;
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map((_, i) => (a[i] === 'r' ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * Writes `<name>.md` and its charts; returns the paths written. The first chart is
 * `<name>.svg`; the others after their title up to its first parenthesis. The Markdown gets a "Charts" section
 * with an image link to each.
 */
export function writeResults(name: string, markdown: string, charts: readonly BarChart[] = []): string[] {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const written: string[] = [];
  const links: string[] = [];
  charts.forEach((chart, i) => {
    const file = i === 0 ? `${name}.svg` : `${name}-${slug(chart.title.split('(')[0]!).replace(`${name}-`, '')}.svg`;
    writeFileSync(path.join(RESULTS_DIR, file), barChart(chart));
    written.push(path.join(RESULTS_DIR, file));
    links.push(`![${chart.title}](${file})`);
  });
  const body = markdown.trimEnd() + (links.length ? `\n\n## Charts\n\n${links.join('\n\n')}\n` : '\n');
  const mdPath = path.join(RESULTS_DIR, `${name}.md`);
  writeFileSync(mdPath, QUICK ? `> Quick mode (BENCH_QUICK=1): shrunk counts and durations, a smoke test, not a measurement.\n\n${body}` : body);
  return [mdPath, ...written];
}
