/**
 * The WebGPU device in Node, through Dawn (the `webgpu` package, an optional peer dependency).
 * @packageDocumentation
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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
  /**
   * Whether the backend may request garbage collections when GPU memory held by unreachable
   * tensors grows (default true; see `initWebGPU`'s `collectGarbage`).
   */
  collectGarbage?: boolean;
}

/**
 * V8's full collection: `globalThis.gc` when Node runs with --expose-gc, else obtained by
 * exposing it for a moment (the flag only controls whether new contexts get the function).
 */
function v8Collector(): (() => void) | null {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return () => exposed();
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
    return typeof gc === 'function' ? () => gc() : null;
  } catch {
    return null;
  }
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
    collectGarbage: options.collectGarbage === false ? null : v8Collector(),
    adapterOptions: compat ? { featureLevel: 'compatibility' } : {},
  });
}
