import { maximum, type Tensor, tidy } from '@autodag/core';
import { checkRange } from './check.js';
import { type FloatArray, fusedArrays, markWritten } from './host.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamsInput,
  paramState,
  zeroBuffer,
} from './optimizer.js';

/** Options of {@link Adam} and {@link AdamW} (PyTorch's keyword arguments, camelCased). */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay factor (default 1e-2). */
  weightDecay?: number;
  /** Use the AMSGrad variant (the maximum of past second moments; default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
  /**
   * `null` (default): update host-memory tensors in one fused loop, others with tensor ops;
   * `false`: always tensor ops; `true`: require the fused loop.
   */
  fused?: boolean | null;
}

/** Every option of an Adam/AdamW parameter group. */
export type AdamHyperparameters = Required<AdamOptions>;

/**
 * Adam (PyTorch's `torch.optim.Adam`): `m = β1·m + (1-β1)·g`, `v = β2·v + (1-β2)·g²`,
 * `p -= lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps)`, with `weightDecay` added to the gradient
 * as an L2 penalty. State per parameter: `step`, `expAvg`, `expAvgSq` (and `maxExpAvgSq` with
 * `amsgrad`).
 * @example const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
 */
export class Adam extends Optimizer<AdamHyperparameters> {
  constructor(params: ParamsInput<AdamHyperparameters>, options: AdamOptions = {}) {
    super(params, adamDefaults(options, 0));
  }

  protected override checkGroup(group: ParamGroup<AdamHyperparameters>): void {
    checkAdam(group);
  }

  protected updateGroup(group: ParamGroup<AdamHyperparameters>): void {
    adamUpdate(this, group, false);
  }
}

/**
 * AdamW (PyTorch's `torch.optim.AdamW`): Adam with decoupled weight decay, `p *= 1 - lr·weightDecay`
 * before the Adam update (default `weightDecay` 1e-2). Same state as {@link Adam}.
 * @example const opt = new torch.optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 */
export class AdamW extends Optimizer<AdamHyperparameters> {
  constructor(params: ParamsInput<AdamHyperparameters>, options: AdamOptions = {}) {
    super(params, adamDefaults(options, 1e-2));
  }

  protected override checkGroup(group: ParamGroup<AdamHyperparameters>): void {
    checkAdam(group);
  }

  protected updateGroup(group: ParamGroup<AdamHyperparameters>): void {
    adamUpdate(this, group, true);
  }
}

function adamDefaults(o: AdamOptions, weightDecay: number): AdamHyperparameters {
  const defaults: AdamHyperparameters = {
    lr: o.lr ?? 1e-3,
    betas: o.betas ? [o.betas[0], o.betas[1]] : [0.9, 0.999],
    eps: o.eps ?? 1e-8,
    weightDecay: o.weightDecay ?? weightDecay,
    amsgrad: o.amsgrad ?? false,
    maximize: o.maximize ?? false,
    fused: o.fused ?? null,
  };
  checkAdam(defaults);
  return defaults;
}

function checkAdam(o: AdamHyperparameters): void {
  checkRange(o.lr, 'learning rate');
  checkRange(o.eps, 'epsilon value');
  if (!Array.isArray(o.betas) || o.betas.length !== 2) {
    throw new RangeError(`Invalid betas: expected two numbers, got ${String(o.betas)}`);
  }
  checkRange(o.betas[0], 'beta parameter at index 0', 1);
  checkRange(o.betas[1], 'beta parameter at index 1', 1);
  checkRange(o.weightDecay, 'weightDecay value');
}

