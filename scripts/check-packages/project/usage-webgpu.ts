// The WebGPU types, compiled in the bundler project only: like @webgpu/types, which they build
// on, they need the DOM lib (a Node project adds "DOM" to lib, or skips lib checks).
import {
  dispatchCompute,
  ENTRY,
  initWebGPU as initBackend,
  pointwiseKernel,
  threadIndex,
  type WebGPUBackend,
  type WebGPUOptions,
} from '@autodag/backend-webgpu';
import { type Kernel, registerKernel } from '@autodag/core';
import { registerNnWebGPUKernels } from '@autodag/ops-nn/webgpu';
import * as torch from 'autodag';
import { initWebGPU } from 'autodag/webgpu';
import { initNodeWebGPU, type NodeWebGPUOptions } from 'autodag/webgpu-node';
import { registerWebGPUKernels } from 'autodag-plugin-softplus/webgpu';

export async function onTheGpu(options: WebGPUOptions = {}): Promise<number> {
  const backend: WebGPUBackend = await initWebGPU(options);
  const x = torch.ones(4, { device: backend.name });
  // @ts-expect-error: item() of a GPU tensor is read with itemAsync(), which returns a promise
  const wrong: number = x.sum().itemAsync();
  // Ops whose output size depends on the values, in their async forms.
  const idx: torch.Tensor = await x.nonzeroAsync();
  const cols: torch.Tensor[] = await torch.nonzeroAsync(x, { asTuple: true });
  const picked: torch.Tensor = await x.maskedSelectAsync(x.gt(0));
  const masked: torch.Tensor = await x.getAsync(x.gt(0), null);
  // @ts-expect-error: the async forms resolve with their tensor
  const notYet: torch.Tensor = x.argwhereAsync();
  try {
    await torch.getItemAsync(x, [x.lt(0)]);
  } catch (e) {
    if (e instanceof torch.DeviceError || e instanceof torch.AllocationError) throw e;
  }
  const rows = idx.shape[0]! + cols.length + picked.numel() + masked.numel() + notYet.numel();
  return (await x.sum().itemAsync()) + wrong + rows;
}

export async function inNode(options: NodeWebGPUOptions = {}): Promise<string> {
  const backend: WebGPUBackend = await initNodeWebGPU({ ...options, name: 'gpu1' });
  // @ts-expect-error: Dawn's toggles are strings
  await initNodeWebGPU({ dawnOptions: [1] });
  return backend.name;
}

// Registering kernels for a device opened under another name.
export async function another(): Promise<void> {
  const backend = await initBackend({ name: 'gpu2' });
  registerNnWebGPUKernels(backend.name);
  registerWebGPUKernels(backend.name);
}

// A plugin's WGSL kernels, written with the public kernel API.
export function registerMyKernels(): void {
  const swish = pointwiseKernel(1, {
    expr: () => 'x * sigmoid_(p0 * x)',
    params: (a: { beta: number }) => [a.beta],
  });
  registerKernel('my-plugin.swish', 'webgpu', swish);
  const code = `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${ENTRY} {
  ${threadIndex('p[0]')}
  out[i] = x[p[1] + i] * 2.0;
}`;
  const double: Kernel = ([x], [out]) =>
    dispatchCompute(code, [out!.numel(), x!.offset], [x!, out!], out!.numel());
  registerKernel('my-plugin.double', 'webgpu', double);
  // @ts-expect-error: the arity comes first, the spec second
  pointwiseKernel({ expr: () => 'x' }, 1);
}
