import { gradcheck } from '@autodag/autograd';
import type { OpSample, RegisteredOp, Tensor } from '@autodag/core';
import { callOp, isFloatingPoint } from '@autodag/core';
import type { Tolerance } from './compare.js';
import { argNames, differentiableArgs, runSample } from './execute.js';
import type { InputValues } from './materialize.js';

/** Options of `gradcheckSample`. */
export interface GradcheckOptions {
  /** Device to run on (default `'cpu'`). */
  readonly device?: string;
  /** Finite-difference step (default 1e-6, as `torch.autograd.gradcheck`). */
  readonly eps?: number;
  /** Tolerance of analytic vs numeric Jacobians (default rtol 1e-3, atol 1e-5, as PyTorch). */
  readonly tolerance?: Tolerance;
}

/** Outcome of a gradient check. */
export interface GradcheckResult {
  /** Arguments checked, by name. */
  readonly checked: string[];
  /** Why the check failed, or `null` when every argument passed. */
  readonly failure: string | null;
}

/**
 * Float64 gradient check of one op sample with `gradcheck` from `@autodag/autograd`: the full
 * Jacobian from the op's VJPs (through the autograd engine) against central finite differences,
 * for every differentiable argument, with inputs in the sample's own layouts. Ops whose outputs
 * stay in lower precision for float64 inputs (e.g. a cast to float32) are checked with a larger
 * step and tolerance.
 * @example gradcheckSample(getOp('mul'), sample, sampleValues('mul', sample))
 */
export function gradcheckSample(
  op: RegisteredOp,
  sample: OpSample,
  values: readonly InputValues[],
  opts: GradcheckOptions = {},
): GradcheckResult {
  const device = opts.device ?? 'cpu';
  const names = argNames(op);
  const args = differentiableArgs(op, sample);
  const checked = args.map((a) => names[a]!);
  if (!args.length) return { checked, failure: null };
  const run = runSample(op, sample, values, { device, floatDType: 'float64', requiresGrad: true });
  const lowPrecision = run.outputs.some((o) => isFloatingPoint(o.dtype) && o.dtype !== 'float64');
  const tol =
    opts.tolerance ?? (lowPrecision ? { rtol: 1e-2, atol: 1e-3 } : { rtol: 1e-3, atol: 1e-5 });
  const attrs = sample.attrs ?? {};
  const fn = (...xs: Tensor[]): Tensor[] => {
    const r = callOp(op, xs, attrs);
    const outs = Array.isArray(r) ? r : [r];
    return outs.length ? outs : xs.slice(0, 1);
  };
  try {
    const ok = gradcheck(fn as never, run.inputs, {
      eps: opts.eps ?? (lowPrecision ? 1e-2 : 1e-6),
      rtol: tol.rtol,
      atol: tol.atol,
      raiseException: true,
    });
    return { checked, failure: ok ? null : 'gradcheck returned false' };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { checked, failure: `${msg} (inputs: ${describeInputs(run.inputs, names)})` };
  }
}

function describeInputs(inputs: readonly Tensor[], names: readonly string[]): string {
  return inputs
    .map(
      (t, i) =>
        `${names[i]}: [${t.shape.join(', ')}] ${t.dtype}${t.isContiguous() ? '' : ' non-contiguous'}`,
    )
    .join(', ');
}
