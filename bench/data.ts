/**
 * Shared inputs: both libraries get the same values, from a small seeded generator, so their
 * results can be cross-checked.
 */

/** Deterministic uniform floats in [low, high) (mulberry32). */
export function uniform(n: number, seed: number, low = -1, high = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = low + (high - low) * r;
  }
  return out;
}

/** Layer sizes of the benchmark network: Linear(784,256)-tanh-Linear(256,256)-tanh-Linear(256,10). */
export const MLP_SIZES = [784, 256, 256, 10] as const;

/** Initial weights (PyTorch layout: [out, in]) and biases, uniform in ±1/√in as nn.Linear does. */
export function mlpInit(): { weights: Float32Array[]; biases: Float32Array[] } {
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let l = 0; l + 1 < MLP_SIZES.length; l++) {
    const fanIn = MLP_SIZES[l]!;
    const fanOut = MLP_SIZES[l + 1]!;
    const bound = 1 / Math.sqrt(fanIn);
    weights.push(uniform(fanOut * fanIn, 100 + l, -bound, bound));
    biases.push(uniform(fanOut, 200 + l, -bound, bound));
  }
  return { weights, biases };
}

/** A batch of inputs in [0, 1) and one-hot labels over 10 classes. */
export function mlpBatch(batch: number): {
  x: Float32Array;
  labels: number[];
  oneHot: Float32Array;
} {
  const x = uniform(batch * MLP_SIZES[0], 300 + batch, 0, 1);
  const classes = MLP_SIZES[MLP_SIZES.length - 1]!;
  const labels = Array.from(uniform(batch, 400 + batch, 0, classes), (v) => Math.floor(v));
  const oneHot = new Float32Array(batch * classes);
  labels.forEach((c, i) => {
    oneHot[i * classes + c] = 1;
  });
  return { x, labels, oneHot };
}

/** The learning rate of the SGD step. */
export const LR = 0.01;
