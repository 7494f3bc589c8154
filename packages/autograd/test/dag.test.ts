import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

type Tensor = torch.Tensor;
const f64 = { dtype: 'float64' as const };

/** Central differences of a scalar function of `target`'s elements (perturbed in place). */
function numericalGrad(target: Tensor, loss: () => number, eps = 1e-6): number[] {
  const vals = target.dataSync() as Float64Array;
  const out: number[] = [];
  for (let i = 0; i < vals.length; i++) {
    const set = (v: number) => {
      const copy = Float64Array.from(vals);
      copy[i] = v;
      torch.overwrite(target, torch.tensor(copy, f64).reshape(target.shape));
    };
    const x = vals[i]!;
    set(x + eps);
    const plus = loss();
    set(x - eps);
    const minus = loss();
    set(x);
    out.push((plus - minus) / (2 * eps));
  }
  return out;
}

function expectAllClose(a: Tensor | number[], b: Tensor | number[], tol = 1e-7): void {
  const av = Array.isArray(a) ? a : Array.from(a.dataSync());
  const bv = Array.isArray(b) ? b : Array.from(b.dataSync());
  expect(av.length).toBe(bv.length);
  av.forEach((v, i) => {
    expect(Math.abs(v - bv[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(bv[i]!)));
  });
}

// The lecture's DAG, with w1 shared by φ1 and φ3:
//   x1 = φ1(x0; w1) = tanh(w1 x0)
//   x2 = φ2(x0, x1; w2) = x0 ⊙ x1 + w2
//   x3 = φ3(x1, x2; w1) = w1 (x1 + x2)
// Each operator states its Jacobians as VJPs.
const phi1: torch.autograd.DagOperator = {
  name: 'φ1',
  forward: ([x0], [w1]) => w1!.mv(x0!).tanh(),
  vjpInputs: (g, _x, [w1], out) => {
    const d = g.mul(out.mul(out).neg().add(1));
    return [w1!.t().mv(d)];
  },
  vjpParams: (g, [x0], _w, out) => [g.mul(out.mul(out).neg().add(1)).outer(x0!)],
};
const phi2: torch.autograd.DagOperator = {
  name: 'φ2',
  forward: ([x0, x1], [w2]) => x0!.mul(x1!).add(w2!),
  vjpInputs: (g, [x0, x1]) => [g.mul(x1!), g.mul(x0!)],
  vjpParams: (g) => [g],
};
const phi3: torch.autograd.DagOperator = {
  name: 'φ3',
  forward: ([x1, x2], [w1]) => w1!.mv(x1!.add(x2!)),
  vjpInputs: (g, _x, [w1]) => {
    const back = w1!.t().mv(g);
    return [back, back];
  },
  vjpParams: (g, [x1, x2]) => [g.outer(x1!.add(x2!))],
};

function lectureDag(w1: Tensor, w2: Tensor) {
  const g = new torch.autograd.Dag();
  const x0 = g.input('x0');
  const p1 = g.parameter('w1', w1);
  const p2 = g.parameter('w2', w2);
  const x1 = g.node('x1', phi1, { inputs: [x0], params: [p1] });
  const x2 = g.node('x2', phi2, { inputs: [x0, x1], params: [p2] });
  const x3 = g.node('x3', phi3, { inputs: [x1, x2], params: [p1] });
  g.output(x3);
  return g;
}

describe('Dag: the lecture example', () => {
  const n = 4;
  torch.manualSeed(7);
  const x0 = torch.randn(n, f64);
  const w1 = torch.randn(n, n, f64).mul(0.5);
  const w2 = torch.randn(n, f64);
  const c = torch.randn(n, f64); // ℓ = c · x3

  /** Gradients of ℓ through the operators' hand-written VJPs: the reference for other builds. */
  const handWrittenGrads = () => {
    const ref = lectureDag(w1, w2);
    ref.forward({ x0 });
    return ref.backward(c);
  };

  it('explicit backward, dynamic autograd and finite differences agree', () => {
    const g = lectureDag(w1, w2);
    expect(g.order()).toEqual(['x1', 'x2', 'x3']);
    const x3 = g.forward({ x0 }) as Tensor;
    const grads = g.backward(c);

    // Dynamic autograd on the same computation.
    const X0 = x0.clone().requiresGrad_();
    const W1 = w1.clone().requiresGrad_();
    const W2 = w2.clone().requiresGrad_();
    const X1 = W1.mv(X0).tanh();
    X1.retainGrad();
    const X2 = X0.mul(X1).add(W2);
    X2.retainGrad();
    const X3 = W1.mv(X1.add(X2));
    X3.dot(c).backward();
    expectAllClose(x3, X3.detach());
    expectAllClose(grads.params.w1!, W1.grad!, 1e-12);
    expectAllClose(grads.params.w2!, W2.grad!, 1e-12);
    expectAllClose(grads.inputs.x0!, X0.grad!, 1e-12);
    expectAllClose(grads.nodes.x1!, X1.grad!, 1e-12);
    expectAllClose(grads.nodes.x2!, X2.grad!, 1e-12);
    expectAllClose(grads.nodes.x3!, c);

    // Finite differences of ℓ through the explicit DAG's forward.
    const w1p = w1.clone();
    const w2p = w2.clone();
    const x0p = x0.clone();
    const gp = lectureDag(w1p, w2p);
    const loss = () => (gp.forward({ x0: x0p }) as Tensor).dot(c).item() as number;
    expectAllClose(grads.params.w1!, numericalGrad(w1p, loss), 1e-6);
    expectAllClose(grads.params.w2!, numericalGrad(w2p, loss), 1e-6);
    expectAllClose(grads.inputs.x0!, numericalGrad(x0p, loss), 1e-6);

    // And gradcheck on the dynamic version.
    expect(
      torch.autograd.gradcheck(
        (a: Tensor, b: Tensor, d: Tensor) => {
          const h1 = b.mv(a).tanh();
          return b.mv(h1.add(a.mul(h1).add(d)));
        },
        [x0.clone().requiresGrad_(), w1.clone().requiresGrad_(), w2.clone().requiresGrad_()],
      ),
    ).toBe(true);
  });

  it('sums the gradient of the shared w1 over φ1 and φ3', () => {
    const g = lectureDag(w1, w2);
    g.forward({ x0 });
    const shared = g.backward(c).params.w1!;
    // Contribution of φ3 alone: c xᵀ with x = x1 + x2.
    const x1 = g.value('x1');
    const x2 = g.value('x2');
    const fromPhi3 = c.outer(x1.add(x2));
    // Contribution of φ1 alone, by autograd with w1 used only in φ1.
    const W1 = w1.clone().requiresGrad_();
    const X1 = W1.mv(x0).tanh();
    const X3 = w1.mv(X1.add(x0.mul(X1).add(w2)));
    X3.dot(c).backward();
    expectAllClose(shared, fromPhi3.add(W1.grad!), 1e-12);
  });

  it('registered op names give the same gradients (VJPs from the op definitions)', () => {
    const g = new torch.autograd.Dag();
    const in0 = g.input('x0');
    const p1 = g.parameter('w1', w1);
    const p2 = g.parameter('w2', w2);
    // w1 x0 as mm(w1, x0 as a column), back to a vector: registered ops with attributes.
    g.node('c0', 'unsqueeze', { inputs: [in0], attrs: { dim: 1 } });
    g.node('m1', 'mm', { inputs: [p1, 'c0'] });
    g.node('a1', 'view', { inputs: ['m1'], attrs: { shape: [n] } });
    g.node('x1', 'tanh', { inputs: ['a1'] });
    g.node('m', 'mul', { inputs: [in0, 'x1'] });
    g.node('x2', 'add', { inputs: ['m'], params: [p2] });
    g.node('s', 'add', { inputs: ['x1', 'x2'] });
    g.node('cs', 'unsqueeze', { inputs: ['s'], attrs: { dim: 1 } });
    g.node('m3', 'mm', { inputs: [p1, 'cs'] });
    const x3 = g.node('x3', 'view', { inputs: ['m3'], attrs: { shape: [n] } });
    g.output(x3);
    g.forward({ x0 });
    const ops = g.backward(c);
    const want = handWrittenGrads();
    expectAllClose(ops.params.w1!, want.params.w1!, 1e-12);
    expectAllClose(ops.params.w2!, want.params.w2!, 1e-12);
    expectAllClose(ops.inputs.x0!, want.inputs.x0!, 1e-12);
    expectAllClose(ops.nodes.x1!, want.nodes.x1!, 1e-12);
  });

  it('derives missing VJPs with autograd (plain functions and partial operators)', () => {
    const g = new torch.autograd.Dag();
    const in0 = g.input('x0');
    const p1 = g.parameter('w1', w1);
    const p2 = g.parameter('w2', w2);
    g.node('x1', ([x], [w]) => w!.mv(x!).tanh(), { inputs: [in0], params: [p1] });
    g.node(
      'x2',
      { forward: phi2.forward, vjpInputs: phi2.vjpInputs },
      {
        inputs: [in0, 'x1'],
        params: [p2],
      },
    );
    g.node('x3', phi3, { inputs: ['x1', 'x2'], params: [p1] });
    g.output('x3');
    g.forward({ x0 });
    const got = g.backward(c);
    const want = handWrittenGrads();
    expectAllClose(got.params.w1!, want.params.w1!, 1e-12);
    expectAllClose(got.params.w2!, want.params.w2!, 1e-12);
    expectAllClose(got.inputs.x0!, want.inputs.x0!, 1e-12);
  });

  it('accumulates into parameter .grad on request and supports createGraph', () => {
    const W1 = w1.clone();
    const g = lectureDag(W1, w2.clone());
    g.forward({ x0 });
    g.backward(c, { accumulate: true });
    const once = W1.grad!.clone();
    g.backward(c, { accumulate: true });
    expectAllClose(W1.grad!, once.mul(2));

    // Second derivative through the explicit backward: d/dx of (dℓ/dx) for ℓ = sum(x³).
    const h = new torch.autograd.Dag();
    h.input('x');
    h.node('y', (xs) => xs[0]!.mul(xs[0]!).mul(xs[0]!).sum(), { inputs: ['x'] });
    h.output('y');
    const x = torch.tensor([0.5, -2], { ...f64, requiresGrad: true });
    h.forward({ x });
    const dx = h.backward(null, { createGraph: true }).inputs.x!;
    expectAllClose(dx, [0.75, 12]);
    const [d2] = torch.autograd.grad(dx.sum(), [x]);
    expectAllClose(d2!, [3, -12]);
  });

  it('zeros for nodes no gradient reaches, several outputs', () => {
    const g = new torch.autograd.Dag();
    g.input('a');
    g.node('u', 'exp', { inputs: ['a'] });
    g.node('v', 'tanh', { inputs: ['a'] });
    g.node('dead', 'neg', { inputs: ['a'] });
    g.output('u', 'v');
    const a = torch.tensor([0.1, 0.2], f64);
    const [u, v] = g.forward({ a }) as Tensor[];
    const ones = torch.onesLike(a);
    const grads = g.backward([ones, ones]);
    expectAllClose(grads.inputs.a!, u!.add(v!.mul(v!).neg().add(1)));
    expectAllClose(grads.nodes.dead!, [0, 0]);
  });
});

describe('Dag: validation', () => {
  const t = torch.tensor([1, 2], f64);

  it('rejects a cycle, naming the nodes on it', () => {
    const g = new torch.autograd.Dag();
    g.input('x0');
    g.node('x1', 'add', { inputs: ['x0', 'x2'] });
    g.node('x2', 'tanh', { inputs: ['x1'] });
    g.output('x2');
    expect(() => g.forward({ x0: t })).toThrow('Dag: cycle detected: x1 -> x2 -> x1');
    expect(() => g.toDot()).toThrow(/cycle detected/);

    const h = new torch.autograd.Dag();
    h.input('x');
    h.node('a', 'tanh', { inputs: ['x'] });
    h.node('b', 'add', { inputs: ['a', 'd'] });
    h.node('c', 'exp', { inputs: ['b'] });
    h.node('d', 'neg', { inputs: ['c'] });
    h.output('d');
    expect(() => h.order()).toThrow('Dag: cycle detected: b -> c -> d -> b');
    const self = new torch.autograd.Dag();
    self.node('s', 'tanh', { inputs: ['s'] });
    expect(() => self.order()).toThrow('Dag: cycle detected: s -> s');
  });

  it('rejects unknown and duplicate names, missing and extra inputs, no output', () => {
    const g = new torch.autograd.Dag();
    const x = g.input('x');
    expect(() => g.input('x')).toThrow("Dag: duplicate name 'x' (already used by a input)");
    expect(() => g.parameter('x', t)).toThrow(/duplicate name 'x'/);
    g.node('y', 'tanh', { inputs: [x] });
    expect(() => g.node('y', 'exp', { inputs: [x] })).toThrow(/duplicate name 'y'/);
    expect(() => g.forward({ x: t })).toThrow('Dag: no output; call dag.output(node) first');
    g.output('y');
    expect(() => g.forward({})).toThrow("Dag.forward: missing value for input 'x'");
    expect(() => g.forward({ x: t, z: t })).toThrow(/'z' is not an input of the graph/);
    g.node('z', 'add', { inputs: ['y', 'nope'] });
    expect(() => g.forward({ x: t })).toThrow(
      "Dag: node 'z' refers to unknown name 'nope' (known: x, y, z)",
    );
    expect(() => g.node('q', 'noSuchOp', { inputs: [x] })).toThrow(/Unknown op 'noSuchOp'/);
    const other = new torch.autograd.Dag();
    expect(() => other.node('r', 'tanh', { inputs: [x] })).toThrow(
      /not a name or a handle of this graph/,
    );
  });

  it('rejects non-parameters in params, wrong arity, bad VJP shapes and backward before forward', () => {
    const g = new torch.autograd.Dag();
    g.input('x');
    g.node('y', 'tanh', { inputs: [], params: ['x'] });
    g.output('y');
    expect(() => g.forward({ x: t })).toThrow(
      "Dag: node 'y' lists 'x' in params, but it is a input, not a parameter",
    );
    const h = new torch.autograd.Dag();
    h.input('x');
    h.node('y', 'mul', { inputs: ['x'] });
    h.output('y');
    expect(() => h.backward()).toThrow('Dag.backward: call forward() first');
    expect(() => h.forward({ x: t })).toThrow(
      "Dag: node 'y' (mul): mul: expected 2 tensor arguments (input, other), got 1",
    );
    const k = new torch.autograd.Dag();
    k.input('x');
    k.node(
      'y',
      { name: 'bad', forward: ([a]) => a!.sum(), vjpInputs: (gr) => [gr] },
      { inputs: ['x'] },
    );
    k.output('y');
    k.forward({ x: t });
    expect(() => k.backward()).toThrow(
      "Dag: node 'y' (bad) returned a gradient of shape [] for argument 0 ('x'), expected [2]",
    );
    const m = new torch.autograd.Dag();
    m.input('x');
    m.node('y', 'exp', { inputs: ['x'] });
    m.output('y');
    m.forward({ x: t });
    expect(() => m.backward()).toThrow(/grad can be implicitly created only for scalar outputs/);
  });
});

describe('Dag.toDot', () => {
  it('draws inputs, parameters, operators and the shared weight', () => {
    const g = lectureDag(torch.eye(2, f64), torch.ones(2, f64));
    const dot = g.toDot();
    expect(dot).toMatch(/^digraph "dag" \{/);
    expect(dot).toContain('"x0" [shape=ellipse');
    expect(dot).toContain('label="w1\\n(2, 2)\\nshared by x1, x3"');
    expect(dot).toContain('"x3" [shape=box');
    expect(dot).toContain('label="x3 = φ3"');
    expect(dot).toContain('"w1" -> "x3" [label="2", style=bold, color=blue];');
    expect(dot).toContain('"x1" -> "x2" [label="1"];');
    expect(dot).not.toContain('"w2" -> "x2" [label="2", style=bold');
    g.forward({ x0: torch.ones(2, f64) });
    expect(g.toDot()).toContain('label="x1 = φ1\\n(2,)"');
  });
});
