/**
 * A dependency-free SVG line chart for training curves: one or more series over a shared x axis,
 * with ticks, labels and a legend. Small enough to read; good enough to see a loss curve.
 */

/** One line on the chart. */
export interface Series {
  /** Legend text. */
  name: string;
  /** Points as [x, y]. */
  points: ReadonlyArray<readonly [number, number]>;
  /** Stroke colour (any SVG colour). */
  color: string;
}

/** Chart labels and size. */
export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
}

const MARGIN = { left: 64, right: 24, top: 40, bottom: 48 };

/** "Nice" tick values (1, 2 or 5 times a power of ten) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Renders the series as an SVG document.
 * @example writeFileSync('loss.svg', lineChartSvg([{ name: 'train', points, color: '#1f77b4' }], { title: 'loss', xLabel: 'step', yLabel: 'loss' }))
 */
export function lineChartSvg(series: readonly Series[], opts: ChartOptions): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? 420;
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 1)];
  const [y0, y1] = [Math.min(...ys, 0), Math.max(...ys, 1e-9)];
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const sy = (y: number) => MARGIN.top + plotH - ((y - y0) / (y1 - y0 || 1)) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(opts.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(opts.title)}</text>`,
  ];
  for (const t of niceTicks(x0, x1)) {
    const x = sx(t).toFixed(1);
    parts.push(
      `<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`,
      `<text x="${x}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${t}</text>`,
    );
  }
  for (const t of niceTicks(y0, y1)) {
    const y = sy(t).toFixed(1);
    parts.push(
      `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotW}" y2="${y}" stroke="#eee"/>`,
      `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${t}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(opts.yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const path = s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    const ly = MARGIN.top + 14 + i * 16;
    parts.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${path}"/>`,
      `<line x1="${MARGIN.left + plotW - 120}" y1="${ly}" x2="${MARGIN.left + plotW - 100}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${MARGIN.left + plotW - 94}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * Exponential moving average of a sequence (what TensorBoard's smoothing slider does), to make a
 * noisy per-step loss readable.
 * @example smooth([1, 0, 1, 0], 0.5) // [1, 0.5, 0.75, 0.375]
 */
export function smooth(values: readonly number[], weight: number): number[] {
  const out: number[] = [];
  let last = values[0] ?? 0;
  for (const v of values) {
    last = last * weight + v * (1 - weight);
    out.push(last);
  }
  return out;
}
