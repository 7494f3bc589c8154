import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

/**
 * Gradients of every differentiable reduction against float64 central finite differences
 * (`torch.autograd.gradcheck`), second derivatives where the VJP is built from ops, and the
 * conformance samples of every reduction op run through `callOp`.
 */

const { gradcheck, gradgradcheck } = torch.autograd;

/** A float64 leaf of `shape`, values in [low, high), optionally seen through a transpose. */
function input(shape: number[], low = -2, high = 2, transposed = false): torch.Tensor {
  if (!transposed) {
    return torch
      .rand(shape, { dtype: 'float64' })
      .mul(high - low)
      .add(low)
      .requiresGrad_();
  }
  const swapped = [...shape.slice(0, -2), shape[shape.length - 1]!, shape[shape.length - 2]!];
  const leaf = torch
    .rand(swapped, { dtype: 'float64' })
    .mul(high - low)
    .add(low)
    .detach();
  leaf.requiresGrad = true;
  return leaf;
}

/** The tensor an op sees for a leaf made by `input(..., transposed = true)`. */
const seen = (leaf: torch.Tensor, transposed: boolean) =>
  transposed ? leaf.transpose(-1, -2) : leaf;

type Reduction = [name: string, f: (x: torch.Tensor) => torch.Tensor, low?: number, high?: number];

const REDUCTIONS: Reduction[] = [
  ['sum()', (x) => x.sum()],
  ['sum(1)', (x) => x.sum(1)],
  ['sum([0, -1], keepdim)', (x) => x.sum([0, -1], true)],
  ['mean()', (x) => x.mean()],
  ['mean(-1, keepdim)', (x) => x.mean(-1, true)],
  ['prod()', (x) => x.prod(), 0.5, 1.5],
  ['prod(1)', (x) => x.prod(1), -1.5, 1.5],
  ['var()', (x) => x.var()],
  ['var(0, unbiased=false)', (x) => x.var(0, false)],
  ['std(1)', (x) => x.std(1)],
  ['std(correction=2, keepdim)', (x) => x.std({ dim: [0, 1], correction: 2, keepdim: true })],
  ['logsumexp(1)', (x) => x.logsumexp(1)],
  ['logsumexp([0, 1])', (x) => x.logsumexp([0, 1])],
  ['max()', (x) => x.max()],
  ['max(1).values', (x) => x.max(1).values],
  ['min(0, keepdim).values', (x) => x.min(0, true).values],
  ['amax([0, 1])', (x) => x.amax([0, 1])],
  ['amin(1)', (x) => x.amin(1)],
  ['norm()', (x) => x.norm()],
  ['norm(1, 1)', (x) => x.norm(1, 1)],
  ['norm(3, [0, 1])', (x) => x.norm(3, [0, 1])],
  ['norm(0.5, 0)', (x) => x.norm(0.5, 0), 0.2, 2],
  ['norm(inf, 1)', (x) => x.norm(Number.POSITIVE_INFINITY, 1)],
  ['norm(-inf)', (x) => x.norm(Number.NEGATIVE_INFINITY)],
  ['cumsum(0)', (x) => x.cumsum(0)],
  ['cumsum(-1)', (x) => x.cumsum(-1)],
];

describe('first derivatives match finite differences', () => {
  for (const [name, f, low, high] of REDUCTIONS) {
    for (const shape of [
      [3, 4],
      [2, 3, 4],
    ]) {
      for (const transposed of [false, true]) {
        it(`${name} on ${JSON.stringify(shape)}${transposed ? ' transposed' : ''}`, () => {
          const leaf = input(shape, low, high, transposed);
          expect(gradcheck((l: torch.Tensor) => f(seen(l, transposed)), [leaf])).toBe(true);
        });
      }
    }
  }
});

describe('second derivatives match finite differences', () => {
  const smooth: Reduction[] = [
    ['sum(1)', (x) => x.sum(1).mul(x.sum(1))],
    ['mean()', (x) => x.mean().mul(x.mean())],
    ['var(1)', (x) => x.var(1)],
    ['std(0)', (x) => x.std(0)],
    ['logsumexp(1)', (x) => x.logsumexp(1)],
    ['prod(1) without zeros', (x) => x.prod(1), 0.5, 1.5],
    ['norm()', (x) => x.norm()],
    ['norm(3, 1)', (x) => x.norm(3, 1)],
    ['cumsum(1) squared', (x) => x.cumsum(1).mul(x.cumsum(1))],
    ['amax(1) squared', (x) => x.amax(1).mul(x.amax(1))],
  ];
  for (const [name, f, low, high] of smooth) {
    it(name, () => {
      expect(gradgradcheck(f, [input([3, 4], low, high)])).toBe(true);
    });
  }
});

