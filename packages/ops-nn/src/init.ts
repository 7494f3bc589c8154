/**
 * Weight initialisers (PyTorch's `torch.nn.init`). Each fills a tensor in place without recording
 * a graph and returns it. Random ones draw from the seedable default generator in the order
 * PyTorch's CPU generator does, so `torch.manualSeed(s)` followed by the same calls gives
 * PyTorch's values.
 * @example nn.init.kaimingUniform_(w, { a: Math.sqrt(5) })
 * @packageDocumentation
 */
import type { Generator, Tensor } from '@autodag/core';
import {
  checkTensor,
  defaultGenerator,
  eye,
  fromTypedArray,
  isFloatingPoint,
  noGrad,
  overwrite,
  scalarTensor,
  typedArrayFor,
} from '@autodag/core';
import { erf } from './functional/erf.js';

/** Options of the random initialisers. */
export interface InitOptions {
  /** Generator to draw from; default `torch.defaultGenerator`. */
  generator?: Generator;
}

/** Nonlinearities `calculateGain` knows (PyTorch's names, plus camelCase aliases). */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'leakyRelu'
  | 'selu';

/** Options of the Kaiming initialisers. */
export interface KaimingOptions extends InitOptions {
  /** Negative slope of the leaky ReLU that follows (default 0). */
  a?: number;
  /** `'fan_in'` (default) keeps the forward variance, `'fan_out'` the backward one. */
  mode?: 'fan_in' | 'fan_out' | 'fanIn' | 'fanOut';
  /** The nonlinearity that follows (default `'leaky_relu'`). */
  nonlinearity?: Nonlinearity;
}

const LINEAR_GAIN = new Set([
  'linear',
  'conv1d',
  'conv2d',
  'conv3d',
  'conv_transpose1d',
  'conv_transpose2d',
  'conv_transpose3d',
  'convTranspose1d',
  'convTranspose2d',
  'convTranspose3d',
]);

/**
 * The recommended gain for a nonlinearity (PyTorch's `calculate_gain`): 1 for linear/conv/sigmoid,
 * 5/3 for tanh, √2 for relu, √(2/(1+slope²)) for leaky_relu (slope `param`, default 0.01), 3/4 for selu.
 * @example nn.init.calculateGain('leaky_relu', 0.2)
 */
export function calculateGain(nonlinearity: Nonlinearity | string, param?: number | null): number {
  if (LINEAR_GAIN.has(nonlinearity) || nonlinearity === 'sigmoid') return 1;
  if (nonlinearity === 'tanh') return 5.0 / 3;
  if (nonlinearity === 'relu') return Math.sqrt(2.0);
  if (nonlinearity === 'leaky_relu' || nonlinearity === 'leakyRelu') {
    let slope = 0.01;
    if (param !== undefined && param !== null) {
      if (typeof param !== 'number' || Number.isNaN(param)) {
        throw new TypeError(`negative_slope ${param} not a valid number`);
      }
      slope = param;
    }
    return Math.sqrt(2.0 / (1 + slope * slope));
  }
  if (nonlinearity === 'selu') return 3.0 / 4;
  throw new Error(`Unsupported nonlinearity ${nonlinearity}`);
}

/**
 * `[fanIn, fanOut]` of a weight: `size(1)·receptive field` and `size(0)·receptive field`.
 * @example nn.init.calculateFanInAndFanOut(torch.empty(8, 3, 5, 5)) // [75, 200]
 */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  checkTensor(tensor, 'calculateFanInAndFanOut', 'tensor');
  if (tensor.ndim < 2) {
    throw new Error(
      'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions',
    );
  }
  let receptive = 1;
  for (let d = 2; d < tensor.ndim; d++) receptive *= tensor.shape[d]!;
  return [tensor.shape[1]! * receptive, tensor.shape[0]! * receptive];
}

