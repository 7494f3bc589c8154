import type { Kernel, Tensor } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';
import { WORKGROUP } from '../context.js';
import { SPECIAL_VALUES, WALK_FN, wgslType } from './layout.js';

/**
 * Reductions over any set of dims of a strided input: one workgroup per output element, whose
 * threads stride over the reduced elements and then combine their partial results pairwise (a
 * tree, which also keeps float sums accurate): across subgroup lanes by shuffles where the
 * device has subgroups, then in workgroup memory. Parameters, as 32-bit words:
 *
 *   [nOut, keptRank, keptShape..., redRank, redShape..., offset, keptStrides..., redStrides..., nRed]
 */
interface Combiner {
  /** Initial value, of type C. */
  readonly init: (c: 'f32' | 'i32') => string;
  /** Combines `a` and `b`, of type C. */
  readonly combine: string;
  /** The output value from the combined `a` (of type C). */
  readonly final?: string;
  /** Compute in f32 even for integer inputs (mean). */
  readonly float?: boolean;
}

const COMBINERS: Record<string, Combiner> = {
  sum: { init: (c) => `${c}(0)`, combine: 'a + b' },
  mean: { init: () => 'f32(0)', combine: 'a + b', final: 'a / f32(nRed)', float: true },
  prod: { init: (c) => `${c}(1)`, combine: 'a * b' },
  amax: { init: (c) => (c === 'f32' ? '-inf_()' : 'i32(-2147483648)'), combine: 'max_(a, b)' },
  amin: { init: (c) => (c === 'f32' ? 'inf_()' : 'i32(2147483647)'), combine: 'min_(a, b)' },
  all: { init: (c) => `${c}(1)`, combine: `select(C(0), C(1), a != C(0) && b != C(0))` },
  any: { init: (c) => `${c}(0)`, combine: `select(C(0), C(1), a != C(0) || b != C(0))` },
};

/** Max and min that propagate NaN, as PyTorch's do. */
function minMaxHelpers(c: 'f32' | 'i32'): string {
  if (c === 'i32')
    return 'fn max_(a: i32, b: i32) -> i32 { return max(a, b); }\nfn min_(a: i32, b: i32) -> i32 { return min(a, b); }';
  return `fn max_(a: f32, b: f32) -> f32 { if (isnan_(a) || a > b) { return a; } return b; }
fn min_(a: f32, b: f32) -> f32 { if (isnan_(a) || a < b) { return a; } return b; }`;
}

/**
 * Combines the 128 threads' partial results `a` into partial[0]. With subgroups, each subgroup
 * first combines its lanes through register shuffles (no barrier), then its first lane writes
 * one partial; the remaining 128/subgroupSize partials go through the workgroup-memory tree,
 * which is all there is without subgroups.
 */
function combineWorkgroup(spec: Combiner, subgroups: boolean): string {
  const tree = (count: string) => `for (var s = ${count} / 2u; s > 0u; s = s >> 1u) {
    if (lid.x < s) {
      let a = partial[lid.x];
      let b = partial[lid.x + s];
      partial[lid.x] = ${spec.combine};
    }
    workgroupBarrier();
  }`;
  if (!subgroups) {
    return `partial[lid.x] = a;
  workgroupBarrier();
  ${tree(`${WORKGROUP}u`)}`;
  }
  return `for (var lanes = sgSize / 2u; lanes > 0u; lanes = lanes >> 1u) {
    let b = subgroupShuffleXor(a, lanes);
    a = ${spec.combine};
  }
  if (sgLane == 0u) { partial[lid.x / sgSize] = a; }
  workgroupBarrier();
  ${tree(`(${WORKGROUP}u / sgSize)`)}`;
}

