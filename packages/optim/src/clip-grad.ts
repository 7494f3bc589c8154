import { argTypeError, checkTensorOrList, div, noGrad, stack, Tensor, tensor } from '@autodag/core';

/** Options of {@link clipGradNorm_}. */
export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite instead of scaling by it (default false). */
  errorIfNonfinite?: boolean;
}

/**
 * Scales the gradients of `parameters` in place so that their total norm (the norm of all
 * gradients taken together as one vector) is at most `maxNorm` (PyTorch's
 * `torch.nn.utils.clip_grad_norm_`, same arithmetic: scale by `min(1, maxNorm / (total + 1e-6))`).
 * `normType` is any p (default 2) or `Infinity` / `'inf'` for the largest magnitude. Parameters
 * without a gradient are skipped. Returns the total norm before clipping, a 0-d tensor.
 * @example
 * loss.backward();
 * const total = torch.optim.clipGradNorm_(model.parameters(), 1.0);
 * opt.step();
 */
export function clipGradNorm_(
  parameters: Tensor | Iterable<Tensor>,
  maxNorm: number,
  normType: number | 'inf' = 2,
  opts: ClipGradNormOptions = {},
): Tensor {
  const p = normType === 'inf' ? Number.POSITIVE_INFINITY : Number(normType);
  if (Number.isNaN(p)) {
    throw new RangeError(`clipGradNorm_: normType must be a number or 'inf', got ${normType}`);
  }
  const grads = gradsOf(parameters, 'clipGradNorm_');
  if (grads.length === 0) return tensor(0);
  return noGrad(() => {
    const dtype = grads.some((g) => g.dtype === 'float64') ? 'float64' : grads[0]!.dtype;
    let total: Tensor;
    if (p === Number.POSITIVE_INFINITY) {
      const norms = grads.map((g) => g.detach().abs().max().to(dtype));
      total = norms.length === 1 ? norms[0]! : stack(norms).max();
    } else {
      total = stack(grads.map((g) => g.detach().norm(p).to(dtype))).norm(p);
    }
    if (opts.errorIfNonfinite) {
      const value = total.item();
      if (!Number.isFinite(value)) {
        throw new Error(
          `The total norm of order ${p} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`errorIfNonfinite: false\``,
        );
      }
    }
    const coef = div(maxNorm, total.add(1e-6)).clamp(null, 1);
    for (const g of grads) g.detach().mul_(coef);
    return total;
  });
}

/**
 * Clamps the gradients of `parameters` in place to `[-clipValue, clipValue]` (PyTorch's
 * `torch.nn.utils.clip_grad_value_`). Parameters without a gradient are skipped.
 * @example torch.optim.clipGradValue_(model.parameters(), 0.5)
 */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  const c = Number(clipValue);
  if (Number.isNaN(c))
    throw new RangeError(`clipGradValue_: clipValue must be a number, got ${clipValue}`);
  noGrad(() => {
    for (const g of gradsOf(parameters, 'clipGradValue_')) g.detach().clamp_(-c, c);
  });
}

function gradsOf(parameters: Tensor | Iterable<Tensor>, op: string): Tensor[] {
  if (
    !(parameters instanceof Tensor) &&
    (parameters === null || typeof parameters !== 'object' || !(Symbol.iterator in parameters))
  ) {
    throw argTypeError(op, 'parameters', parameters, 'a Tensor or an iterable of Tensors');
  }
  const params = parameters instanceof Tensor ? [parameters] : [...parameters];
  checkTensorOrList(params, op, 'parameters');
  return params.flatMap((p) => (p.grad === null ? [] : [p.grad]));
}
