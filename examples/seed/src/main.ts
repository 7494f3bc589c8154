/**
 * The lecture notes' examples, run with autodag on the CPU backend and printed as a REPL session
 * (`> code`, then what it printed; see transcript.ts): the tensor transcripts, the autograd
 * examples, the MLP with tanh (trained for a few steps), the weight-sharing loop, and the general
 * DAG x⁽⁰⁾…x⁽³⁾ with w⁽¹⁾ shared by φ⁽¹⁾ and φ⁽³⁾. Their graphs are saved as Graphviz files (DOT,
 * and SVG where Graphviz's `dot` is on PATH) in examples/seed/out/, or in the folder --out names.
 * Each statement is written twice, as the text echoed and as the function run;
 * test/transcript-source.test.ts checks that the two agree.
 *
 *   npm start [-- --out DIR]
 */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as torch from 'autodag';
import { graphWriter } from './graphs.js';
import { phi1, phi2, phi3 } from './lecture-dag.js';
import { note, run, section, show } from './transcript.js';

/** Saves a DOT graph under a name and says which files it wrote (see `graphWriter`). */
type SaveGraph = (name: string, dot: string) => string;

/** Where the graphs go unless --out says otherwise: examples/seed/out/ (ignored by git). */
export const defaultOutDir = fileURLToPath(new URL('../out/', import.meta.url));

function tensors(): void {
  section('Tensors');
  let x = run('let x = torch.empty(2, 5)', () => torch.empty(2, 5));
  show('x.size()', () => x.size());
  show('x.fill_(1.125)', () => x.fill_(1.125));
  show('x.mean()', () => x.mean());
  show('x.std()', () => x.std());
  show('x.sum()', () => x.sum());
  show('x.sum().item()', () => x.sum().item());
  x = run('x = torch.tensor([[11, 12, 13], [21, 22, 23]])', () =>
    torch.tensor([
      [11, 12, 13],
      [21, 22, 23],
    ]),
  );
  show('x.get(1, 2)', () => x.get(1, 2));
}

function operations(): void {
  section('Component-wise and matrix operations');
  const x = run('const x = torch.tensor([10, 20, 30])', () => torch.tensor([10, 20, 30]));
  const y = run('const y = torch.tensor([11, 21, 31])', () => torch.tensor([11, 21, 31]));
  show('x.add(y)', () => x.add(y));
  show('x.mul(y)', () => x.mul(y));
  show('x.pow(2)', () => x.pow(2));
  const m = run('const m = torch.tensor([[0, 0, 3], [0, 2, 0], [1, 0, 0]])', () =>
    torch.tensor([
      [0, 0, 3],
      [0, 2, 0],
      [1, 0, 0],
    ]),
  );
  show('m.mv(x)', () => m.mv(x));
  show('m.matmul(x)', () => m.matmul(x));
}

function autograd(): void {
  section('Autograd');
  const t = run('const t = torch.tensor([1, 2, 4]).requiresGrad_()', () =>
    torch.tensor([1, 2, 4]).requiresGrad_(),
  );
  const u = run('const u = torch.tensor([10, 20]).requiresGrad_()', () =>
    torch.tensor([10, 20]).requiresGrad_(),
  );
  const a = run('const a = t.pow(2).sum().add(u.log().sum())', () =>
    t.pow(2).sum().add(u.log().sum()),
  );
  show('torch.autograd.grad(a, [t, u])', () => torch.autograd.grad(a, [t, u]));
  let x = run('let x = torch.tensor([-3, 2, 5]).requiresGrad_()', () =>
    torch.tensor([-3, 2, 5]).requiresGrad_(),
  );
  run('x.pow(3).sum().backward()', () => x.pow(3).sum().backward());
  show('x.grad', () => x.grad);
  x = run('x = torch.tensor([1, 2, 2]).requiresGrad_()', () =>
    torch.tensor([1, 2, 2]).requiresGrad_(),
  );
  const q = run('const q = x.norm()', () => x.norm());
  run('q.backward()', () => q.backward());
  show('q', () => q);
  show('x.grad', () => x.grad);
}

