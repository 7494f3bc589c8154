import * as torch from 'autodag';

/**
 * Test matrices for the matmul kernels: reproducible values, the same values stored in the
 * layouts the kernels tell apart, and a float64 reference product.
 */

type Tensor = torch.Tensor;

/**
 * How `matrix` stores its values: transposed (stored as its transpose, read through `.t()`),
 * sliced (every other column of a wider matrix, offset by one row), expanded (one row broadcast
 * with stride 0) or expandedColumn (one column repeated: strides [1, 0]).
 */
export type Layout = 'contiguous' | 'transposed' | 'sliced' | 'expanded' | 'expandedColumn';

/**
 * Deterministic values in [-1, 1), or small integers in [-5, 5] for `int`.
 * @example values(3, 1) // three floats, the same on every run
 */
export function values(n: number, seed: number, int = false): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const r = s / 2 ** 32;
    out.push(int ? Math.floor(r * 11) - 5 : r * 2 - 1);
  }
  return out;
}

/**
 * A rows×cols matrix as nested rows, and as a tensor of `dtype` stored in `layout`.
 * @example const { t, rows } = matrix(2, 3, 'transposed', 7) // t.strides: [1, 2]
 */
export function matrix(
  rows: number,
  cols: number,
  layout: Layout,
  seed: number,
  dtype: torch.DType = 'float32',
): { t: Tensor; rows: number[][] } {
  const int = dtype === 'int32';
  if (layout === 'expandedColumn') {
    const col = values(rows, seed, int);
    const t = torch.tensor(col, { dtype }).reshape([rows, 1]).expand([rows, cols]);
    return { t, rows: col.map((v) => new Array<number>(cols).fill(v)) };
  }
  if (layout === 'expanded') {
    const row = values(cols, seed, int);
    const t = torch.tensor(row, { dtype }).reshape([1, cols]).expand([rows, cols]);
    return { t, rows: Array.from({ length: rows }, () => row.slice()) };
  }
  const v = values(rows * cols, seed, int);
  const ref = Array.from({ length: rows }, (_, r) => v.slice(r * cols, (r + 1) * cols));
  if (layout === 'contiguous')
    return { t: torch.tensor(v, { dtype }).reshape([rows, cols]), rows: ref };
  if (layout === 'transposed') {
    const stored = transpose(ref, cols);
    return { t: torch.tensor(stored.flat(), { dtype }).reshape([cols, rows]).t(), rows: ref };
  }
  const big: number[] = new Array<number>(2 * cols).fill(99);
  for (const row of ref) for (let c = 0; c < 2 * cols; c++) big.push(c % 2 ? 99 : row[c / 2]!);
  const all = torch.tensor(big, { dtype }).reshape([rows + 1, 2 * cols]);
  return { t: torch.slice(torch.slice(all, 0, 1, rows + 1), 1, 0, 2 * cols, 2), rows: ref };
}

/**
 * The float64 product of nested rows (a textbook triple loop); `k` and `n` for empty operands.
 * @example naive([[1, 2]], [[3], [4]]) // [[11]]
 */
export function naive(
  a: number[][],
  b: number[][],
  k = b.length,
  n = b[0]?.length ?? 0,
): number[][] {
  return a.map((row) => {
    const out = new Array<number>(n).fill(0);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += row[p]! * b[p]![j]!;
      out[j] = s;
    }
    return out;
  });
}

/**
 * The transpose of nested rows (`cols` for an empty one).
 * @example transpose([[1, 2, 3]]) // [[1], [2], [3]]
 */
export function transpose(rows: number[][], cols = rows[0]?.length ?? 0): number[][] {
  return Array.from({ length: cols }, (_, j) => rows.map((row) => row[j]!));
}
