import type { OpSample, RegisteredOp, Tensor, TensorMeta, VjpContext } from '@autodag/core';
import {
  callOp,
  checkOptionalTensor,
  checkTensor,
  defineOp,
  formatShape,
  freeTemporaries,
  noGrad,
  ones,
  shapesEqual,
  zeros,
  zerosLike,
} from '@autodag/core';
import type { BatchNormKernelAttrs } from '../kernel-contract.js';
import { perChannel, requireFloat, statDims } from './layer-util.js';

/**
 * Batch normalisation (`torch.nn.functional.batch_norm`) over (N, C), (N, C, L), (N, C, H, W),
 * ... inputs. Training normalises with the batch statistics (fused CPU kernel, one pass for the
 * statistics and one for the result) and updates the running statistics in place; evaluation
 * normalises with the running statistics. The training backward is one fused kernel too; its
 * own VJPs (second order) are written with ops.
 */

function checkChannels(name: string, x: Tensor, tensors: [string, Tensor][]): void {
  requireFloat(name, x);
  if (x.shape.length < 2) {
    throw new RangeError(
      `${name}: expected an input of at least 2 dims (N, C, ...), got shape ${formatShape(x.shape)}`,
    );
  }
  const c = x.shape[1]!;
  for (const [what, t] of tensors) {
    if (t.shape.length !== 1 || t.shape[0] !== c) {
      throw new RangeError(
        `${name}: expected ${what} to have shape [${c}] (the input's channels), got ${formatShape(t.shape)} for input ${formatShape(x.shape)}`,
      );
    }
    if (t.dtype !== x.dtype) {
      throw new TypeError(
        `${name}: expected ${what} to be ${x.dtype} like the input, got ${t.dtype}`,
      );
    }
  }
}

const epsAttr = { eps: { type: 'float', default: 1e-5, doc: 'added to the variance' } } as const;

const trainSamples = (): OpSample[] => [
  {
    name: '(N, C)',
    inputs: [{ shape: [5, 3] }, { shape: [3], low: 0.5, high: 1.5 }, { shape: [3] }],
  },
  {
    name: '(N, C, L)',
    inputs: [
      { shape: [2, 3, 4], low: -2, high: 3 },
      { shape: [3], low: 0.5, high: 1.5 },
      { shape: [3] },
    ],
  },
  {
    name: '(N, C, H, W) float64',
    inputs: [
      { shape: [2, 2, 3, 3], dtype: 'float64' },
      { shape: [2], dtype: 'float64', low: 0.5, high: 1.5 },
      { shape: [2], dtype: 'float64' },
    ],
    attrs: { eps: 1e-3 },
  },
  {
    name: 'transposed input',
    inputs: [
      { shape: [4, 3], layout: 'transposed' },
      { shape: [3], low: 0.5, high: 1.5 },
      { shape: [3] },
    ],
  },
  {
    name: 'strided',
    inputs: [
      { shape: [3, 2, 4], layout: 'strided' },
      { shape: [2], low: 0.5, high: 1.5 },
      { shape: [2] },
    ],
  },
  {
    name: 'large mean',
    inputs: [
      { shape: [4, 2, 3], dtype: 'float64', low: 1000, high: 1002 },
      { shape: [2], dtype: 'float64', low: 0.5, high: 1.5 },
      { shape: [2], dtype: 'float64' },
    ],
  },
];

/**
 * The training backward of batch norm: (gradOutput, input, weight) → (gradInput, gradWeight,
 * gradBias), one fused CPU kernel. Its VJPs recompute the statistics with ops, so third and
 * higher derivatives follow too.
 * @example callOp(batchNormBackwardOp, [g, x, w], { eps: 1e-5 }) // [gradInput, gradWeight, gradBias]
 */
