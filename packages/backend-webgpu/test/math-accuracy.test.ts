import * as torch from 'autodag';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestDevice } from './device.js';

/**
 * Relative accuracy where WGSL's own functions are loose: log near 1 has only an absolute error
 * bound (2^-21), so log1p, expm1 and softplus of small arguments need series of their own.
 */

beforeAll(openTestDevice, 60_000);

const SMALL = [1e-7, -1e-7, 3e-7, 1e-4, -1e-4, 0.01, -0.3, 0.49, -0.49, 0.7, -0.7, 3];

/** The worst relative error of `f` on WebGPU against `exact` in float64, on float32 inputs. */
async function worstRelative(
  f: (x: torch.Tensor) => torch.Tensor,
  exact: (x: number) => number,
  inputs: readonly number[],
): Promise<number> {
  const x = torch.tensor(inputs, { device: 'webgpu' });
  const got = await f(x).data();
  const rounded = Float32Array.from(inputs);
  let worst = 0;
  rounded.forEach((v, i) => {
    const want = exact(v);
    worst = Math.max(worst, Math.abs(got[i]! - want) / Math.abs(want));
  });
  return worst;
}

describe('small arguments keep their relative accuracy on WebGPU', () => {
  it('log1p and expm1', async () => {
    expect(await worstRelative((x) => x.log1p(), Math.log1p, SMALL)).toBeLessThan(1e-6);
    expect(await worstRelative((x) => x.expm1(), Math.expm1, SMALL)).toBeLessThan(1e-6);
  });

  it('softplus deep in its negative tail', async () => {
    const softplus = (v: number) => Math.log1p(Math.exp(v));
    const tail = [-30, -20, -15, -10, -5, -1];
    const worst = await worstRelative((x) => torch.nn.functional.softplus(x), softplus, tail);
    expect(worst).toBeLessThan(1e-5);
  });
});
