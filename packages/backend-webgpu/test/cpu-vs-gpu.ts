import type { Tensor } from 'autodag';
import * as torch from 'autodag';
import { expect } from 'vitest';

/** Helpers of the focused kernel tests: deterministic inputs and CPU/WebGPU comparisons. */

/** `n` deterministic unsigned 32-bit words (xorshift32 from `seed`). */
export function xorshift32(n: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  });
}

/** Deterministic values: floats in [-range, range) or integers in [0, range). */
export function rand(n: number, seed: number, range = 4, int = false): number[] {
  return xorshift32(n, seed).map((w) => {
    const u = w / 2 ** 32;
    return int ? Math.floor(u * range) : (u * 2 - 1) * range;
  });
}

/** A tensor of `values` on `device` (bool from nonzero values). */
export function make(
  values: readonly number[],
  shape: readonly number[],
  device: string,
  dtype: 'float32' | 'int32' | 'bool' = 'float32',
): Tensor {
  if (dtype === 'bool')
    return torch.fromTypedArray(Int32Array.from(values), shape, { device }).ne(0);
  const Ctor = dtype === 'float32' ? Float32Array : Int32Array;
  return torch.fromTypedArray(Ctor.from(values), shape, { dtype, device });
}

/** Runs `f` on the CPU and on WebGPU; resolves with both results' values. */
export async function onBoth(f: (device: string) => Tensor): Promise<[number[], number[]]> {
  const cpu = f('cpu');
  const gpu = f('webgpu');
  expect(gpu.device).toBe('webgpu');
  expect(gpu.shape).toEqual(cpu.shape);
  expect(gpu.dtype).toBe(cpu.dtype);
  return [Array.from(cpu.dataSync()), Array.from(await gpu.data())];
}

/** Exact agreement (bit for bit, as numbers: -0 and 0 compare equal). */
export async function same(f: (device: string) => Tensor): Promise<void> {
  const [cpu, gpu] = await onBoth(f);
  expect(gpu).toEqual(cpu);
}