function correctFan(tensor: Tensor, mode: string): number {
  const m = mode === 'fanIn' ? 'fan_in' : mode === 'fanOut' ? 'fan_out' : mode;
  if (m !== 'fan_in' && m !== 'fan_out') {
    throw new Error(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
  }
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return m === 'fan_in' ? fanIn : fanOut;
}

function checkFloat(tensor: Tensor, name: string): void {
  if (!isFloatingPoint(tensor.dtype)) {
    throw new TypeError(`${name}: expected a floating point tensor, got ${tensor.dtype}`);
  }
}

/** A zeroed host array with one element per element of the floating `tensor`, of its dtype. */
function hostBuffer(tensor: Tensor): Float32Array | Float64Array {
  return new (typedArrayFor(tensor.dtype) as Float32ArrayConstructor | Float64ArrayConstructor)(
    tensor.numel(),
  );
}

/** Writes host-computed values into `tensor` without recording a graph. */
function fillWith(tensor: Tensor, values: Float32Array | Float64Array): Tensor {
  const src = fromTypedArray(values, tensor.shape.slice(), {
    dtype: tensor.dtype,
    device: tensor.device,
  });
  noGrad(() => overwrite(tensor, src));
  src.dispose();
  return tensor;
}

/**
 * Fills with samples from U(a, b), drawn exactly as PyTorch's CPU `uniform_`: float32 tensors
 * use 24-bit uniforms and float32 arithmetic on bounds rounded to float32, float64 tensors
 * 53-bit uniforms; both as a fused multiply-add, so seeded results are bit-identical.
 * @example nn.init.uniform_(torch.empty(3, 5), -0.1, 0.1)
 */
export function uniform_(tensor: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  checkTensor(tensor, 'uniform_', 'tensor');
  checkFloat(tensor, 'uniform_');
  if (!(a <= b)) {
    throw new RangeError(
      `uniform_ expects to return a [from, to) range, but found from=${a} > to=${b}`,
    );
  }
  const g = opts.generator ?? defaultGenerator;
  const out = hostBuffer(tensor);
  g.fillUniform(out, a, b);
  return fillWith(tensor, out);
}

/**
 * Fills with samples from N(mean, std²).
 * @example nn.init.normal_(torch.empty(3, 5), 0, 0.02)
 */
export function normal_(tensor: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  checkTensor(tensor, 'normal_', 'tensor');
  checkFloat(tensor, 'normal_');
  if (!(std >= 0)) throw new RangeError(`normal_ expects std >= 0.0, but found std ${std}`);
  const g = opts.generator ?? defaultGenerator;
  const out = hostBuffer(tensor);
  g.fillNormal(out, mean, std);
  return fillWith(tensor, out);
}

/**
 * Fills with normal samples truncated to [a, b] (PyTorch's `trunc_normal_`: inverse-CDF sampling
 * of uniforms).
 * @example nn.init.truncNormal_(torch.empty(3, 5), 0, 0.02, -0.04, 0.04)
 */
export function truncNormal_(
  tensor: Tensor,
  mean = 0,
  std = 1,
  a = -2,
  b = 2,
  opts: InitOptions = {},
): Tensor {
  checkTensor(tensor, 'truncNormal_', 'tensor');
  checkFloat(tensor, 'truncNormal_');
  const normCdf = (x: number) => (1 + erf(x / Math.SQRT2)) / 2;
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  const g = opts.generator ?? defaultGenerator;
  const out = hostBuffer(tensor);
  const double = tensor.dtype === 'float64';
  const lo = 2 * l - 1;
  const hi = 2 * u - 1;
  for (let i = 0; i < out.length; i++) {
    const v = (double ? g.nextDouble() : g.nextFloat()) * (hi - lo) + lo;
    const x = erfinv(v) * std * Math.SQRT2 + mean;
    out[i] = Math.min(b, Math.max(a, x));
  }
  return fillWith(tensor, out);
}

/**
 * Fills with `val`.
 * @example nn.init.constant_(bias, 0.1)
 */
export function constant_(tensor: Tensor, val: number): Tensor {
  checkTensor(tensor, 'constant_', 'tensor');
  noGrad(() => overwrite(tensor, scalarTensor(val, tensor.dtype, tensor.device)));
  return tensor;
}

/**
 * Fills with zeros.
 * @example nn.init.zeros_(linear.bias)
 */
export function zeros_(tensor: Tensor): Tensor {
  checkTensor(tensor, 'zeros_', 'tensor');
  return constant_(tensor, 0);
}

/**
 * Fills with ones.
 * @example nn.init.ones_(norm.weight)
 */
export function ones_(tensor: Tensor): Tensor {
  checkTensor(tensor, 'ones_', 'tensor');
  return constant_(tensor, 1);
}

/**
 * Fills a 2-D tensor with the identity (ones on the diagonal).
 * @example nn.init.eye_(torch.empty(3, 5))
 */
export function eye_(tensor: Tensor): Tensor {
  checkTensor(tensor, 'eye_', 'tensor');
  if (tensor.ndim !== 2) throw new Error('Only tensors with 2 dimensions are supported');
  const [rows, cols] = tensor.shape as [number, number];
  noGrad(() => overwrite(tensor, eye(rows, cols, { dtype: tensor.dtype, device: tensor.device })));
  return tensor;
}

/**
 * Glorot/Xavier uniform: U(-a, a) with a = gain·√(6/(fanIn+fanOut)).
 * @example nn.init.xavierUniform_(w, nn.init.calculateGain('relu'))
 */
export function xavierUniform_(tensor: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  checkTensor(tensor, 'xavierUniform_', 'tensor');
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(tensor, -a, a, opts);
}

/**
 * Glorot/Xavier normal: N(0, std²) with std = gain·√(2/(fanIn+fanOut)).
 * @example nn.init.xavierNormal_(w)
 */
export function xavierNormal_(tensor: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  checkTensor(tensor, 'xavierNormal_', 'tensor');
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  return normal_(tensor, 0, std, opts);
}

function kaimingStd(tensor: Tensor, opts: KaimingOptions): number {
  const fan = correctFan(tensor, opts.mode ?? 'fan_in');
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  return gain / Math.sqrt(fan);
}

/**
 * He/Kaiming uniform: U(-bound, bound) with bound = gain·√(3/fan). Linear and conv layers use it
 * with `a: Math.sqrt(5)` for their default weights. A tensor with a zero dimension is left as is.
 * @example nn.init.kaimingUniform_(w, { mode: 'fan_in', nonlinearity: 'relu' })
 */
export function kaimingUniform_(tensor: Tensor, opts: KaimingOptions = {}): Tensor {
  checkTensor(tensor, 'kaimingUniform_', 'tensor');
  if (tensor.shape.includes(0)) return tensor;
  const bound = Math.sqrt(3.0) * kaimingStd(tensor, opts);
  return uniform_(tensor, -bound, bound, opts);
}

/**
 * He/Kaiming normal: N(0, std²) with std = gain/√fan. A tensor with a zero dimension is left as is.
 * @example nn.init.kaimingNormal_(w, { mode: 'fan_out', nonlinearity: 'relu' })
 */
export function kaimingNormal_(tensor: Tensor, opts: KaimingOptions = {}): Tensor {
  checkTensor(tensor, 'kaimingNormal_', 'tensor');
  if (tensor.shape.includes(0)) return tensor;
  return normal_(tensor, 0, kaimingStd(tensor, opts), opts);
}

/** Inverse of erf on (-1, 1): an initial rational guess refined by Newton steps. */
function erfinv(y: number): number {
  if (y <= -1) return -Infinity;
  if (y >= 1) return Infinity;
  const w = -Math.log((1 - y) * (1 + y));
  let x: number;
  if (w < 5) {
    const t = w - 2.5;
    let p = 2.81022636e-8;
    for (const c of [
      3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164,
      0.246640727, 1.50140941,
    ])
      p = c + p * t;
    x = p * y;
  } else {
    const t = Math.sqrt(w) - 3;
    let p = -0.000200214257;
    for (const c of [
      0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
      1.00167406, 2.83297682,
    ])
      p = c + p * t;
    x = p * y;
  }
  for (let i = 0; i < 2; i++) {
    const err = erf(x) - y;
    x -= err / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x));
  }
  return x;
}
