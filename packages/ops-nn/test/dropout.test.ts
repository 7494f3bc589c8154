import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

const F = torch.nn.functional;

describe('dropout', () => {
  it('returns the input when not training or p = 0, zeros when p = 1', () => {
    const x = torch.randn(4, 4);
    expect(F.dropout(x, { training: false })).toBe(x);
    expect(F.dropout(x, { p: 0 })).toBe(x);
    expect(Array.from(F.dropout(x, { p: 1 }).dataSync()).every((v) => v === 0)).toBe(true);
  });

  it('zeroes about p of the elements and scales the rest by 1/(1 - p)', () => {
    torch.manualSeed(3);
    const y = F.dropout(torch.ones(20000), { p: 0.3 });
    const v = Array.from(y.dataSync());
    const zeros = v.filter((a) => a === 0).length / v.length;
    expect(Math.abs(zeros - 0.3)).toBeLessThan(0.02);
    expect(v.every((a) => a === 0 || Math.abs(a - 1 / 0.7) < 1e-6)).toBe(true);
  });

  it('is reproducible with manualSeed or a Generator, and its gradient is the mask', () => {
    torch.manualSeed(7);
    const a = F.dropout(torch.ones(50)).dataSync();
    torch.manualSeed(7);
    const b = F.dropout(torch.ones(50)).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    const x = torch.ones(50, { requiresGrad: true });
    const y = F.dropout(x, { p: 0.5, generator: new torch.Generator(1) });
    y.sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual(Array.from(y.detach().dataSync()));
    const again = F.dropout(torch.ones(50), { p: 0.5, generator: new torch.Generator(1) });
    expect(Array.from(again.dataSync())).toEqual(Array.from(y.detach().dataSync()));
  });

  it('works in place and rejects bad probabilities', () => {
    const x = torch.ones(10);
    const y = F.dropout(x, { p: 0.5, inplace: true });
    expect(y).toBe(x);
    expect(() => F.dropout(x, { p: 1.5 })).toThrow(
      /dropout probability has to be between 0 and 1, but got 1.5/,
    );
  });
});
