import { readFileSync } from 'node:fs';
import * as torch from 'autodag';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check, f64 } from './gradcheck-helpers.js';

interface InputSpec {
  base: number[];
  perm?: number[];
}
interface Result {
  shape: number[];
  values: number[];
}
type Item = number | string | null | unknown[];
interface Fixtures {
  get: { name: string; input: InputSpec; items: Item[]; expected: Result }[];
  set: {
    name: string;
    input: InputSpec;
    items: Item[];
    value: number | unknown[];
    expected: Result;
  }[];
  ops: {
    op: string;
    input: InputSpec; // biome-ignore lint/suspicious/noExplicitAny: fixture arguments are heterogeneous JSON
    args: Record<string, any>;
    expected: Result;
  }[];
}

const fx: Fixtures = JSON.parse(
  readFileSync(new URL('./fixtures/indexing.json', import.meta.url), 'utf8'),
);

function makeInput(spec: InputSpec, dtype: torch.DType = 'float32'): torch.Tensor {
  const n = spec.base.reduce((a, b) => a * b, 1);
  let x = torch.arange(n).to({ dtype }).reshape(spec.base);
  if (spec.perm) x = x.permute(spec.perm);
  return x;
}

const i32 = (v: torch.NestedArray) => torch.tensor(v, { dtype: 'int32' });

function expectResult(t: torch.Tensor, r: Result): void {
  expect(t.shape).toEqual(r.shape);
  expect(Array.from(t.dataSync())).toEqual(r.values);
}

const isBasic = (items: Item[]) => items.every((i) => !Array.isArray(i));

describe('x.get(...) matches PyTorch x[...]', () => {
  for (const c of fx.get) {
    it(`${c.name}: x[${JSON.stringify(c.items)}]`, () => {
      const x = makeInput(c.input);
      const r = x.get(...(c.items as torch.IndexItem[]));
      expectResult(r, c.expected);
      // Basic indexing returns a view, advanced indexing a copy, as in PyTorch.
      if (isBasic(c.items)) expect(r.storage).toBe(x.storage);
      else expect(r.storage).not.toBe(x.storage);
    });
  }

  it('the seed example: x[1, 2] is a 0-d tensor', () => {
    const x = torch.tensor([
      [11, 12, 13],
      [21, 22, 23],
    ]);
    const r = x.get(1, 2);
    expect(r.shape).toEqual([]);
    expect(r.item()).toBe(23);
  });

  it('accepts { start, stop, step } objects, tensors and bool tensors', () => {
    const x = torch.arange(12).reshape(3, 4);
    expect(x.get(':', { start: 1, step: 2 }).tolist()).toEqual(x.get(':', '1::2').tolist());
    expect(x.get({}).tolist()).toEqual(x.tolist());
    expect(x.get(i32([2, 0])).tolist()).toEqual([
      [8, 9, 10, 11],
      [0, 1, 2, 3],
    ]);
    const mask = torch.tensor(Array.from(x.dataSync(), (v) => v > 9)).reshape(3, 4);
    expect(x.get(mask).tolist()).toEqual([10, 11]);
    expect(x.get(true).shape).toEqual([1, 3, 4]);
    expect(x.get(false).shape).toEqual([0, 3, 4]);
  });
});

describe('x.set([...], v) matches PyTorch x[...] = v', () => {
  for (const c of fx.set) {
    it(`${c.name}: x[${JSON.stringify(c.items)}] = ${JSON.stringify(c.value)}`, () => {
      const x = makeInput(c.input);
      const before = x.version;
      const value =
        typeof c.value === 'number' ? c.value : torch.tensor(c.value as torch.NestedArray);
      const r = x.set(c.items as torch.IndexItem[], value);
      expect(r).toBe(x);
      expect(x.version).toBeGreaterThan(before);
      expectResult(x, c.expected);
    });
  }

  it('writes through a view into its base, and casts values to the target dtype', () => {
    const base = torch.zeros(3, 4, { dtype: 'int32' });
    const v = base.get('1:', '::2');
    v.set(['...'], 7.9);
    expect(base.tolist()).toEqual([
      [0, 0, 0, 0],
      [7, 0, 7, 0],
      [7, 0, 7, 0],
    ]);
    base.set([[0, 0]], torch.tensor([1, 2, 3, 4]));
    expect(base.get(0).tolist()).toEqual([1, 2, 3, 4]);
  });

  it('reads the value before writing when it aliases the target', () => {
    const x = torch.arange(6).reshape(2, 3);
    x.set([0], x.get(1));
    x.set([':', '1:'], x.get(':', ':2'));
    expect(x.tolist()).toEqual([
      [3, 3, 4],
      [3, 3, 4],
    ]);
  });

  it('indexPut_ accumulates repeated indices; indexPut leaves the input alone', () => {
    const x = torch.zeros(4);
    const y = torch.indexPut(x, [i32([0, 0, 3])], torch.tensor([1, 2, 3]), true);
    expect(y.tolist()).toEqual([3, 0, 0, 3]);
    expect(x.tolist()).toEqual([0, 0, 0, 0]);
    x.indexPut_([i32([1, 1])], torch.tensor(2), true);
    expect(x.tolist()).toEqual([0, 4, 0, 0]);
  });
});

