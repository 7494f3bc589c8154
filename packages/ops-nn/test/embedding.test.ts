import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

const F = torch.nn.functional;
const ids = (v: number[][]) => torch.tensor(v, { dtype: 'int32' });

describe('embedding', () => {
  it('looks up rows and scatter-adds the gradient, skipping paddingIdx', () => {
    const w = torch.arange(12).reshape([4, 3]).float().requiresGrad_();
    const y = F.embedding(
      ids([
        [1, 0],
        [1, 3],
      ]),
      w,
      { paddingIdx: -1 },
    );
    expect(y.shape).toEqual([2, 2, 3]);
    expect(y.gradFn?.name).toBe('EmbeddingBackward0');
    expect(Array.from(y.dataSync()).slice(0, 6)).toEqual([3, 4, 5, 0, 1, 2]);
    y.sum().backward();
    expect(Array.from(w.grad!.dataSync())).toEqual([1, 1, 1, 2, 2, 2, 0, 0, 0, 0, 0, 0]);
  });

  it('maxNorm renormalises the looked-up rows in place', () => {
    const w = torch.tensor([
      [3, 4],
      [0.3, 0.4],
      [6, 8],
    ]);
    F.embedding(ids([[0, 1]]), w, { maxNorm: 1 });
    const v = Array.from(w.dataSync());
    expect(v[0]).toBeCloseTo(0.6, 5);
    expect(v[1]).toBeCloseTo(0.8, 5);
    expect(v.slice(2)).toEqual([Math.fround(0.3), Math.fround(0.4), 6, 8]);
  });

  it('rejects float indices and out-of-range padding', () => {
    expect(() => F.embedding(torch.tensor([0.0]), torch.randn(3, 2))).toThrow(
      /Expected tensor for argument #1 'indices'/,
    );
    expect(() => F.embedding(ids([[0]]), torch.randn(3, 2), { paddingIdx: 3 })).toThrow(
      /Padding_idx must be within num_embeddings/,
    );
  });
});
