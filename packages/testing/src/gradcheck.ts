import { gradcheck, gradgradcheck } from '@autodag/autograd';
import type { OpSample, RegisteredOp, Tensor } from '@autodag/core';
import { callOp, fromTypedArray, isFloatingPoint } from '@autodag/core';
import type { Tolerance } from './compare.js';
import { argNames, differentiableArgs, runSample } from './execute.js';
import type { InputValues } from './materialize.js';
import { gradWeights } from './seed.js';

/**
 * Options of `gradcheckSample`.
 * @example gradcheckSample(op, sample, values, { eps: 1e-6, tolerance: { rtol: 1e-3, atol: 1e-5 } })
 */
export interface GradcheckOptions {
  /** Device to run on (default `'cpu'`). */
  readonly device?: string;
  /** Finite-difference step (default 1e-6, as `torch.autograd.gradcheck`). */
  readonly eps?: number;
  /** Tolerance of analytic vs numeric Jacobians (default rtol 1e-3, atol 1e-5, as PyTorch). */
  readonly tolerance?: Tolerance;
  /**
   * Check second derivatives instead (`gradgradcheck`): the backward of the backward against
   * finite differences of the backward, which holds when VJPs are written with differentiable ops.
   */
  readonly secondOrder?: boolean;
}

/** Outcome of a gradient check. */
export interface GradcheckResult {
  /** Arguments checked, by name. */
  readonly checked: string[];
  /** Why the check failed, or `null` when every argument passed. */
  readonly failure: string | null;
  /** Why nothing was checked (e.g. no output carries gradients), when that is the case. */
  readonly skipped?: string;
}

/**
 * Float64 gradient check of one op sample with `gradcheck` from `@autodag/autograd`: the full
 * Jacobian from the op's VJPs (through the autograd engine) against central finite differences,
 * for every differentiable argument, with inputs in the sample's own layouts. Ops whose outputs
 * stay in lower precision for float64 inputs (e.g. a cast to float32) are checked with a larger
 * step and tolerance. With `secondOrder`, runs `gradgradcheck` with fixed output gradients.
 * @example gradcheckSample(getOp('mul'), sample, sampleValues('mul', sample))
 */
export function gradcheckSample(
  op: RegisteredOp,
  sample: OpSample,
  values: readonly InputValues[],
  opts: GradcheckOptions = {},
): GradcheckResult {
  const device = opts.device ?? 'cpu';
  const names = argNames(op, sample.inputs.length);
  const args = differentiableArgs(op, sample);
  const checked = args.map((a) => names[a]!);
  if (!args.length) return { checked, failure: null };
  const run = runSample(op, sample, values, { device, floatDType: 'float64', requiresGrad: true });
  const lowPrecision = run.outputs.some((o) => isFloatingPoint(o.dtype) && o.dtype !== 'float64');
  const tol =
    opts.tolerance ?? (lowPrecision ? { rtol: 1e-2, atol: 1e-3 } : { rtol: 1e-3, atol: 1e-5 });
  if (opts.secondOrder) {
    if (!run.outputs.some((o) => o.requiresGrad)) {
      return { checked, failure: null, skipped: 'no output carries gradients' };
    }
    if (lowPrecision) {
      return { checked, failure: null, skipped: 'outputs are not float64 for float64 inputs' };
    }
  }
  const fn = opFunction(op, sample);
  const settings = {
    eps: opts.eps ?? (lowPrecision ? 1e-2 : 1e-6),
    rtol: tol.rtol,
    atol: tol.atol,
    raiseException: true,
  };
  try {
    let ok: boolean;
    if (opts.secondOrder) {
      // Fixed (not random) output gradients, so failures reproduce.
      const gradOutputs = run.outputs
        .filter((o) => o.requiresGrad)
        .map((o, k) =>
          fromTypedArray(gradWeights(o.numel(), k), o.shape, {
            dtype: o.dtype,
            device: o.device,
          }).requiresGrad_(),
        );
      ok = gradgradcheck(fn as never, run.inputs, gradOutputs, settings);
    } else {
      ok = gradcheck(fn as never, run.inputs, settings);
    }
    return { checked, failure: ok ? null : 'gradcheck returned false' };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { checked, failure: `${msg} (inputs: ${describeInputs(run.inputs, names)})` };
  }
}

/** The op as a function of its tensors, with the sample's attributes (in-place primitives return their target). */
function opFunction(op: RegisteredOp, sample: OpSample): (...xs: Tensor[]) => Tensor[] {
  const attrs = sample.attrs ?? {};
  return (...xs) => {
    const r = callOp(op, xs, attrs);
    const outs = Array.isArray(r) ? r : [r];
    return outs.length ? outs : xs.slice(0, 1);
  };
}

function describeInputs(inputs: readonly Tensor[], names: readonly string[]): string {
  return inputs
    .map(
      (t, i) =>
        `${names[i]}: [${t.shape.join(', ')}] ${t.dtype}${t.isContiguous() ? '' : ' non-contiguous'}`,
    )
    .join(', ');
}