describe('gather/scatter family matches PyTorch', () => {
  for (const c of fx.ops) {
    it(`${c.op} ${JSON.stringify(c.args)}`, () => {
      const x = makeInput(c.input);
      const a = c.args;
      let r: torch.Tensor;
      switch (c.op) {
        case 'indexSelect':
          r = x.indexSelect(a.dim, i32(a.index));
          break;
        case 'gather':
          r = x.gather(a.dim, i32(a.index));
          break;
        case 'scatter':
          r = x.scatter(a.dim, i32(a.index), a.src ? torch.tensor(a.src) : a.value);
          break;
        case 'scatterAdd':
          r = x.scatterAdd(a.dim, i32(a.index), torch.tensor(a.src));
          break;
        case 'maskedFill':
          r = x.maskedFill(torch.tensor(a.mask), a.value);
          break;
        case 'maskedSelect':
          r = x.maskedSelect(torch.tensor(a.mask));
          break;
        case 'nonzero':
          r = torch
            .tensor(
              Array.from(x.dataSync(), (v) => v % a.mod),
              { dtype: 'float32' },
            )
            .reshape(x.shape)
            .nonzero();
          break;
        case 'take':
          r = x.take(i32(a.index));
          break;
        case 'indexPut':
          r = x.indexPut(
            a.indices.map((t: number[]) => i32(t)),
            torch.tensor(a.values),
            a.accumulate,
          );
          break;
        default:
          throw new Error(c.op);
      }
      expectResult(r, c.expected);
    });
  }

  it('in-place variants write into the tensor and bump its version', () => {
    const x = torch.zeros(2, 3);
    const v0 = x.version;
    x.scatter_(1, i32([[2], [0]]), 5);
    x.scatterAdd_(0, i32([[1, 1, 1]]), torch.ones(1, 3));
    x.maskedFill_(torch.tensor([true, false, false]), -1);
    expect(x.tolist()).toEqual([
      [-1, 0, 5],
      [-1, 1, 1],
    ]);
    expect(x.version).toBe(v0 + 3);
  });

  it('nonzero asTuple, argwhere and 0-d/empty inputs', () => {
    const [r, c] = torch.nonzero(
      torch.tensor([
        [0, 1],
        [2, 0],
      ]),
      { asTuple: true },
    );
    expect([r!.tolist(), c!.tolist()]).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(torch.argwhere(torch.tensor(3)).shape).toEqual([1, 0]);
    expect(torch.nonzero(torch.zeros(0, 2)).shape).toEqual([0, 2]);
    expect(
      torch
        .tensor(5)
        .maskedSelect(torch.tensor([true, false, true]))
        .tolist(),
    ).toEqual([5, 5]);
  });
});

// ---- property test: basic indexing is a view and matches a naive reference --------------------

type BasicItem = number | string | null;

/** Reference semantics: the flat positions (in row-major `shape`) that `items` select. */
function reference(shape: number[], items: BasicItem[]): { shape: number[]; flat: number[] } {
  const consumed = items.filter((i) => i !== null && i !== '...').length;
  const full: BasicItem[] = [];
  let sawEllipsis = false;
  for (const it of items) {
    if (it === '...') {
      sawEllipsis = true;
      for (let k = 0; k < shape.length - consumed; k++) full.push(':');
    } else full.push(it);
  }
  if (!sawEllipsis) while (full.filter((i) => i !== null).length < shape.length) full.push(':');
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  // Per output dim: the list of source offsets it walks; integers contribute a fixed offset.
  let fixed = 0;
  const axes: number[][] = [];
  let d = 0;
  for (const it of full) {
    if (it === null) {
      axes.push([0]);
      continue;
    }
    const size = shape[d]!;
    if (typeof it === 'number') {
      fixed += (it < 0 ? it + size : it) * strides[d]!;
    } else {
      const [a, b, c] = it.split(':');
      const step = c ? Number(c) : 1;
      const norm = (v: string | undefined, dflt: number) => {
        if (v === undefined || v === '') return dflt;
        const n = Number(v);
        return Math.min(Math.max(n < 0 ? n + size : n, 0), size);
      };
      const start = norm(a, 0);
      const stop = norm(b, size);
      const list: number[] = [];
      for (let i = start; i < stop; i += step) list.push(i * strides[d]!);
      axes.push(list);
    }
    d++;
  }
  let flat = [fixed];
  for (const ax of axes) flat = flat.flatMap((f) => ax.map((o) => f + o));
  return { shape: axes.map((a) => a.length), flat };
}

