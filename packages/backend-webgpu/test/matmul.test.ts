import type { Tensor } from 'autodag';
import * as torch from 'autodag';
import { beforeAll, describe, expect, it } from 'vitest';
import { xorshift32 } from './cpu-vs-gpu.js';
import { openTestDevice } from './device.js';

beforeAll(openTestDevice, 60_000);

/**
 * Matrix products on WebGPU against the CPU backend, past what the conformance samples reach:
 * sizes on both sides of the 64×64×16 tile, every operand layout, batch broadcasting, int32
 * beyond float32's precision, and gradients (which pass transposed views). Float inputs are small
 * integers wherever the comparison is exact, so no summation order can change the result.
 */

/** Deterministic small integers in [-4, 4] (or [-range, range]). */
function ints(n: number, seed: number, range = 4): number[] {
  return xorshift32(n, seed).map((w) => (w % (2 * range + 1)) - range);
}

/** The same values, in the same storage and view, on the CPU and on WebGPU. */
function both(
  values: readonly number[],
  shape: readonly number[],
  dtype: 'float32' | 'int32' = 'float32',
  view: (t: Tensor) => Tensor = (t) => t,
): [Tensor, Tensor] {
  const Ctor = dtype === 'float32' ? Float32Array : Int32Array;
  const on = (device: string) =>
    view(torch.fromTypedArray(Ctor.from(values), shape, { dtype, device }));
  return [on('cpu'), on('webgpu')];
}

/** A rows×cols operand stored in the given layout (read through its strides by the kernel). */
type Layout = 'contiguous' | 'transposed' | 'sliced';
const LAYOUTS: Layout[] = ['contiguous', 'transposed', 'sliced'];

function matrix(
  rows: number,
  cols: number,
  layout: Layout,
  seed: number,
  dtype: 'float32' | 'int32' = 'float32',
): [Tensor, Tensor] {
  if (layout === 'transposed') {
    return both(ints(rows * cols, seed), [cols, rows], dtype, (t) => t.t());
  }
  if (layout === 'sliced') {
    // Every other column of a wider matrix, starting at column 1: offset 1, column stride 2,
    // with NaN (float32) or a large value (int32) in the gaps, which a kernel must not read.
    const width = 2 * cols + 1;
    const poison = dtype === 'float32' ? Number.NaN : 1 << 30;
    const values = ints(rows * width, seed).map((v, i) => ((i % width) % 2 === 1 ? v : poison));
    return both(values, [rows, width], dtype, (t) => t.slice(1, 1, null, 2));
  }
  return both(ints(rows * cols, seed), [rows, cols], dtype);
}

async function expectSame(gpu: Tensor, cpu: Tensor, what: string, atol = 0): Promise<void> {
  expect(gpu.device, what).toBe('webgpu');
  expect(gpu.dtype, what).toBe(cpu.dtype);
  expect(gpu.shape, what).toEqual(cpu.shape);
  const actual = await gpu.data();
  const expected = await cpu.data();
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    if (!(err <= atol)) worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
  }
  expect(worst, `${what}: largest difference from the CPU`).toBe(0);
}

