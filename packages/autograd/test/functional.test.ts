import { readFileSync } from 'node:fs';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

const { jacobian, hessian, vjp, jvp } = torch.autograd.functional;
type Nested = number | Nested[];
const fx = JSON.parse(
  readFileSync(new URL('./fixtures/functional.json', import.meta.url), 'utf8'),
) as Record<string, Nested | Nested[] | Record<string, Nested>>;
const inp = fx.inputs as Record<string, Nested>;
const d = (v: Nested) => torch.tensor(v as number[], { dtype: 'float64' });

function expectClose(t: torch.Tensor, want: Nested, tol = 1e-10): void {
  const flatWant: number[] = [];
  const walk = (v: Nested): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else flatWant.push(v);
  };
  walk(want);
  const got = Array.from(t.dataSync());
  expect(got.length).toBe(flatWant.length);
  got.forEach((g, i) => {
    expect(Math.abs(g - flatWant[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(flatWant[i]!)));
  });
}

const x = d(inp.x!);
const W = d(inp.W!);
const X = d(inp.X!);
const f = (a: torch.Tensor, m: torch.Tensor) => m.matmul(a).tanh().mul(a.exp().sum());
const g = (a: torch.Tensor, m: torch.Tensor) => m.matmul(a).tanh().sum().mul(a.dot(a));

describe('jacobian', () => {
  it('matches the closed form of an elementwise function (single tensor in and out)', () => {
    const t = torch.tensor([1, 2, 3], { dtype: 'float64' });
    const J = jacobian((u) => u.mul(u).mul(u), t);
    expect(J.shape).toEqual([3, 3]);
    expectClose(J, [
      [3, 0, 0],
      [0, 12, 0],
      [0, 0, 27],
    ]);
    expect(J.requiresGrad).toBe(false);
  });

  it('matches PyTorch for array inputs (one Jacobian per input)', () => {
    const [jx, jW] = jacobian(f, [x, W]);
    expect(jx!.shape).toEqual([2, 3]);
    expect(jW!.shape).toEqual([2, 2, 3]);
    const want = fx.jacobian_f as Nested[];
    expectClose(jx!, want[0]!);
    expectClose(jW!, want[1]!);
    expectClose(
      jacobian((a) => f(a, W), x),
      fx.jacobian_f_x as Nested,
    );
  });

  it('matches PyTorch for several outputs of a 2-d input', () => {
    const [j0, j1] = jacobian((t) => [t.mul(t).mul(t), t.exp().sum()], X);
    expect(j0!.shape).toEqual([2, 2, 2, 2]);
    expect(j1!.shape).toEqual([2, 2]);
    const want = fx.jacobian_two_outputs as Nested[];
    expectClose(j0!, want[0]!);
    expectClose(j1!, want[1]!);
  });

  it('forward-mode strategy agrees with reverse mode', () => {
    const rev = jacobian(f, [x, W]);
    const fwd = jacobian(f, [x, W], { strategy: 'forward-mode' });
    expectClose(fwd[0]!, rev[0]!.tolist() as Nested);
    expectClose(fwd[1]!, rev[1]!.tolist() as Nested);
  });

  it('gives array-of-arrays for array inputs and outputs, zeros for unused inputs', () => {
    const a = torch.tensor([1, 2], { dtype: 'float64' });
    const b = torch.tensor([3], { dtype: 'float64' });
    const J = jacobian((p, _q) => [p.mul(2), p.sum()], [a, b]);
    expect(J.length).toBe(2);
    expectClose(J[0]![0]!, [
      [2, 0],
      [0, 2],
    ]);
    expectClose(J[0]![1]!, [[0], [0]]);
    expectClose(J[1]![0]!, [1, 1]);
    expect(() => jacobian((p, _q) => p.mul(2), [a, b], { strict: true })).toThrow(
      /Output 0 of the user-provided function is independent of input 1/,
    );
  });

  it('createGraph keeps the result differentiable', () => {
    const t = torch.tensor([0.5, -1], { dtype: 'float64', requiresGrad: true });
    const J = jacobian((u) => u.mul(u).mul(u), t, { createGraph: true });
    expect(J.requiresGrad).toBe(true);
    // d/dt sum(diag(3t²)) = 6t
    J.sum().backward();
    expectClose(t.grad!, [3, -6]);
  });

  it('rejects non-tensor inputs and outputs with PyTorch-worded errors', () => {
    expect(() => jacobian((u) => u, [x, 3 as unknown as torch.Tensor])).toThrow(
      /The inputs given to jacobian must be either a Tensor or an array of Tensors but the value at index 1 has type number/,
    );
    expect(() => jacobian(() => 3 as unknown as torch.Tensor, x)).toThrow(/outputs of the user/);
  });
});