const arbCase = fc
  .array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 })
  .chain((shape) => {
    const dimItem = (size: number): fc.Arbitrary<BasicItem> => {
      const bound = fc.integer({ min: -size - 2, max: size + 2 });
      const slice = fc
        .tuple(fc.option(bound), fc.option(bound), fc.option(fc.integer({ min: 1, max: 3 })))
        .map(([a, b, c]) => `${a ?? ''}:${b ?? ''}${c === null ? '' : `:${c}`}`);
      return size > 0 ? fc.oneof(fc.integer({ min: -size, max: size - 1 }), slice) : slice;
    };
    const perDim = shape.map((s) => dimItem(s));
    return fc
      .tuple(
        fc.constant(shape),
        fc.tuple(...perDim),
        fc.integer({ min: 0, max: shape.length }),
        fc.boolean(),
        fc.integer({ min: 0, max: shape.length }),
        fc.boolean(),
      )
      .map(([sh, its, cut, useEllipsis, noneAt, transposed]) => {
        // Index a prefix of the dims, optionally followed by an ellipsis, with a None somewhere.
        const items: BasicItem[] = its.slice(0, cut);
        if (useEllipsis) items.push('...');
        items.splice(Math.min(noneAt, items.length), 0, null);
        return { shape: sh, items, transposed };
      });
  });

describe('basic indexing property', () => {
  it('is a view whose writes reach the base, and matches a naive reference', () => {
    fc.assert(
      fc.property(arbCase, ({ shape, items, transposed }) => {
        const n = shape.reduce((a, b) => a * b, 1);
        // A non-contiguous base with the same row-major values when `transposed`.
        let x = torch.arange(n).to({ dtype: 'float32' }).reshape(shape);
        if (transposed && shape.length >= 2) {
          const nd = shape.length;
          const swapped = torch
            .arange(n)
            .to({ dtype: 'float32' })
            .reshape(shape)
            .transpose(nd - 2, nd - 1);
          x = swapped.contiguous().transpose(nd - 2, nd - 1);
        }
        const ref = reference(shape, items);
        const v = x.get(...items);
        expect(v.storage).toBe(x.storage);
        expect(v.shape).toEqual(ref.shape);
        expect(Array.from(v.dataSync())).toEqual(ref.flat);
        v.set(['...'], -1);
        const after = Array.from(x.dataSync());
        const hit = new Set(ref.flat);
        expect(after).toEqual(after.map((_, i) => (hit.has(i) ? -1 : i)));
      }),
      { numRuns: 300 },
    );
  });
});

// ---- gradients ---------------------------------------------------------------------------------

