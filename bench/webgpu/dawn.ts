/**
 * WebGPU in Node for the benchmark, through Dawn (the `webgpu` package): one Dawn entry point (a
 * `GPU` object) from which autodag and TensorFlow.js's WebGPU backend both take their adapter.
 *
 * Dawn's backend is chosen by `--dawn-backend` or `AUTODAG_DAWN_BACKEND`:
 * - `vulkan`: real GPUs on Linux (the NVIDIA driver, Mesa's Vulkan drivers), core feature level;
 * - `opengles`: OpenGL ES through EGL, with `EGL_PLATFORM=surfaceless` on a machine without a
 *   display (Mesa's llvmpipe on CPU-only machines), compatibility feature level only;
 * - `default`: whatever Dawn picks by itself (Metal on macOS, D3D12 on Windows);
 * - `auto` (the default): Vulkan if it yields an adapter, else OpenGL ES.
 */

/** Which Dawn backend to open. */
export type DawnChoice = 'auto' | 'vulkan' | 'opengles' | 'default';

/** Adapter options with the feature level, which `@webgpu/types` does not know yet. */
export type AdapterOptions = GPURequestAdapterOptions & { featureLevel?: string };

/** An opened Dawn entry point and what its adapter is. */
export interface Dawn {
  /** The entry point; both libraries request their adapter from it. */
  gpu: GPU;
  /** The backend opened: 'vulkan', 'opengles' or 'default'. */
  backend: Exclude<DawnChoice, 'auto'>;
  /** Dawn's toggles it was created with. */
  toggles: string[];
  /** What `requestAdapter` must be given on this backend. */
  adapterOptions: AdapterOptions;
  /** The adapter's description, as `GPUAdapterInfo` gives it. */
  info: { vendor: string; architecture: string; device: string; description: string };
}

const CHOICES: readonly DawnChoice[] = ['auto', 'vulkan', 'opengles', 'default'];

/** Entry points are kept for the process's life: collecting one crashes Node. */
const opened: GPU[] = [];

interface WebGPUPackage {
  create(toggles: string[]): GPU;
  globals: object;
}

/** Dawn's adapter with no driver behind it: it accepts everything and computes garbage. */
function isNullAdapter(info: Dawn['info']): boolean {
  return info.device === 'null-backend' || info.description === 'null-backend';
}

async function tryBackend(
  webgpu: WebGPUPackage,
  backend: Exclude<DawnChoice, 'auto'>,
): Promise<Dawn | string> {
  if (backend === 'opengles') process.env.EGL_PLATFORM ??= 'surfaceless';
  const toggles = backend === 'default' ? [] : [`backend=${backend}`];
  const adapterOptions: AdapterOptions =
    backend === 'opengles' ? { featureLevel: 'compatibility' } : {};
  const gpu = webgpu.create(toggles);
  opened.push(gpu);
  const adapter = await gpu.requestAdapter(adapterOptions);
  if (!adapter) return `Dawn's ${backend} backend offers no adapter`;
  const raw = adapter.info as GPUAdapterInfo & { device?: string };
  const info = {
    vendor: raw.vendor ?? '',
    architecture: raw.architecture ?? '',
    device: raw.device ?? '',
    description: raw.description ?? '',
  };
  if (isNullAdapter(info)) return `Dawn's ${backend} backend offers only its null adapter`;
  return { gpu, backend, toggles, adapterOptions, info };
}

/**
 * Opens Dawn on the backend chosen (see the file comment); throws, naming each backend tried
 * and why it failed, when none yields a real adapter.
 * @example const dawn = await openDawn('auto'); dawn.info.description // 'OpenGL ES 3.2 Mesa 22.3.6'
 */
export async function openDawn(choice: DawnChoice): Promise<Dawn> {
  if (!CHOICES.includes(choice)) {
    throw new Error(`bench: unknown Dawn backend '${choice}' (expected ${CHOICES.join(', ')})`);
  }
  let webgpu: WebGPUPackage;
  try {
    webgpu = (await import('webgpu')) as unknown as WebGPUPackage;
  } catch (e) {
    throw new Error("bench: the 'webgpu' package (Dawn) is not installed: npm install webgpu", {
      cause: e,
    });
  }
  Object.assign(globalThis, webgpu.globals);
  const order: Exclude<DawnChoice, 'auto'>[] =
    choice === 'auto' ? ['vulkan', 'opengles'] : [choice];
  const failures: string[] = [];
  for (const backend of order) {
    const result = await tryBackend(webgpu, backend);
    if (typeof result !== 'string') return result;
    failures.push(result);
  }
  throw new Error(`bench: no WebGPU adapter: ${failures.join('; ')}`);
}

/**
 * Makes `navigator.gpu` the given Dawn entry point, as libraries written for browsers expect
 * (Node 20 has no `navigator`). Adapter requests get the options this backend needs (OpenGL ES
 * offers only the compatibility feature level).
 * @example exposeAsNavigatorGpu(await openDawn('auto')); await import('@tensorflow/tfjs-backend-webgpu');
 */
export function exposeAsNavigatorGpu(dawn: Dawn): void {
  const { gpu, adapterOptions } = dawn;
  const entry = {
    requestAdapter: (options?: GPURequestAdapterOptions) =>
      gpu.requestAdapter({ ...options, ...adapterOptions }),
    getPreferredCanvasFormat: () => gpu.getPreferredCanvasFormat(),
    get wgslLanguageFeatures() {
      return gpu.wgslLanguageFeatures;
    },
  };
  const global = globalThis as { navigator?: object };
  if (global.navigator) {
    Object.defineProperty(global.navigator, 'gpu', { value: entry, configurable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu: entry },
      configurable: true,
      writable: true,
    });
  }
}
