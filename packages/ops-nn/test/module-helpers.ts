import type { Tensor } from 'autodag';
import * as torch from 'autodag';
import fixtures from './fixtures/modules.json';

/** A tensor as the fixtures store it. */
export interface Encoded {
  shape: number[];
  dtype: 'float32' | 'float64' | 'int32' | 'bool';
  data: (number | boolean | string)[];
}

export const fx = fixtures as unknown as Record<string, Record<string, unknown>>;

/** Decodes a fixture tensor. */
export function dec(e: Encoded): Tensor {
  const data = e.data.map((v) =>
    typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : Number(v),
  );
  const t = torch.tensor(data, { dtype: e.dtype === 'bool' ? 'float32' : e.dtype });
  const shaped = t.reshape(e.shape);
  return e.dtype === 'bool' ? shaped.ne(0) : shaped;
}

/** Decodes a fixture state dict. */
export function decState(sd: Record<string, Encoded>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, dec(v)]));
}

/** Largest absolute difference between two tensors of equal shape. */
export function maxDiff(a: Tensor, b: Tensor): number {
  const x = a.to('float64').dataSync();
  const y = b.to('float64').dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i]! - y[i]!);
    if (Number.isNaN(d)) return Number.isNaN(x[i]!) && Number.isNaN(y[i]!) ? m : Infinity;
    m = Math.max(m, d);
  }
  return m;
}