describe('indexing gradients (float64 finite differences)', () => {
  const xt = () => torch.randn(4, 3, { dtype: 'float64' }).t().requiresGrad_();

  it('get: basic and advanced, on contiguous and transposed inputs', () => {
    for (const x of [f64(3, 4), xt()]) {
      check((t) => t.get(1, '::2'), [x]);
      check((t) => t.get('...', null, '1:'), [x]);
      check((t) => t.get([0, 2, 0]), [x]);
      check((t) => t.get([[0], [2]], [1, 3, 1]), [x]);
      check((t) => t.get(':', [3, 0, 3]), [x]);
      check((t) => t.get(torch.tensor([true, false, true])), [x]);
    }
    check((t) => t.get([0, 1], ':', [3, 0]), [f64(2, 3, 4)]);
  });

  it('set on a non-leaf, with value gradients', () => {
    const x = f64(3, 4);
    const v = f64(2);
    check((a, b) => a.mul(1).set([1, '1:4:2'], b), [x, v]);
    check((a, b) => a.mul(1).set([[0, 2], 0], b), [x, v]);
    check(
      (a, b) =>
        a.mul(1).set(
          [
            torch.tensor([
              [true, false, false, false],
              [false, false, false, false],
              [false, false, false, true],
            ]),
          ],
          b,
        ),
      [x, v],
    );
    check((a, b) => a.mul(1).set([':', [1, 3]], b), [x, v]);
    check((a) => a.mul(1).set(['...', 0], 0), [x]);
    const y = x.mul(2);
    y.set([0], 0);
    expect(y.gradFn?.name).toBe('CopySlices');
  });

  it('writes through a view reach the base in the graph (CopySlices)', () => {
    const w = f64(3);
    const out = torch.zeros(2, 3, { dtype: 'float64' });
    out.get(1).set(['1:'], w.get(':2').mul(3));
    out.get(0).maskedFill_(torch.tensor([true, false, false]), w.get(2));
    expect(out.requiresGrad).toBe(true);
    out.mul(out).sum().backward();
    const wv = w.tolist() as number[];
    const expected = [18 * wv[0]!, 18 * wv[1]!, 2 * wv[2]!];
    (w.grad!.tolist() as number[]).forEach((g, i) => {
      expect(g).toBeCloseTo(expected[i]!, 12);
    });
    check(
      (a) => {
        const o = a.mul(1);
        o.get(':', 1).set([[0, 2]], a.get(1, ':2').exp());
        o.get(2).scatter_(0, i32([3]), a.get(0, 0));
        return o.mul(o);
      },
      [f64(3, 4)],
    );
    const leaf = f64(2, 2);
    expect(() => leaf.get(0).set([0], 1)).toThrow(
      'a view of a leaf Variable that requires grad is being used in an in-place operation.',
    );
  });

  it('indexPut, indexSelect, gather, scatter, scatterAdd, take', () => {
    const x = f64(3, 4);
    const ix = i32([2, 0, 2]);
    check((a, b) => a.indexPut([ix], b, true), [x, f64(3, 4)]);
    check((a, b) => a.indexPut([ix, i32([1, 1, 3])], b, false), [x, f64(1)]);
    check((a) => a.indexSelect(0, ix), [x]);
    check((a) => a.indexSelect(1, i32([3, 3, 0])), [xt()]);
    const g = i32([
      [0, 2, 1, 0],
      [2, 2, 0, 1],
    ]);
    check((a) => a.gather(0, g), [x]);
    check((a) => a.gather(1, i32([[3], [0], [3]])), [xt()]);
    const sidx = i32([
      [0, 2, 1],
      [1, 0, 2],
    ]);
    check((a, s) => a.scatter(0, sidx, s), [x, f64(2, 4)]);
    check((a) => a.scatter(1, i32([[1], [0], [3]]), 2.5), [x]);
    check(
      (a, s) =>
        a.scatterAdd(
          0,
          i32([
            [0, 0, 0],
            [0, 0, 2],
          ]),
          s,
        ),
      [xt(), f64(3, 3)],
    );
    check(
      (a) =>
        a.take(
          i32([
            [0, 11],
            [-1, 5],
          ]),
        ),
      [x],
    );
  });

  it('maskedFill (input and value), maskedSelect, and second derivatives', () => {
    const x = f64(2, 3);
    const m = torch.tensor([true, false, true]);
    check(
      (a, v) => a.maskedFill(m, v),
      [x, torch.tensor(0.5, { dtype: 'float64' }).requiresGrad_()],
    );
    check(
      (a) =>
        torch.zeros(2, 1, { dtype: 'float64' }).add(a.get(':', 0).unsqueeze(1)).maskedFill(m, 1),
      [x],
    );
    check((a) => a.maskedSelect(m), [x]);
    expect(
      torch.autograd.gradgradcheck(
        (a: torch.Tensor) =>
          a
            .mul(a)
            .get([1, 0], '::2')
            .gather(
              1,
              i32([
                [1, 0],
                [0, 0],
              ]),
            ),
        [x],
      ),
    ).toBe(true);
    expect(
      torch.autograd.gradgradcheck(
        (a: torch.Tensor) => a.mul(a).indexPut([i32([0, 0])], a.get(1), true),
        [x],
      ),
    ).toBe(true);
  });
});

// ---- errors ------------------------------------------------------------------------------------

