import {
  contiguousLayout,
  dispatchRows,
  frameSizes,
  layoutIn,
  rowFrame,
  rowParams,
  rowShader,
  WORKGROUP,
} from '@autodag/backend-webgpu';
import type { Kernel, Tensor } from '@autodag/core';
import { registerKernel } from '@autodag/core';

/**
 * `nn.softmax`, `nn.logSoftmax` and their backward ops along one dim, as row kernels:
 * one workgroup per row along `dim`, read in place through the input's strides. Softmax takes
 * the row's maximum first (NaN wins, so a row with NaN is NaN, as on the CPU), then the sum of
 * exp(x - max), then writes exp(x - max) / sum (or (x - max) - log sum: x - max is exact for
 * the largest elements, where max + log sum would round in f32). NaN is passed on
 * explicitly, since some drivers' exp(NaN) is not NaN.
 */

interface SoftmaxAttrs {
  dim: number;
}

/** WGSL loop over the row's elements, with `v{k}` bound to input k's element (as f32). */
function forEach(inputs: number, body: string): string {
  const loads = Array.from(
    { length: inputs },
    (_, k) => `let v${k} = f32(x${k}[u32(b${k} + elemAt(r, ${k}u))]);`,
  );
  return `for (var r = t; r < nRed; r += ${WORKGROUP}u) {
    ${loads.join('\n    ')}
    let at = u32(bo + elemAt(r, ${inputs}u));
    ${body}
  }`;
}

/** Row starts of the inputs (b0, b1, ...) and of the output (bo). */
function bases(inputs: number): string {
  const b = Array.from({ length: inputs }, (_, k) => `let b${k} = rowAt(o, ${k}u);`);
  return `${b.join('\n  ')}\n  let bo = rowAt(o, ${inputs}u);`;
}

const EXP = 'fn expNaN_(d: f32) -> f32 { return select(exp(d), d, isnan_(d)); }';

function forwardBody(log: boolean): string {
  const write = log ? 'y0[at] = (v0 - mx) - lse;' : 'y0[at] = expNaN_(v0 - mx) / total;';
  return `${bases(1)}
  var m = -inf_();
  ${forEach(1, 'm = max_(m, v0);')}
  let mx = wgMax(m, t, 0u);
  var s = 0.0;
  ${forEach(1, 's += expNaN_(v0 - mx);')}
  let total = wgSum(s, t, 1u);
  let lse = log_(total);
  ${forEach(1, write)}`;
}

function backwardBody(log: boolean): string {
  // softmax: y·(g − Σ g·y); log-softmax: g − exp(y)·Σ g.
  const term = log ? 's += v0;' : 's += v0 * v1;';
  const write = log ? 'y0[at] = v0 - expNaN_(v1) * total;' : 'y0[at] = v1 * (v0 - total);';
  return `${bases(2)}
  var s = 0.0;
  ${forEach(2, term)}
  let total = wgSum(s, t, 0u);
  ${forEach(2, write)}`;
}

function softmaxKernel(inputs: number, body: string): Kernel<SoftmaxAttrs> {
  return (args, [output], { dim }) => {
    const ins = args.slice(0, inputs) as Tensor[];
    const out = output!;
    const shape = out.shape;
    const frame = rowFrame(shape, shape.length === 0 ? [] : [dim]);
    const { rows, n } = frameSizes(frame);
    if (rows === 0 || n === 0) return;
    const layouts = [...ins.map((t) => layoutIn(t, shape)), contiguousLayout(shape)];
    const code = rowShader(ins, [out], 0, body, EXP);
    dispatchRows(code, rowParams(frame, layouts), [...ins, out], rows);
  };
}

/**
 * Registers `nn.softmax`, `nn.logSoftmax`, `nn.softmaxBackward` and `nn.logSoftmaxBackward` for
 * the WebGPU device named `device`.
 * @example registerSoftmaxKernels('webgpu')
 */
export function registerSoftmaxKernels(device: string): void {
  registerKernel('nn.softmax', device, softmaxKernel(1, forwardBody(false)));
  registerKernel('nn.logSoftmax', device, softmaxKernel(1, forwardBody(true)));
  registerKernel('nn.softmaxBackward', device, softmaxKernel(2, backwardBody(false)));
  registerKernel('nn.logSoftmaxBackward', device, softmaxKernel(2, backwardBody(true)));
}