function shaderFor(
  spec: Combiner,
  input: string,
  out: string,
  c: 'f32' | 'i32',
  subgroups: boolean,
): string {
  const store = out === 'u32' ? 'select(0u, 1u, r != C(0))' : out === c ? 'r' : `${out}(r)`;
  const subgroupArgs = subgroups
    ? ',\n        @builtin(subgroup_size) sgSize: u32, @builtin(subgroup_invocation_id) sgLane: u32'
    : '';
  return `${subgroups ? 'enable subgroups;\n' : ''}alias C = ${c};
@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<${input}>;
@group(0) @binding(2) var<storage, read_write> out: array<${out}>;
var<workgroup> partial: array<C, ${WORKGROUP}>;
${SPECIAL_VALUES}
${minMaxHelpers(c)}
${WALK_FN}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>${subgroupArgs}) {
  let o = wid.y * nwg.x + wid.x;
  if (o >= p[0]) { return; }
  let kr = p[1];
  let rr = p[2u + kr];
  let base = 3u + kr + rr;
  let nRed = p[base + 1u + kr + rr];
  let start = i32(p[base]) + walk(o, kr, 2u, base + 1u);
  var a = ${spec.init(c)};
  for (var r = lid.x; r < nRed; r += ${WORKGROUP}u) {
    let b = C(x[u32(start + walk(r, rr, 3u + kr, base + 1u + kr))]);
    a = ${spec.combine};
  }
  ${combineWorkgroup(spec, subgroups)}
  if (lid.x == 0u) {
    let a = partial[0];
    let r = ${spec.final ?? 'a'};
    out[o] = ${store};
  }
}`;
}

function reduceKernel(backend: WebGPUBackend, spec: Combiner): Kernel<{ dims?: number[] }> {
  // Sources reused per variant (see pointwise.ts: the pipeline cache is keyed by the source).
  const sources = new Map<string, string>();
  return ([x], [output], attrs) => {
    const input = x as Tensor;
    const out = output as Tensor;
    const nd = input.shape.length;
    const dims = attrs.dims ?? Array.from({ length: nd }, (_, d) => d);
    const kept = [...Array(nd).keys()].filter((d) => !dims.includes(d));
    const nOut = out.numel();
    if (nOut === 0) return;
    const nRed = dims.reduce((n, d) => n * input.shape[d]!, 1);
    const words = [
      nOut,
      kept.length,
      ...kept.map((d) => input.shape[d]!),
      dims.length,
      ...dims.map((d) => input.shape[d]!),
      input.offset,
      ...kept.map((d) => input.strides[d]! >>> 0),
      ...dims.map((d) => input.strides[d]! >>> 0),
      nRed,
    ];
    const floatInput = input.dtype === 'float32';
    const c = spec.float || floatInput || out.dtype === 'float32' ? 'f32' : 'i32';
    const subgroups = backend.ctx.device.features.has('subgroups');
    const key = `${input.dtype};${out.dtype};${c};${subgroups}`;
    let code = sources.get(key);
    if (code === undefined) {
      code = shaderFor(spec, wgslType(input.dtype), wgslType(out.dtype), c, subgroups);
      sources.set(key, code);
    }
    const buffers = [
      { buffer: input.storage.data as GPUBuffer },
      { buffer: out.storage.data as GPUBuffer },
    ];
    backend.ctx.dispatch(code, words, buffers, nOut * WORKGROUP);
  };
}

/**
 * Registers the reductions on a WebGPU backend: `sum`, `mean`, `prod`, `amax`, `amin`, `all`,
 * `any` over dims, and the whole-tensor `sumAll`, `meanAll`, `prodAll`, `maxAll`, `minAll`.
 * @example registerReduceKernels(backend)
 */
export function registerReduceKernels(backend: WebGPUBackend): void {
  for (const [name, spec] of Object.entries(COMBINERS)) {
    registerKernel(name, backend.name, reduceKernel(backend, spec));
  }
  registerKernel('sumAll', backend.name, reduceKernel(backend, COMBINERS.sum!));
  registerKernel('meanAll', backend.name, reduceKernel(backend, COMBINERS.mean!));
  registerKernel('prodAll', backend.name, reduceKernel(backend, COMBINERS.prod!));
  registerKernel('maxAll', backend.name, reduceKernel(backend, COMBINERS.amax!));
  registerKernel('minAll', backend.name, reduceKernel(backend, COMBINERS.amin!));
}
