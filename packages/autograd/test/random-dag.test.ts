import * as torch from 'autodag';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

type Tensor = torch.Tensor;
type OpKind = 'add' | 'mul' | 'tanh' | 'exp';
interface NodeSpec {
  op: OpKind;
  a: number;
  b: number;
}

const f64 = { dtype: 'float64' as const };

/** Random DAGs: each node applies an elementwise op to earlier values (inputs or nodes), picked
 * with replacement, so values are reused on several paths. */
const dagArb = fc.record({
  inputs: fc.array(
    fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
    {
      minLength: 1,
      maxLength: 3,
    },
  ),
  nodes: fc.array(
    fc.record({
      op: fc.constantFrom<OpKind>('add', 'mul', 'tanh', 'exp'),
      a: fc.nat(),
      b: fc.nat(),
    }),
    { minLength: 1, maxLength: 7 },
  ),
});

function apply(op: OpKind, a: Tensor, b: Tensor): Tensor {
  switch (op) {
    case 'add':
      return a.add(b);
    case 'mul':
      return a.mul(b);
    case 'tanh':
      return a.tanh();
    case 'exp':
      return a.exp();
  }
}

/** Evaluates the DAG; every node feeds the loss ℓ = Σₖ sum(nodeₖ), so all of them matter. */
function evaluate(nodes: readonly NodeSpec[], inputs: readonly Tensor[]): Tensor[] {
  const vals = inputs.slice();
  const outs: Tensor[] = [];
  for (const n of nodes) {
    const v = apply(n.op, vals[n.a % vals.length]!, vals[n.b % vals.length]!);
    vals.push(v);
    outs.push(v);
  }
  return outs;
}

const loss = (outs: readonly Tensor[]) => outs.map((o) => o.sum()).reduce((acc, s) => acc.add(s));

describe('random DAGs of elementwise ops', () => {
  it('autograd gradients match float64 finite differences, and the explicit Dag agrees', () => {
    fc.assert(
      fc.property(dagArb, ({ inputs, nodes }) => {
        const xs = inputs.map((v) => torch.tensor(v, { ...f64, requiresGrad: true }));
        const outs = evaluate(nodes, xs);
        // Keep to well-scaled values (repeated exp/mul can overflow float64 differences).
        const big = outs.some((o) => Array.from(o.dataSync()).some((v) => !(Math.abs(v) < 1e4)));
        fc.pre(!big);

        const f = (...ts: Tensor[]) => loss(evaluate(nodes, ts));
        expect(torch.autograd.gradcheck(f, xs)).toBe(true);

        // The same graph as an explicit Dag of registered ops.
        const g = new torch.autograd.Dag();
        const names = xs.map((_, i) => g.input(`i${i}`).name);
        nodes.forEach((n, k) => {
          const args = n.op === 'add' || n.op === 'mul' ? [n.a, n.b] : [n.a];
          g.node(`n${k}`, n.op, { inputs: args.map((i) => names[i % names.length]!) });
          names.push(`n${k}`);
        });
        g.output(...nodes.map((_, k) => `n${k}`));
        const feeds = Object.fromEntries(xs.map((x, i) => [`i${i}`, x.detach()]));
        const dagOuts = g.forward(feeds);
        const list = Array.isArray(dagOuts) ? dagOuts : [dagOuts];
        const grads = g.backward(list.map((o) => torch.onesLike(o)));
        const auto = torch.autograd.grad(loss(outs), xs, { materializeGrads: true });
        xs.forEach((_, i) => {
          const a = Array.from(auto[i]!.dataSync());
          const b = Array.from(grads.inputs[`i${i}`]!.dataSync());
          a.forEach((v, j) => {
            expect(Math.abs(v - b[j]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v)));
          });
        });
      }),
      { numRuns: 60, seed: 20240601 },
    );
  });
});
