/**
 * The workloads of `npm run bench -- --device webgpu`: the CPU benchmark's definitions (the same
 * networks, inputs and steps), run on each library's WebGPU device.
 */
import * as ad from '../autodag.js';
import * as adConv from '../conv-autodag.js';
import * as tfConv from '../conv-tfjs.js';
import * as tfw from '../tfjs.js';
import { AUTODAG_DEVICE } from './libs.js';

/** The libraries compared. */
export type GpuLibName = 'autodag' | 'tfjs-webgpu';

/** One workload: how each library builds its call, and how a time per call is reported. */
export interface GpuWorkload {
  name: string;
  /** What runs, in words (shapes, batch, optimizer). */
  describe: string;
  unit: 'GFLOP/s' | 'ms';
  /** Converts a median time per call (ms) into the reported figure. */
  figure: (ms: number) => number;
  /** Builds the call (allocating its inputs on the library's device). */
  build: Record<GpuLibName, () => () => void>;
  /** The key of the same workload in PyTorch's figures (bench/pytorch_cuda.py). */
  pytorch: string;
}

/**
 * Matrix sizes and the CNN's batch, of the full run and of `--quick`: a CPU software adapter
 * (llvmpipe, ~3-6 GFLOP/s) takes a minute per 4096 product and ~20 s per CNN step at batch 256.
 */
export const SIZES = {
  full: { mm: [1024, 2048, 4096], cnnBatch: 256 },
  quick: { mm: [1024], cnnBatch: 64 },
} as const;

const gflops = (n: number) => (ms: number) => (2 * n ** 3) / (ms * 1e-3) / 1e9;
const asMs = (ms: number) => ms;

/**
 * The workload list; `quick` keeps what a CPU software adapter runs in a few minutes.
 * @example gpuWorkloads(false).map((w) => w.name) // ['mm1024', 'mm2048', 'mm4096', 'conv2d …', …]
 */
export function gpuWorkloads(quick: boolean): GpuWorkload[] {
  const mm = (n: number): GpuWorkload => ({
    name: `mm${n}`,
    describe: `C = A·B, ${n}×${n} float32 matrices`,
    unit: 'GFLOP/s',
    figure: gflops(n),
    build: {
      autodag: () => ad.mm(n, AUTODAG_DEVICE).run,
      'tfjs-webgpu': () => tfw.mm(n).run,
    },
    pytorch: `mm${n}`,
  });
  const sizes = quick ? SIZES.quick : SIZES.full;
  const batch = sizes.cnnBatch;
  return [
    ...sizes.mm.map(mm),
    {
      // The second convolution of the Fashion-MNIST CNN at a training batch; the CPU bench
      // and the PyTorch figures in PEERS.md use the same shape.
      name: 'conv2d fwd+bwd b32',
      describe:
        'conv2d forward + backward (input, weight, bias grads): batch 32, 32→64 channels, 3×3, padding 1, 28×28',
      unit: 'ms',
      figure: asMs,
      build: {
        autodag: () => adConv.convFwdBwd(AUTODAG_DEVICE),
        'tfjs-webgpu': () => tfConv.convFwdBwd(),
      },
      pytorch: 'convFwdBwdB32',
    },
    {
      name: 'MLP step b64',
      describe:
        'Linear(784,256)-tanh-Linear(256,256)-tanh-Linear(256,10), softmax cross-entropy, backward, SGD (lr 0.01), batch 64',
      unit: 'ms',
      figure: asMs,
      build: {
        autodag: () => ad.mlpStep(64, AUTODAG_DEVICE).run,
        'tfjs-webgpu': () => tfw.mlpStep(64).run,
      },
      pytorch: 'mlpStepB64',
    },
    {
      name: `CNN step b${batch}`,
      describe: `Fashion-MNIST CNN (conv32-BN-ReLU-pool, conv64-BN-ReLU-pool, fc128-ReLU, fc10) training step, batch ${batch}, AdamW (tfjs: Adam)`,
      unit: 'ms',
      figure: asMs,
      build: {
        autodag: () => adConv.cnnStep(batch, AUTODAG_DEVICE),
        'tfjs-webgpu': () => tfConv.cnnStep(batch),
      },
      pytorch: `cnnStepB${batch}`,
    },
  ];
}
