import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

const i32 = (d: number[]) => torch.tensor(d, { dtype: 'int32' });

describe('type promotion (PyTorch rules)', () => {
  it('follows categories and ranks', () => {
    expect(i32([1, 2]).add(2).dtype).toBe('int32');
    expect(i32([1, 2]).add(2.5).dtype).toBe('float32');
    expect(i32([1, 2]).add(torch.tensor([1.5])).dtype).toBe('float32');
    expect(torch.tensor([1, 2]).add(torch.tensor(1, { dtype: 'float64' })).dtype).toBe('float32');
    expect(i32([1, 2]).add(torch.tensor(1.5, { dtype: 'float64' })).dtype).toBe('float64');
    expect(torch.tensor([1, 2], { dtype: 'float64' }).add(torch.tensor([1])).dtype).toBe('float64');
    expect(torch.tensor([true]).add(i32([1])).dtype).toBe('int32');
    expect(torch.tensor([true]).add(1).dtype).toBe('int32');
    expect(i32([1, 2]).div(2).dtype).toBe('float32');
    expect(i32([3, 4]).div(2).tolist()).toEqual([1.5, 2]);
  });
});

describe('to()', () => {
  it('takes a dtype string, a device name or both as options', () => {
    const x = torch.tensor([1.5, 2.5]);
    expect(x.to('float64').dtype).toBe('float64');
    expect(x.to('int32').tolist()).toEqual([1, 2]);
    expect(x.to('cpu')).toBe(x);
    expect(x.to({ device: 'cpu', dtype: 'float64' }).dtype).toBe('float64');
    const w = torch.tensor([1, 2], { requiresGrad: true });
    w.to('float64').sum().backward();
    expect(w.grad!.dtype).toBe('float32');
  });
});
