/** Text output of the WebGPU benchmark. */

type Cell = string | number | undefined;

/** A figure with as many digits as its size warrants; '-' where there is none. */
function cell(v: Cell): string {
  if (v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '-';
  if (typeof v === 'string') return v;
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/**
 * Right-aligned columns, the first left-aligned.
 * @example formatTable(['workload', 'ms'], [['mm1024', 1.5]]) // 'workload    ms\nmm1024    1.50'
 */
export function formatTable(header: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map(cell));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...text.map(line)].join('\n');
}

/**
 * The autodag/tfjs ratio of two figures in words: for GFLOP/s a ratio above 1 is faster, for
 * milliseconds slower.
 * @example ratioWords(0.5, 'GFLOP/s') // '2.0x slower'
 */
export function ratioWords(ratio: number, unit: 'GFLOP/s' | 'ms'): string {
  const speed = unit === 'ms' ? 1 / ratio : ratio;
  return speed >= 1 ? `${speed.toFixed(1)}x faster` : `${(1 / speed).toFixed(1)}x slower`;
}