function mlp(saveGraph: SaveGraph): void {
  section('An MLP, its graph built on the fly, trained with gradient descent');
  run('torch.manualSeed(0)', () => torch.manualSeed(0));
  note('the notes draw weights with torch.rand; centring them keeps tanh out of saturation');
  const w1 = run('const w1 = torch.rand(20, 10).sub(0.5).requiresGrad_()', () =>
    torch.rand(20, 10).sub(0.5).requiresGrad_(),
  );
  const b1 = run('const b1 = torch.rand(20).sub(0.5).requiresGrad_()', () =>
    torch.rand(20).sub(0.5).requiresGrad_(),
  );
  const w2 = run('const w2 = torch.rand(5, 20).sub(0.5).requiresGrad_()', () =>
    torch.rand(5, 20).sub(0.5).requiresGrad_(),
  );
  const b2 = run('const b2 = torch.rand(5).sub(0.5).requiresGrad_()', () =>
    torch.rand(5).sub(0.5).requiresGrad_(),
  );
  const input = run('const input = torch.rand(10)', () => torch.rand(10));
  const target = run('const target = torch.rand(5)', () => torch.rand(5));
  const forward = run(
    'const forward = () => torch.tanh(w2.matmul(torch.tanh(w1.matmul(input).add(b1))).add(b2))',
    () => () => torch.tanh(w2.matmul(torch.tanh(w1.matmul(input).add(b1))).add(b2)),
  );
  const parameters = run('const parameters = [w1, b1, w2, b2]', () => [w1, b1, w2, b2]);
  run(
    `for (let step = 0; step <= 100; step++) {
  const loss = forward().sub(target).pow(2).mean();
  for (const p of parameters) p.grad = null;
  loss.backward();
  torch.noGrad(() => {
    for (const p of parameters) p.sub_(p.grad!.mul(0.5));
  });
  if (step % 20 === 0) console.log('step', step, 'loss', (loss.item() as number).toFixed(6));
}`,
    () => {
      for (let step = 0; step <= 100; step++) {
        const loss = forward().sub(target).pow(2).mean();
        for (const p of parameters) p.grad = null;
        loss.backward();
        torch.noGrad(() => {
          for (const p of parameters) p.sub_(p.grad!.mul(0.5));
        });
        if (step % 20 === 0) console.log('step', step, 'loss', (loss.item() as number).toFixed(6));
      }
    },
  );
  show('b2.grad', () => b2.grad);
  const loss = run('const loss = forward().sub(target).pow(2).mean()', () =>
    forward().sub(target).pow(2).mean(),
  );
  show('loss', () => loss);
  show('loss.gradFn!.nextFunctions', () => loss.gradFn!.nextFunctions);
  show("saveGraph('mlp-loss', torch.autograd.toDot(loss, { params: { w1, b1, w2, b2 } }))", () =>
    saveGraph('mlp-loss', torch.autograd.toDot(loss, { params: { w1, b1, w2, b2 } })),
  );
}

function weightSharing(saveGraph: SaveGraph): void {
  section('Weight sharing: the same w[i] in several places of the graph');
  const w = run('const w = torch.rand(3, 10, 10).requiresGrad_()', () =>
    torch.rand(3, 10, 10).requiresGrad_(),
  );
  const blah = run(
    `const blah = (k: number, v: torch.Tensor) => {
  for (let i = 0; i < k; i++) v = torch.tanh(w.get(i).matmul(v));
  return v;
}`,
    () => (k: number, v: torch.Tensor) => {
      for (let i = 0; i < k; i++) v = torch.tanh(w.get(i).matmul(v));
      return v;
    },
  );
  const q = run('const q = blah(1, torch.rand(10)).dot(blah(3, torch.rand(10)))', () =>
    blah(1, torch.rand(10)).dot(blah(3, torch.rand(10))),
  );
  run('q.backward()', () => q.backward());
  show('w.grad!.norm(2, [1, 2])', () => w.grad!.norm(2, [1, 2]));
  show("saveGraph('weight-sharing', torch.autograd.toDot(q, { params: { w } }))", () =>
    saveGraph('weight-sharing', torch.autograd.toDot(q, { params: { w } })),
  );
}

