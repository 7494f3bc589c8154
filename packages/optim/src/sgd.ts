import { keep, type Tensor, tidy } from '@autodag/core';
import { checkRange } from './check.js';
import { type FloatArray, fusedArrays, markWritten } from './host.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamsInput,
  paramState,
  required,
  zeroBuffer,
} from './optimizer.js';

/** Options of {@link SGD} (PyTorch's keyword arguments, camelCased). */
export interface SGDOptions {
  /** Learning rate (required: no default, as in PyTorch). */
  lr: number;
  /** Momentum factor (default 0: plain gradient descent). */
  momentum?: number;
  /** Dampening of the momentum: the new gradient enters the buffer scaled by `1 - dampening` (default 0). */
  dampening?: number;
  /** L2 penalty added to the gradient as `weightDecay * param` (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0 and zero dampening; default false). */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
  /**
   * `null` (default): update host-memory tensors in one fused loop, others with tensor ops;
   * `false`: always tensor ops; `true`: require the fused loop.
   */
  fused?: boolean | null;
}

/** Every option of an SGD parameter group. */
export type SGDHyperparameters = Required<SGDOptions>;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight
 * decay (PyTorch's `torch.optim.SGD`, same update: `buf = momentum * buf + (1 - dampening) * g`,
 * `p -= lr * (nesterov ? g + momentum * buf : buf)`). State per parameter: `momentumBuffer`.
 * @example
 * const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * loss.backward(); opt.step(); opt.zeroGrad();
 */
export class SGD extends Optimizer<SGDHyperparameters> {
  constructor(params: ParamsInput<SGDHyperparameters>, options: SGDOptions) {
    const o = options ?? ({} as Partial<SGDOptions>);
    const defaults = {
      lr: o.lr ?? required,
      momentum: o.momentum ?? 0,
      dampening: o.dampening ?? 0,
      weightDecay: o.weightDecay ?? 0,
      nesterov: o.nesterov ?? false,
      maximize: o.maximize ?? false,
      fused: o.fused ?? null,
    };
    checkSGD(defaults);
    super(params, defaults);
  }

  protected override checkGroup(group: ParamGroup<SGDHyperparameters>): void {
    checkSGD(group);
  }

  protected updateGroup(group: ParamGroup<SGDHyperparameters>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    for (const p of group.params) {
      const grad = p.grad;
      if (grad === null) continue;
      const state = paramState(this.state, p);
      let buf = (state.momentumBuffer as Tensor | null | undefined) ?? null;
      const first = buf === null;
      if (momentum !== 0 && first) buf = zeroBuffer(p);
      const g = grad.contiguous();
      const arrays = fusedArrays('SGD', group.fused, buf ? [p, g, buf] : [p, g]);
      if (arrays) {
        sgdLoop(
          arrays[0]!,
          arrays[1]!,
          arrays[2] ?? arrays[0]!,
          lr,
          momentum,
          dampening,
          weightDecay,
          nesterov,
          maximize,
          first,
        );
        markWritten(buf ? [p, buf] : [p]);
      } else {
        buf = tidy(() => {
          let d = maximize ? grad.neg() : grad;
          if (weightDecay !== 0) d = d.add(p, { alpha: weightDecay });
          let b: Tensor | null = null;
          if (momentum !== 0) {
            if (first) b = keep(d.clone());
            else b = buf!.mul_(momentum).add_(d, { alpha: 1 - dampening });
            d = nesterov ? d.add(b, { alpha: momentum }) : b;
          }
          p.add_(d, { alpha: -lr });
          return b;
        });
      }
      // Without momentum PyTorch stores None (and leaves an earlier buffer alone).
      if (momentum !== 0) state.momentumBuffer = buf;
      else if (state.momentumBuffer === undefined) state.momentumBuffer = null;
    }
  }
}

/**
 * One SGD step over host arrays in a single pass. Options become coefficients rather than
 * branches inside the loop (V8 does not hoist them): the first step's `buf = d` is
 * `0·buf + 1·d`, and the update is `cd·d + cb·buf` (Nesterov: `d + momentum·buf`; else `buf`).
 */
function sgdLoop(
  p: FloatArray,
  g: FloatArray,
  buf: FloatArray,
  lr: number,
  momentum: number,
  dampening: number,
  weightDecay: number,
  nesterov: boolean,
  maximize: boolean,
  first: boolean,
): void {
  const sign = maximize ? -1 : 1;
  const n = p.length;
  if (momentum === 0) {
    for (let i = 0; i < n; i++) {
      const pi = p[i]!;
      p[i] = pi - lr * (sign * g[i]! + weightDecay * pi);
    }
    return;
  }
  const keep = first ? 0 : momentum;
  const scale = first ? 1 : 1 - dampening;
  const cd = nesterov ? 1 : 0;
  const cb = nesterov ? momentum : 1;
  for (let i = 0; i < n; i++) {
    const pi = p[i]!;
    const d = sign * g[i]! + weightDecay * pi;
    buf[i] = keep * buf[i]! + scale * d;
    p[i] = pi - lr * (cd * d + cb * buf[i]!);
  }
}

function checkSGD(o: {
  lr: number | typeof required;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}): void {
  if (o.lr !== required) checkRange(o.lr, 'learning rate');
  checkRange(o.momentum, 'momentum value');
  checkRange(o.weightDecay, 'weightDecay value');
  if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
    throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
  }
}
