import { initWebGPU, type WebGPUBackend } from '@autodag/backend-webgpu';
import { initNodeWebGPU } from '@autodag/backend-webgpu/node';
import * as torch from 'autodag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDevice } from './device.js';

/**
 * Device errors: buffers past the adapter's limits (synchronous), out of memory and failed
 * commands (reported by WebGPU later), device loss, and adapters lacking a limit. The failures
 * that poison a device run on devices of their own, registered under other names.
 */

beforeAll(openTestDevice, 60_000);

/** A second WebGPU device on the same adapter, registered as `name`. */
function openDevice(name: string): Promise<WebGPUBackend> {
  return initNodeWebGPU({ dawnOptions: ['backend=opengles'], name, collectGarbage: false });
}

const cpuValues = () => torch.tensor([1, 2, 3]);

describe('a buffer past the adapter limit', () => {
  it('throws at once, naming the op, the shape, the bytes and the limit; nothing is recorded', async () => {
    const backend = torch.getBackend('webgpu') as WebGPUBackend;
    const limit = backend.pool.limit;
    const n = limit.bytes / 4 + 1;
    const one = torch.ones(1, { device: 'webgpu' });
    await one.data(); // submits what was recorded, so the check below sees only the failed op
    const cpu = cpuValues();
    const bytesInUse = backend.memoryStats().bytesInUse;
    let error: unknown;
    try {
      one.expand(n).contiguous();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(torch.AllocationError);
    expect((error as Error).message).toBe(
      `contiguous: not enough memory: you tried to allocate ${n * 4} bytes for a tensor of size [${n}] and dtype float32 on device 'webgpu': one buffer on device 'webgpu' holds at most ${limit.bytes} bytes (the adapter's ${limit.name}); a float32 tensor of ${n} elements needs ${n * 4}`,
    );
    expect(backend.ctx.hasPending).toBe(false);
    expect(backend.memoryStats().bytesInUse).toBe(bytesInUse);
    // The device and the CPU go on.
    expect(await one.add(1).sum().itemAsync()).toBe(2);
    expect(cpu.sum().item()).toBe(6);
  });

  it('moving a CPU tensor past the limit fails the same way, the CPU tensor untouched', async () => {
    const limit = (torch.getBackend('webgpu') as WebGPUBackend).pool.limit;
    // A host tensor of the limit's size: CI's software adapter binds 128 MiB.
    expect(limit.bytes).toBeLessThanOrEqual(1 << 28);
    const big = torch.zeros(limit.bytes / 4 + 1);
    big.set(-1, 7);
    expect(() => big.to('webgpu')).toThrow(
      /^toDevice: not enough memory: .* on device 'webgpu': one buffer on device 'webgpu' holds at most/,
    );
    await expect(big.toAsync('webgpu')).rejects.toThrow(/^toAsync: not enough memory/);
    expect(big.get(-1).item()).toBe(7);
    expect(big.device).toBe('cpu');
  });
});

describe('failures that WebGPU reports later', () => {
  let backend: WebGPUBackend;
  beforeAll(async () => {
    backend = await openDevice('webgpu-oom');
  }, 60_000);
  afterAll(() => {
    torch.unregisterBackend('webgpu-oom');
  });
  const device = 'webgpu-oom';

  it('out of memory creating a buffer fails the next read, naming the buffer and the tensor', async () => {
    // A driver out of memory answers the buffer's error scope with GPUOutOfMemoryError.
    const gpu = backend.ctx.device;
    const pop = gpu.popErrorScope.bind(gpu);
    let inject = true;
    gpu.popErrorScope = async () => {
      const error = await pop();
      if (!inject) return error;
      inject = false;
      return new GPUOutOfMemoryError('test: no memory left');
    };
    try {
      const failed = torch.empty(12345, { device });
      const other = torch.ones(3, { device }).mul(2);
      await expect(other.sum().data()).rejects.toThrow(
        /^device 'webgpu-oom': creating a buffer of \d+ bytes for a float32 tensor of 12345 elements failed: the GPU ran out of memory \(test: no memory left\); the commands submitted with it did not run/,
      );
      await expect(failed.data()).rejects.toThrow(
        /reading a float32 tensor of 12345 elements on device 'webgpu-oom': its memory could not be allocated/,
      );
      // Reported once: the device goes on, and the failed buffer is not reused.
      expect(await other.sum().itemAsync()).toBe(6);
      const pooled = backend.memoryStats().bytesPooled;
      failed.dispose();
      expect(backend.memoryStats().bytesPooled).toBe(pooled);
      expect(cpuValues().sum().item()).toBe(6);
    } finally {
      gpu.popErrorScope = pop;
    }
  });

  it('an error the device reports on its own fails the next op, naming it', async () => {
    const x = torch.ones(4, { device });
    await x.data();
    backend.ctx.device.dispatchEvent(
      new GPUUncapturedErrorEvent('uncapturederror', {
        error: new GPUOutOfMemoryError('test: out of memory in a submit'),
      }),
    );
    let error: unknown;
    try {
      x.mul(x);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(torch.DeviceError);
    expect((error as Error).message).toMatch(
      /^mul: device 'webgpu-oom': a command failed: the GPU ran out of memory \(test: out of memory in a submit\)/,
    );
    expect(await x.add(1).sum().itemAsync()).toBe(8);
  });
});

describe('a lost device', () => {
  it('fails later ops and reads with the device and the reason, without hanging', async () => {
    const backend = await openDevice('webgpu-lost');
    const device = 'webgpu-lost';
    try {
      const x = torch.arange(6, { device }).float();
      const pending = x.mul(2).data();
      backend.ctx.device.destroy();
      // A read in flight settles: with its values if the GPU got there first, else with the loss.
      const settled = await pending.then(
        (v) => Array.from(v),
        (e: Error) => e.message,
      );
      if (typeof settled === 'string') expect(settled).toMatch(/device 'webgpu-lost' was lost/);
      else expect(settled).toEqual([0, 2, 4, 6, 8, 10]);
      await backend.ctx.device.lost;
      const lost =
        /device 'webgpu-lost' was lost \(destroyed.*\); tensors on it can no longer be used/;
      expect(() => x.add(1)).toThrow(lost);
      expect(() => x.add(1)).toThrow(torch.DeviceError);
      expect(() => x.exp()).toThrow(/^exp: device 'webgpu-lost' was lost/);
      expect(() => torch.ones(2, { device })).toThrow(/^ones: device 'webgpu-lost' was lost/);
      await expect(x.data()).rejects.toThrow(lost);
      await expect(x.itemAsync()).rejects.toThrow(/a Tensor with 6 elements/);
      await expect(x.get(0).itemAsync()).rejects.toThrow(lost);
      // Other devices are unaffected.
      expect(cpuValues().mul(2).tolist()).toEqual([2, 4, 6]);
      expect(await torch.ones(2, { device: 'webgpu' }).sum().itemAsync()).toBe(2);
      expect(await (await cpuValues().toAsync('webgpu')).sum().itemAsync()).toBe(6);
    } finally {
      torch.unregisterBackend(device);
    }
  }, 60_000);
});

describe('an adapter lacking a limit', () => {
  /** WebGPU's default limits, as an adapter reports them. */
  const DEFAULTS: Record<string, number> = {
    maxStorageBuffersPerShaderStage: 8,
    maxComputeInvocationsPerWorkgroup: 256,
    maxComputeWorkgroupSizeX: 256,
    maxComputeWorkgroupStorageSize: 16384,
    maxComputeWorkgroupsPerDimension: 65535,
    maxStorageBufferBindingSize: 134217728,
    maxBufferSize: 268435456,
    minStorageBufferOffsetAlignment: 256,
  };
  /** A WebGPU entry point whose one adapter reports `limits` (and is asked for nothing more). */
  const gpuWith = (limits: Record<string, number>) =>
    ({
      requestAdapter: async () => ({ info: {}, features: new Set(), limits }),
    }) as unknown as GPU;

  it('fails initWebGPU with the limit, the value and the need, registering nothing', async () => {
    const { maxComputeWorkgroupStorageSize: _, ...missing } = DEFAULTS;
    await expect(initWebGPU({ gpu: gpuWith(missing), name: 'webgpu-old' })).rejects.toThrow(
      "initWebGPU: the adapter does not report the limit 'maxComputeWorkgroupStorageSize', which the backend needs (at least 8192: matmul tiles take 8 KiB)",
    );
    await expect(
      initWebGPU({ gpu: gpuWith({ ...DEFAULTS, maxStorageBuffersPerShaderStage: 4 }), name: 'x' }),
    ).rejects.toThrow(
      "initWebGPU: the adapter's maxStorageBuffersPerShaderStage is 4, below the 6 the backend needs",
    );
    expect(torch.listBackends()).not.toContain('webgpu-old');
    expect(torch.listBackends()).not.toContain('x');
  });
});
