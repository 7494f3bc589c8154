import { readFileSync } from 'node:fs';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

/** Reduction forwards and gradients against PyTorch (fixtures/gen_reduce.py). */

type Value = number | boolean | 'nan' | 'inf' | '-inf';
interface Case {
  name: string;
  op: string;
  kwargs: Record<string, unknown>;
  input: { shape: number[]; dtype: torch.DType; values: Value[]; transposed: boolean };
  out: { shape: number[]; dtype: torch.DType; values: Value[] };
  indices?: number[];
  cotangent?: Value[];
  grad?: Value[];
  gradFn?: string;
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/reduce.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

function decode(v: Value): number | boolean {
  if (v === 'nan') return Number.NaN;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  return v;
}

/** Builds the case's input: a leaf, and the (possibly transposed-view) tensor the op sees. */
function makeInput(c: Case): { leaf: torch.Tensor; x: torch.Tensor } {
  const { shape, dtype, values, transposed } = c.input;
  const flat = values.map(decode) as number[];
  const floating = dtype === 'float32' || dtype === 'float64';
  if (transposed) {
    const [r, k] = shape as [number, number];
    const tv: (number | boolean)[] = [];
    for (let j = 0; j < k; j++) for (let i = 0; i < r; i++) tv.push(flat[i * k + j]!);
    const leaf = torch.tensor(tv as number[], { dtype }).reshape([k, r]);
    if (floating) leaf.requiresGrad = true;
    const x = leaf.t();
    expect(x.isContiguous()).toBe(false);
    return { leaf, x };
  }
  const leaf = torch.tensor(flat, { dtype }).reshape(shape);
  if (floating) leaf.requiresGrad = true;
  return { leaf, x: leaf };
}

/** Functional forms, looked up by op name. */
const FUNCTIONAL = {
  var: torch.var,
  std: torch.std,
  max: torch.max,
  min: torch.min,
  argmax: torch.argmax,
  argmin: torch.argmin,
};

function order(p: unknown): number | 'fro' | undefined {
  if (p === 'inf') return Number.POSITIVE_INFINITY;
  if (p === '-inf') return Number.NEGATIVE_INFINITY;
  return p as number | 'fro' | undefined;
}

/**
 * Calls the op through the public API. Even-numbered cases use the options-object form,
 * odd-numbered ones the positional form, so both are covered.
 */
function call(c: Case, x: torch.Tensor, i: number): torch.Tensor | torch.ValuesIndices {
  const k = c.kwargs as { dim?: number | number[]; keepdim?: boolean; p?: unknown };
  const positional = i % 2 === 1;
  const hasDim = k.dim !== undefined;
  switch (c.op) {
    case 'sum':
    case 'mean':
    case 'prod':
    case 'amax':
    case 'amin':
    case 'logsumexp':
    case 'all':
    case 'any': {
      const m = x[c.op as 'sum'].bind(x);
      if (!hasDim && !k.keepdim) return i % 4 === 1 ? m() : m({});
      return positional ? m(k.dim ?? null, k.keepdim) : m({ dim: k.dim, keepdim: k.keepdim });
    }
    case 'var':
    case 'std': {
      const o = c.kwargs as torch.VarOptions;
      if (positional && o.correction === undefined && hasDim) {
        return x[c.op](o.dim, o.unbiased ?? true, o.keepdim ?? false);
      }
      if (positional && o.correction === undefined && !hasDim && !o.keepdim) {
        return o.unbiased === undefined ? x[c.op]() : x[c.op](o.unbiased);
      }
      return i % 4 === 0 ? x[c.op](o) : FUNCTIONAL[c.op](x, o);
    }
    case 'max':
    case 'min':
      if (!hasDim) return positional ? x[c.op]() : FUNCTIONAL[c.op](x);
      return positional
        ? x[c.op](k.dim as number, k.keepdim)
        : FUNCTIONAL[c.op](x, { dim: k.dim as number, keepdim: k.keepdim });
    case 'argmax':
    case 'argmin':
      if (positional) return x[c.op]((k.dim as number) ?? null, k.keepdim);
      return FUNCTIONAL[c.op](x, { dim: k.dim as number, keepdim: k.keepdim });
    case 'norm':
      if (positional) return x.norm(order(k.p), k.dim ?? null, k.keepdim);
      return torch.norm(x, { p: order(k.p), dim: k.dim, keepdim: k.keepdim });
    case 'cumsum':
      return positional ? x.cumsum(k.dim as number) : torch.cumsum(x, { dim: k.dim as number });
    default:
      throw new Error(`no call form for ${c.op}`);
  }
}

function expectClose(actual: ArrayLike<number>, expected: Value[], rtol: number, atol: number) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = Number(decode(expected[i]!));
    const a = Number(actual[i]);
    if (Number.isNaN(e)) expect(a, `element ${i}`).toBeNaN();
    else if (!Number.isFinite(e)) expect(a, `element ${i}`).toBe(e);
    else
      expect(Math.abs(a - e), `element ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(
        atol + rtol * Math.abs(e),
      );
  }
}

describe('reductions match PyTorch', () => {
  it('has a substantial fixture', () => {
    expect(fixture.cases.length).toBeGreaterThan(250);
  });

  fixture.cases.forEach((c, i) => {
    it(`${c.name}`, () => {
      const { leaf, x } = makeInput(c);
      const result = call(c, x, i);
      const values = result instanceof torch.Tensor ? result : result.values;
      expect(values.shape).toEqual(c.out.shape);
      expect(values.dtype).toBe(c.out.dtype);
      const tol = c.input.dtype === 'float64' ? 1e-12 : 2e-6;
      expectClose(values.dataSync(), c.out.values, tol, tol);
      if (c.indices) {
        expect(result).toBeInstanceOf(torch.ValuesIndices);
        const [v, idx] = result as torch.ValuesIndices;
        expect(v).toBe(values);
        expect(idx!.dtype).toBe('int32');
        expect(Array.from(idx!.dataSync())).toEqual(c.indices);
      }
      if (c.grad) {
        // PyTorch 1.13 composes 'fro' over explicit dims from sqrt/sum; ours is one norm node.
        if (c.kwargs.p !== 'fro') expect(values.gradFn?.name).toBe(c.gradFn);
        const cot = torch.tensor(c.cotangent!.map(decode) as number[], { dtype: values.dtype });
        values.mul(cot.reshape(values.shape)).sum().backward();
        const g = c.input.transposed ? leaf.grad!.t() : leaf.grad!;
        expect(g.shape).toEqual(c.input.shape);
        expectClose(g.contiguous().dataSync(), c.grad, 1e-4, 1e-5);
      }
    });
  });
});
