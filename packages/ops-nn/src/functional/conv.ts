import type { RegisteredOp } from '@autodag/core';
import {
  argTypeError,
  callOp,
  cat,
  checkTensor,
  describeValue,
  formatShape,
  squeeze,
  Tensor,
  unsqueeze,
  zeros,
} from '@autodag/core';
import type { ConvAttrs } from './conv-ops.js';
import {
  conv1dNoBiasOp,
  conv1dOp,
  conv2dNoBiasOp,
  conv2dOp,
  convTranspose1dNoBiasOp,
  convTranspose1dOp,
  convTranspose2dNoBiasOp,
  convTranspose2dOp,
} from './conv-ops.js';
import type { IntOrTuple } from './conv-shapes.js';
import { checkConvWeightRank, expandArg } from './conv-shapes.js';

export type { ConvAttrs, ConvTransposeAttrs, ConvWeightBackwardAttrs } from './conv-ops.js';
export { CONV_OPS, convWeightBackwardOp } from './conv-ops.js';
export type { IntOrTuple } from './conv-shapes.js';

/**
 * Keyword options of `conv1d` / `conv2d` (PyTorch's `stride`, `padding`, `dilation`, `groups`).
 * @example F.conv2d(x, w, b, { stride: 2, padding: 'same' })
 */
export interface ConvOptions {
  /** Step between applications of the kernel: one number or one per spatial dim (default 1). */
  stride?: IntOrTuple;
  /**
   * Zero padding on both sides (default 0), or `'valid'` (none) or `'same'` (output as large as
   * the input; stride 1 only; an odd total pads one more at the end, as PyTorch).
   */
  padding?: IntOrTuple | 'same' | 'valid';
  /** Spacing between kernel taps (default 1). */
  dilation?: IntOrTuple;
  /** Split channels into this many independent convolutions (default 1). */
  groups?: number;
}

/**
 * Keyword options of `convTranspose1d` / `convTranspose2d`.
 * @example F.convTranspose2d(x, w, b, { stride: 2, outputPadding: 1 })
 */
export interface ConvTransposeOptions {
  /** Step of the corresponding convolution (default 1). */
  stride?: IntOrTuple;
  /** Padding of the corresponding convolution: removed from both sides of the output (default 0). */
  padding?: IntOrTuple;
  /** Extra size added to one side of each output dim, to pick among the sizes a stride allows (default 0). */
  outputPadding?: IntOrTuple;
  /** Channel groups (default 1). */
  groups?: number;
  /** Spacing between kernel taps (default 1). */
  dilation?: IntOrTuple;
}

type BiasArg<O> = Tensor | null | undefined | O;

/** Splits PyTorch's `(input, weight, bias?, options?)`, also accepting options in place of the bias. */
function splitBias<O extends object>(
  name: string,
  bias: BiasArg<O>,
  opts: O | undefined,
): [Tensor | null, O] {
  if (bias instanceof Tensor) return [bias, opts ?? ({} as O)];
  if (bias === null || bias === undefined) return [null, opts ?? ({} as O)];
  if (Array.isArray(bias) || typeof bias !== 'object') {
    throw argTypeError(name, 'bias', bias, 'a Tensor, null or an options object');
  }
  if (opts !== undefined) {
    throw new TypeError(
      `${name}: expected bias to be a Tensor or null when options are also given, got ${describeValue(bias)}`,
    );
  }
  return [null, bias as O];
}

/** Adds a batch dim to unbatched input; returns the input and whether to remove it after. */
function batchify(name: string, input: Tensor, dims: number): [Tensor, boolean] {
  checkTensor(input, name, 'input');
  const rank = input.shape.length;
  if (rank === dims + 2) return [input, false];
  if (rank === dims + 1) return [unsqueeze(input, 0), true];
  throw new RangeError(
    `${name}: Expected ${dims + 1}D (unbatched) or ${dims + 2}D (batched) input to ${name}, but got input of size: ${formatShape(input.shape)}`,
  );
}

function checkWeight(name: string, weight: Tensor, dims: number): void {
  checkTensor(weight, name, 'weight');
  checkConvWeightRank(name, weight, dims);
}

/** Pads `x` with one zero at the end of each spatial dim listed (the odd half of 'same' padding). */
function padEnd(x: Tensor, dims: readonly number[]): Tensor {
  let out = x;
  for (const d of dims) {
    const shape = [...out.shape];
    shape[d] = 1;
    out = cat([out, zeros(shape, { dtype: out.dtype, device: out.device })], d);
  }
  return out;
}

