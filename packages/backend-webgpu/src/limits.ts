import { WORKGROUP } from './context.js';

/**
 * The adapter limits the backend relies on. Each kernel binds up to six storage buffers, runs
 * workgroups of `WORKGROUP` threads along x with up to 8 KiB of workgroup memory (the matmul and
 * convolution tiles), splits its grid at 65535 workgroups per dimension, and reads its parameters
 * from a 1 MiB arena: every adapter that implements WebGPU's defaults allows that, but one that
 * reports a limit lower, or not at all (an older implementation), would fail later with an
 * obscure validation error, so `initWebGPU` refuses it up front.
 */
const NEEDED: Readonly<Record<string, { least: number; why: string }>> = {
  maxStorageBuffersPerShaderStage: { least: 6, why: 'kernels bind up to 6 storage buffers' },
  maxComputeInvocationsPerWorkgroup: { least: WORKGROUP, why: `workgroups of ${WORKGROUP}` },
  maxComputeWorkgroupSizeX: { least: WORKGROUP, why: `workgroups of ${WORKGROUP} along x` },
  maxComputeWorkgroupStorageSize: { least: 8192, why: 'matmul tiles take 8 KiB' },
  maxComputeWorkgroupsPerDimension: { least: 65535, why: 'grids split at 65535 workgroups' },
  maxStorageBufferBindingSize: { least: 1 << 20, why: 'the 1 MiB parameter arena' },
  maxBufferSize: { least: 1 << 20, why: 'the 1 MiB parameter arena' },
};

/** The limits requested at the adapter's values (WebGPU's defaults are far lower). */
const RAISED = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupStorageSize',
] as const;

/**
 * The `requiredLimits` to request a device with: the raised limits at the adapter's values.
 * Throws, naming the limit, the value and the need, when the adapter does not report a limit the
 * backend needs or reports it lower.
 * @example const device = await adapter.requestDevice({ requiredLimits: requiredLimits(adapter) });
 */
export function requiredLimits(adapter: GPUAdapter): Record<string, number> {
  const limits = adapter.limits as unknown as Record<string, unknown>;
  for (const [name, { least, why }] of Object.entries(NEEDED)) {
    const value = limits[name];
    if (typeof value !== 'number') {
      throw new Error(
        `initWebGPU: the adapter does not report the limit '${name}', which the backend needs (at least ${least}: ${why}); it may implement an older version of WebGPU: update the browser or the webgpu package`,
      );
    }
    if (value < least) {
      throw new Error(
        `initWebGPU: the adapter's ${name} is ${value}, below the ${least} the backend needs (${why})`,
      );
    }
  }
  const alignment = limits.minStorageBufferOffsetAlignment;
  if (typeof alignment !== 'number' || alignment > 256) {
    throw new Error(
      `initWebGPU: the adapter's minStorageBufferOffsetAlignment is ${String(alignment)}; the backend needs a power of two up to 256 (WebGPU's most) to place kernel parameters`,
    );
  }
  return Object.fromEntries(RAISED.map((name) => [name, limits[name] as number]));
}
