/**
 * Deterministic numbers shared by every check and by the fixture generator: per-input seeds and
 * the fixed weights that turn op outputs into a scalar for gradient checks.
 */

/**
 * 32-bit FNV-1a hash of a string; seeds a sample's generator from the op and sample names, so a
 * sample's values do not depend on which other ops or samples exist.
 * @example fnv1a('add/broadcast/0') // a stable 32-bit integer
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The weight applied to element `i` of output `k` when gradients are checked: the loss is
 * `Σ_k sum(output_k * weights_k)`. `gen_fixtures.py` uses the same formula, so gradients from
 * PyTorch and from autodag refer to the same loss. Never zero, mixed signs.
 * @example gradWeights(3, 0) // [-0.488, 0.588, -0.334] (rounded)
 */
export function gradWeights(n: number, k: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = (((i + 1000 * k) * 7 + 3) % 13) / 6.5 - 0.95;
  return w;
}

/**
 * A short digest of materialised input values (shapes, dtypes and every element), stored in the
 * fixtures to detect fixtures generated from different inputs than the current samples produce.
 * @example digestInputs([{ shape: [2], dtype: 'float32', values: [1, 2] }]) // 'fedd35b7'
 */
export function digestInputs(
  inputs: readonly { shape: readonly number[]; dtype: string; values: readonly number[] }[],
): string {
  const text = inputs
    .map((x) => `${x.dtype}[${x.shape.join(',')}]:${x.values.map(formatExact).join(',')}`)
    .join('|');
  return fnv1a(text).toString(16).padStart(8, '0');
}

function formatExact(v: number): string {
  if (Object.is(v, -0)) return '-0';
  return Number.isNaN(v) ? 'nan' : String(v);
}
