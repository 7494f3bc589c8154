import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

describe('deterministic memory release', () => {
  it('tidy disposes intermediates and keeps the result', () => {
    const x = torch.ones(4);
    let inner: torch.Tensor | null = null;
    const y = torch.tidy(() => {
      inner = x.mul(2);
      return inner.add(1);
    });
    expect(inner!.disposed).toBe(true);
    expect(y.disposed).toBe(false);
    expect(x.disposed).toBe(false);
    expect(y.tolist()).toEqual([3, 3, 3, 3]);
  });

  it('keep exempts tensors and nested tidy returns survive to the outer scope', () => {
    let kept: torch.Tensor | null = null;
    const out = torch.tidy(() => {
      kept = torch.keep(torch.ones(2));
      return torch.tidy(() => [torch.zeros(1)]);
    });
    expect(kept!.disposed).toBe(false);
    expect(out[0]!.disposed).toBe(false);
  });

  it('using a disposed tensor is a clear error; views keep storage alive', () => {
    const a = torch.arange(6).float();
    const v = a.view(2, 3);
    a.dispose();
    expect(v.sum().item()).toBe(15);
    expect(() => a.add(1)).toThrow(
      /add: argument 'input' \(\[6\] float32 on cpu\) has been disposed/,
    );
    v.dispose();
    expect(v.storage.disposed).toBe(true);
  });

  it('supports explicit resource management', () => {
    let t: torch.Tensor;
    {
      using s = torch.ones(3);
      t = s;
    }
    expect(t.disposed).toBe(true);
  });
});

describe('reading a disposed tensor', () => {
  it('throws instead of returning freed (possibly reused) memory', async () => {
    const inner = torch.tidy(() => {
      const t = torch.tensor([1.5, 2]);
      return [t.mul(2)];
    })[0]!;
    const gone = torch.tensor([3]);
    gone.dispose();
    expect(() => gone.item()).toThrow(
      /item|dataSync: cannot read a tensor that has been disposed \(shape \[1\], dtype float32/,
    );
    expect(() => gone.dataSync()).toThrow(/has been disposed/);
    await expect(gone.data()).rejects.toThrow(/data: cannot read a tensor that has been disposed/);
    expect(String(gone)).toContain('<disposed>');
    expect(Array.from(inner.dataSync())).toEqual([3, 4]);
  });
});
