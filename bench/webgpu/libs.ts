/**
 * The two libraries of the WebGPU benchmark, each opened on its own device of the same Dawn
 * adapter, with a way to wait until the GPU has done the work queued so far.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { initWebGPU } from 'autodag/webgpu';
import { type Dawn, exposeAsNavigatorGpu } from './dawn.js';

/** A library ready to run the workloads. */
export interface GpuLib {
  version: string;
  /** Features of the device it got (e.g. 'shader-f16', 'subgroups', 'timestamp-query'). */
  features: string[];
  /**
   * Submits what the library has recorded and resolves once the GPU has finished it: a timing
   * that ends here measures the GPU's work, not how fast commands are queued.
   */
  settle(): Promise<void>;
}

/** autodag's device name in the benchmark. */
export const AUTODAG_DEVICE = 'webgpu';

/**
 * Registers autodag's WebGPU device on the Dawn entry point. With `node --expose-gc` (as
 * `npm run bench` runs) the backend may request collections, as `initNodeWebGPU` arranges.
 * @example const lib = await openAutodag(dawn); torch.mm(a, b); await lib.settle();
 */
export async function openAutodag(dawn: Dawn): Promise<GpuLib> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const backend = await initWebGPU({
    gpu: dawn.gpu,
    adapterOptions: dawn.adapterOptions,
    name: AUTODAG_DEVICE,
    collectGarbage: typeof gc === 'function' ? () => gc() : null,
  });
  const { ctx } = backend;
  return {
    version: 'autodag (workspace source)',
    features: [...ctx.device.features].sort(),
    settle: () => {
      ctx.flush();
      return ctx.device.queue.onSubmittedWorkDone();
    },
  };
}

/** The parts of tfjs's WebGPU backend the benchmark uses (public in its typings). */
interface TfjsWebGPUBackend {
  device: GPUDevice;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/**
 * Selects TensorFlow.js's WebGPU backend, given `navigator.gpu` from the Dawn entry point.
 * Throws with the reason when it cannot run (the caller reports the peer missing).
 * @example const lib = await openTfjsWebGPU(dawn); tf.matMul(a, b); await lib.settle();
 */
export async function openTfjsWebGPU(dawn: Dawn): Promise<GpuLib> {
  exposeAsNavigatorGpu(dawn);
  // The backend registers itself on import, only if navigator.gpu exists by then.
  await import('@tensorflow/tfjs-backend-webgpu');
  const { version } = createRequire(import.meta.url)(
    '@tensorflow/tfjs-backend-webgpu/package.json',
  ) as { version: string };
  if (!(await tf.setBackend('webgpu'))) {
    throw new Error("tfjs: setBackend('webgpu') failed (see the warnings above)");
  }
  await tf.ready();
  const backend = tf.backend() as unknown as TfjsWebGPUBackend;
  return {
    version: `tfjs ${tf.version.tfjs}, tfjs-backend-webgpu ${version}`,
    features: [...backend.device.features].sort(),
    settle: () => {
      // What tfjs does before it reads a buffer: close the pass, submit the encoder.
      backend.ensureCommandEncoderReady();
      backend.endComputePassEncoder();
      backend.submitQueue();
      return backend.device.queue.onSubmittedWorkDone();
    },
  };
}