export const batchNormBackwardOp: RegisteredOp<BatchNormKernelAttrs> =
  defineOp<BatchNormKernelAttrs>(
    {
      name: 'nn.batchNormBackward',
      inputs: ['grad', 'input', 'weight'],
      attrs: epsAttr,
      infer: ([g, x, w]): TensorMeta[] => {
        checkChannels('batch_norm_backward', x!, [['weight', w!]]);
        if (!shapesEqual(g!.shape, x!.shape) || g!.dtype !== x!.dtype) {
          throw new RangeError(
            `batch_norm_backward: grad_output (${formatShape(g!.shape)} ${g!.dtype}) does not match the input (${formatShape(x!.shape)} ${x!.dtype})`,
          );
        }
        const meta = { shape: w!.shape, dtype: x!.dtype };
        return [{ shape: x!.shape, dtype: x!.dtype }, meta, meta];
      },
      saveInputs: [0, 1, 2],
      vjp: {
        grad: (ctx) => backwardPartials(ctx).dg,
        input: (ctx) => backwardPartials(ctx).dx,
        weight: (ctx) => backwardPartials(ctx).dw,
      },
      gradFnName: 'NativeBatchNormBackwardBackward0',
      samples: () =>
        trainSamples().map((s) => ({
          ...s,
          inputs: [{ ...s.inputs[0]!, low: -1, high: 1 }, ...s.inputs.slice(0, 2)],
        })),
      doc: 'Closed-form backward of training-mode batch normalisation.',
    },
    { override: true },
  );

interface Partials {
  dg: Tensor;
  dx: Tensor;
  dw: Tensor;
}

const partialsCache = new WeakMap<object, Partials>();

/**
 * Second-order terms of batch norm: the VJP of (gradInput, gradWeight, gradBias) w.r.t.
 * (grad, input, weight), given upstream gradients A, bW, bB of the three outputs. With
 * d = x - mean, s1 = Σg, s2 = Σg·d, c = w·invstd and k = invstd²/M, the outputs are
 * c·(g - s1/M - d·k·s2), invstd·s2 and s1; the partials below treat mean and invstd as
 * independent, and the chain rule through mean(x) and invstd(x) is applied at the end.
 */
function backwardPartials(ctx: VjpContext<BatchNormKernelAttrs>): Partials {
  const hit = partialsCache.get(ctx.grads);
  if (hit) return hit;
  const [g, x, w] = ctx.inputs as [Tensor, Tensor, Tensor];
  const [A, bW, bB] = ctx.grads;
  const nd = x.shape.length;
  const R = statDims(nd);
  const ch = (t: Tensor) => perChannel(t, nd);
  const M = x.numel() / x.shape[1]!;
  const mean = x.mean(R);
  const d = x.sub(ch(mean));
  const invstd = d.mul(d).mean(R).add(ctx.attrs.eps).rsqrt();
  const s1 = g.sum(R);
  const s2 = g.mul(d).sum(R);
  const c = w.mul(invstd);
  const k = invstd.mul(invstd).div(M);
  const terms = {
    dg: [] as Tensor[],
    dxp: [] as Tensor[],
    dmean: [] as Tensor[],
    dw: [] as Tensor[],
    dinv: [] as Tensor[],
  };
  if (A) {
    const SA = A.sum(R);
    const SAd = A.mul(d).sum(R);
    const SAg = A.mul(g).sum(R);
    const ck = c.mul(k);
    terms.dg.push(ch(c).mul(A.sub(ch(SA.div(M)))), ch(ck.mul(SAd)).mul(d).neg());
    terms.dxp.push(
      ch(ck)
        .mul(ch(SAd).mul(g).add(ch(s2).mul(A)))
        .neg(),
    );
    terms.dmean.push(ck.mul(SAd.mul(s1).add(s2.mul(SA))));
    const inner = SAg.sub(s1.mul(SA).div(M)).sub(k.mul(s2).mul(SAd));
    terms.dw.push(invstd.mul(inner));
    terms.dinv.push(
      w.mul(SAg.sub(s1.mul(SA).div(M))).sub(
        w
          .mul(invstd)
          .mul(invstd)
          .mul(s2)
          .mul(SAd)
          .mul(3 / M),
      ),
    );
  }
  if (bW) {
    const bi = bW.mul(invstd);
    terms.dg.push(ch(bi).mul(d));
    terms.dxp.push(ch(bi).mul(g));
    terms.dmean.push(bi.mul(s1).neg());
    terms.dinv.push(bW.mul(s2));
  }
  if (bB) terms.dg.push(ch(bB).expand(x.shape));
  const total = (ts: Tensor[], like: Tensor) =>
    ts.length ? ts.reduce((a, b) => a.add(b)) : zerosLike(like);
  let dx = total(terms.dxp, x);
  if (terms.dmean.length) dx = dx.add(ch(total(terms.dmean, w).div(M)));
  if (terms.dinv.length) {
    const dinv = total(terms.dinv, w);
    dx = dx.sub(ch(dinv.mul(invstd.mul(invstd).mul(invstd)).div(M)).mul(d));
  }
  const out = { dg: total(terms.dg, x), dx, dw: total(terms.dw, w) };
  partialsCache.set(ctx.grads, out);
  return out;
}

