import type { Tensor } from '@autodag/core';
import { fullLike, keep, tidy } from '@autodag/core';
import { checkRange } from './check.js';
import { type FloatArray, fusedArrays, markWritten } from './host.js';
import { Optimizer, type ParamGroup, type ParamsInput, paramState } from './optimizer.js';

/** Options of {@link Adagrad} (PyTorch's keyword arguments, camelCased). */
export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Learning-rate decay: step t uses `lr / (1 + (t - 1)·lrDecay)` (default 0). */
  lrDecay?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the denominator for numerical stability (default 1e-10). */
  eps?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
  /**
   * `null` (default): update host-memory tensors in one fused loop, others with tensor ops;
   * `false`: always tensor ops; `true`: require the fused loop.
   */
  fused?: boolean | null;
}

/** Every option of an Adagrad parameter group. */
export type AdagradHyperparameters = Required<AdagradOptions>;

/**
 * Adagrad (PyTorch's `torch.optim.Adagrad`): `s += g²`, `p -= clr·g/(sqrt(s) + eps)` with
 * `clr = lr / (1 + (t-1)·lrDecay)`. State per parameter (created at construction, as in PyTorch):
 * `step` and `sum`.
 * @example const opt = new torch.optim.Adagrad(model.parameters(), { lr: 0.1 });
 */
export class Adagrad extends Optimizer<AdagradHyperparameters> {
  constructor(params: ParamsInput<AdagradHyperparameters>, options: AdagradOptions = {}) {
    const defaults: AdagradHyperparameters = {
      lr: options.lr ?? 1e-2,
      lrDecay: options.lrDecay ?? 0,
      weightDecay: options.weightDecay ?? 0,
      initialAccumulatorValue: options.initialAccumulatorValue ?? 0,
      eps: options.eps ?? 1e-10,
      maximize: options.maximize ?? false,
      fused: options.fused ?? null,
    };
    checkAdagrad(defaults);
    super(params, defaults);
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const state = paramState(this.state, p);
        state.step = 0;
        state.sum = keep(fullLike(p, group.initialAccumulatorValue));
      }
    }
  }

  protected override checkGroup(group: ParamGroup<AdagradHyperparameters>): void {
    checkAdagrad(group);
  }

  protected updateGroup(group: ParamGroup<AdagradHyperparameters>): void {
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    for (const p of group.params) {
      const grad = p.grad;
      if (grad === null) continue;
      const state = paramState(this.state, p);
      // Groups added after construction start here (PyTorch would fail on their missing state).
      if (state.sum === undefined) {
        state.step = 0;
        state.sum = keep(fullLike(p, group.initialAccumulatorValue));
      }
      const step = (state.step as number) + 1;
      state.step = step;
      const sum = state.sum as Tensor;
      const clr = lr / (1 + (step - 1) * lrDecay);
      const g = grad.contiguous();
      const arrays = fusedArrays('Adagrad', group.fused, [p, g, sum]);
      if (arrays) {
        const [pa, ga, sa] = arrays as [FloatArray, FloatArray, FloatArray];
        const sign = maximize ? -1 : 1;
        for (let i = 0; i < pa.length; i++) {
          const pi = pa[i]!;
          const gi = sign * ga[i]! + weightDecay * pi;
          sa[i] = sa[i]! + gi * gi;
          pa[i] = pi - (clr * gi) / (Math.sqrt(sa[i]!) + eps);
        }
        markWritten([p, sum]);
        continue;
      }
      tidy(() => {
        let d = maximize ? grad.neg() : grad;
        if (weightDecay !== 0) d = d.add(p, { alpha: weightDecay });
        sum.add_(d.mul(d));
        p.add_(d.div(sum.sqrt().add_(eps)), { alpha: -clr });
      });
    }
  }
}

function checkAdagrad(o: AdagradHyperparameters): void {
  checkRange(o.lr, 'learning rate');
  checkRange(o.lrDecay, 'lrDecay value');
  checkRange(o.weightDecay, 'weightDecay value');
  checkRange(o.initialAccumulatorValue, 'initialAccumulatorValue value');
  checkRange(o.eps, 'epsilon value');
}
