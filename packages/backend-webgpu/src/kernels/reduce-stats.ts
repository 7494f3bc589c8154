import type { Kernel } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';
import { WORKGROUP } from '../context.js';
import { dispatchRows, frameSizes, layoutIn, rowFrame, rowParams, rowShader } from './rows.js';

/**
 * Statistics over any dims of a strided input, one workgroup per output element (see rows.ts),
 * in f32 with tree sums:
 *
 * - `var`/`std`: two passes, the mean first, then the sum of squared deviations (constant
 *   inputs give exactly 0), divided by max(0, N - correction); both sum x - K, K the row's
 *   first element, so a large mean next to a small spread loses no digits in f32;
 * - `logsumexp`: the maximum first (an infinite maximum is replaced by 0, as PyTorch does), then
 *   log Σ exp(x - max) + max; NaN anywhere gives NaN;
 * - `norm`: p = 2 and other p > 0 scale by the largest magnitude first, so squares of 1e30 do
 *   not overflow f32 (the CPU sums in float64); p = 1 sums, p = ±∞ take the largest / smallest
 *   magnitude (NaN wins), p = 0 counts nonzeros, p < 0 sums |x|^p directly.
 */

/** Loop over the row's elements with `x` bound to each (as f32). */
function forEach(body: string): string {
  return `for (var r = t; r < nRed; r += ${WORKGROUP}u) {
    let x = f32(x0[u32(base + elemAt(r, 0u))]);
    ${body}
  }`;
}

const VAR_BODY = (std: boolean) => `
  let base = rowAt(o, 0u);
  var K = 0.0;
  if (nRed > 0u) { K = f32(x0[u32(base + elemAt(0u, 0u))]); }
  var s = 0.0;
  ${forEach('s += x - K;')}
  let m = wgSum(s, t, 0u) / f32(nRed);
  var q = 0.0;
  ${forEach('let d = (x - K) - m; q += d * d;')}
  let ss = wgSum(q, t, 1u);
  let v = ss / max(0.0, f32(nRed) - sc(0u));
  if (t == 0u) { y0[o] = ${std ? 'sqrt(v)' : 'v'}; }`;

const LOGSUMEXP_BODY = `
  let base = rowAt(o, 0u);
  var m = -inf_();
  ${forEach('m = max_(m, x);')}
  let mx = wgMax(m, t, 0u);
  let shift = select(mx, 0.0, isinf_(mx) || isnan_(mx));
  var s = 0.0;
  ${forEach('s += exp(x - shift);')}
  let total = wgSum(s, t, 1u);
  var res = log_(total) + shift;
  if (total == 0.0) { res = -inf_(); }
  if (isnan_(mx)) { res = mx; }
  if (t == 0u) { y0[o] = res; }`;

/** Largest magnitude (NaN wins) into `scale`. */
const MAX_ABS = `var m = 0.0;
  ${forEach('m = max_(m, abs(x));')}
  let scale = wgMax(m, t, 0u);`;

/** Body of a norm of order class `kind` (the order itself is scalar 0 where it matters). */
function normBody(kind: 'two' | 'pos' | 'one' | 'inf' | 'ninf' | 'zero' | 'neg'): string {
  const head = 'let base = rowAt(o, 0u);';
  switch (kind) {
    case 'one':
      return `${head}
  var s = 0.0;
  ${forEach('s += abs(x);')}
  let res = wgSum(s, t, 0u);
  if (t == 0u) { y0[o] = res; }`;
    case 'zero':
      return `${head}
  var s = 0.0;
  ${forEach('if (x != 0.0 || isnan_(x)) { s += 1.0; }')}
  let res = wgSum(s, t, 0u);
  if (t == 0u) { y0[o] = res; }`;
    case 'inf':
      return `${head}
  ${MAX_ABS}
  if (t == 0u) { y0[o] = scale; }`;
    case 'ninf':
      return `${head}
  var m = inf_();
  ${forEach('m = min_(m, abs(x));')}
  let res = wgMin(m, t, 0u);
  if (t == 0u) { y0[o] = select(res, 0.0, nRed == 0u); }`;
    case 'neg':
      // Σ|x|^p is +inf when an element is 0, which the 1/p power turns into 0; pow may drop a
      // NaN, so NaN is added as itself.
      return `${head}
  var s = 0.0;
  ${forEach('s += select(select(pow(abs(x), sc(0u)), inf_(), x == 0.0), x, isnan_(x));')}
  let total = wgSum(s, t, 0u);
  var res = pow(total, 1.0 / sc(0u));
  if (isinf_(total)) { res = 0.0; }
  if (total == 0.0) { res = inf_(); }
  if (isnan_(total)) { res = total; }
  if (t == 0u) { y0[o] = res; }`;
    default: {
      const term =
        kind === 'two'
          ? 'let a = abs(x) / scale; s += a * a;'
          : 'let a = abs(x) / scale; s += select(pow(a, sc(0u)), 0.0, a == 0.0);';
      const root = kind === 'two' ? 'sqrt(total)' : 'pow(total, 1.0 / sc(0u))';
      return `${head}
  ${MAX_ABS}
  var s = 0.0;
  if (scale > 0.0 && !isinf_(scale) && !isnan_(scale)) {
    ${forEach(term)}
  }
  let total = wgSum(s, t, 1u);
  var res = scale * ${root};
  if (scale == 0.0 || isinf_(scale) || isnan_(scale)) { res = scale; }
  if (t == 0u) { y0[o] = res; }`;
    }
  }
}

function normKind(p: number): Parameters<typeof normBody>[0] {
  if (p === 2) return 'two';
  if (p === 1) return 'one';
  if (p === 0) return 'zero';
  if (p === Number.POSITIVE_INFINITY) return 'inf';
  if (p === Number.NEGATIVE_INFINITY) return 'ninf';
  return p > 0 ? 'pos' : 'neg';
}

/** A float statistic over `dims` (all when absent) of one input, from a body per attrs. */
function statKernel<A extends { dims?: number[] }>(
  body: (attrs: A) => string,
  scalars: (attrs: A) => number[] = () => [],
): Kernel<A> {
  return ([input], [output], attrs) => {
    const x = input!;
    const out = output!;
    const dims = attrs.dims ?? x.shape.map((_, d) => d);
    const frame = rowFrame(x.shape, dims);
    const { rows } = frameSizes(frame);
    if (rows === 0) return;
    const s = scalars(attrs);
    const code = rowShader([x], [out], s.length, body(attrs));
    dispatchRows(code, rowParams(frame, [layoutIn(x, x.shape)], s), [x, out], rows);
  };
}

/**
 * Registers `var`, `std`, `logsumexp` and `norm` (every order p) on a WebGPU backend.
 * @example registerStatKernels(backend)
 */
export function registerStatKernels(backend: WebGPUBackend): void {
  type VarAttrs = { dims?: number[]; correction: number };
  const correction = (a: VarAttrs) => [a.correction];
  registerKernel(
    'var',
    backend.name,
    statKernel<VarAttrs>(() => VAR_BODY(false), correction),
  );
  registerKernel(
    'std',
    backend.name,
    statKernel<VarAttrs>(() => VAR_BODY(true), correction),
  );
  registerKernel(
    'logsumexp',
    backend.name,
    statKernel(() => LOGSUMEXP_BODY),
  );
  type NormAttrs = { dims?: number[]; p: number };
  registerKernel(
    'norm',
    backend.name,
    statKernel<NormAttrs>(
      (a) => normBody(normKind(a.p)),
      (a) => [Number.isFinite(a.p) ? a.p : 0],
    ),
  );
}
