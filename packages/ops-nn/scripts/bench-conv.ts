/**
 * Times conv2d and max-pool forward+backward on the CPU backend:
 *   node --conditions=@autodag/source --import tsx packages/ops-nn/scripts/bench-conv.ts
 */
import * as torch from 'autodag';

const F = torch.nn.functional;

function time(label: string, flops: number, fn: () => void, reps = 10): void {
  for (let i = 0; i < 2; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  const ms = (performance.now() - t0) / reps;
  const rate = flops ? ` (${(flops / ms / 1e6).toFixed(1)} GFLOP/s)` : '';
  console.log(`${label}: ${ms.toFixed(1)} ms${rate}`);
}

const x = torch.randn(32, 32, 28, 28, { requiresGrad: true });
const w = torch.randn(64, 32, 3, 3, { requiresGrad: true });
const b = torch.randn(64, { requiresGrad: true });
const gy = torch.randn(32, 64, 28, 28);
const flop = 2 * 32 * 64 * 28 * 28 * 32 * 9;
time('conv2d forward (32, 32->64, 3x3, pad 1, 28x28)', flop, () => {
  torch.noGrad(() => F.conv2d(x, w, b, { padding: 1 }));
});
time('conv2d forward+backward', 3 * flop, () => {
  const y = F.conv2d(x, w, b, { padding: 1 });
  y.backward(gy);
  x.grad = null;
  w.grad = null;
  b.grad = null;
});

const p = torch.randn(64, 32, 28, 28, { requiresGrad: true });
const gp = torch.randn(64, 32, 14, 14);
if ('maxPool2d' in F) {
  time('maxPool2d forward (64, 32, 28, 28), k 2', 0, () => {
    torch.noGrad(() => F.maxPool2d(p, 2));
  });
  time('maxPool2d forward+backward', 0, () => {
    F.maxPool2d(p, 2).backward(gp);
    p.grad = null;
  });
}
