import { readFileSync } from 'node:fs';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

type Tensor = torch.Tensor;
const f64 = { dtype: 'float64' as const };
const leaf = (v: number[] | number[][]) => torch.tensor(v, { ...f64, requiresGrad: true });
const values = (t: Tensor) => Array.from(t.dataSync());

function expectAllClose(a: Tensor | number[], b: Tensor | number[], tol = 1e-9): void {
  const av = Array.isArray(a) ? a : values(a);
  const bv = Array.isArray(b) ? b : values(b);
  expect(av.length).toBe(bv.length);
  av.forEach((v, i) => {
    expect(Math.abs(v - bv[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(bv[i]!)));
  });
}

/** An in-place add through core's in-place machinery (as `add_` does). */
const addInplace = (t: Tensor, v: number) => torch.inplace(t, 'add_', () => t.add(v));

describe('weight sharing (the course notes loop)', () => {
  const fx = JSON.parse(
    readFileSync(new URL('./fixtures/weight_sharing.json', import.meta.url), 'utf8'),
  ) as { w: number[][][]; x1: number[]; x2: number[]; q: number; grad: number[][][] };

  const blah = (w: Tensor, k: number, x: Tensor) => {
    for (let i = 0; i < k; i++) x = w.select(0, i).matmul(x).tanh();
    return x;
  };

  it('accumulates w.grad over every use of w[i], matching PyTorch and finite differences', () => {
    const w = torch.tensor(fx.w, { ...f64, requiresGrad: true });
    const x1 = torch.tensor(fx.x1, f64);
    const x2 = torch.tensor(fx.x2, f64);
    const u = blah(w, 1, x1);
    const v = blah(w, 3, x2);
    const q = u.dot(v);
    q.backward();
    expect(q.item()).toBeCloseTo(fx.q, 12);
    expectAllClose(w.grad!, fx.grad.flat(2), 1e-10);
    expect(
      torch.autograd.gradcheck(
        (ww: Tensor) => blah(ww, 1, x1).dot(blah(ww, 3, x2)),
        [torch.tensor(fx.w, { ...f64, requiresGrad: true })],
      ),
    ).toBe(true);
  });
});

describe('backward', () => {
  it('accumulates gradients over two backward calls with retainGraph', () => {
    const x = leaf([1, 2, 3]);
    const y = x.mul(x).sum();
    y.backward(null, { retainGraph: true });
    expectAllClose(x.grad!, [2, 4, 6]);
    y.backward();
    expectAllClose(x.grad!, [4, 8, 12]);
  });

  it("raises PyTorch's errors", () => {
    const x = leaf([1, 2]);
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/Trying to backward through the graph a second time/);
    expect(() => x.mul(2).backward()).toThrow(
      'grad can be implicitly created only for scalar outputs',
    );
    const z = x.exp();
    const s = z.sum();
    addInplace(z, 1);
    expect(() => s.backward()).toThrow(
      /one of the variables needed for gradient computation has been modified by an inplace operation/,
    );
    expect(() => addInplace(x, 1)).toThrow(
      /a leaf Variable that requires grad is being used in an in-place operation/,
    );
    expect(() => torch.tensor([1]).sum().backward()).toThrow(
      /element 0 of tensors does not require grad and does not have a grad_fn/,
    );
  });

  it('in place on a value no backward needs is fine, and gradients follow the new history', () => {
    const x = leaf([1, 2]);
    const y = x.mul(3);
    addInplace(y, 1); // mul by a constant saves x, not y
    y.mul(y).sum().backward();
    // y = 3x + 1, d/dx sum(y²) = 2y * 3
    expectAllClose(x.grad!, [24, 42]);
  });

  it('runs tensor hooks that may replace the gradient, until removed', () => {
    const x = leaf([1, 2]);
    const seen: number[][] = [];
    const h = x.registerHook((g) => {
      seen.push(values(g));
      return g.mul(10);
    });
    x.mul(x).sum().backward();
    expectAllClose(x.grad!, [20, 40]);
    expect(seen).toEqual([[2, 4]]);
    h.remove();
    x.grad = null;
    x.mul(x).sum().backward();
    expectAllClose(x.grad!, [2, 4]);

    // A hook on an intermediate changes what flows further back.
    const a = leaf([1, 2]);
    const b = a.mul(2);
    b.registerHook((g) => g.mul(0));
    b.sum().add(a.sum()).backward();
    expectAllClose(a.grad!, [1, 1]);
  });

  it('keeps .grad of non-leaves with retainGrad only', () => {
    const x = leaf([1, 2]);
    const h = x.mul(x);
    const k = h.mul(2);
    h.retainGrad();
    k.sum().backward();
    expectAllClose(h.grad!, [2, 2]);
    expect(k.grad).toBeNull();
    expect(h.isLeaf).toBe(false);
  });

  it('detach cuts the graph and shares storage; noGrad/enableGrad scope recording', () => {
    const x = leaf([1, 2]);
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.storage).toBe(x.storage);
    const y = x.mul(d).sum(); // d is a constant
    y.backward();
    expectAllClose(x.grad!, [1, 2]);

    const n = torch.noGrad(() => x.mul(2));
    expect(n.requiresGrad).toBe(false);
    expect(n.gradFn).toBeNull();
    const e = torch.noGrad(() => torch.enableGrad(() => x.mul(2)));
    expect(e.requiresGrad).toBe(true);
    expect(e.gradFn?.name).toBe('MulBackward0');
    expect(torch.isGradEnabled()).toBe(true);
    expect(() =>
      torch.noGrad(() => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(torch.isGradEnabled()).toBe(true);
  });
});

describe('grad()', () => {
  it('returns one gradient per input, a one-element array for one input', () => {
    const x = leaf([1, 2]);
    const r = torch.autograd.grad(x.mul(x).sum(), x);
    expect(Array.isArray(r)).toBe(true);
    expect(r.length).toBe(1);
    expectAllClose(r[0]!, [2, 4]);
    expect(x.grad).toBeNull();
  });

  it('sums the gradients of several outputs', () => {
    const x = leaf([1, 2]);
    const [g] = torch.autograd.grad([x.mul(x).sum(), x.mul(3).sum()], [x]);
    expectAllClose(g!, [5, 7]);
    const [h] = torch.autograd.grad([x.mul(2), x.exp()], [x], {
      gradOutputs: [torch.ones(2, f64), torch.tensor([1, 0], f64)],
    });
    expectAllClose(h!, [2 + Math.E, 2]);
  });

  it('allowUnused gives null; otherwise an error', () => {
    const x = leaf([1]);
    const y = leaf([2]);
    const z = x.mul(2).sum();
    expect(() => torch.autograd.grad(z, [x, y], { retainGraph: true })).toThrow(
      /appears to not have been used in the graph/,
    );
    const [gx, gy] = torch.autograd.grad(z, [x, y], { allowUnused: true });
    expectAllClose(gx!, [2]);
    expect(gy).toBeNull();
  });

  it('runs only the part of the graph between outputs and inputs', () => {
    const x = leaf([1, 2]);
    const h = x.exp();
    h.sum().backward(); // frees ExpBackward's saved tensors
    let hookRuns = 0;
    x.registerHook((g) => {
      hookRuns++;
      return g;
    });
    // Below h nothing is needed: no "backward through the graph a second time", no hook on x.
    const [gh] = torch.autograd.grad(h.mul(2).sum(), [h]);
    expectAllClose(gh!, [2, 2]);
    expect(hookRuns).toBe(0);
    expectAllClose(x.grad!, [Math.E, Math.E ** 2]);
  });

  it('higher-order: d²/dx² x³ = 6x with createGraph', () => {
    const x = leaf([0.5, -2, 3]);
    const y = x.mul(x).mul(x).sum();
    const [g1] = torch.autograd.grad(y, [x], { createGraph: true });
    expectAllClose(g1!, [0.75, 12, 27]);
    expect(g1!.requiresGrad).toBe(true);
    const [g2] = torch.autograd.grad(g1!.sum(), [x], { createGraph: true });
    expectAllClose(g2!, [3, -12, 18]);
    const [g3] = torch.autograd.grad(g2!.sum(), [x]);
    expectAllClose(g3!, [6, 6, 6]);
  });

  it('hessian of a small function matches its closed form', () => {
    // f(a, b) = a² b + exp(a) b³  →  H = [[2b + e^a b³, 2a + 3 e^a b²], [., 6 e^a b]]
    const p = leaf([0.3, -1.2]);
    const f = (t: Tensor) => {
      const a = t.select(0, 0);
      const b = t.select(0, 1);
      return a.mul(a).mul(b).add(a.exp().mul(b).mul(b).mul(b));
    };
    const [g] = torch.autograd.grad(f(p), [p], { createGraph: true });
    const rows = [0, 1].map(
      (i) => torch.autograd.grad(g!.select(0, i), [p], { retainGraph: true })[0]!,
    );
    const [a, b] = [0.3, -1.2];
    const ea = Math.exp(a);
    expectAllClose(rows[0]!, [2 * b + ea * b ** 3, 2 * a + 3 * ea * b ** 2]);
    expectAllClose(rows[1]!, [2 * a + 3 * ea * b ** 2, 6 * ea * b]);
    expectAllClose(torch.autograd.functional.hessian(f, p.detach()), [
      ...values(rows[0]!),
      ...values(rows[1]!),
    ]);
  });
});

describe('toDot', () => {
  it('labels backward nodes with PyTorch names and leaves with their shapes', () => {
    const w = torch.rand(3, 4, { ...f64, requiresGrad: true });
    const x = torch.rand(4, f64);
    const y = w.mv(x).tanh().mul(w.sum()).sum();
    const dot = torch.autograd.toDot(y, { params: { w } });
    expect(dot).toMatch(/^digraph "autograd" \{/);
    for (const name of ['SumBackward0', 'MulBackward0', 'TanhBackward0', 'AccumulateGrad']) {
      expect(dot).toContain(`[label="${name}"]`);
    }
    expect(dot).toContain('label="w\\n(3, 4)", fillcolor=lightblue');
    expect(dot).toContain('label="()", fillcolor=darkolivegreen1');
    // w is drawn once even though two paths reach it.
    expect(dot.match(/AccumulateGrad/g)!.length).toBe(1);
    const edges = dot.split('\n').filter((l) => l.includes('->'));
    expect(new Set(edges).size).toBe(edges.length);
    const accId = /\s(n\d+) \[label="AccumulateGrad"\]/.exec(dot)![1];
    expect(edges.filter((l) => l.trim().startsWith(`${accId} ->`)).length).toBe(2);
  });
});
