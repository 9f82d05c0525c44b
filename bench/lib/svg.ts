/**
 * A dependency-free horizontal bar chart, rendered as an SVG string: one bar per row, the
 * value and its unit after the bar, and a ratio annotation ("0.93× ws") after that. Rows may
 * be grouped (a heading row per group, e.g. one per message size), and a bar may be
 * highlighted (SocketLink's own rows). Text is escaped; nothing is fetched or scripted, so
 * the file renders the same on GitHub, in a browser or in an image viewer.
 */

export interface Bar {
  label: string;
  value: number;
  /** A heading the bar is listed under; consecutive bars with the same group share it. */
  group?: string;
  /** Drawn in the accent colour (our own implementation). */
  highlight?: boolean;
  /** Free text after the value, e.g. "1.12× ws". Overrides the ratio computed from `ratioTo`. */
  note?: string;
}

export interface BarChart {
  title: string;
  /** Unit after each value, e.g. "req/s" or "ms". */
  unit: string;
  bars: Bar[];
  /** One line under the title, e.g. "higher is better; same-run ratios; shared 2-core machine". */
  subtitle?: string;
  /** Label of the bar (within the same group) every other bar's ratio is computed against. */
  ratioTo?: string;
  /** Digits after the decimal point for values (default: 0 at 100 and above, else 2). */
  digits?: number;
}

// Layout, in SVG user units (pixels at 100 %).
const MIN_WIDTH = 860;
const PADDING = 16;
/** A generous average glyph width at font-size 12, to leave room for the text after a bar. */
const CHAR_WIDTH = 7;
const LABEL_WIDTH = 280;
const BAR_AREA = 340;
const ROW_HEIGHT = 22;
const BAR_HEIGHT = 14;
const TITLE_HEIGHT = 28;
const SUBTITLE_HEIGHT = 20;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const BAR_COLOUR = '#9aa5b1';
const ACCENT_COLOUR = '#2f6fdf';
const TEXT_COLOUR = '#1f2933';
const MUTED_COLOUR = '#616e7c';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

export function formatValue(value: number, digits?: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const d = digits ?? (Math.abs(value) >= 100 ? 0 : 2);
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** The annotation after a bar: its note, else its ratio to the chart's `ratioTo` bar in its group. */
function annotation(chart: BarChart, bar: Bar): string {
  if (bar.note !== undefined) return bar.note;
  if (chart.ratioTo === undefined || bar.label === chart.ratioTo) return '';
  const base = chart.bars.find((b) => b.label === chart.ratioTo && b.group === bar.group);
  if (base === undefined || base.value === 0 || !Number.isFinite(bar.value)) return '';
  return `${(bar.value / base.value).toFixed(2)}× ${chart.ratioTo}`;
}

export function barChart(chart: BarChart): string {
  // 1. Lay out the rows: a heading row whenever the group changes, then the bar.
  type Row = { kind: 'group'; text: string } | { kind: 'bar'; bar: Bar };
  const rows: Row[] = [];
  let group: string | undefined;
  for (const bar of chart.bars) {
    if (bar.group !== undefined && bar.group !== group) rows.push({ kind: 'group', text: bar.group });
    group = bar.group;
    rows.push({ kind: 'bar', bar });
  }
  // 2. Scale every bar against the largest finite value, so bars across groups compare.
  const max = Math.max(0, ...chart.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)));
  const scale = max > 0 ? BAR_AREA / max : 0;
  const top = PADDING + TITLE_HEIGHT + (chart.subtitle ? SUBTITLE_HEIGHT : 0);
  const height = top + rows.length * ROW_HEIGHT + PADDING;
  const valueText = (bar: Bar) => `${formatValue(bar.value, chart.digits)} ${chart.unit}`;
  // The longest bar's value and note, or any other's, decide how wide the picture must be.
  const textRoom = Math.max(0, ...chart.bars.map((b) => (Number.isFinite(b.value) ? b.value * scale : 0) + (valueText(b).length + annotation(chart, b).length + 2) * CHAR_WIDTH));
  const WIDTH = Math.max(MIN_WIDTH, Math.ceil(PADDING * 2 + LABEL_WIDTH + textRoom));
  // 3. Draw: title, subtitle, then each row.
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeXml(chart.title)}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${PADDING}" y="${PADDING + 18}" ${FONT} font-size="16" font-weight="600" fill="${TEXT_COLOUR}">${escapeXml(chart.title)}</text>`,
  ];
  if (chart.subtitle) out.push(`<text x="${PADDING}" y="${PADDING + TITLE_HEIGHT + 12}" ${FONT} font-size="12" fill="${MUTED_COLOUR}">${escapeXml(chart.subtitle)}</text>`);
  rows.forEach((row, i) => {
    const y = top + i * ROW_HEIGHT;
    const baseline = y + ROW_HEIGHT / 2 + 4;
    if (row.kind === 'group') {
      out.push(`<text x="${PADDING}" y="${baseline}" ${FONT} font-size="12" font-weight="600" fill="${TEXT_COLOUR}">${escapeXml(row.text)}</text>`);
      return;
    }
    const { bar } = row;
    const x = PADDING + LABEL_WIDTH;
    const width = Number.isFinite(bar.value) ? Math.max(1, bar.value * scale) : 0;
    const value = valueText(bar);
    const note = annotation(chart, bar);
    out.push(
      `<text x="${x - 8}" y="${baseline}" text-anchor="end" ${FONT} font-size="12" fill="${TEXT_COLOUR}">${escapeXml(bar.label)}</text>`,
      `<rect x="${x}" y="${y + (ROW_HEIGHT - BAR_HEIGHT) / 2}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" rx="2" fill="${bar.highlight ? ACCENT_COLOUR : BAR_COLOUR}"><title>${escapeXml(`${bar.label}: ${value}`)}</title></rect>`,
      `<text x="${x + width + 6}" y="${baseline}" ${FONT} font-size="12" fill="${TEXT_COLOUR}">${escapeXml(value)}${note ? `<tspan fill="${MUTED_COLOUR}" dx="8">${escapeXml(note)}</tspan>` : ''}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
