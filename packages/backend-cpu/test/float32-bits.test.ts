import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

// relu and reluBackward run on float32 bit patterns when every operand is dense float32 (see
// ElementwiseSpec.float32Bits). The float64 kernels use the float expressions, which the
// PyTorch fixtures of packages/core check; the float32 results must match them bit for bit in
// sign and zero, for every special value, negative NaNs included, at any length and offset.

const SPECIAL = [
  0,
  -0,
  1,
  -1,
  0.5,
  -2.5,
  1e-45,
  -1e-45,
  3.4e38,
  -3.4e38,
  Infinity,
  -Infinity,
  Number.NaN,
];

/** Specials, two negative NaN bit patterns (int32 -1 and -2²³ + 1) and random values. */
function values(n: number): Float32Array {
  const a = new Float32Array(n);
  const bits = new Int32Array(a.buffer);
  for (let i = 0; i < n; i++) {
    const k = i % (SPECIAL.length + 3);
    if (k < SPECIAL.length) a[i] = SPECIAL[k]!;
    else if (k === SPECIAL.length) bits[i] = -1;
    else if (k === SPECIAL.length + 1) bits[i] = -8388607;
    else a[i] = Math.sin(i) * 10;
  }
  return a;
}

function sameValues(got: torch.Tensor, want: torch.Tensor): void {
  const g = Array.from(got.dataSync());
  const w = Array.from(want.dataSync());
  expect(g.length).toBe(w.length);
  for (let i = 0; i < g.length; i++) {
    if (!Object.is(g[i], Math.fround(w[i]!))) {
      throw new Error(`element ${i}: got ${Object.is(g[i], -0) ? '-0' : g[i]}, want ${w[i]}`);
    }
  }
}

describe('float32 bit-pattern kernels', () => {
  const reluBackward = torch.getOp('reluBackward');

  for (const n of [1, 7, 8, 9, 45, 64]) {
    it(`relu and reluBackward match the float64 kernels (${n} elements)`, () => {
      const x = torch.fromTypedArray(values(n + 3), [n + 3]);
      const g = torch.fromTypedArray(values(n + 5).reverse(), [n + 5]);
      // Dense operands at offsets 0 and nonzero.
      for (const [xv, gv] of [
        [x.narrow(0, 0, n), g.narrow(0, 0, n)],
        [x.narrow(0, 3, n), g.narrow(0, 5, n)],
      ] as const) {
        expect(xv.isContiguous()).toBe(true);
        sameValues(xv.relu(), xv.double().relu());
        const y = xv.relu();
        sameValues(
          torch.callOp(reluBackward, [gv, y]) as torch.Tensor,
          torch.callOp(reluBackward, [gv.double(), y.double()]) as torch.Tensor,
        );
        // The output operand may be any float: the gradient passes where y is a NaN.
        sameValues(
          torch.callOp(reluBackward, [gv, xv]) as torch.Tensor,
          torch.callOp(reluBackward, [gv.double(), xv.double()]) as torch.Tensor,
        );
      }
    });
  }

  it('keeps -0 and NaN and zeroes -∞, as PyTorch', () => {
    const x = torch.tensor([-0, 0, -1, Number.NaN, -Infinity, Infinity, 2, -3, 4]);
    const y = Array.from(x.relu().dataSync());
    expect(y.map((v) => (Object.is(v, -0) ? '-0' : String(v)))).toEqual([
      '-0',
      '0',
      '0',
      'NaN',
      '0',
      'Infinity',
      '2',
      '0',
      '4',
    ]);
    // threshold_backward(g, y, 0): g where y > 0 or y is NaN, else +0 (even for NaN or ∞ g).
    const g = torch.tensor([1, -2, 3, Number.NaN, Infinity, 5, -0, 7, 8]);
    const gi = Array.from((torch.callOp(reluBackward, [g, x.relu()]) as torch.Tensor).dataSync());
    expect(gi.map((v) => (Object.is(v, -0) ? '-0' : String(v)))).toEqual([
      '0',
      '0',
      '0',
      'NaN',
      '0',
      '5',
      '-0',
      '0',
      '8',
    ]);
  });
});