const backwardCache = new WeakMap<object, Tensor[]>();

/** The fused backward, run once per node application and shared by the three VJPs. */
function fusedBackward(ctx: VjpContext<BatchNormKernelAttrs>): Tensor[] {
  let r = backwardCache.get(ctx.grads);
  if (!r) {
    const [x, w] = [ctx.inputs[0]!, ctx.inputs[1]!];
    r = callOp(batchNormBackwardOp, [ctx.grad, x, w], { eps: ctx.attrs.eps }) as Tensor[];
    backwardCache.set(ctx.grads, r);
  }
  return r;
}

/**
 * Training-mode batch norm: (input, weight, bias) → (output, batch mean, biased batch variance).
 * The statistics feed the running averages; they are differentiable too (as functions of the
 * input), though `batchNorm` uses them under `noGrad`.
 * @example const [y, mean, variance] = callOp(batchNormTrainOp, [x, w, b], { eps: 1e-5 }) as Tensor[]
 */
export const batchNormTrainOp: RegisteredOp<BatchNormKernelAttrs> = defineOp<BatchNormKernelAttrs>(
  {
    name: 'nn.batchNorm',
    inputs: ['input', 'weight', 'bias'],
    attrs: epsAttr,
    infer: ([x, w, b]): TensorMeta[] => {
      checkChannels('batch_norm', x!, [
        ['weight', w!],
        ['bias', b!],
      ]);
      const c = [x!.shape[1]!];
      return [
        { shape: x!.shape, dtype: x!.dtype },
        { shape: c, dtype: x!.dtype },
        { shape: c, dtype: x!.dtype },
      ];
    },
    saveInputs: [0, 1],
    vjp: {
      input: (ctx) => {
        const gi = fusedBackward(ctx)[0]!;
        const [, gMean, gVar] = ctx.grads;
        if (!gMean && !gVar) return gi;
        // The statistics' own gradients: d mean/dx = 1/M, d var/dx = 2(x - mean)/M.
        const x = ctx.inputs[0]!;
        const nd = x.shape.length;
        const M = x.numel() / x.shape[1]!;
        let r = gi;
        if (gMean) r = r.add(perChannel(gMean.div(M), nd));
        if (gVar) {
          const d = x.sub(perChannel(x.mean(statDims(nd)), nd));
          r = r.add(perChannel(gVar.mul(2 / M), nd).mul(d));
        }
        return r;
      },
      weight: (ctx) => fusedBackward(ctx)[1]!,
      bias: (ctx) => fusedBackward(ctx)[2]!,
    },
    gradFnName: 'NativeBatchNormBackward0',
    samples: trainSamples,
    doc: 'Batch normalisation with batch statistics (training mode).',
  },
  { override: true },
);

/**
 * Evaluation-mode batch norm: (input, runningMean, runningVar, weight, bias) → output,
 * normalising with the running statistics (not differentiated, as in PyTorch).
 * @example callOp(batchNormEvalOp, [x, rm, rv, w, b], { eps: 1e-5 })
 */
export const batchNormEvalOp: RegisteredOp<BatchNormKernelAttrs> = defineOp<BatchNormKernelAttrs>(
  {
    name: 'nn.batchNormEval',
    inputs: ['input', 'runningMean', 'runningVar', 'weight', 'bias'],
    attrs: epsAttr,
    infer: ([x, rm, rv, w, b]): TensorMeta => {
      checkChannels('batch_norm', x!, [
        ['running_mean', rm!],
        ['running_var', rv!],
        ['weight', w!],
        ['bias', b!],
      ]);
      return { shape: x!.shape, dtype: x!.dtype };
    },
    saveInputsFor: { input: [2, 3], weight: [0, 1, 2], bias: [] },
    decomposition: ([x, rm, rv, w, b], { eps }) => {
      const nd = x!.shape.length;
      const scale = w!.mul(rv!.add(eps).rsqrt());
      return x!.sub(perChannel(rm!, nd)).mul(perChannel(scale, nd)).add(perChannel(b!, nd));
    },
    vjp: {
      input: ({ grad, inputs, attrs }) => {
        const nd = grad.shape.length;
        return grad.mul(perChannel(inputs[3]!.mul(inputs[2]!.add(attrs.eps).rsqrt()), nd));
      },
      weight: ({ grad, inputs, attrs }) => {
        const nd = grad.shape.length;
        const centred = inputs[0]!.sub(perChannel(inputs[1]!, nd));
        return grad.mul(centred).sum(statDims(nd)).mul(inputs[2]!.add(attrs.eps).rsqrt());
      },
      bias: ({ grad }) => grad.sum(statDims(grad.shape.length)),
    },
    gradFnName: 'NativeBatchNormBackward0',
    samples: () =>
      trainSamples().map((s) => ({
        ...s,
        inputs: [
          s.inputs[0]!,
          { shape: s.inputs[1]!.shape, dtype: s.inputs[1]!.dtype, requiresGrad: false },
          {
            shape: s.inputs[1]!.shape,
            dtype: s.inputs[1]!.dtype,
            low: 0.5,
            high: 2,
            requiresGrad: false,
          },
          s.inputs[1]!,
          s.inputs[2]!,
        ],
      })),
    doc: 'Batch normalisation with running statistics (evaluation mode).',
  },
  { override: true },
);

