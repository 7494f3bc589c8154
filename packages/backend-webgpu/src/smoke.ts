/**
 * Dawn's null adapter (and a broken driver) accepts every command and computes garbage; a backend
 * on it would pass nothing a user can trust. Such adapters are refused before any kernel runs.
 */

/** Refuses Dawn's null adapter by its name. */
export function checkAdapter(adapter: GPUAdapter): void {
  const info = adapter.info as GPUAdapterInfo & { device?: string };
  if (info?.device === 'null-backend' || info?.description === 'null-backend') {
    throw new Error(
      "initWebGPU: the adapter is Dawn's null backend, which computes nothing; install a driver (Mesa's EGL or Vulkan drivers on Linux)",
    );
  }
}

const SMOKE = `
@group(0) @binding(0) var<storage, read_write> v: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.x < arrayLength(&v)) { v[g.x] = v[g.x] * 2.0 + f32(g.x); }
}`;

/** Runs a tiny kernel with a known answer; throws if the device gets it wrong. */
export async function knownAnswerTest(device: GPUDevice): Promise<void> {
  const n = 256;
  const input = Float32Array.from({ length: n }, (_, i) => i * 0.5);
  const buffer = device.createBuffer({
    size: n * 4,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  const staging = device.createBuffer({
    size: n * 4,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(buffer, 0, input);
  const pipeline = device.createComputePipeline({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code: SMOKE }), entryPoint: 'main' },
  });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer } }],
    }),
  );
  pass.dispatchWorkgroups(n / 64);
  pass.end();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, n * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  buffer.destroy();
  for (let i = 0; i < n; i++) {
    if (out[i] !== input[i]! * 2 + i) {
      throw new Error(
        `initWebGPU: the adapter computed a known answer wrongly (element ${i}: ${out[i]} instead of ${input[i]! * 2 + i}); it cannot be used`,
      );
    }
  }
}
