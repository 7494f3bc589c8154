import * as torch from 'autodag';
import { fashionCnn } from '../examples/fashion-mnist/src/model.js';
import { uniform } from './data.js';

/**
 * The convolution workloads written with autodag, as PyTorch users would write them, on the
 * device given ('cpu' unless given).
 */

const { nn, optim } = torch;
const F = nn.functional;

/** conv2d forward + backward: batch 32, 32→64 channels, 3×3, padding 1, 28×28 input. */
export function convFwdBwd(device = 'cpu'): () => void {
  const leaf = (values: Float32Array, shape: number[]) =>
    torch.tensor(values).reshape(shape).to(device).requiresGrad_();
  const x = leaf(uniform(32 * 32 * 28 * 28, 5), [32, 32, 28, 28]);
  const w = leaf(uniform(64 * 32 * 9, 6), [64, 32, 3, 3]);
  const b = leaf(uniform(64, 7), [64]);
  return () =>
    torch.tidy(() => {
      F.conv2d(x, w, b, { padding: 1 }).sum().backward();
      x.grad = null;
      w.grad = null;
      b.grad = null;
    });
}

/**
 * One AdamW training step of the Fashion-MNIST CNN (conv32-BN-ReLU-pool, conv64-BN-ReLU-pool,
 * fc128-ReLU, fc10) on a batch of `batch` 28×28 images.
 */
export function cnnStep(batch: number, device = 'cpu'): () => void {
  torch.manualSeed(0);
  const model = fashionCnn().to(device);
  const optimizer = new optim.AdamW(model.parameters(), { lr: 1e-3 });
  const x = torch.rand(batch, 1, 28, 28).to(device);
  const y = torch.randint(0, 10, [batch], { dtype: 'int32' }).to(device);
  return () =>
    torch.tidy(() => {
      optimizer.zeroGrad();
      F.crossEntropy(model.call(x) as torch.Tensor, y).backward();
      optimizer.step();
    });
}
