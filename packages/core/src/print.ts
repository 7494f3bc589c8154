import { checkTensor } from './arg-check.js';
import type { DType, TypedArray } from './dtype.js';
import { torchDTypeName } from './dtype.js';
import { ElementFormatter } from './print-formatter.js';
import type { Tensor } from './tensor.js';

/** How tensors print; see `setPrintoptions`. */
export interface PrintOptions {
  /** Digits after the decimal point for floats (default 4). */
  precision: number;
  /** Tensors with more elements than this are summarised with `...` (default 1000). */
  threshold: number;
  /** Items shown at the start and end of each summarised dimension (default 3). */
  edgeitems: number;
  /** Characters per line before elements wrap (default 80). */
  linewidth: number;
  /** Force scientific notation on (`true`) or off (`false`); `undefined` chooses automatically. */
  sciMode: boolean | undefined;
}

/** Arguments of `setPrintoptions`: any options, plus a named profile applied first. */
export interface SetPrintOptions extends Partial<PrintOptions> {
  /** `'default'`, `'short'` (precision 2, edgeitems 2) or `'full'` (never summarise). */
  profile?: 'default' | 'short' | 'full';
}

const PROFILES: Record<'default' | 'short' | 'full', Omit<PrintOptions, 'sciMode'>> = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Number.POSITIVE_INFINITY, edgeitems: 3, linewidth: 80 },
};

const current: PrintOptions = { ...PROFILES.default, sciMode: undefined };

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(
      `setPrintoptions: ${name} must be an integer >= ${min}, got ${String(value)}`,
    );
  }
}

/**
 * Sets how tensors print, like `torch.set_printoptions`. As there, `sciMode` goes back to the
 * automatic choice whenever a call does not give it, and `profile` resets the other options
 * before the given ones apply.
 * @example
 * torch.setPrintoptions({ precision: 2 });
 * torch.tensor([1.12345]) // tensor([1.12])
 * torch.setPrintoptions({ threshold: 5 });
 * torch.arange(10) // tensor([0, 1, 2,  ..., 7, 8, 9])
 * torch.setPrintoptions({ profile: 'default' });
 */
export function setPrintoptions(options: SetPrintOptions = {}): void {
  const { profile, precision, threshold, edgeitems, linewidth, sciMode } = options;
  if (profile !== undefined && !(profile in PROFILES)) {
    throw new RangeError(
      `setPrintoptions: unknown profile ${JSON.stringify(profile)}; expected 'default', 'short' or 'full'`,
    );
  }
  if (precision !== undefined) checkInteger('precision', precision, 0);
  if (edgeitems !== undefined) checkInteger('edgeitems', edgeitems, 1);
  if (linewidth !== undefined) checkInteger('linewidth', linewidth, 1);
  if (threshold !== undefined && !(threshold >= 0)) {
    throw new RangeError(
      `setPrintoptions: threshold must be a number >= 0, got ${String(threshold)}`,
    );
  }
  if (sciMode !== undefined && typeof sciMode !== 'boolean') {
    throw new TypeError(`setPrintoptions: sciMode must be a boolean, got ${String(sciMode)}`);
  }
  if (profile !== undefined) Object.assign(current, PROFILES[profile]);
  if (precision !== undefined) current.precision = precision;
  if (threshold !== undefined) current.threshold = threshold;
  if (edgeitems !== undefined) current.edgeitems = edgeitems;
  if (linewidth !== undefined) current.linewidth = linewidth;
  current.sciMode = sciMode;
}

/**
 * The current print options (a copy).
 * @example torch.getPrintoptions().precision // 4
 */
export function getPrintoptions(): PrintOptions {
  return { ...current };
}

/** Dtypes printed without a `dtype=` suffix: the default float, the default int, bool. */
const UNSUFFIXED_DTYPES: ReadonlySet<DType> = new Set<DType>(['float32', 'int32', 'bool']);

const PREFIX = 'tensor(';

