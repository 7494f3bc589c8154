import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

const F = torch.nn.functional;
const int = (v: number[]) => torch.tensor(v, { dtype: 'int32' });

function close(a: torch.Tensor, want: number[], tol = 1e-6): void {
  const got = Array.from(a.dataSync());
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++)
    expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(tol);
}

describe('crossEntropy / nllLoss', () => {
  it("records PyTorch's graph: NllLossBackward0 over LogSoftmaxBackward0", () => {
    const x = torch.randn([3, 5], { requiresGrad: true });
    const loss = F.crossEntropy(x, int([1, 0, 4]));
    expect(loss.gradFn?.name).toBe('NllLossBackward0');
    expect(loss.gradFn?.nextFunctions[0]?.name).toBe('LogSoftmaxBackward0');
    loss.backward();
    // d/dx mean CE = (softmax(x) − onehot) / N
    const p = F.softmax(x.detach(), 1);
    const onehot = torch.zeros(3, 5);
    onehot.scatter_(1, int([1, 0, 4]).reshape(3, 1), 1);
    close(x.grad!, Array.from(p.sub(onehot).div(3).dataSync()), 1e-6);
  });

  it('weighted mean divides by the weights of the non-ignored targets', () => {
    const logp = torch.tensor(
      [
        [-1, -2, -3],
        [-0.5, -1.5, -2.5],
        [-4, -5, -6],
      ],
      { dtype: 'float64' },
    );
    const weight = torch.tensor([1, 2, 3], { dtype: 'float64' });
    const target = int([2, 1, -100]);
    const want = (3 * 3 + 2 * 1.5) / (3 + 2);
    close(F.nllLoss(logp, target, { weight }), [want], 1e-12);
    close(F.nllLoss(logp, target, { weight, reduction: 'sum' }), [3 * 3 + 2 * 1.5], 1e-12);
    close(F.nllLoss(logp, target, { weight, reduction: 'none' }), [9, 3, 0], 1e-12);
    // Every target ignored: 0/0, as in PyTorch.
    expect(Number.isNaN(F.nllLoss(logp, int([-100, -100, -100])).item())).toBe(true);
  });

  it('handles unbatched and spatial inputs', () => {
    const x = torch.randn(4, { dtype: 'float64' });
    const t = torch.tensor(2, { dtype: 'int32' });
    close(F.crossEntropy(x, t), [-(F.logSoftmax(x, 0).dataSync()[2] as number)], 1e-12);
    const y = torch.randn([2, 4, 3], { dtype: 'float64' });
    const ty = int([0, 1, 2, 3, 3, 0]).reshape(2, 3);
    expect(F.crossEntropy(y, ty, { reduction: 'none' }).shape).toEqual([2, 3]);
  });

  it('names the op, the bad target and the class count', () => {
    const x = torch.randn(2, 10);
    expect(() => F.crossEntropy(x, int([3, 12]))).toThrow(
      /^crossEntropy: target 12 is out of bounds: expected class indices in \[0, 10\)/,
    );
    expect(() => F.nllLoss(x, int([-1, 0]))).toThrow(
      /^nllLoss: target -1 is out of bounds.*\[0, 10\)/,
    );
    expect(() => F.crossEntropy(x, int([1, 2, 3]))).toThrow(
      /crossEntropy: expected input batch_size \(2\) to match target batch_size \(3\).*input of shape \[2, 10\], got target of shape \[3\]/,
    );
    expect(() => F.crossEntropy(x, torch.randn(2, 9))).toThrow(
      /crossEntropy:.*\[2, 10\].*\[2, 9\]/,
    );
    expect(() => F.crossEntropy(x, int([1, 2]), { weight: torch.ones(9) })).toThrow(
      /weight tensor should be defined either for all 10 classes or no classes but got weight tensor of shape: \[9\]/,
    );
    expect(() => F.nllLoss(x, int([1, 2]), { reduction: 'avg' as 'mean' })).toThrow(
      /nllLoss: "avg" is not a valid value for reduction/,
    );
    expect(() => F.nllLoss(x, torch.tensor([1, 2]))).toThrow(
      /nllLoss: expected target of dtype int32/,
    );
    expect(() => F.crossEntropy(x, int([1, 2]), { labelSmoothing: 1.5 })).toThrow(
      /labelSmoothing must be between 0.0 and 1.0/,
    );
  });
});