describe('indexing errors', () => {
  const x = torch.arange(12).to({ dtype: 'float32' }).reshape(3, 4);

  it('out-of-range indices give PyTorch messages and write nothing', () => {
    expect(() => x.get(5)).toThrow('index 5 is out of bounds for dimension 0 with size 3');
    expect(() => x.get(-4)).toThrow('index -4 is out of bounds for dimension 0 with size 3');
    expect(() => x.get(1, 7)).toThrow('index 7 is out of bounds for dimension 1 with size 4');
    expect(() => x.get([0, 5])).toThrow('index 5 is out of bounds for dimension 0 with size 3');
    expect(() => x.get(':', [0, 5])).toThrow(
      'index 5 is out of bounds for dimension 0 with size 4',
    );
    expect(() => x.get([0], [5])).toThrow('index 5 is out of bounds for dimension 1 with size 4');
    expect(() => x.gather(0, i32([[5]]))).toThrow(
      'index 5 is out of bounds for dimension 0 with size 3',
    );
    expect(() => x.indexSelect(0, i32([3]))).toThrow('index out of range in self');
    expect(() => x.take(i32([12]))).toThrow(
      'out of range: tried to access index 12 on a tensor of 12 elements.',
    );
    const y = x.clone();
    const v = y.version;
    expect(() => y.set([[0, 5]], 1)).toThrow(
      'index 5 is out of bounds for dimension 0 with size 3',
    );
    expect(() => y.scatter_(0, i32([[0, 1, 4, 0]]), 1)).toThrow(
      'index 4 is out of bounds for dimension 0 with size 3',
    );
    expect(() => y.scatterAdd_(0, i32([[-1]]), torch.ones(1, 1))).toThrow(
      'index -1 is out of bounds for dimension 0 with size 3',
    );
    expect(() => y.indexPut_([i32([7])], torch.tensor(1))).toThrow(
      'index 7 is out of bounds for dimension 0 with size 3',
    );
    expect(y.tolist()).toEqual(x.tolist());
    expect(y.version).toBe(v);
  });

  it('malformed indices', () => {
    expect(() => x.get(1, 2, 3)).toThrow('too many indices for tensor of dimension 2');
    expect(() => x.get('...', '...')).toThrow("an index can only have a single ellipsis ('...')");
    expect(() => x.get('::-1')).toThrow('step must be greater than zero');
    expect(() => x.get('::0')).toThrow('slice step cannot be zero');
    expect(() => x.get('1-2')).toThrow("invalid index string '1-2'");
    expect(() => x.get(1.5)).toThrow('indices must be integers');
    expect(() => x.get(torch.tensor([true, false]))).toThrow(
      'The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3, 4] at index 0',
    );
    expect(() => x.get(torch.tensor([1.0]))).toThrow(
      'tensors used as indices must be int32 or bool tensors',
    );
    expect(() => x.get([0, 1], [0, 1, 2])).toThrow(
      'shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]',
    );
    expect(() => torch.tensor(5).get(0)).toThrow('invalid index of a 0-dim tensor');
    expect(() => x.clone().set([[0, 1]], torch.ones(3))).toThrow(
      'shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of shape [2, 4]',
    );
  });

  it('op argument checks', () => {
    expect(() => x.indexSelect(0, i32([[0]]))).toThrow(
      'index_select(): Index is supposed to be a vector',
    );
    expect(() => x.indexSelect(0, torch.tensor([0]))).toThrow('Expected dtype int32 for index');
    expect(() => x.gather(0, i32([5]))).toThrow(
      'Index tensor must have the same number of dimensions as input tensor',
    );
    expect(() => x.gather(0, i32([[0, 1, 2, 3, 0]]))).toThrow(
      'Size does not match at dimension 1 expected index [1, 5] to be smaller than self [3, 4] apart from dimension 0',
    );
    expect(() => x.scatter(0, i32([[0, 1]]), torch.ones(1, 1))).toThrow(
      'Expected index [1, 2] to be smaller than self [3, 4] apart from dimension 0 and to be smaller size than src [1, 1]',
    );
    expect(() => x.maskedFill(torch.tensor([true, false]), 1)).toThrow(
      'the size of tensor a (4) must match the size of tensor b (2) at non-singleton dimension 1',
    );
    expect(() => x.maskedFill(torch.ones(3, 4), 1)).toThrow(
      'masked_fill_ only supports boolean masks',
    );
    expect(() =>
      x.maskedFill(torch.tensor([true, false, true, false]), torch.tensor([1, 2])),
    ).toThrow(
      'masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s).',
    );
    expect(() => x.maskedFill_(torch.ones(2, 3, 4).bool(), 1)).toThrow(
      "doesn't match the broadcast shape",
    );
  });

  it('in-place writes follow autograd rules', () => {
    const leaf = torch.zeros(3, { requiresGrad: true });
    expect(() => leaf.set([0], 1)).toThrow(
      'a leaf Variable that requires grad is being used in an in-place operation.',
    );
    torch.noGrad(() => leaf.set([0], 1));
    expect(leaf.tolist()).toEqual([1, 0, 0]);
  });
});
