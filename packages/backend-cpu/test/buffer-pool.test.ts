import { cpuBackend, cpuData } from '@autodag/backend-cpu';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

describe('CPU buffer reuse', () => {
  it('hands a disposed tensor’s array to the next allocation of that size', () => {
    const a = torch.ones(64, 64).mul(3);
    const data = cpuData(a);
    a.dispose();
    const b = cpuBackend.allocate('float32', 64 * 64);
    expect(b.data).toBe(data);
    cpuBackend.release(b);
  });

  it('never recycles an array handed over by upload, or one a live view still uses', () => {
    const mine = new Float32Array(4096).fill(7);
    const s = cpuBackend.upload(mine, 'float32');
    cpuBackend.release(s);
    expect(cpuBackend.allocate('float32', 4096).data).not.toBe(mine);
    expect(mine[0]).toBe(7);

    const base = torch.ones(2048, 2).mul(5);
    const view = base.t();
    base.dispose();
    expect(cpuBackend.allocate('float32', 4096).data).not.toBe(cpuData(view));
    expect(view.sum().item()).toBe(5 * 4096);
  });

  it('keeps results right across tidy scopes that recycle memory', () => {
    const w = torch.rand(300, 200);
    const x = torch.rand(200, 50);
    const want = torch.mm(w, x).tolist();
    for (let i = 0; i < 3; i++) {
      const got = torch.tidy(() => torch.mm(w, x).add(0).tolist());
      expect(got).toEqual(want);
    }
    cpuBackend.emptyCache();
  });
});