describe('gradients at special points follow PyTorch', () => {
  it('norm of a zero vector has gradient 0, not NaN', () => {
    for (const p of [2, 1, 3, 0.5, Number.POSITIVE_INFINITY]) {
      const x = torch.zeros([2, 3], { dtype: 'float64' }).requiresGrad_();
      x.norm(p).backward();
      expect(Array.from(x.grad!.dataSync()), `p = ${p}`).toEqual([0, 0, 0, 0, 0, 0]);
    }
  });

  it('std of a constant has gradient 0', () => {
    const x = torch.full([2, 5], 1.125).requiresGrad_();
    x.std().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual(new Array(10).fill(0));
  });

  it('prod routes the gradient past zeros', () => {
    const x = torch
      .tensor(
        [
          [2, 0, 3],
          [0, 0, 4],
          [1, 2, 3],
        ],
        { dtype: 'float64' },
      )
      .requiresGrad_();
    x.prod(1).sum().backward();
    expect(x.grad!.tolist()).toEqual([
      [0, 6, 0],
      [0, 0, 0],
      [6, 3, 2],
    ]);
    expect(gradcheck((t: torch.Tensor) => t.prod(1), [x])).toBe(true);
  });

  it('amax splits the gradient among ties, max along a dim picks the first', () => {
    const a = torch.tensor([[3, 3, 1]], { dtype: 'float64' }).requiresGrad_();
    a.amax(1).sum().backward();
    expect(a.grad!.tolist()).toEqual([[0.5, 0.5, 0]]);
    const b = torch.tensor([[3, 3, 1]], { dtype: 'float64' }).requiresGrad_();
    b.max(1).values.sum().backward();
    expect(b.grad!.tolist()).toEqual([[1, 0, 0]]);
  });

  it('names the backward nodes as PyTorch prints them', () => {
    const x = torch.rand([2, 3]).requiresGrad_();
    const names: [torch.Tensor, string][] = [
      [x.sum(), 'SumBackward0'],
      [x.sum(0), 'SumBackward1'],
      [x.mean(), 'MeanBackward0'],
      [x.mean([0, 1]), 'MeanBackward1'],
      [x.prod(), 'ProdBackward0'],
      [x.prod(1), 'ProdBackward1'],
      [x.std(), 'StdBackward0'],
      [x.var(0), 'VarBackward0'],
      [x.max(), 'MaxBackward1'],
      [x.max(0).values, 'MaxBackward0'],
      [x.min(), 'MinBackward1'],
      [x.amax(1), 'AmaxBackward0'],
      [x.amin(), 'AminBackward0'],
      [x.norm(), 'NormBackward1'],
      [x.logsumexp(1), 'LogsumexpBackward0'],
      [x.cumsum(0), 'CumsumBackward0'],
    ];
    for (const [t, name] of names) expect(t.gradFn?.name).toBe(name);
    expect(x.max(0).indices.requiresGrad).toBe(false);
    expect(x.argmax().requiresGrad).toBe(false);
    expect(x.any().requiresGrad).toBe(false);
  });
});

/** Builds a sample's input as the conformance suite would: given or random values, optional transposed storage. */
function sampleTensor(s: torch.SampleInput): torch.Tensor {
  const dtype = s.dtype ?? 'float64';
  const n = s.shape.reduce((a, b) => a * b, 1);
  const low = s.low ?? -2;
  const high = s.high ?? 2;
  const values = s.values
    ? [...s.values]
    : Array.from(torch.rand([n], { dtype: 'float64' }).dataSync(), (v) => low + (high - low) * v);
  const t = torch.tensor(values, { dtype }).reshape([...s.shape]);
  if (s.layout !== 'transposed' || s.shape.length < 2) return t;
  // Same values, stored with the last two dims swapped.
  const view = t.transpose(-1, -2).contiguous().transpose(-1, -2);
  expect(view.isContiguous()).toBe(false);
  return view;
}

describe('conformance samples of the reduction ops', () => {
  const mine = [
    'sum',
    'sumAll',
    'mean',
    'meanAll',
    'prod',
    'prodAll',
    'var',
    'std',
    'logsumexp',
    'max',
    'min',
    'maxAll',
    'minAll',
    'amax',
    'amin',
    'argmax',
    'argmin',
    'norm',
    'all',
    'any',
    'cumsum',
    'compareMask',
  ];
  for (const name of mine) {
    const op = torch.getOp(name);
    it(`${name} has samples that run${op.def.vjp ? ' and pass gradcheck' : ''}`, () => {
      const samples = op.def.samples?.() ?? [];
      expect(samples.length).toBeGreaterThanOrEqual(2);
      samples.forEach((s) => {
        const args = s.inputs.map((inp) => {
          const t = sampleTensor(inp);
          return inp.requiresGrad !== false && t.isFloatingPoint() && !s.noGrad
            ? t.detach().requiresGrad_()
            : t;
        });
        const out = torch.callOp(name, args, s.attrs ?? {});
        expect(out, s.name).toBeDefined();
        const differentiable = op.def.vjp && !s.noGrad && args.some((a) => a.requiresGrad);
        if (differentiable) {
          const fn = (...xs: torch.Tensor[]) => {
            const r = torch.callOp(name, xs, s.attrs ?? {});
            return Array.isArray(r) ? r[0]! : r;
          };
          expect(gradcheck(fn as torch.autograd.GradcheckFn, args), `${name} ${s.name}`).toBe(true);
        }
      });
    });
  }
});
