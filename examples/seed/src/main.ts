/**
 * The lecture notes' examples, run with autodag on the CPU backend: the tensor transcripts, the
 * autograd examples, the MLP with tanh (trained for a few steps), the weight-sharing loop, and
 * the general DAG x⁽⁰⁾…x⁽³⁾ with w⁽¹⁾ shared by φ⁽¹⁾ and φ⁽³⁾.
 */
import * as torch from 'autodag';
import { lectureDag } from './lecture-dag.js';

/** Prints `>>> code` then the value, as an interactive session would. */
function show(code: string, value: unknown): void {
  console.log(`>>> ${code}`);
  if (value !== undefined) console.log(String(value));
}

function section(title: string): void {
  console.log(`\n=== ${title} ===`);
}

section('Tensors');
let x = torch.empty(2, 5);
show('x = torch.empty(2, 5); x.size()', x.size());
show('x.fill_(1.125)', x.fill_(1.125));
show('x.mean()', x.mean());
show('x.std()', x.std());
show('x.sum()', x.sum());
show('x.sum().item()', x.sum().item());
x = torch.tensor([
  [11, 12, 13],
  [21, 22, 23],
]);
show('x.get(1, 2)', x.get(1, 2));

section('Component-wise and matrix operations');
x = torch.tensor([10, 20, 30]);
const y = torch.tensor([11, 21, 31]);
show('x.add(y)', x.add(y));
show('x.mul(y)', x.mul(y));
show('x.pow(2)', x.pow(2));
const m = torch.tensor([
  [0, 0, 3],
  [0, 2, 0],
  [1, 0, 0],
]);
show('m.mv(x)', m.mv(x));
show('m.matmul(x)', m.matmul(x));

section('Autograd');
const t = torch.tensor([1, 2, 4]).requiresGrad_();
const u = torch.tensor([10, 20]).requiresGrad_();
const a = t.pow(2).sum().add(u.log().sum());
show('torch.autograd.grad(a, [t, u])', `[${torch.autograd.grad(a, [t, u]).join(', ')}]`);
x = torch.tensor([-3, 2, 5]).requiresGrad_();
x.pow(3).sum().backward();
show('x.pow(3).sum().backward(); x.grad', x.grad);
x = torch.tensor([1, 2, 2]).requiresGrad_();
const q = x.norm();
q.backward();
show('q = x.norm(); q.backward(); q, x.grad', `${q}\n${x.grad}`);

section('An MLP, its graph built on the fly, trained with gradient descent');
// The notes draw weights with torch.rand; centring them keeps tanh out of saturation so that
// gradient descent has something to do.
torch.manualSeed(0);
const w1 = torch.rand(20, 10).sub(0.5).requiresGrad_();
const b1 = torch.rand(20).sub(0.5).requiresGrad_();
const w2 = torch.rand(5, 20).sub(0.5).requiresGrad_();
const b2 = torch.rand(5).sub(0.5).requiresGrad_();
const input = torch.rand(10);
const target = torch.rand(5);
const forward = () => torch.tanh(w2.matmul(torch.tanh(w1.matmul(input).add(b1))).add(b2));
const parameters = [w1, b1, w2, b2];
for (let step = 0; step <= 100; step++) {
  const loss = forward().sub(target).pow(2).mean();
  for (const p of parameters) p.grad = null;
  loss.backward();
  torch.noGrad(() => {
    for (const p of parameters) p.sub_(p.grad!.mul(0.5));
  });
  if (step % 20 === 0)
    console.log(`step ${String(step).padStart(3)}  loss ${Number(loss.item()).toFixed(6)}`);
}
show('b2.grad', b2.grad);
const loss = forward().sub(target).pow(2).mean();
show('loss', loss);
show('loss.gradFn.nextFunctions', `[${loss.gradFn!.nextFunctions.join(', ')}]`);

section('Weight sharing: the same w[i] in several places of the graph');
const w = torch.rand(3, 10, 10).requiresGrad_();
const blah = (k: number, v: torch.Tensor) => {
  for (let i = 0; i < k; i++) v = torch.tanh(w.get(i).matmul(v));
  return v;
};
const shared = blah(1, torch.rand(10)).dot(blah(3, torch.rand(10)));
shared.backward();
show(
  'q = blah(1, ...).dot(blah(3, ...)); q.backward(); w.grad.norm(2, [1, 2])',
  w.grad!.norm(2, [1, 2]),
);

section('A general DAG with w⁽¹⁾ shared by φ⁽¹⁾ and φ⁽³⁾');
lectureDag();