describe('hessian', () => {
  it('matches the closed form of sum(x³): diag(6x)', () => {
    const t = torch.tensor([1, -2, 0.5], { dtype: 'float64' });
    expectClose(
      hessian((u) => u.mul(u).mul(u).sum(), t),
      [
        [6, 0, 0],
        [0, -12, 0],
        [0, 0, 3],
      ],
    );
  });

  it('matches the closed form of xᵀAx: A + Aᵀ', () => {
    const A = torch.tensor(
      [
        [1, 2],
        [0, 3],
      ],
      { dtype: 'float64' },
    );
    const H = hessian((u) => u.dot(A.mv(u)), torch.tensor([0.3, 0.4], { dtype: 'float64' }));
    expectClose(H, [
      [2, 2],
      [2, 6],
    ]);
  });

  it('matches PyTorch for one and for several inputs', () => {
    expectClose(
      hessian((a) => g(a, W), x),
      fx.hessian_g_x as Nested,
    );
    const H = hessian(g, [x, W]);
    const want = fx.hessian_g as Nested[][];
    expect(H[0]![0]!.shape).toEqual([3, 3]);
    expect(H[0]![1]!.shape).toEqual([3, 2, 3]);
    expect(H[1]![0]!.shape).toEqual([2, 3, 3]);
    expect(H[1]![1]!.shape).toEqual([2, 3, 2, 3]);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expectClose(H[i]![j]!, want[i]![j]!);
    const Hf = hessian(g, [x, W], { outerJacobianStrategy: 'forward-mode' });
    expectClose(Hf[1]![0]!, want[1]![0]!);
  });

  it('rejects functions that do not return one element', () => {
    expect(() => hessian((u) => u.mul(2), x)).toThrow(
      /should return a single Tensor with a single element, got a Tensor of shape \[3\]/,
    );
  });
});

describe('vjp and jvp', () => {
  it('match PyTorch', () => {
    const [out, [gx, gW]] = vjp(f, [x, W], d(inp.v_out!));
    const want = fx.vjp_f as Nested[];
    expectClose(out as torch.Tensor, want[0]!);
    expectClose(gx!, (want[1] as Nested[])[0]!);
    expectClose(gW!, (want[1] as Nested[])[1]!);
    const [out2, prod] = jvp(f, [x, W], [d(inp.v_x!), d(inp.v_W!)]);
    const wantJ = fx.jvp_f as Nested[];
    expectClose(out2, wantJ[0]!);
    expectClose(prod, wantJ[1]!);
  });

  it('match closed forms and J·v = (vᵀJ)ᵀ consistency', () => {
    const t = torch.tensor([1, 2, 3], { dtype: 'float64' });
    const ones = torch.ones(3, { dtype: 'float64' });
    const [y, v1] = vjp((u) => u.mul(u), t, ones);
    expectClose(y as torch.Tensor, [1, 4, 9]);
    expectClose(v1, [2, 4, 6]);
    const [, j1] = jvp((u) => u.mul(u), t, torch.tensor([1, 0, -1], { dtype: 'float64' }));
    expectClose(j1, [2, 0, -6]);
    // <u, J v> = <Jᵀ u, v> for a non-symmetric Jacobian.
    const u = torch.tensor([0.2, -1], { dtype: 'float64' });
    const v = torch.tensor([1, 0.5, 2], { dtype: 'float64' });
    const h = (p: torch.Tensor) => W.matmul(p).tanh();
    const [, Jv] = jvp(h, x, v);
    const [, JTu] = vjp(h, x, u);
    expect(Jv.dot(u).item()).toBeCloseTo(JTu.dot(v).item() as number, 12);
  });

  it('default v for one-element outputs (vjp) and inputs (jvp), errors otherwise', () => {
    const t = torch.tensor([2], { dtype: 'float64' });
    const [, gv] = vjp((u) => u.exp().sum(), torch.tensor([0, 1], { dtype: 'float64' }));
    expectClose(gv, [1, Math.E]);
    const [, jv] = jvp((u) => u.mul(u).mul(3), t);
    expectClose(jv, [12]);
    expect(() => vjp((u) => u.mul(2), x)).toThrow(/The vector v can only be None/);
    expect(() => jvp((u) => u.sum(), x)).toThrow(/The vector v can only be None/);
    expect(() => vjp((u) => u.mul(2), x, torch.ones(2, { dtype: 'float64' }))).toThrow(
      /Entry 0 in v has invalid size: expected \[3\] but got \[2\]/,
    );
  });

  it('returns zeros for outputs independent of the inputs (and throws in strict mode)', () => {
    const c = torch.ones(2, { dtype: 'float64' });
    const [, j] = jvp((u) => [u.mul(2), c], x, torch.ones(3, { dtype: 'float64' }));
    expectClose(j[1]!, [0, 0]);
    expect(() =>
      jvp((u) => [u.mul(2), c], x, torch.ones(3, { dtype: 'float64' }), { strict: true }),
    ).toThrow(/independent/);
    const [, gz] = vjp((u, _w) => u.sum(), [x, W]);
    expectClose(gz[1]!, [
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('createGraph makes vjp differentiable (second derivative of x³)', () => {
    const t = torch.tensor([1.5], { dtype: 'float64', requiresGrad: true });
    const [, g1] = vjp((u) => u.mul(u).mul(u).sum(), t, null, { createGraph: true });
    const [g2] = torch.autograd.grad(g1.sum(), [t]);
    expectClose(g2!, [9]);
  });
});