function convNd(
  dims: number,
  input: Tensor,
  weight: Tensor,
  biasArg: BiasArg<ConvOptions>,
  optsArg: ConvOptions | undefined,
): Tensor {
  const name = `conv${dims}d`;
  const [bias, opts] = splitBias(name, biasArg, optsArg);
  let [x, unbatched] = batchify(name, input, dims);
  checkWeight(name, weight, dims);
  const stride = expandArg(name, 'stride', opts.stride ?? 1, dims);
  const dilation = expandArg(name, 'dilation', opts.dilation ?? 1, dims);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups)) {
    throw new TypeError(`${name}: expected groups to be an integer, got ${groups}`);
  }
  let padding: number[];
  const p = opts.padding ?? 0;
  if (p === 'valid') {
    padding = new Array<number>(dims).fill(0);
  } else if (p === 'same') {
    if (stride.some((s) => s !== 1)) {
      throw new RangeError(`${name}: padding='same' is not supported for strided convolutions`);
    }
    const total = dilation.map((d, i) => d * (weight.shape[i + 2]! - 1));
    padding = total.map((t) => Math.floor(t / 2));
    const odd = total.flatMap((t, i) => (t % 2 === 1 ? [i + 2] : []));
    if (odd.length) x = padEnd(x, odd);
  } else if (typeof p === 'string') {
    throw new RangeError(
      `${name}: Invalid padding string '${p}', should be one of ['valid', 'same']`,
    );
  } else {
    padding = expandArg(name, 'padding', p, dims);
  }
  const attrs: ConvAttrs = { stride, padding, dilation, groups };
  const op = (dims === 2 ? [conv2dNoBiasOp, conv2dOp] : [conv1dNoBiasOp, conv1dOp])[bias ? 1 : 0]!;
  const args = bias ? [x, weight, bias] : [x, weight];
  const out = callOp(op as RegisteredOp, args, { ...attrs }) as Tensor;
  return unbatched ? squeeze(out, 0) : out;
}

function convTransposeNd(
  dims: number,
  input: Tensor,
  weight: Tensor,
  biasArg: BiasArg<ConvTransposeOptions>,
  optsArg: ConvTransposeOptions | undefined,
): Tensor {
  const name = `convTranspose${dims}d`;
  const [bias, opts] = splitBias(name, biasArg, optsArg);
  const [x, unbatched] = batchify(name, input, dims);
  checkWeight(name, weight, dims);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups)) {
    throw new TypeError(`${name}: expected groups to be an integer, got ${groups}`);
  }
  const attrs = {
    stride: expandArg(name, 'stride', opts.stride ?? 1, dims),
    padding: expandArg(name, 'padding', opts.padding ?? 0, dims),
    outputPadding: expandArg(name, 'outputPadding', opts.outputPadding ?? 0, dims),
    dilation: expandArg(name, 'dilation', opts.dilation ?? 1, dims),
    groups,
  };
  const op = (
    dims === 2
      ? [convTranspose2dNoBiasOp, convTranspose2dOp]
      : [convTranspose1dNoBiasOp, convTranspose1dOp]
  )[bias ? 1 : 0]!;
  const args = bias ? [x, weight, bias] : [x, weight];
  const out = callOp(op as RegisteredOp, args, attrs) as Tensor;
  return unbatched ? squeeze(out, 0) : out;
}

/**
 * 2-D convolution (cross-correlation, as every deep-learning library computes it) of a batch of
 * images `(N, C, H, W)` (or one unbatched `(C, H, W)` image) with `weight` of shape
 * `(outChannels, C / groups, kH, kW)`, plus an optional `bias` of `outChannels` elements, like
 * `torch.nn.functional.conv2d`. Options may be passed in place of the bias.
 * @example
 * const x = torch.randn(8, 3, 32, 32);
 * const w = torch.randn(16, 3, 3, 3);
 * F.conv2d(x, w, null, { padding: 1 }).shape; // [8, 16, 32, 32]
 * F.conv2d(x, w, { stride: 2, padding: 'valid' }).shape; // [8, 16, 15, 15]
 */
export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias?: BiasArg<ConvOptions>,
  options?: ConvOptions,
): Tensor {
  return convNd(2, input, weight, bias, options);
}

/**
 * 1-D convolution of a batch of sequences `(N, C, L)` (or one unbatched `(C, L)`) with `weight`
 * of shape `(outChannels, C / groups, k)`, plus an optional bias, like
 * `torch.nn.functional.conv1d`.
 * @example F.conv1d(torch.randn(4, 2, 10), torch.randn(3, 2, 5), null, { padding: 'same' }).shape // [4, 3, 10]
 */
export function conv1d(
  input: Tensor,
  weight: Tensor,
  bias?: BiasArg<ConvOptions>,
  options?: ConvOptions,
): Tensor {
  return convNd(1, input, weight, bias, options);
}

/**
 * 2-D transposed convolution ("deconvolution"): the adjoint of `conv2d` in its input, mapping
 * `(N, Cin, H, W)` to `(N, Cout, H', W')` with `weight` of shape `(Cin, Cout / groups, kH, kW)`
 * and H' = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1, like
 * `torch.nn.functional.conv_transpose2d`.
 * @example F.convTranspose2d(torch.randn(1, 4, 5, 5), torch.randn(4, 2, 3, 3), null, { stride: 2, padding: 1, outputPadding: 1 }).shape // [1, 2, 10, 10]
 */
export function convTranspose2d(
  input: Tensor,
  weight: Tensor,
  bias?: BiasArg<ConvTransposeOptions>,
  options?: ConvTransposeOptions,
): Tensor {
  return convTransposeNd(2, input, weight, bias, options);
}

/**
 * 1-D transposed convolution, like `torch.nn.functional.conv_transpose1d`; `weight` is
 * `(Cin, Cout / groups, k)`.
 * @example F.convTranspose1d(torch.randn(1, 4, 5), torch.randn(4, 2, 3), null, { stride: 2 }).shape // [1, 2, 11]
 */
export function convTranspose1d(
  input: Tensor,
  weight: Tensor,
  bias?: BiasArg<ConvTransposeOptions>,
  options?: ConvTransposeOptions,
): Tensor {
  return convTransposeNd(1, input, weight, bias, options);
}
