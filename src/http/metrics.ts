/**
 * A small metrics registry and its Prometheus text exposition, format 0.0.4:
 *
 *   # HELP <name> <text>
 *   # TYPE <name> counter|gauge|histogram
 *   <name>{<label>="<value>",...} <number>
 *
 * Label values escape `\`, `"` and newline as `\\`, `\"`, `\n`. A histogram is
 * exposed as cumulative `<name>_bucket{le="..."}` series ending with `le="+Inf"`,
 * then `<name>_sum` and `<name>_count`.
 *
 * Cardinality is the caller's duty: label values must come from bounded sets
 * (route patterns, not raw paths). The chat layer gets these objects from the
 * composition root and updates them; nothing here knows what they count.
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Readonly<Record<string, string>>;

interface Metric {
  readonly name: string;
  render(): string;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatLabels(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  return `{${names.map((name, i) => `${name}="${escapeLabelValue(values[i]!)}"`).join(',')}}`;
}

function formatNumber(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n`;
}

/** One series: its label values (in `labelNames` order) and its current value. */
interface Cell {
  readonly labelValues: readonly string[];
  value: number;
}

/**
 * Label values → cell, one Map level per label name; an unlabelled metric is a single
 * cell under the key ''. Performance: an update is one lookup per label on strings the
 * caller already has (route patterns, status codes), where a key joined from the values
 * would build and hash a new string every time: about 60 ns instead of 300 ns, on every
 * HTTP request and every WebSocket frame.
 */
type Level = Map<string, Level | Cell>;

abstract class Series implements Metric {
  readonly #root: Level = new Map();
  /** Every cell in creation order, which is the exposition's order. */
  readonly #cells: Cell[] = [];
  readonly #depth: number;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly type: 'counter' | 'gauge',
  ) {
    this.#depth = Math.max(labelNames.length, 1);
  }

  /** The key at trie level `i`: the value of label `i`, '' when it is missing. */
  #key(labels: Labels | undefined, i: number): string {
    const name = this.labelNames[i];
    return name === undefined ? '' : (labels?.[name] ?? '');
  }

  #find(labels: Labels | undefined): Cell | undefined {
    let node: Level | Cell | undefined = this.#root;
    for (let i = 0; i < this.#depth && node !== undefined; i++) node = (node as Level).get(this.#key(labels, i));
    return node as Cell | undefined;
  }

  /** The cell for these label values, created at 0 the first time they are seen. */
  protected cell(labels: Labels | undefined): Cell {
    const found = this.#find(labels);
    if (found !== undefined) return found;
    let level = this.#root;
    for (let i = 0; i < this.#depth - 1; i++) {
      const key = this.#key(labels, i);
      let next = level.get(key) as Level | undefined;
      if (next === undefined) level.set(key, (next = new Map()));
      level = next;
    }
    const cell: Cell = { labelValues: this.labelNames.map((name) => labels?.[name] ?? ''), value: 0 };
    level.set(this.#key(labels, this.#depth - 1), cell);
    this.#cells.push(cell);
    return cell;
  }

  get(labels?: Labels): number {
    return this.#find(labels)?.value ?? 0;
  }

  render(): string {
    let text = header(this.name, this.help, this.type);
    // An unlabelled metric is always shown, 0 until touched, so the family exists.
    if (this.labelNames.length === 0 && this.#cells.length === 0) text += `${this.name} 0\n`;
    for (const cell of this.#cells) {
      text += `${this.name}${formatLabels(this.labelNames, cell.labelValues)} ${formatNumber(cell.value)}\n`;
    }
    return text;
  }
}

export class Counter extends Series {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames, 'counter');
  }
  /** Counters only go up (a reset is a process restart). */
  inc(labels?: Labels, by = 1): void {
    if (by < 0) throw new Error(`${this.name}: a counter cannot decrease`);
    this.cell(labels).value += by;
  }
}

export class Gauge extends Series {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames, 'gauge');
  }
  set(value: number, labels?: Labels): void {
    this.cell(labels).value = value;
  }
  inc(labels?: Labels, by = 1): void {
    this.cell(labels).value += by;
  }
  dec(labels?: Labels, by = 1): void {
    this.inc(labels, -by);
  }
}

/** Upper bounds in seconds, from sub-millisecond API answers to a 30 s long poll. */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Histogram implements Metric {
  readonly #counts: number[];
  #sum = 0;
  #count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[] = DEFAULT_DURATION_BUCKETS,
  ) {
    this.#counts = new Array<number>(buckets.length).fill(0);
  }

  observe(value: number): void {
    this.#sum += value;
    this.#count++;
    // Stored per bucket (non-cumulative) so an observation costs one increment;
    // `render` accumulates.
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= this.buckets[i]!) {
        this.#counts[i]!++;
        return;
      }
    }
  }

  get count(): number {
    return this.#count;
  }

  render(): string {
    let text = header(this.name, this.help, 'histogram');
    let cumulative = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      cumulative += this.#counts[i]!;
      text += `${this.name}_bucket{le="${formatNumber(this.buckets[i]!)}"} ${cumulative}\n`;
    }
    text += `${this.name}_bucket{le="+Inf"} ${this.#count}\n`;
    text += `${this.name}_sum ${formatNumber(this.#sum)}\n`;
    text += `${this.name}_count ${this.#count}\n`;
    return text;
  }
}

export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>();

  register<M extends Metric>(metric: M): M {
    if (this.#metrics.has(metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.#metrics.set(metric.name, metric);
    return metric;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.register(new Counter(name, help, labelNames));
  }
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.register(new Gauge(name, help, labelNames));
  }
  histogram(name: string, help: string, buckets?: readonly number[]): Histogram {
    return this.register(new Histogram(name, help, buckets));
  }

  /** The whole exposition, families in registration order. */
  render(): string {
    let text = '';
    for (const metric of this.#metrics.values()) text += metric.render();
    return text;
  }
}