describe('regression and binary losses', () => {
  it('match hand-computed values', () => {
    const x = torch.tensor([0.5, 3, -2]);
    const y = torch.tensor([0, 0, 0]);
    close(F.mseLoss(x, y), [(0.25 + 9 + 4) / 3]);
    close(F.l1Loss(x, y, { reduction: 'sum' }), [5.5]);
    close(F.smoothL1Loss(x, y, { reduction: 'none' }), [0.125, 2.5, 1.5]);
    close(F.smoothL1Loss(x, y, { beta: 0, reduction: 'none' }), [0.5, 3, 2]);
    close(F.huberLoss(x, y, { delta: 2, reduction: 'none' }), [0.125, 4, 2]);
  });

  it('binary cross entropy: clamped logs, saturated gradients, range and shape errors', () => {
    close(F.binaryCrossEntropy(torch.tensor([0.8, 0.2]), torch.tensor([1, 0])), [-Math.log(0.8)]);
    close(
      F.binaryCrossEntropy(torch.tensor([0, 1]), torch.tensor([1, 0]), { reduction: 'none' }),
      [100, 100],
    );
    const p = torch.tensor([0, 1], { requiresGrad: true });
    const loss = F.binaryCrossEntropy(p, torch.tensor([0, 1]));
    expect(loss.gradFn?.name).toBe('BinaryCrossEntropyBackward0');
    loss.backward();
    close(p.grad!, [0, 0]);
    expect(() => F.binaryCrossEntropy(torch.tensor([1.5]), torch.tensor([1]))).toThrow(
      /binaryCrossEntropy: all elements of input should be between 0 and 1/,
    );
    expect(() => F.binaryCrossEntropy(torch.rand(3, 1), torch.rand(3))).toThrow(
      /binaryCrossEntropy: target size \[3\] must be the same as input size \[3, 1\]/,
    );
  });

  it('binaryCrossEntropyWithLogits is finite for huge logits and applies posWeight', () => {
    const x = torch.tensor([-1000, 1000], { dtype: 'float64' });
    close(
      F.binaryCrossEntropyWithLogits(x, torch.tensor([1, 0], { dtype: 'float64' }), {
        reduction: 'none',
      }),
      [1000, 1000],
      1e-9,
    );
    const z = torch.tensor([0.3], { dtype: 'float64' });
    const one = torch.tensor([1], { dtype: 'float64' });
    const sp = Math.log1p(Math.exp(-0.3));
    close(
      F.binaryCrossEntropyWithLogits(z, one, {
        posWeight: torch.tensor([3], { dtype: 'float64' }),
      }),
      [3 * sp],
      1e-12,
    );
  });

  it('klDiv: batchmean divides the sum by the batch size; 0·log 0 = 0', () => {
    const logq = torch.tensor(
      [
        [-1, -2],
        [-0.5, -3],
      ],
      { dtype: 'float64' },
    );
    const p = torch.tensor(
      [
        [0, 1],
        [0.5, 0.5],
      ],
      { dtype: 'float64' },
    );
    const terms = [0, 1 * (0 + 2), 0.5 * (Math.log(0.5) + 0.5), 0.5 * (Math.log(0.5) + 3)];
    const sum = terms.reduce((a, b) => a + b);
    close(F.klDiv(logq, p, { reduction: 'batchmean' }), [sum / 2], 1e-12);
    close(F.klDiv(logq, p), [sum / 4], 1e-12);
    close(
      F.klDiv(logq, p.clampMin(1e-30).log(), { logTarget: true, reduction: 'sum' }),
      [sum],
      1e-12,
    );
    expect(() => F.klDiv(logq, p, { reduction: 'avg' as 'mean' })).toThrow(
      /klDiv: "avg" is not a valid value for reduction \(expected 'mean', 'batchmean', 'sum', 'none'\)/,
    );
  });

  it('klDiv: a negative target gives NaN, as PyTorch (xlogy of a negative number)', () => {
    // PyTorch 1.13: F.kl_div([-1, -2, -0.5], [0.5, -0.2, 0], reduction='none') = [0.1534, nan, 0]
    const out = F.klDiv(torch.tensor([-1, -2, -0.5]), torch.tensor([0.5, -0.2, 0]), {
      reduction: 'none',
    }).tolist() as number[];
    expect(out[0]).toBeCloseTo(0.1534, 4);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBe(0);
  });

  it("records one node per loss with PyTorch's names", () => {
    const x = torch.randn([2, 3], { requiresGrad: true });
    const y = torch.rand(2, 3);
    expect(F.mseLoss(x, y).gradFn?.name).toBe('MseLossBackward0');
    expect(F.smoothL1Loss(x, y).gradFn?.name).toBe('SmoothL1LossBackward0');
    expect(F.huberLoss(x, y).gradFn?.name).toBe('HuberLossBackward0');
    expect(F.binaryCrossEntropyWithLogits(x, y).gradFn?.name).toBe(
      'BinaryCrossEntropyWithLogitsBackward0',
    );
    expect(F.l1Loss(x, y).gradFn?.name).toBe('MeanBackward0');
    expect(() => F.mseLoss(x, y.double())).toThrow(
      /mseLoss: expected input and target of the same dtype, got float32 and float64/,
    );
  });

  it('broadcasting mismatches name both shapes', () => {
    expect(() => F.mseLoss(torch.ones(2, 3), torch.ones(4))).toThrow(
      /mseLoss:.*\[2, 3\] and \[4\]/,
    );
  });
});