function generalDag(saveGraph: SaveGraph): void {
  section('A general DAG with w⁽¹⁾ shared by φ⁽¹⁾ and φ⁽³⁾');
  note('phi1, phi2, phi3 are the operators φ⁽¹⁾, φ⁽²⁾, φ⁽³⁾ with their VJPs (src/lecture-dag.ts)');
  run('torch.manualSeed(1)', () => torch.manualSeed(1));
  const w1 = run("const w1 = torch.randn(3, 3, { dtype: 'float64' })", () =>
    torch.randn(3, 3, { dtype: 'float64' }),
  );
  const w2 = run("const w2 = torch.randn(3, { dtype: 'float64' })", () =>
    torch.randn(3, { dtype: 'float64' }),
  );
  const x = run("const x = torch.randn(3, { dtype: 'float64' })", () =>
    torch.randn(3, { dtype: 'float64' }),
  );
  const g = run('const g = new torch.autograd.Dag()', () => new torch.autograd.Dag());
  const x0 = run("const x0 = g.input('x0')", () => g.input('x0'));
  const pw1 = run("const pw1 = g.parameter('w1', w1)", () => g.parameter('w1', w1));
  const pw2 = run("const pw2 = g.parameter('w2', w2)", () => g.parameter('w2', w2));
  const x1 = run("const x1 = g.node('x1', phi1, { inputs: [x0], params: [pw1] })", () =>
    g.node('x1', phi1, { inputs: [x0], params: [pw1] }),
  );
  const x2 = run("const x2 = g.node('x2', phi2, { inputs: [x0, x1], params: [pw2] })", () =>
    g.node('x2', phi2, { inputs: [x0, x1], params: [pw2] }),
  );
  const x3 = run("const x3 = g.node('x3', phi3, { inputs: [x1, x2], params: [pw1] })", () =>
    g.node('x3', phi3, { inputs: [x1, x2], params: [pw1] }),
  );
  run('g.output(x3)', () => g.output(x3));
  show('g.order()', () => g.order());
  const out = run(
    'const out = g.forward({ x0: x }) as torch.Tensor',
    () => g.forward({ x0: x }) as torch.Tensor,
  );
  show('out', () => out);
  const grads = run('const grads = g.backward(torch.onesLike(out))', () =>
    g.backward(torch.onesLike(out)),
  );
  note('dl/dw1 sums the contributions of φ⁽¹⁾ and φ⁽³⁾');
  show('grads.params.w1', () => grads.params.w1);
  note('the same gradient with dynamic autograd');
  const w1a = run('const w1a = w1.clone().requiresGrad_()', () => w1.clone().requiresGrad_());
  const h1 = run('const h1 = torch.tanh(w1a.mv(x))', () => torch.tanh(w1a.mv(x)));
  const h2 = run('const h2 = x.mul(h1).add(w2)', () => x.mul(h1).add(w2));
  run('w1a.mv(h1.add(h2)).sum().backward()', () => w1a.mv(h1.add(h2)).sum().backward());
  show('w1a.grad', () => w1a.grad);
  show('grads.params.w1!.sub(w1a.grad!).abs().max().item()', () =>
    grads.params.w1!.sub(w1a.grad!).abs().max().item(),
  );
  show("saveGraph('lecture-dag', g.toDot())", () => saveGraph('lecture-dag', g.toDot()));
}

/**
 * Prints the whole transcript and saves the graphs in `outDir`.
 * @example main('/tmp/seed-graphs')
 */
export function main(outDir: string = defaultOutDir): void {
  const saveGraph = graphWriter(outDir);
  note(
    "The lecture notes' examples with autodag: each statement as `> code`, then what it printed.",
  );
  tensors();
  operations();
  autograd();
  mlp(saveGraph);
  weightSharing(saveGraph);
  generalDag(saveGraph);
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  let out: string | undefined;
  try {
    out = parseArgs({ options: { out: { type: 'string' } } }).values.out;
  } catch (e) {
    console.error(`${(e as Error).message}\nusage: npm start [-- --out DIR]`);
    process.exit(2);
  }
  main(out === undefined ? defaultOutDir : resolve(out));
}
