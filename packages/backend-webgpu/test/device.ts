import { initNodeWebGPU } from 'autodag/webgpu-node';

/**
 * The WebGPU device the tests run on: Dawn's OpenGL ES backend on Mesa's software driver
 * (llvmpipe), which CI machines have without a GPU. Dawn's null adapter is refused by
 * `initWebGPU`, so a machine without the driver fails here rather than passing on garbage.
 */
export async function openTestDevice(): Promise<void> {
  process.env.EGL_PLATFORM ??= 'surfaceless';
  await initNodeWebGPU({ dawnOptions: ['backend=opengles'] });
}
