import type { OpSample } from '../registry.js';

/**
 * Reusable conformance samples (see `OpSample`) for op families whose ops share argument
 * patterns. `@autodag/testing` runs them; values are drawn from a seeded generator.
 */

/**
 * Samples of an elementwise binary op: same shapes, broadcasting, 0-d operands, layouts, dtypes.
 * @example samples: () => binarySamples({ low: 0.5, high: 2 }, { int: true })
 */
export function binarySamples(
  other: { low?: number; high?: number } = {},
  opts: { int?: boolean } = {},
): OpSample[] {
  const b = { low: other.low, high: other.high };
  const samples: OpSample[] = [
    { name: 'same shape', inputs: [{ shape: [2, 3] }, { shape: [2, 3], ...b }] },
    { name: 'broadcast row', inputs: [{ shape: [2, 3] }, { shape: [3], ...b }] },
    { name: 'broadcast both', inputs: [{ shape: [3, 1] }, { shape: [1, 4], ...b }] },
    { name: '0-d operand', inputs: [{ shape: [2, 3] }, { shape: [], ...b }] },
    {
      name: 'float64 transposed',
      inputs: [
        { shape: [3, 2], dtype: 'float64', layout: 'transposed' },
        { shape: [3, 2], dtype: 'float64', layout: 'strided', ...b },
      ],
    },
  ];
  if (opts.int) {
    samples.push({
      name: 'int32',
      inputs: [
        { shape: [2, 3], dtype: 'int32' },
        { shape: [2, 3], dtype: 'int32', ...b },
      ],
    });
  }
  return samples;
}

/**
 * Samples of an elementwise unary op over `[low, high)`.
 * @example samples: () => unarySamples(0.1, 4) // positive inputs, e.g. for log
 */
export function unarySamples(low = -2, high = 2): OpSample[] {
  return [
    { name: 'matrix', inputs: [{ shape: [3, 4], low, high }] },
    { name: '0-d', inputs: [{ shape: [], low, high }] },
    { name: 'float64 3-d', inputs: [{ shape: [2, 2, 3], dtype: 'float64', low, high }] },
    { name: 'transposed', inputs: [{ shape: [4, 3], low, high, layout: 'transposed' }] },
  ];
}
