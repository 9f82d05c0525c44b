/** The few statistics every benchmark reports: medians over rounds, percentiles of latencies, ratios. */

/** The middle value (the upper middle for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** The first and third quartiles (nearest rank): the middle half of the values. */
export function middleHalf(values: readonly number[]): [low: number, high: number] {
  const sorted = [...values].sort((a, b) => a - b);
  return [percentile(sorted, 25), percentile(sorted, 75)];
}

/** Nearest-rank percentile of an already sorted list (ascending); NaN for an empty list. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Per-key medians of a list of samples with the same numeric keys (e.g. one per round). */
export function medians(samples: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  const first = samples[0];
  if (first === undefined) return out;
  for (const key of Object.keys(first)) if (typeof first[key] === 'number') out[key] = median(samples.map((s) => s[key]!));
  return out;
}

/** `a / b` as "1.23×", or "n/a" when there is nothing to divide by. */
export const ratio = (a: number, b: number, digits = 2): string => (b === 0 || !Number.isFinite(a / b) ? 'n/a' : `${(a / b).toFixed(digits)}×`);

/** A number with thousands separators and a fixed number of decimals. */
export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';

/** The items in a different order each round, so no implementation always runs first. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  return items.map((_, i) => items[(i + by) % items.length]!);
}
