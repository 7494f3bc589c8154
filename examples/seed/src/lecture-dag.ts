import * as torch from 'autodag';

/**
 * The notes' DAG: x⁽¹⁾ = φ⁽¹⁾(x⁽⁰⁾; w⁽¹⁾), x⁽²⁾ = φ⁽²⁾(x⁽⁰⁾, x⁽¹⁾; w⁽²⁾),
 * x⁽³⁾ = φ⁽³⁾(x⁽¹⁾, x⁽²⁾; w⁽¹⁾), built with the explicit DAG API and each operator's
 * Jacobians given as VJPs, then checked against dynamic autograd.
 */
const phi1: torch.autograd.DagOperator = {
  name: 'φ1',
  forward: ([x0], [w1]) => torch.tanh(w1!.mv(x0!)),
  vjpInputs: (g, _x, [w1], out) => [w1!.t().mv(g.mul(out.pow(2).neg().add(1)))],
  vjpParams: (g, [x0], _w, out) => [g.mul(out.pow(2).neg().add(1)).outer(x0!)],
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
  vjpInputs: (g, _x, [w1]) => [w1!.t().mv(g), w1!.t().mv(g)],
  vjpParams: (g, [x1, x2]) => [g.outer(x1!.add(x2!))],
};

/**
 * Builds the graph, back-propagates, and prints the gradients beside autograd's.
 * @example lectureDag() // prints the forward order, f(x), dl/dw1 both ways, their difference and the DOT graph
 */
export function lectureDag(): void {
  torch.manualSeed(1);
  const w1 = torch.randn(3, 3, { dtype: 'float64' });
  const w2 = torch.randn(3, { dtype: 'float64' });
  const x = torch.randn(3, { dtype: 'float64' });

  const g = new torch.autograd.Dag();
  const x0 = g.input('x0');
  const pw1 = g.parameter('w1', w1);
  const pw2 = g.parameter('w2', w2);
  const x1 = g.node('x1', phi1, { inputs: [x0], params: [pw1] });
  const x2 = g.node('x2', phi2, { inputs: [x0, x1], params: [pw2] });
  const x3 = g.node('x3', phi3, { inputs: [x1, x2], params: [pw1] });
  g.output(x3);
  console.log(`forward order: ${g.order().join(' -> ')}`);
  const out = g.forward({ x0: x }) as torch.Tensor;
  console.log(`f(x) = x3 = ${out}`);
  const grads = g.backward(torch.onesLike(out));
  console.log(`dl/dw1 (explicit DAG, summed over phi1 and phi3):\n${grads.params.w1}`);

  const w1a = w1.clone().requiresGrad_();
  const w2a = w2.clone().requiresGrad_();
  const h1 = torch.tanh(w1a.mv(x));
  const h2 = x.mul(h1).add(w2a);
  w1a.mv(h1.add(h2)).sum().backward();
  console.log(`dl/dw1 (dynamic autograd):\n${w1a.grad}`);
  console.log(`max difference: ${grads.params.w1!.sub(w1a.grad!).abs().max().item()}`);
  console.log(g.toDot());
}
