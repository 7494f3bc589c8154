/**
 * Times the Fashion-MNIST CNN's AdamW training step (batch 64) in a loop, for profiling:
 *   node --conditions=@autodag/source --import tsx [--cpu-prof] bench/profile-cnn.ts [steps]
 */
import { cnnStep } from './conv-autodag.js';

const steps = Number(process.argv[2] ?? 15);
const step = cnnStep(64);
for (let i = 0; i < 3; i++) step();
const started = performance.now();
for (let i = 0; i < steps; i++) step();
console.log(`CNN step b64: ${((performance.now() - started) / steps).toFixed(1)} ms`);
