/**
 * Times the CNN step's non-convolution ops one by one on its shapes (batch 64):
 *   node --conditions=@autodag/source --import tsx bench/micro-nonconv.ts
 */
import * as torch from 'autodag';

const F = torch.nn.functional;

/** Best of 6 rounds of `reps` calls (the machine is shared: the minimum is the stable figure). */
function time(name: string, f: () => void, reps = 8): void {
  for (let i = 0; i < 5; i++) torch.tidy(f);
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 6; round++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) torch.tidy(f);
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  console.log(`${name.padEnd(34)} ${best.toFixed(2)} ms`);
}

torch.manualSeed(0);
for (const shape of [
  [64, 32, 28, 28],
  [64, 64, 14, 14],
]) {
  const c = shape[1]!;
  const x = torch.randn(...shape);
  const g = torch.randn(...shape);
  const w = torch.rand(c);
  const b = torch.rand(c);
  const rm = torch.zeros(c);
  const rv = torch.ones(c);
  const tag = shape.join('x');
  time(`bn fwd ${tag}`, () => F.batchNorm(x, rm, rv, w, b, { training: true }));
  const xr = x.clone().requiresGrad_();
  const wr = w.clone().requiresGrad_();
  const br = b.clone().requiresGrad_();
  time(`bn fwd+bwd ${tag}`, () => {
    F.batchNorm(xr, rm, rv, wr, br, { training: true }).backward(g);
    xr.grad = null;
    wr.grad = null;
    br.grad = null;
  });
  time(`relu ${tag}`, () => torch.relu(x));
  const xr2 = x.clone().requiresGrad_();
  time(`relu fwd+bwd ${tag}`, () => {
    torch.relu(xr2).backward(g);
    xr2.grad = null;
  });
  time(`maxpool ${tag}`, () => F.maxPool2d(x, 2));
  const xp = x.clone().requiresGrad_();
  const gp = torch.randn(shape[0]!, c, shape[2]! / 2, shape[3]! / 2);
  time(`maxpool fwd+bwd ${tag}`, () => {
    F.maxPool2d(xp, 2).backward(gp);
    xp.grad = null;
  });
}
