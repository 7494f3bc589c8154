import * as torch from 'autodag';

/*
 * The operators of the notes' DAG: x⁽¹⁾ = φ⁽¹⁾(x⁽⁰⁾; w⁽¹⁾), x⁽²⁾ = φ⁽²⁾(x⁽⁰⁾, x⁽¹⁾; w⁽²⁾),
 * x⁽³⁾ = φ⁽³⁾(x⁽¹⁾, x⁽²⁾; w⁽¹⁾), each with its Jacobians given as vector-Jacobian products.
 * main.ts builds the graph with the explicit DAG API and checks it against dynamic autograd.
 */

/** φ⁽¹⁾(x⁽⁰⁾; w⁽¹⁾) = tanh(w⁽¹⁾x⁽⁰⁾). */
export const phi1: torch.autograd.DagOperator = {
  name: 'φ1',
  forward: ([x0], [w1]) => torch.tanh(w1!.mv(x0!)),
  vjpInputs: (g, _x, [w1], out) => [w1!.t().mv(g.mul(out.pow(2).neg().add(1)))],
  vjpParams: (g, [x0], _w, out) => [g.mul(out.pow(2).neg().add(1)).outer(x0!)],
};
/** φ⁽²⁾(x⁽⁰⁾, x⁽¹⁾; w⁽²⁾) = x⁽⁰⁾ ⊙ x⁽¹⁾ + w⁽²⁾. */
export const phi2: torch.autograd.DagOperator = {
  name: 'φ2',
  forward: ([x0, x1], [w2]) => x0!.mul(x1!).add(w2!),
  vjpInputs: (g, [x0, x1]) => [g.mul(x1!), g.mul(x0!)],
  vjpParams: (g) => [g],
};
/** φ⁽³⁾(x⁽¹⁾, x⁽²⁾; w⁽¹⁾) = w⁽¹⁾(x⁽¹⁾ + x⁽²⁾). */
export const phi3: torch.autograd.DagOperator = {
  name: 'φ3',
  forward: ([x1, x2], [w1]) => w1!.mv(x1!.add(x2!)),
  vjpInputs: (g, _x, [w1]) => [w1!.t().mv(g), w1!.t().mv(g)],
  vjpParams: (g, [x1, x2]) => [g.outer(x1!.add(x2!))],
};