/** For each dimension, the indices shown: all, or the edge items at both ends when summarising. */
function shownIndices(shape: readonly number[], summarize: boolean, edge: number): number[][] {
  return shape.map((size) => {
    const cut = summarize && size > 2 * edge;
    const out: number[] = [];
    if (!cut) for (let i = 0; i < size; i++) out.push(i);
    else {
      for (let i = 0; i < edge; i++) out.push(i);
      for (let i = size - edge; i < size; i++) out.push(i);
    }
    return out;
  });
}

/** The shown elements in row-major order, read through the tensor's strides and offset. */
function gather(data: TypedArray, t: Tensor, shown: number[][]): Float64Array {
  let n = 1;
  for (const s of shown) n *= s.length;
  const out = new Float64Array(n);
  const ndim = shown.length;
  if (ndim === 0) {
    out[0] = data[t.offset]!;
    return out;
  }
  const strides = t.strides;
  let o = 0;
  const walk = (d: number, base: number): void => {
    const idx = shown[d]!;
    const stride = strides[d]!;
    if (d === ndim - 1) {
      for (let i = 0; i < idx.length; i++) out[o++] = data[base + idx[i]! * stride]!;
    } else {
      for (let i = 0; i < idx.length; i++) walk(d + 1, base + idx[i]! * stride);
    }
  };
  walk(0, t.offset);
  return out;
}

/** PyTorch's `_tensor_str_with_formatter`: nested brackets, `...` rows, wrapped lines. */
function layout(
  values: Float64Array,
  shape: readonly number[],
  shown: number[][],
  fmt: ElementFormatter,
  opts: PrintOptions,
): string {
  const ndim = shape.length;
  if (ndim === 0) return fmt.format(values[0]!);
  const block = new Array<number>(ndim);
  block[ndim - 1] = 1;
  for (let d = ndim - 2; d >= 0; d--) block[d] = block[d + 1]! * shown[d + 1]!.length;
  const edge = opts.edgeitems;
  const render = (d: number, pos: number, indent: number): string => {
    const count = shown[d]!.length;
    const cut = count < shape[d]!;
    if (d === ndim - 1) {
      const perLine = Math.max(1, Math.floor((opts.linewidth - indent) / (fmt.width + 2)));
      const items: string[] = [];
      for (let i = 0; i < count; i++) {
        if (cut && i === edge) items.push(' ...');
        items.push(fmt.format(values[pos + i]!));
      }
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) {
        lines.push(items.slice(i, i + perLine).join(', '));
      }
      return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
    }
    const slices: string[] = [];
    for (let i = 0; i < count; i++) {
      if (cut && i === edge) slices.push('...');
      slices.push(render(d + 1, pos + i * block[d]!, indent + 1));
    }
    return `[${slices.join(`,${'\n'.repeat(ndim - d - 1)}${' '.repeat(indent + 1)}`)}]`;
  };
  return render(0, 0, PREFIX.length);
}

