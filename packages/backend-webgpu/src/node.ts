/**
 * The WebGPU device in Node, through Dawn (the `webgpu` package, an optional peer dependency).
 * @packageDocumentation
 */
// By package name: the build keeps it external, so both entries share one copy of the backend.
import { initWebGPU, type WebGPUBackend } from '@autodag/backend-webgpu';

export * from '@autodag/backend-webgpu';

/** Dawn's entry points by toggles, kept for the process's life: collecting one crashes Node. */
const dawn = new Map<string, GPU>();

/** Options of `initNodeWebGPU`. */
export interface NodeWebGPUOptions {
  /**
   * Dawn's toggles (default `['backend=opengles']` when `EGL_PLATFORM=surfaceless` is set, the
   * software adapter that CPU-only Linux machines have; else Dawn's default, Vulkan or Metal).
   */
  dawnOptions?: string[];
  /** Device name (default `'webgpu'`). */
  name?: string;
}

/**
 * Opens a WebGPU device through Dawn and registers it (see `initWebGPU`).
 * @example import { initNodeWebGPU } from '@autodag/backend-webgpu/node'; await initNodeWebGPU();
 */
export async function initNodeWebGPU(options: NodeWebGPUOptions = {}): Promise<WebGPUBackend> {
  let webgpu: { create(options: string[]): GPU; globals: object };
  try {
    webgpu = (await import('webgpu')) as never;
  } catch (e) {
    throw new Error(
      "initNodeWebGPU: the 'webgpu' package (Dawn) is not installed: npm install webgpu",
      { cause: e },
    );
  }
  Object.assign(globalThis, webgpu.globals);
  const surfaceless = process.env.EGL_PLATFORM === 'surfaceless';
  const toggles = options.dawnOptions ?? (surfaceless ? ['backend=opengles'] : []);
  const key = toggles.join(',');
  const gpu = dawn.get(key) ?? webgpu.create(toggles);
  dawn.set(key, gpu);
  const compat = toggles.includes('backend=opengles');
  return initWebGPU({
    gpu,
    name: options.name,
    adapterOptions: compat ? { featureLevel: 'compatibility' } : {},
  });
}
