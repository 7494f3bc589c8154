/**
 * Times every CPU kernel of the Fashion-MNIST CNN's AdamW training step (batch 64), per op and
 * output shape, and what the step spends outside kernels (dispatch, autograd, optimizer):
 *   node --conditions=@autodag/source --import tsx bench/profile-kernels.ts [steps]
 */
import type { Kernel } from '@autodag/core';
import { getOp, listOps } from '@autodag/core';
import { cnnStep } from './conv-autodag.js';

const steps = Number(process.argv[2] ?? 10);
const times = new Map<string, [number, number]>();
let timing = false;
for (const name of listOps()) {
  const op = getOp(name);
  const kernel = op.kernels.get('cpu') as Kernel | undefined;
  if (!kernel) continue;
  op.kernels.set('cpu', (inputs, outputs, attrs) => {
    if (!timing) return kernel(inputs, outputs, attrs);
    const started = performance.now();
    kernel(inputs, outputs, attrs);
    const key = `${name} ${outputs[0]?.shape.join('x') ?? ''}`;
    const entry = times.get(key) ?? [0, 0];
    entry[0] += performance.now() - started;
    entry[1]++;
    times.set(key, entry);
  });
}
const step = cnnStep(64);
for (let i = 0; i < 3; i++) step();
timing = true;
const started = performance.now();
for (let i = 0; i < steps; i++) step();
const total = (performance.now() - started) / steps;
const rows = [...times].sort((a, b) => b[1][0] - a[1][0]);
const inKernels = rows.reduce((s, [, [t]]) => s + t / steps, 0);
console.log(
  `step ${total.toFixed(1)} ms: kernels ${inKernels.toFixed(1)} ms, outside kernels ${(total - inKernels).toFixed(1)} ms`,
);
for (const [key, [t, calls]] of rows.slice(0, 30)) {
  console.log(`${(t / steps).toFixed(2).padStart(7)} ms  x${calls / steps}  ${key}`);
}
