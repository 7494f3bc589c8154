import * as tf from '@tensorflow/tfjs';
import { uniform } from './data.js';

/**
 * The convolution workloads written with TensorFlow.js (NHWC, its native layout), on tfjs's
 * current backend.
 */

/** conv2d forward + backward: batch 32, 32→64 channels, 3×3, 'same' padding, 28×28 input. */
export function convFwdBwd(): () => void {
  const x = tf.tensor4d(uniform(32 * 28 * 28 * 32, 5), [32, 28, 28, 32]);
  const w = tf.tensor4d(uniform(9 * 32 * 64, 6), [3, 3, 32, 64]);
  const b = tf.tensor1d(uniform(64, 7));
  const grads = tf.grads(
    (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor): tf.Tensor =>
      tf.sum(tf.add(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 1, 'same'), bi)),
  );
  // The gradients are dropped, as autodag's step drops them: tidy frees them on return.
  return () =>
    tf.tidy(() => {
      grads([x, w, b]);
    });
}

function batchNorm(h: tf.Tensor4D, gamma: tf.Variable, beta: tf.Variable): tf.Tensor4D {
  const { mean, variance } = tf.moments(h, [0, 1, 2]);
  return tf.batchNorm4d(
    h,
    mean as tf.Tensor1D,
    variance as tf.Tensor1D,
    beta as tf.Tensor1D,
    gamma as tf.Tensor1D,
    1e-5,
  );
}

/**
 * One training step of the same CNN as autodag's (tfjs has no AdamW: Adam, which differs only
 * in the weight decay term).
 */
export function cnnStep(batch: number): () => void {
  const v = (shape: number[], seed: number) =>
    tf.variable(
      tf
        .tensor(
          uniform(
            shape.reduce((a, b) => a * b, 1),
            seed,
          ),
          shape,
        )
        .mul(0.1),
    );
  const v4 = (shape: number[], seed: number) => v(shape, seed) as unknown as tf.Tensor4D;
  const params = {
    w1: v4([3, 3, 1, 32], 11),
    b1: v([32], 12),
    g1: tf.variable(tf.ones([32])),
    s1: tf.variable(tf.zeros([32])),
    w2: v4([3, 3, 32, 64], 13),
    b2: v([64], 14),
    g2: tf.variable(tf.ones([64])),
    s2: tf.variable(tf.zeros([64])),
    w3: v([3136, 128], 15),
    b3: v([128], 16),
    w4: v([128, 10], 17),
    b4: v([10], 18),
  };
  const optimizer = tf.train.adam(1e-3);
  const x = tf.tensor4d(uniform(batch * 784, 19), [batch, 28, 28, 1]);
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  const loss = () => {
    let h = tf.conv2d(x, params.w1, 1, 'same').add(params.b1) as tf.Tensor4D;
    h = tf.maxPool(tf.relu(batchNorm(h, params.g1, params.s1)), 2, 2, 'valid');
    h = tf.conv2d(h, params.w2, 1, 'same').add(params.b2) as tf.Tensor4D;
    h = tf.maxPool(tf.relu(batchNorm(h, params.g2, params.s2)), 2, 2, 'valid');
    const flat = h.reshape([batch, 3136]);
    const hidden = tf.relu(flat.matMul(params.w3).add(params.b3));
    const logits = hidden.matMul(params.w4).add(params.b4);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  };
  return () => {
    optimizer.minimize(loss);
  };
}
