/**
 * Times one optimizer step over a small CNN's parameters (~421k values in 10 tensors).
 * Run: node --conditions=@autodag/source --import tsx packages/optim/scripts/bench_step.ts
 */
import * as torch from 'autodag';

const SHAPES = [
  [32, 3, 3, 3],
  [32],
  [64, 32, 3, 3],
  [64],
  [128, 64, 3, 3],
  [128],
  [256, 128, 3, 3],
  [256],
  [128, 256],
  [128],
];

type Make = (params: torch.Tensor[]) => torch.optim.Optimizer<torch.optim.Hyperparameters>;

function time(name: string, make: Make): void {
  torch.manualSeed(0);
  const params = SHAPES.map((s) => torch.randn(s).requiresGrad_());
  for (const p of params) p.grad = torch.randn(p.shape);
  const opt = make(params);
  for (let i = 0; i < 20; i++) opt.step();
  // Median and best of single steps: the median is the typical cost, the best the cost on an
  // otherwise idle machine.
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t0 = performance.now();
    opt.step();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const n = params.reduce((a, p) => a + p.numel(), 0);
  console.log(
    `${name.padEnd(30)} median ${times[50]!.toFixed(2)} ms, best ${times[0]!.toFixed(2)} ms (${n} params in ${params.length} tensors)`,
  );
}

for (const fused of [null, false] as const) {
  const tag = fused === null ? 'fused loop' : 'tensor ops';
  time(`AdamW (${tag})`, (p) => new torch.optim.AdamW(p, { lr: 1e-3, fused }));
  time(`Adam amsgrad (${tag})`, (p) => new torch.optim.Adam(p, { amsgrad: true, fused }));
  time(`SGD momentum (${tag})`, (p) => new torch.optim.SGD(p, { lr: 0.1, momentum: 0.9, fused }));
  time(`RMSprop centered (${tag})`, (p) => new torch.optim.RMSprop(p, { centered: true, fused }));
  time(`Adagrad (${tag})`, (p) => new torch.optim.Adagrad(p, { fused }));
}