/** PyTorch's `_add_suffixes`: `, suffix` on the last line, or on a new line when it would overflow. */
function addSuffixes(text: string, suffixes: readonly string[], linewidth: number): string {
  const indent = PREFIX.length;
  const parts = [text];
  // Same arithmetic as PyTorch, including its off-by-two for single-line text.
  let lastLineLen = text.length - text.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > linewidth) {
      parts.push(`,\n${' '.repeat(indent)}${suffix}`);
      lastLineLen = indent + suffix.length;
    } else {
      parts.push(`, ${suffix}`);
      lastLineLen += suffix.length + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

function sizeSuffix(shape: readonly number[]): string {
  return `size=(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

function gradSuffix(t: Tensor): string | null {
  if (t.gradFn !== null) return `gradFn=<${t.gradFn.name}>`;
  return t.requiresGrad ? 'requiresGrad=True' : null;
}

/** The repr around a placeholder body, for tensors whose values cannot be shown. */
function placeholder(t: Tensor, body: string): string {
  const suffixes = [sizeSuffix(t.shape)];
  if (t.device !== 'cpu') suffixes.push(`device='${t.device}'`);
  if (!UNSUFFIXED_DTYPES.has(t.dtype)) suffixes.push(`dtype=${torchDTypeName(t.dtype)}`);
  const grad = gradSuffix(t);
  if (grad) suffixes.push(grad);
  return addSuffixes(PREFIX + body, suffixes, current.linewidth);
}

/** Formats `t` given its whole storage as a typed array. */
function formatWithStorage(t: Tensor, data: TypedArray): string {
  const opts = current;
  const suffixes: string[] = [];
  if (t.device !== 'cpu') suffixes.push(`device='${t.device}'`);
  let body: string;
  const numel = t.numel();
  if (numel === 0) {
    // Nothing shows the shape or the dtype of an empty tensor, so both are spelled out.
    if (t.ndim !== 1) suffixes.push(sizeSuffix(t.shape));
    if (t.dtype !== 'float32') suffixes.push(`dtype=${torchDTypeName(t.dtype)}`);
    body = '[]';
  } else {
    if (!UNSUFFIXED_DTYPES.has(t.dtype)) suffixes.push(`dtype=${torchDTypeName(t.dtype)}`);
    const shown = shownIndices(t.shape, numel > opts.threshold, opts.edgeitems);
    const values = gather(data, t, shown);
    const fmt = new ElementFormatter(values, t.dtype, opts);
    body = layout(values, t.shape, shown, fmt, opts);
  }
  const grad = gradSuffix(t);
  if (grad) suffixes.push(grad);
  return addSuffixes(PREFIX + body, suffixes, opts.linewidth);
}

function isDisposed(t: Tensor): boolean {
  return t.disposed || t.storage.disposed;
}

/**
 * A tensor as PyTorch's `repr` writes it, character for character: `tensor([ 1, 10])`,
 * `tensor([21., 41., 61.])`, `tensor([1.0000e-05, 1.0000e+05])`, with `...` summaries, line
 * wrapping and `dtype=torch.float64` / `device='webgpu'` suffixes, following `setPrintoptions`.
 * autodag's names differ from PyTorch's in three places: the autograd suffixes use the
 * camelCase properties (`requiresGrad=True`, `gradFn=<MulBackward0>` where PyTorch writes
 * `requires_grad=True`, `grad_fn=<MulBackward0>`), and int32, autodag's default integer type,
 * prints without a dtype suffix as PyTorch's int64 does. Values on devices that cannot be read
 * synchronously are replaced by a placeholder; use `formatTensorAsync` there.
 * `tensor.toString()`, template literals and `console.log` all print this.
 * @example
 * torch.formatTensor(torch.tensor([1, 10], { dtype: 'int32' })) // 'tensor([ 1, 10])'
 * `${torch.tensor([1, 2, 4], { requiresGrad: true }).mul(2)}` // 'tensor([2., 4., 8.], gradFn=<MulBackward0>)'
 */
export function formatTensor(t: Tensor): string {
  checkTensor(t, 'formatTensor', 'input');
  if (isDisposed(t)) return placeholder(t, '<disposed>');
  const backend = t.storage.backend;
  if (!backend.readSync) {
    return placeholder(
      t,
      `<values on '${t.device}' cannot be read synchronously: use 'await t.data()' or 'await torch.formatTensorAsync(t)'>`,
    );
  }
  return formatWithStorage(t, backend.readSync(t.storage));
}

/**
 * `formatTensor` for any device, reading the values asynchronously (works where `toString`
 * shows a placeholder, e.g. WebGPU in browsers).
 * @example console.log(await torch.formatTensorAsync(gpuTensor))
 */
export async function formatTensorAsync(t: Tensor): Promise<string> {
  checkTensor(t, 'formatTensorAsync', 'input');
  if (isDisposed(t)) return placeholder(t, '<disposed>');
  return formatWithStorage(t, await t.storage.backend.read(t.storage));
}
