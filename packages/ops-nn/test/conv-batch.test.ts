import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

/**
 * The float32 convolution kernels run a batch of products on the WebAssembly GEMM (shared weight
 * packed once, weight gradient summed inside the GEMM, column matrices written in place). These
 * check them at sizes that take that path against float64 runs, which take the JS path.
 */

const F = torch.nn.functional;

function maxRelErr(got: torch.Tensor, want: torch.Tensor): number {
  const g = got.dataSync();
  const w = want.dataSync();
  expect(g.length).toBe(w.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < g.length; i++) {
    err = Math.max(err, Math.abs(Number(g[i]) - Number(w[i])));
    scale = Math.max(scale, Math.abs(Number(w[i])));
  }
  return err / (scale || 1);
}

const CASES: { name: string; x: number[]; w: number[]; opts: Record<string, unknown> }[] = [
  {
    name: '32→64, 3×3, padding 1 (K past one block)',
    x: [3, 32, 14, 14],
    w: [64, 32, 3, 3],
    opts: { padding: 1 },
  },
  { name: '1→32, 3×3, padding 1', x: [4, 1, 28, 28], w: [32, 1, 3, 3], opts: { padding: 1 } },
  {
    name: 'strided, dilated, grouped',
    x: [2, 8, 13, 11],
    w: [12, 4, 3, 2],
    opts: { stride: 2, dilation: [1, 2], groups: 2 },
  },
  { name: '1×1', x: [2, 16, 10, 10], w: [24, 16, 1, 1], opts: {} },
];

describe('conv2d float32 batched GEMM path', () => {
  for (const c of CASES) {
    it(`${c.name}: values and gradients match float64`, () => {
      torch.manualSeed(1);
      const x64 = torch.randn(c.x, { dtype: 'float64' });
      const w64 = torch.randn(c.w, { dtype: 'float64' });
      const b64 = torch.randn([c.w[0]!], { dtype: 'float64' });
      const run = (dtype: 'float32' | 'float64') => {
        const x = x64.detach().to(dtype).requiresGrad_();
        const w = w64.detach().to(dtype).requiresGrad_();
        const b = b64.detach().to(dtype).requiresGrad_();
        const y = F.conv2d(x, w, b, c.opts);
        // A non-uniform upstream gradient, so every product contributes differently.
        y.mul(y.detach().sin()).sum().backward();
        return [y, x.grad!, w.grad!, b.grad!];
      };
      const want = run('float64');
      const got = run('float32');
      for (let i = 0; i < 4; i++) expect(maxRelErr(got[i]!, want[i]!)).toBeLessThan(1e-5);
    });
  }

  it('the gradient of a sum (a broadcast scalar) reaches every input', () => {
    torch.manualSeed(2);
    const x = torch.randn([2, 32, 9, 9]).requiresGrad_();
    const w = torch.randn([16, 32, 3, 3]).requiresGrad_();
    F.conv2d(x, w, null, { padding: 1 }).sum().backward();
    const gx = x.grad!;
    const gw = w.grad!;
    x.grad = null;
    w.grad = null;
    const y = F.conv2d(x, w, null, { padding: 1 });
    y.mul(torch.onesLike(y)).sum().backward();
    expect(maxRelErr(gx, x.grad!)).toBeLessThan(1e-6);
    expect(maxRelErr(gw, w.grad!)).toBeLessThan(1e-6);
  });
});
