// The WebGPU backend's types, compiled in the bundler project only: like @webgpu/types, which
// they build on, they need the DOM lib (a Node project adds "DOM" to lib, or skips lib checks).
import { initWebGPU, type WebGPUBackend, type WebGPUOptions } from '@autodag/backend-webgpu';
import * as torch from 'autodag';

export async function onTheGpu(options: WebGPUOptions = {}): Promise<number> {
  const backend: WebGPUBackend = await initWebGPU(options);
  const x = torch.ones(4, { device: backend.name });
  // @ts-expect-error: item() of a GPU tensor is read with itemAsync(), which returns a promise
  const wrong: number = x.sum().itemAsync();
  return (await x.sum().itemAsync()) + wrong;
}