/** One Adam or AdamW (`decoupled`) step of every parameter of `group` that has a gradient. */
function adamUpdate(
  opt: Optimizer<AdamHyperparameters>,
  group: ParamGroup<AdamHyperparameters>,
  decoupled: boolean,
): void {
  const { lr, eps, weightDecay, amsgrad, maximize } = group;
  const [beta1, beta2] = group.betas;
  const name = decoupled ? 'AdamW' : 'Adam';
  for (const p of group.params) {
    const grad = p.grad;
    if (grad === null) continue;
    const state = paramState(opt.state, p);
    if (state.step === undefined) {
      state.step = 0;
      state.expAvg = zeroBuffer(p);
      state.expAvgSq = zeroBuffer(p);
      if (amsgrad) state.maxExpAvgSq = zeroBuffer(p);
    }
    const step = (state.step as number) + 1;
    state.step = step;
    const expAvg = state.expAvg as Tensor;
    const expAvgSq = state.expAvgSq as Tensor;
    const maxSq = amsgrad ? (state.maxExpAvgSq as Tensor) : null;
    // Python floats: the scalars are exact doubles, as in PyTorch's single-tensor path.
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
    const stepSize = lr / biasCorrection1;
    const g = grad.contiguous();
    const tensors = maxSq ? [p, g, expAvg, expAvgSq, maxSq] : [p, g, expAvg, expAvgSq];
    const arrays = fusedArrays(name, group.fused, tensors);
    if (arrays) {
      const [pa, ga, m, v, vmax] = arrays as [
        FloatArray,
        FloatArray,
        FloatArray,
        FloatArray,
        FloatArray?,
      ];
      adamLoop(
        pa,
        ga,
        m,
        v,
        vmax ?? null,
        beta1,
        beta2,
        decoupled ? 1 - lr * weightDecay : 1,
        decoupled ? 0 : weightDecay,
        biasCorrection2Sqrt,
        eps,
        -stepSize,
        maximize,
      );
      markWritten(maxSq ? [p, expAvg, expAvgSq, maxSq] : [p, expAvg, expAvgSq]);
      continue;
    }
    tidy(() => {
      let d = maximize ? grad.neg() : grad;
      if (decoupled) p.mul_(1 - lr * weightDecay);
      else if (weightDecay !== 0) d = d.add(p, { alpha: weightDecay });
      expAvg.mul_(beta1).add_(d, { alpha: 1 - beta1 });
      expAvgSq.mul_(beta2).add_(d.mul(d), { alpha: 1 - beta2 });
      let second = expAvgSq;
      if (maxSq) second = maxSq.copy_(maximum(maxSq, expAvgSq));
      const denom = second.sqrt().div(biasCorrection2Sqrt).add_(eps);
      p.add_(expAvg.div(denom), { alpha: -stepSize });
    });
  }
}

/**
 * One Adam/AdamW step over host arrays in a single pass. The moments are read back after each
 * store, so the update uses the stored (rounded) values as the op-by-op path does. Options are
 * coefficients (`decay` is 1 for Adam, `l2` is 0 for AdamW) rather than branches in the loop.
 */
function adamLoop(
  p: FloatArray,
  g: FloatArray,
  m: FloatArray,
  v: FloatArray,
  vmax: FloatArray | null,
  beta1: number,
  beta2: number,
  decay: number,
  l2: number,
  biasCorrection2Sqrt: number,
  eps: number,
  negStepSize: number,
  maximize: boolean,
): void {
  const sign = maximize ? -1 : 1;
  const a1 = 1 - beta1;
  const a2 = 1 - beta2;
  const n = p.length;
  if (vmax === null) {
    for (let i = 0; i < n; i++) {
      const pi = p[i]!;
      const gi = sign * g[i]! + l2 * pi;
      m[i] = beta1 * m[i]! + a1 * gi;
      v[i] = beta2 * v[i]! + a2 * gi * gi;
      p[i] = decay * pi + (negStepSize * m[i]!) / (Math.sqrt(v[i]!) / biasCorrection2Sqrt + eps);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const pi = p[i]!;
    const gi = sign * g[i]! + l2 * pi;
    m[i] = beta1 * m[i]! + a1 * gi;
    v[i] = beta2 * v[i]! + a2 * gi * gi;
    const vi = v[i]!;
    const old = vmax[i]!;
    // NaN propagates, as with torch.maximum. Both values are stored ones: no rounding to redo.
    const second = vi > old || Number.isNaN(vi) ? vi : old;
    vmax[i] = second;
    p[i] = decay * pi + (negStepSize * m[i]!) / (Math.sqrt(second) / biasCorrection2Sqrt + eps);
  }
}