/**
 * Options of `batchNorm` (PyTorch's keywords).
 * @example F.batchNorm(x, rm, rv, w, b, { training: true, momentum: 0.1, eps: 1e-5 })
 */
export interface BatchNormOptions {
  /** Normalise with batch statistics and update the running ones (default false). */
  training?: boolean;
  /** Weight of the new batch statistic in the running averages (default 0.1). */
  momentum?: number;
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
}

/**
 * Batch normalisation like `torch.nn.functional.batch_norm`: per channel (dim 1),
 * y = (x - mean)/√(var + eps)·weight + bias. In training the batch statistics (biased variance)
 * normalise, and the running statistics, when given, are updated in place:
 * running = (1 - momentum)·running + momentum·batch (with the unbiased variance). In evaluation
 * the running statistics normalise.
 * @example
 * const rm = torch.zeros(3), rv = torch.ones(3);
 * const y = F.batchNorm(torch.randn(8, 3, 4, 4), rm, rv, null, null, { training: true });
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  opts: BatchNormOptions = {},
): Tensor {
  checkTensor(input, 'batchNorm', 'input');
  checkOptionalTensor(runningMean, 'batchNorm', 'runningMean');
  checkOptionalTensor(runningVar, 'batchNorm', 'runningVar');
  checkOptionalTensor(weight, 'batchNorm', 'weight');
  checkOptionalTensor(bias, 'batchNorm', 'bias');
  const training = opts.training ?? false;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  requireFloat('batch_norm', input);
  if (input.shape.length < 2) {
    throw new RangeError(
      `batch_norm: expected an input of at least 2 dims (N, C, ...), got shape ${formatShape(input.shape)}`,
    );
  }
  const c = input.shape[1]!;
  const opt = { dtype: input.dtype, device: input.device };
  // Default affine parameters, the batch statistics and the running-stat updates' products are
  // temporaries: freed at once, or once backward no longer needs them.
  return freeTemporaries(() => {
    const w = weight ?? ones([c], opt);
    const b = bias ?? zeros([c], opt);
    if (!training) {
      if (!runningMean || !runningVar) {
        throw new Error(
          'batch_norm: running_mean and running_var must be defined in evaluation mode (training: false)',
        );
      }
      return callOp(batchNormEvalOp, [input, runningMean, runningVar, w, b], { eps }) as Tensor;
    }
    const count = input.numel() / c;
    if (count === 1) {
      throw new RangeError(
        `batch_norm: Expected more than 1 value per channel when training, got input size ${formatShape(input.shape)}`,
      );
    }
    if (input.numel() === 0) {
      // As PyTorch: an empty batch gives an empty result still connected to input, weight and
      // bias, and has no statistics to fold into the running ones.
      const nd = input.shape.length;
      return input.mul(perChannel(w, nd)).add(perChannel(b, nd));
    }
    const [out, mean, variance] = callOp(batchNormTrainOp, [input, w, b], { eps }) as Tensor[];
    if (runningMean || runningVar) {
      if (runningMean) checkChannels('batch_norm', input, [['running_mean', runningMean]]);
      if (runningVar) checkChannels('batch_norm', input, [['running_var', runningVar]]);
      noGrad(() => {
        runningMean?.mul_(1 - momentum).add_(mean!.mul(momentum));
        runningVar?.mul_(1 - momentum).add_(variance!.mul((momentum * count) / (count - 1)));
      });
    }
    return out!;
  });
}
