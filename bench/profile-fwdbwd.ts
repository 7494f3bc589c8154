/**
 * Profiling entry: runs the batch-1 forward+backward in a loop, for `node --cpu-prof`.
 * Prints the best and median per-call CPU time over 10 rounds (CPU time and the best round are
 * the figures least disturbed by other processes).
 */
import { fwdBwd } from './autodag.js';
import { median } from './harness.js';

const fn = fwdBwd();
const iters = Number(process.argv[2] ?? 300);
for (let i = 0; i < 300; i++) fn();
const rounds: number[] = [];
for (let r = 0; r < 10; r++) {
  const t0 = process.cpuUsage();
  for (let i = 0; i < iters; i++) fn();
  const t = process.cpuUsage(t0);
  rounds.push((t.user + t.system) / 1000 / iters);
}
console.log(
  `fwd+bwd b1: best ${Math.min(...rounds).toFixed(3)} ms, median ${median(rounds).toFixed(3)} ms`,
);
