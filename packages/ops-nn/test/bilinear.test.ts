import type { Tensor } from 'autodag';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import fixtures from './fixtures/bilinear.json';
import { dec, type Encoded, maxDiff } from './module-helpers.js';

// PyTorch 1.13 references: scripts/gen_bilinear.py.
const { nn } = torch;
const F = nn.functional;
type Case = Record<string, Encoded>;
const fx = fixtures as unknown as {
  cases: Record<string, Case>;
  seeded: { weight: Encoded; bias: Encoded; repr: string };
};

describe('F.bilinear', () => {
  for (const [name, c] of Object.entries(fx.cases)) {
    it(`${name}: output and gradients equal PyTorch’s`, () => {
      const leaf = (e: Encoded) => dec(e).requiresGrad_(true);
      const x1 = leaf(c.x1!);
      const x2 = leaf(c.x2!);
      const w = leaf(c.w!);
      const b = c.b ? leaf(c.b) : null;
      const y = F.bilinear(x1, x2, w, b);
      expect(y.shape).toEqual(c.out!.shape);
      expect(maxDiff(y, dec(c.out!))).toBeLessThan(1e-12);
      y.backward(dec(c.gradOut!));
      expect(maxDiff(x1.grad!, dec(c.gx1!))).toBeLessThan(1e-12);
      expect(maxDiff(x2.grad!, dec(c.gx2!))).toBeLessThan(1e-12);
      expect(maxDiff(w.grad!, dec(c.gw!))).toBeLessThan(1e-12);
      if (b) expect(maxDiff(b.grad!, dec(c.gb!))).toBeLessThan(1e-12);
    });
  }

  it('passes gradcheck and gradgradcheck in float64', () => {
    torch.manualSeed(0);
    const opts = { dtype: 'float64' as const, requiresGrad: true };
    const inputs = [
      torch.randn([2, 3], opts),
      torch.randn([2, 4], opts),
      torch.randn([2, 3, 4], opts),
      torch.randn([2], opts),
    ];
    const f = (a: Tensor, b: Tensor, w: Tensor, bias: Tensor) => F.bilinear(a, b, w, bias);
    expect(torch.autograd.gradcheck(f, inputs)).toBe(true);
    expect(torch.autograd.gradgradcheck(f, inputs)).toBe(true);
  });

  it('takes strided inputs', () => {
    torch.manualSeed(4);
    const x1 = torch.randn(3, 5).t();
    const x2 = torch.randn(5, 2);
    const w = torch.randn(2, 3, 2);
    const y = F.bilinear(x1, x2, w);
    const ref = F.bilinear(x1.contiguous(), x2, w.contiguous());
    expect(maxDiff(y, ref)).toBe(0);
    // One sample by hand: y[0, o] = Σ_ij x1[0, i] w[o, i, j] x2[0, j].
    const a = x1.contiguous().dataSync();
    const bb = x2.dataSync();
    const ww = w.dataSync();
    for (let o = 0; o < 2; o++) {
      let s = 0;
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 2; j++) s += a[i]! * ww[o * 6 + i * 2 + j]! * bb[j]!;
      expect(y.dataSync()[o]).toBeCloseTo(s, 5);
    }
  });

  it('raises PyTorch’s errors for mismatched shapes', () => {
    const w = torch.randn(2, 3, 4);
    expect(() => F.bilinear(torch.randn(5, 3), torch.randn(4), w)).toThrow(
      /bilinear\(\): input dimensions do not match: got 2 and 1/,
    );
    expect(() => F.bilinear(torch.randn(5, 3), torch.randn(6, 4), w)).toThrow(
      /input batch dimensions do not match: got 5 and 6/,
    );
    expect(() => F.bilinear(torch.randn(5, 2), torch.randn(5, 4), w)).toThrow(
      /input1 size does not match weight size: got 2 but expected 3/,
    );
    expect(() => F.bilinear(torch.randn(5, 3), torch.randn(5, 3), w)).toThrow(
      /input2 size does not match weight size: got 3 but expected 4/,
    );
    expect(() => F.bilinear(torch.randn(5, 3), torch.randn(5, 4), w, torch.randn(3))).toThrow(
      /bias size does not match weight size: got 3 but expected 2/,
    );
    expect(() => F.bilinear(torch.randn(5, 3), torch.randn(5, 4), torch.randn(3, 4))).toThrow(
      /weight must be 3-D/,
    );
    expect(() => F.bilinear(torch.ones([5, 3], { dtype: 'int32' }), torch.randn(5, 4), w)).toThrow(
      /floating point/,
    );
  });
});

describe('nn.Bilinear', () => {
  it('seeded initialisation equals PyTorch’s exactly, and so does its repr', () => {
    torch.manualSeed(0);
    const m = new nn.Bilinear(3, 4, 2);
    expect([...m.weight.shape]).toEqual([2, 3, 4]);
    expect(maxDiff(m.weight, dec(fx.seeded.weight))).toBe(0);
    expect(maxDiff(m.bias!, dec(fx.seeded.bias))).toBe(0);
    expect(String(m)).toBe(fx.seeded.repr);
    expect(Object.keys(m.stateDict())).toEqual(['weight', 'bias']);
  });

  it('forward is F.bilinear with its weights; bias: false drops the bias', () => {
    torch.manualSeed(5);
    const m = new nn.Bilinear(3, 4, 2);
    const x1 = torch.randn(2, 6, 3);
    const x2 = torch.randn(2, 6, 4);
    const y = m.call(x1, x2);
    expect(y.shape).toEqual([2, 6, 2]);
    expect(maxDiff(y, F.bilinear(x1, x2, m.weight, m.bias))).toBe(0);
    const nb = new nn.Bilinear(3, 4, 2, { bias: false, dtype: 'float64' });
    expect(nb.bias).toBeNull();
    expect(nb.weight.dtype).toBe('float64');
    expect(Object.keys(nb.stateDict())).toEqual(['weight']);
    expect(String(nb)).toBe('Bilinear(in1_features=3, in2_features=4, out_features=2, bias=False)');
    y.sum().backward();
    expect(m.weight.grad!.shape).toEqual([2, 3, 4]);
    expect(m.bias!.grad!.shape).toEqual([2]);
  });

  it('rejects bad sizes', () => {
    expect(() => new nn.Bilinear(-1, 2, 3)).toThrow(/in1_features/);
    expect(() => new nn.Bilinear(2, 2.5, 3)).toThrow(/in2_features/);
  });
});
