import { readFileSync } from 'node:fs';
import * as torch from 'autodag';
import { afterEach, describe, expect, it } from 'vitest';

/** A case recorded by fixtures/gen_print.py with PyTorch's repr. */
interface PrintCase {
  name: string;
  shape: number[];
  dtype: torch.DType;
  values: (number | boolean | string)[];
  requiresGrad: boolean;
  op: {
    name: string;
    arg?: number;
    dim?: number;
    start?: number;
    length?: number;
    shape?: number[];
  } | null;
  options: torch.SetPrintOptions;
  repr: string;
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/print.json', import.meta.url), 'utf8'),
) as { cases: PrintCase[] };

function decode(v: number | boolean | string): number | boolean {
  if (typeof v !== 'string') return v;
  return {
    nan: Number.NaN,
    inf: Number.POSITIVE_INFINITY,
    '-inf': Number.NEGATIVE_INFINITY,
    '-0': -0,
  }[v]!;
}

function nestValues(flat: (number | boolean)[], shape: number[]): torch.NestedArray {
  let i = 0;
  const build = (d: number): torch.NestedArray =>
    d === shape.length ? flat[i++]! : Array.from({ length: shape[d]! }, () => build(d + 1));
  return build(0);
}

function build(c: PrintCase): torch.Tensor {
  const opts = { dtype: c.dtype, requiresGrad: c.requiresGrad };
  if (c.shape.includes(0)) return torch.zeros(c.shape, opts);
  return torch.tensor(nestValues(c.values.map(decode), c.shape), opts);
}

function applyOp(x: torch.Tensor, op: PrintCase['op']): torch.Tensor {
  if (op === null) return x;
  switch (op.name) {
    case 'mul':
      return x.mul(op.arg!);
    case 'div':
      return x.div(op.arg!);
    case 'add_self':
      return x.add(x);
    case 'neg':
      return x.neg();
    case 'sum':
      return x.sum();
    case 'exp':
      return x.exp();
    case 'mm_self_t':
      return x.mm(x.t());
    case 't':
      return x.t();
    case 'narrow':
      return torch.narrow(x, op.dim!, op.start!, op.length!);
    case 'expand':
      return x.expand(op.shape!);
    default:
      throw new Error(`unknown op ${op.name}`);
  }
}

/** PyTorch's repr in autodag's spelling: camelCase autograd suffixes, int64 → int32. */
function toAutodagSpelling(repr: string): string {
  return repr
    .replace('requires_grad=True', 'requiresGrad=True')
    .replace('grad_fn=<', 'gradFn=<')
    .replace('dtype=torch.int64', 'dtype=torch.int32');
}

afterEach(() => torch.setPrintoptions({ profile: 'default' }));

describe('tensor printing matches PyTorch repr', () => {
  it('has enough recorded cases', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(60);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      torch.setPrintoptions({ profile: 'default' });
      if (Object.keys(c.options).length > 0) torch.setPrintoptions(c.options);
      const t = applyOp(build(c), c.op);
      expect(t.toString()).toBe(toAutodagSpelling(c.repr));
    });
  }
});
