import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

const F = torch.nn.functional;

function maxDiff(a: torch.Tensor, b: torch.Tensor): number {
  return Number(a.sub(b).abs().max().item());
}

describe('scaledDotProductAttention', () => {
  it('causal equals an explicit lower-triangular bool mask and the float -inf mask', () => {
    const q = torch.randn(2, 4, 3);
    const k = torch.randn(2, 4, 3);
    const v = torch.randn(2, 4, 5);
    const causal = F.scaledDotProductAttention(q, k, v, { isCausal: true });
    const keep = torch.tril(torch.ones(4, 4)).gt(0);
    expect(maxDiff(causal, F.scaledDotProductAttention(q, k, v, { attnMask: keep }))).toBeLessThan(
      1e-6,
    );
    const additive = torch.zeros(4, 4).maskedFill(keep.logicalNot(), -Infinity);
    expect(
      maxDiff(causal, F.scaledDotProductAttention(q, k, v, { attnMask: additive })),
    ).toBeLessThan(1e-6);
    // The first query sees only the first key.
    expect(maxDiff(causal.select(1, 0), v.select(1, 0))).toBeLessThan(1e-6);
  });

  it('uses 1/sqrt(E) by default and takes a scale', () => {
    const q = torch.randn(3, 4);
    const k = torch.randn(5, 4);
    const v = torch.randn(5, 2);
    const ref = F.softmax(q.matmul(k.t()).mul(0.5), -1).matmul(v);
    expect(maxDiff(F.scaledDotProductAttention(q, k, v), ref)).toBeLessThan(1e-6);
    const ref2 = F.softmax(q.matmul(k.t()).mul(2), -1).matmul(v);
    expect(maxDiff(F.scaledDotProductAttention(q, k, v, { scale: 2 }), ref2)).toBeLessThan(1e-6);
  });

  it('applies seeded dropout to the weights and rejects a mask with isCausal', () => {
    const q = torch.randn(4, 3);
    const a = F.scaledDotProductAttention(q, q, q, {
      dropoutP: 0.5,
      generator: new torch.Generator(2),
    });
    const b = F.scaledDotProductAttention(q, q, q, {
      dropoutP: 0.5,
      generator: new torch.Generator(2),
    });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(() =>
      F.scaledDotProductAttention(q, q, q, { isCausal: true, attnMask: torch.ones(4, 4).gt(0) }),
    ).toThrow(/Explicit attn_mask should not be set when is_causal=True/);
  });
});
