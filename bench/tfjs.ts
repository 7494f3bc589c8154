import * as tf from '@tensorflow/tfjs';
import { LR, MLP_SIZES, mlpBatch, mlpInit, uniform } from './data.js';

/**
 * The benchmark workloads written with TensorFlow.js. They run on tfjs's current backend: its
 * pure-JS 'cpu' backend after `setup()`, its WebGPU backend in `npm run bench -- --device webgpu`.
 */

/** Selects tfjs's pure-JS CPU backend. */
export async function setup(): Promise<string> {
  await tf.setBackend('cpu');
  await tf.ready();
  return `tfjs ${tf.version.tfjs} (${tf.getBackend()} backend)`;
}

/** C = A·B for N×N matrices. */
export function mm(n: number): { run: () => void; result: () => Promise<Float32Array> } {
  const a = tf.tensor2d(uniform(n * n, 1), [n, n]);
  const b = tf.tensor2d(uniform(n * n, 2), [n, n]);
  return {
    run: () => tf.matMul(a, b).dispose(),
    result: async () => {
      const c = tf.matMul(a, b);
      const values = (await c.data()) as Float32Array;
      c.dispose();
      return values;
    },
  };
}

/** tanh(a + b) over two vectors of `n` elements. */
export function addTanh(n: number): () => void {
  const a = tf.tensor1d(uniform(n, 3));
  const b = tf.tensor1d(uniform(n, 4));
  return () => tf.tidy(() => tf.tanh(tf.add(a, b))).dispose();
}

/** Weights in PyTorch's [out, in] layout, applied as x·Wᵀ like nn.Linear. */
function mlpParams(): tf.Variable[] {
  const { weights, biases } = mlpInit();
  const vars: tf.Variable[] = [];
  for (let l = 0; l < weights.length; l++) {
    vars.push(tf.variable(tf.tensor2d(weights[l]!, [MLP_SIZES[l + 1]!, MLP_SIZES[l]!])));
    vars.push(tf.variable(tf.tensor1d(biases[l]!)));
  }
  return vars;
}

function mlpLoss(vars: readonly tf.Variable[], x: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  let h = x;
  for (let l = 0; l < vars.length; l += 2) {
    h = tf.add(tf.matMul(h, vars[l]!, false, true), vars[l + 1]!);
    if (l + 2 < vars.length) h = tf.tanh(h);
  }
  return tf.losses.softmaxCrossEntropy(oneHot, h) as tf.Scalar;
}

/** One training step: forward, cross-entropy, backward, SGD update. */
export function mlpStep(batch: number): {
  run: () => void;
  initialLoss: () => Promise<number>;
} {
  const vars = mlpParams();
  const data = mlpBatch(batch);
  const x = tf.tensor2d(data.x, [batch, MLP_SIZES[0]]);
  const oneHot = tf.tensor2d(data.oneHot, [batch, MLP_SIZES[MLP_SIZES.length - 1]!]);
  const opt = tf.train.sgd(LR);
  return {
    initialLoss: async () => {
      const loss = tf.tidy(() => mlpLoss(vars, x, oneHot));
      const value = (await loss.data())[0]!;
      tf.dispose(loss);
      return value;
    },
    run: () => {
      opt.minimize(() => mlpLoss(vars, x, oneHot), false, vars);
    },
  };
}

/** Forward and backward of one sample, no update. */
export function fwdBwd(): () => void {
  const vars = mlpParams();
  const data = mlpBatch(1);
  const x = tf.tensor2d(data.x, [1, MLP_SIZES[0]]);
  const oneHot = tf.tensor2d(data.oneHot, [1, MLP_SIZES[MLP_SIZES.length - 1]!]);
  return () => {
    const { value, grads } = tf.variableGrads(() => mlpLoss(vars, x, oneHot), vars);
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
  };
}
