/**
 * autodag-plugin-softplus/webgpu: WGSL kernels for the plugin's ops, written with nothing but
 * `@autodag/backend-webgpu`'s public kernel-authoring API. Importing it registers them for the
 * device named `'webgpu'`, before or after the device is opened. A subpath of its own, so that
 * CPU-only users of the plugin never load the WebGPU backend (an optional peer dependency).
 * @example
 * import * as torch from 'autodag';
 * import { initWebGPU } from 'autodag/webgpu';
 * import { softplus } from 'autodag-plugin-softplus';
 * import 'autodag-plugin-softplus/webgpu';
 * await initWebGPU();
 * softplus(torch.randn(8, { device: 'webgpu' }));
 * @packageDocumentation
 */
import { type PointwiseSpec, pointwiseKernel } from '@autodag/backend-webgpu';
import { registerKernel } from '@autodag/core';
// By package name, not './ops.js': the build keeps it external, so the ops are defined once.
import { erfOp, type SoftplusAttrs, softplusGradOp, softplusOp } from 'autodag-plugin-softplus';

/** The attributes as `p0` (β) and `p1` (threshold). */
const softplusParams = (a: SoftplusAttrs) => [a.beta, a.threshold];

/**
 * log(1 + e^z) as max(z, 0) + log1p(e^-|z|), which does not overflow for large z. log1p comes
 * from the series of 2·atanh(e / (2 + e)) below e = 0.1: WGSL only bounds log's absolute error
 * near 1 (2⁻²¹), so log(1 + e) would lose the digits of the tiny results of very negative z.
 */
const SOFTPLUS_HELPERS = `
fn log1pSmall_(e: f32) -> f32 {
  if (e < 0.1) {
    let s = e / (2.0 + e);
    let s2 = s * s;
    return 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (0.2 + s2 / 7.0)));
  }
  return log(1.0 + e);
}
fn softplusOf_(z: f32) -> f32 { return max(z, 0.0) + log1pSmall_(exp(-abs(z))); }`;

/** softplus(x) = log(1 + exp(βx)) / β, and x where βx > threshold; NaN passes through. */
const SOFTPLUS: PointwiseSpec<SoftplusAttrs> = {
  expr: () => 'select(softplusOf_(x * p0) / p0, x, x * p0 > p1 || isnan_(x))',
  params: softplusParams,
  helpers: SOFTPLUS_HELPERS,
};

/** Its derivative σ(βx), and 1 on the linear branch. */
const SOFTPLUS_GRAD: PointwiseSpec<SoftplusAttrs> = {
  expr: () => 'select(select(sigmoid_(x * p0), 1.0, x * p0 > p1), x, isnan_(x))',
  params: softplusParams,
};

/**
 * erf in f32: the Maclaurin series below |x| = 0.5 (where 1 − erfc would lose the leading
 * digits of small results), 1 − erfc(|x|) above, with erfc from the math helpers' `erfcPos_`
 * (relative error below 1.2e-7), and the sign of x.
 */
const ERF_HELPERS = `
fn erf_(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.5) {
    let z = a * a;
    // 2/√π · (a − a³/3 + a⁵/10 − a⁷/42 + a⁹/216 − a¹¹/1320), the next term below 3e-8 · a.
    let s = 1.0 - z * (1.0 / 3.0 - z * (0.1 - z * (1.0 / 42.0 - z * (1.0 / 216.0 - z / 1320.0))));
    return 1.1283791670955126 * x * s;
  }
  let r = 1.0 - erfcPos_(a);
  return select(r, -r, x < 0.0);
}`;

const ERF: PointwiseSpec = {
  expr: () => 'select(erf_(x), x, isnan_(x))',
  helpers: ERF_HELPERS,
};

/**
 * Registers the WGSL kernels of `softplus`, `softplusGrad` and `erf` for the WebGPU device named
 * `device` (done on import for `'webgpu'`; call it for a device opened under another name).
 * @example await initWebGPU({ name: 'gpu1' }); registerWebGPUKernels('gpu1')
 */
export function registerWebGPUKernels(device = 'webgpu'): void {
  registerKernel(softplusOp.def.name, device, pointwiseKernel(1, SOFTPLUS));
  registerKernel(softplusGradOp.def.name, device, pointwiseKernel(1, SOFTPLUS_GRAD));
  registerKernel(erfOp.def.name, device, pointwiseKernel(1, ERF));
}

registerWebGPUKernels();