describe('matrix products on WebGPU', () => {
  it('mm at sizes on both sides of the tile, in every operand layout', async () => {
    const sizes: [number, number, number][] = [
      [1, 1, 1],
      [5, 3, 7],
      [64, 16, 64],
      [65, 17, 63],
      [130, 40, 67],
      [3, 200, 5],
      [1, 33, 129],
      [70, 1, 9],
    ];
    let seed = 1;
    for (const [m, k, n] of sizes) {
      for (const la of LAYOUTS) {
        for (const lb of LAYOUTS) {
          const [ac, ag] = matrix(m, k, la, seed++);
          const [bc, bg] = matrix(k, n, lb, seed++);
          await expectSame(ag.mm(bg), ac.mm(bc), `${m}x${k} (${la}) @ ${k}x${n} (${lb})`);
        }
      }
    }
  });

  it('mm of float32 values in general agrees within rounding', async () => {
    torch.manualSeed(7);
    const a = torch.randn(96, 300);
    const b = torch.randn(300, 80);
    const expected = await a.mm(b).data();
    const actual = await a.to('webgpu').mm(b.to('webgpu')).data();
    for (let i = 0; i < expected.length; i++) {
      expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(expected[i]!)));
    }
  });

  it('int32 products are exact beyond float32 precision, and wrap as the CPU does', async () => {
    const m = 37;
    const k = 50;
    const n = 66;
    const av = ints(m * k, 11, 3000);
    const bv = ints(k * n, 12, 3000);
    const [ac, ag] = both(av, [m, k], 'int32');
    const [bc, bg] = both(bv, [n, k], 'int32', (t) => t.t());
    const out = await ag.mm(bg).data();
    let beyondFloat = false;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += av[i * k + p]! * bv[j * k + p]!;
        expect(out[i * n + j]).toBe(s);
        if (Math.abs(s) > 2 ** 24 && Math.fround(s) !== s) beyondFloat = true;
      }
    }
    expect(beyondFloat).toBe(true);
    await expectSame(ag.mm(bg), ac.mm(bc), 'int32 transposed');

    // Products past 2^31 wrap (two's complement), as the CPU's int32 result does.
    const [wc, wg] = both([60000, 70000, -80000, 90000], [2, 2], 'int32');
    await expectSame(wg.mm(wg), wc.mm(wc), 'int32 overflow');
  });

  it('bmm reads batches through their strides, broadcast batches included', async () => {
    const [b, m, k, n] = [3, 67, 20, 70];
    // A stored as [M, batch, K] and permuted: the batch is not the outermost dim.
    const [ac, ag] = both(ints(b * m * k, 21), [m, b, k], 'float32', (t) => t.permute(1, 0, 2));
    // B: one matrix broadcast over the batch (batch stride 0), read transposed.
    const [bc, bg] = both(ints(k * n, 22), [1, n, k], 'float32', (t) =>
      t.transpose(1, 2).expand(b, k, n),
    );
    expect(bg.strides[0]).toBe(0);
    await expectSame(ag.bmm(bg), ac.bmm(bc), 'bmm permuted @ broadcast');
    const [cc, cg] = both(ints(b * k * n, 23), [b, k, n], 'int32');
    const [dc, dg] = both(ints(b * m * k, 24), [b, k, m], 'int32', (t) => t.transpose(1, 2));
    await expectSame(dg.bmm(cg), dc.bmm(cc), 'bmm int32 transposed');
  });

  it('matmul broadcasts batch dims and composes mv, dot and outer from mm', async () => {
    const cases: [number[], number[]][] = [
      [
        [2, 1, 5, 6],
        [3, 6, 4],
      ],
      [[6], [2, 6, 3]],
      [[2, 4, 6], [6]],
      [
        [4, 6],
        [2, 3, 6, 5],
      ],
      [[5, 6], [6]],
      [[6], [6]],
      [[6], [6, 65]],
    ];
    let seed = 40;
    for (const [sa, sb] of cases) {
      const numel = (s: number[]) => s.reduce((p, x) => p * x, 1);
      const [ac, ag] = both(ints(numel(sa), seed++), sa);
      const [bc, bg] = both(ints(numel(sb), seed++), sb);
      await expectSame(ag.matmul(bg), ac.matmul(bc), `matmul [${sa}] @ [${sb}]`);
    }
    const [uc, ug] = both(ints(7, 50), [7]);
    const [vc, vg] = both(ints(5, 51), [5]);
    await expectSame(ug.outer(vg), uc.outer(vc), 'outer');
    await expectSame(ug.dot(ug), uc.dot(uc), 'dot');
    const [mc, mg] = both(ints(35, 52), [7, 5], 'float32', (t) => t);
    await expectSame(mg.t().mv(ug), mc.t().mv(uc), 'mv transposed');
  });

  it('empty products: no rows, and an empty inner dim (zeros)', async () => {
    const [ac, ag] = both([], [0, 3]);
    const [bc, bg] = both(ints(12, 60), [3, 4]);
    await expectSame(ag.mm(bg), ac.mm(bc), '0x3 @ 3x4');
    const [cc, cg] = both([], [5, 0]);
    const [dc, dg] = both([], [0, 70]);
    await expectSame(cg.mm(dg), cc.mm(dc), '5x0 @ 0x70');
    expect(Array.from(await cg.mm(dg).data()).every((x) => x === 0)).toBe(true);
  });

  it('gradients of mm, bmm and matmul, which pass transposed views, match the CPU', async () => {
    const grads = (device: string) => {
      const make = (values: number[], shape: number[]) => {
        const t = torch.fromTypedArray(Float32Array.from(values), shape, { device });
        t.requiresGrad = true;
        return t;
      };
      const x = make(ints(5 * 70, 70), [5, 70]);
      // A weight used as w.t(): its gradient comes back in the same (column-major) layout.
      const w = make(ints(66 * 70, 71), [66, 70]);
      const p = make(ints(2 * 3 * 66, 72), [2, 3, 66]);
      const q = make(ints(2 * 66 * 4, 73), [2, 66, 4]);
      const h = x.mm(w.t());
      const loss = h
        .mul(h)
        .sum()
        .add(p.matmul(q).mul(p.matmul(q)).sum());
      loss.backward();
      return [x.grad!, w.grad!, p.grad!, q.grad!];
    };
    const cpu = grads('cpu');
    const gpu = grads('webgpu');
    for (let i = 0; i < cpu.length; i++) await expectSame(gpu[i]!, cpu[i]!, `grad ${i}`);
  });
});
