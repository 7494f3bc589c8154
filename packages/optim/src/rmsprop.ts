import type { Tensor } from '@autodag/core';
import { tidy } from '@autodag/core';
import { checkRange } from './check.js';
import { type FloatArray, fusedArrays, markWritten } from './host.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamsInput,
  paramState,
  zeroBuffer,
} from './optimizer.js';

/** Options of {@link RMSprop} (PyTorch's keyword arguments, camelCased). */
export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Smoothing constant of the running average of squared gradients (default 0.99). */
  alpha?: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalize by an estimate of the gradient's variance (subtracting the squared mean gradient; default false). */
  centered?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
  /**
   * `null` (default): update host-memory tensors in one fused loop, others with tensor ops;
   * `false`: always tensor ops; `true`: require the fused loop.
   */
  fused?: boolean | null;
}

/** Every option of an RMSprop parameter group. */
export type RMSpropHyperparameters = Required<RMSpropOptions>;

/**
 * RMSprop (PyTorch's `torch.optim.RMSprop`): `v = α·v + (1-α)·g²`, `avg = sqrt(v - (centered ?
 * ḡ² : 0)) + eps`, then `p -= lr·g/avg` (or through a momentum buffer `b = momentum·b + g/avg`).
 * State per parameter: `step`, `squareAvg` (and `momentumBuffer`, `gradAvg` when used).
 * @example const opt = new torch.optim.RMSprop(model.parameters(), { lr: 0.01, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropHyperparameters> {
  constructor(params: ParamsInput<RMSpropHyperparameters>, options: RMSpropOptions = {}) {
    const defaults: RMSpropHyperparameters = {
      lr: options.lr ?? 1e-2,
      alpha: options.alpha ?? 0.99,
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      momentum: options.momentum ?? 0,
      centered: options.centered ?? false,
      maximize: options.maximize ?? false,
      fused: options.fused ?? null,
    };
    checkRMSprop(defaults);
    super(params, defaults);
  }

  protected override checkGroup(group: ParamGroup<RMSpropHyperparameters>): void {
    checkRMSprop(group);
  }

  protected updateGroup(group: ParamGroup<RMSpropHyperparameters>): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    for (const p of group.params) {
      const grad = p.grad;
      if (grad === null) continue;
      const state = paramState(this.state, p);
      if (state.step === undefined) {
        state.step = 0;
        state.squareAvg = zeroBuffer(p);
        if (momentum > 0) state.momentumBuffer = zeroBuffer(p);
        if (centered) state.gradAvg = zeroBuffer(p);
      }
      state.step = (state.step as number) + 1;
      const squareAvg = state.squareAvg as Tensor;
      const buf = momentum > 0 ? (state.momentumBuffer as Tensor) : null;
      const gradAvg = centered ? (state.gradAvg as Tensor) : null;
      const g = grad.contiguous();
      const tensors = [p, g, squareAvg];
      if (buf) tensors.push(buf);
      if (gradAvg) tensors.push(gradAvg);
      const arrays = fusedArrays('RMSprop', group.fused, tensors);
      if (arrays) {
        const [pa, ga, sa] = arrays as [FloatArray, FloatArray, FloatArray];
        const ba = buf ? arrays[3]! : null;
        const gaa = gradAvg ? arrays[buf ? 4 : 3]! : null;
        rmspropLoop(pa, ga, sa, ba, gaa, lr, alpha, eps, weightDecay, momentum, maximize);
        markWritten(tensors.filter((t) => t !== g));
        continue;
      }
      tidy(() => {
        let d = maximize ? grad.neg() : grad;
        if (weightDecay !== 0) d = d.add(p, { alpha: weightDecay });
        squareAvg.mul_(alpha).add_(d.mul(d), { alpha: 1 - alpha });
        let avg: Tensor;
        if (gradAvg) {
          gradAvg.mul_(alpha).add_(d, { alpha: 1 - alpha });
          avg = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt_();
        } else {
          avg = squareAvg.sqrt();
        }
        avg = avg.add_(eps);
        if (buf) {
          buf.mul_(momentum).add_(d.div(avg));
          p.add_(buf, { alpha: -lr });
        } else {
          p.add_(d.div(avg), { alpha: -lr });
        }
      });
    }
  }
}

/** One RMSprop step over host arrays in a single pass, reading back each stored average. */
function rmspropLoop(
  p: FloatArray,
  g: FloatArray,
  sq: FloatArray,
  buf: FloatArray | null,
  gAvg: FloatArray | null,
  lr: number,
  alpha: number,
  eps: number,
  weightDecay: number,
  momentum: number,
  maximize: boolean,
): void {
  const sign = maximize ? -1 : 1;
  const keep = 1 - alpha;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const gi = sign * g[i]! + weightDecay * p[i]!;
    sq[i] = alpha * sq[i]! + keep * gi * gi;
    let avg: number;
    if (gAvg !== null) {
      gAvg[i] = alpha * gAvg[i]! + keep * gi;
      const mean = gAvg[i]!;
      avg = Math.sqrt(sq[i]! - mean * mean) + eps;
    } else {
      avg = Math.sqrt(sq[i]!) + eps;
    }
    if (buf !== null) {
      buf[i] = momentum * buf[i]! + gi / avg;
      p[i] = p[i]! - lr * buf[i]!;
    } else {
      p[i] = p[i]! - (lr * gi) / avg;
    }
  }
}

function checkRMSprop(o: RMSpropHyperparameters): void {
  checkRange(o.lr, 'learning rate');
  checkRange(o.eps, 'epsilon value');
  checkRange(o.momentum, 'momentum value');
  checkRange(o.weightDecay, 'weightDecay value');
  checkRange(o.alpha, 'alpha value');
}
