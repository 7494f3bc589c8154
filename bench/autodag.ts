import * as torch from 'autodag';
import { LR, MLP_SIZES, mlpBatch, mlpInit, uniform } from './data.js';

/** The benchmark workloads written with autodag, as PyTorch users would write them. */

type Tensor = torch.Tensor;

/** Every workload takes the device its tensors live on ('cpu' unless given). */
function fromData(values: Float32Array, shape: number[], device = 'cpu'): Tensor {
  return torch.tensor(values).reshape(shape).to(device);
}

/** C = A·B for N×N matrices; returns the call and the product (for cross-checks). */
export function mm(
  n: number,
  device = 'cpu',
): { run: () => void; result: () => Promise<Float32Array> } {
  const a = fromData(uniform(n * n, 1), [n, n], device);
  const b = fromData(uniform(n * n, 2), [n, n], device);
  return {
    run: () => torch.mm(a, b).dispose(),
    result: async () => {
      const c = torch.mm(a, b);
      const values = (await c.data()) as Float32Array;
      c.dispose();
      return values;
    },
  };
}

/** tanh(a + b) over two vectors of `n` elements. */
export function addTanh(n: number): () => void {
  const a = fromData(uniform(n, 3), [n]);
  const b = fromData(uniform(n, 4), [n]);
  return () => {
    a.add(b).tanh();
  };
}

/** The network's parameters as leaves requiring grad. */
function mlpParams(device: string): Tensor[] {
  const { weights, biases } = mlpInit();
  const params: Tensor[] = [];
  for (let l = 0; l < weights.length; l++) {
    const w = fromData(weights[l]!, [MLP_SIZES[l + 1]!, MLP_SIZES[l]!], device);
    params.push(w.requiresGrad_());
    params.push(fromData(biases[l]!, [MLP_SIZES[l + 1]!], device).requiresGrad_());
  }
  return params;
}

/**
 * Mean softmax cross-entropy of `logits` against one-hot targets, composed from elementwise ops
 * and sums: log-softmax is `z - log(sum(exp(z)))` (the logits of this network stay small, so the
 * max-shift that guards against overflow is not needed for equal results).
 */
function crossEntropy(logits: Tensor, oneHot: Tensor): Tensor {
  const batch = logits.shape[0]!;
  const logSoftmax = logits.sub(logits.exp().sum(1, true).log());
  return logSoftmax
    .mul(oneHot)
    .sum()
    .mul(-1 / batch);
}

function mlpLoss(params: readonly Tensor[], x: Tensor, oneHot: Tensor): Tensor {
  let h = x;
  for (let l = 0; l < params.length; l += 2) {
    h = h.matmul(params[l]!.t()).add(params[l + 1]!);
    if (l + 2 < params.length) h = h.tanh();
  }
  return crossEntropy(h, oneHot);
}

/**
 * One training step on a batch: forward, cross-entropy, backward, SGD update.
 * `initialLoss` is the loss before any step (for cross-checks).
 */
export function mlpStep(
  batch: number,
  device = 'cpu',
): { run: () => void; initialLoss: () => Promise<number> } {
  const params = mlpParams(device);
  const data = mlpBatch(batch);
  const x = fromData(data.x, [batch, MLP_SIZES[0]], device);
  const oneHot = fromData(data.oneHot, [batch, MLP_SIZES[MLP_SIZES.length - 1]!], device);
  return {
    initialLoss: () => torch.noGrad(() => mlpLoss(params, x, oneHot)).itemAsync(),
    // `tidy` frees the step's intermediates on return, so their memory is reused next step
    // (tfjs's `minimize` frees its intermediates the same way).
    run: () =>
      torch.tidy(() => {
        mlpLoss(params, x, oneHot).backward();
        torch.noGrad(() => {
          for (const p of params) {
            torch.inplace(p, 'sub_', () => p.sub(p.grad!.mul(LR)));
            p.grad = null;
          }
        });
      }),
  };
}

/** Forward and backward of one sample, no update (dominated by per-op overhead). */
export function fwdBwd(): () => void {
  const params = mlpParams('cpu');
  const data = mlpBatch(1);
  const x = fromData(data.x, [1, MLP_SIZES[0]]);
  const oneHot = fromData(data.oneHot, [1, MLP_SIZES[MLP_SIZES.length - 1]!]);
  return () =>
    torch.tidy(() => {
      mlpLoss(params, x, oneHot).backward();
      for (const p of params) p.grad = null;
    });
}
