/**
 * What the nn ops hand their kernels, shared by the op definitions (functional/) and the kernels
 * of every device (cpu/, webgpu/): the attribute types each kernel reads and the constants both
 * sides must agree on. No code runs here, so each entry may include it without defining an op.
 */

/** √(2/π), the scale of GELU's tanh approximation. */
export const GELU_TANH_K = 0.7978845608028654;
/** The cubic coefficient of GELU's tanh approximation. */
export const GELU_TANH_C = 0.044715;

/**
 * Attributes of the GELU ops.
 * @example callOp('nn.gelu', [x], { approximate: 'tanh' } satisfies GeluAttrs)
 */
export interface GeluAttrs {
  /** `'none'` (exact, with erf) or `'tanh'` (PyTorch's approximation). */
  approximate: string;
}

/**
 * Attributes of the softmax kernels: the (normalised) dim reduced over.
 * @example callOp('nn.softmax', [x], { dim: 1 } satisfies SoftmaxKernelAttrs)
 */
export interface SoftmaxKernelAttrs {
  /** Dim in `[0, ndim)` (0 for a 0-d tensor). */
  dim: number;
}

/**
 * Attributes of `nn.layerNorm`.
 * @example callOp('nn.layerNorm', [x, w, b], { normalizedShape: [4], eps: 1e-5 })
 */
export interface LayerNormAttrs {
  /** The trailing dims normalised over. */
  normalizedShape: number[];
  /** Added to the variance before the square root. */
  eps: number;
}

/**
 * Attributes of `nn.groupNorm`.
 * @example callOp('nn.groupNorm', [x, w, b], { numGroups: 2, eps: 1e-5 })
 */
export interface GroupNormAttrs {
  /** Number of channel groups (divides C). */
  numGroups: number;
  /** Added to the variance before the square root. */
  eps: number;
}

/**
 * Attributes of the batch-norm kernels.
 * @example callOp('nn.batchNormEval', [x, mean, variance, w, b], { eps: 1e-5 })
 */
export interface BatchNormKernelAttrs {
  /** Added to the variance before the square root. */
  eps: number;
}

/**
 * Attributes of the negative log-likelihood kernels.
 * @example callOp('nn.nllLoss', [logProbs, target, weight], { reduction: 'mean', ignoreIndex: -100 })
 */
export interface NllKernelAttrs {
  /** `'mean'` (weighted mean over non-ignored targets), `'sum'` or `'none'`. */
  reduction: string;
  /** Target value that contributes nothing (neither loss nor weight). */
  ignoreIndex: number;
  /** Name used in errors (the public function that was called). */
  caller?: string;
}

/**
 * Attributes of the NLL backward kernel.
 * @example callOp('nn.nllLossBackward', [grad, target, weight], { reduction: 'sum', ignoreIndex: -100, inputShape: [4, 10] })
 */
export interface NllBackwardKernelAttrs extends NllKernelAttrs {
  /** Shape of the forward's input (the gradient's shape). */
  inputShape: number[];
}
