import { DeviceError } from '@autodag/core';

/**
 * What a WebGPU device reports after the fact. Running out of memory, a failed command and the
 * loss of the device arrive as promises and events once the call that caused them has returned,
 * so this monitor keeps them and the backend raises them at the next op or read:
 *
 * - a lost device (`device.lost`: destroyed, driver reset, unplugged) fails every later op and
 *   read on it with its reason, at once rather than after a wait that never ends;
 * - a failed buffer creation (an out-of-memory error scope around each new buffer) or any other
 *   error the device reports (`uncapturederror`) fails the next op or read once, naming what
 *   failed; a buffer whose creation failed is never pooled or read.
 */
export class DeviceHealth {
  private lostReason: string | null = null;
  private failure: DeviceError | null = null;
  /** Error scopes not yet resolved: a read waits for those opened before it. */
  private readonly pending = new Set<Promise<void>>();
  /** Buffers whose creation failed. */
  private readonly failed = new WeakSet<GPUBuffer>();

  constructor(
    private readonly device: GPUDevice,
    /** The device name errors use (the backend's). */
    readonly name: string,
  ) {
    device.lost.then((info) => {
      this.lostReason = `${info.reason}${info.message ? `: ${info.message.trim()}` : ''}`;
    });
    device.addEventListener('uncapturederror', (event) => {
      this.fail('a command', (event as GPUUncapturedErrorEvent).error);
    });
  }

  /** Whether the device was lost. */
  get lost(): boolean {
    return this.lostReason !== null;
  }

  /** The error of an op or read on the lost device. */
  lostError(): DeviceError {
    return new DeviceError(
      `device '${this.name}' was lost (${this.lostReason}); tensors on it can no longer be used (those on other devices are unaffected): open the device again with initWebGPU()`,
    );
  }

  /**
   * Throws if the device was lost, or reports (once) a failure seen since the last report. Ops
   * call it before recording anything.
   */
  check(): void {
    if (this.lostReason !== null) throw this.lostError();
    const failure = this.failure;
    if (failure) {
      this.failure = null;
      throw failure;
    }
  }

  /**
   * A buffer created inside an out-of-memory error scope: a failure is reported at the next op
   * or read as `what` (e.g. "a float32 tensor of 1000 elements") failing.
   */
  createBuffer(descriptor: GPUBufferDescriptor, what: string): GPUBuffer {
    this.device.pushErrorScope('out-of-memory');
    const buffer = this.device.createBuffer(descriptor);
    const scope = this.device.popErrorScope().then(
      (error) => {
        if (!error) return;
        this.failed.add(buffer);
        this.fail(`creating a buffer of ${descriptor.size} bytes for ${what}`, error);
      },
      // Popping fails only on a lost device, which reports itself.
      () => {},
    );
    this.pending.add(scope);
    scope.then(() => this.pending.delete(scope));
    return buffer;
  }

  /** Whether `buffer`'s creation failed (its tensor holds no memory). */
  isFailed(buffer: GPUBuffer): boolean {
    return this.failed.has(buffer);
  }

  /** Resolves once the error scopes opened so far have resolved. */
  settled(): Promise<unknown> {
    return Promise.all(this.pending);
  }

  /**
   * The error of a read whose mapping was rejected: the device's loss (given a moment to be
   * reported, as the rejection may come first), else the rejection itself.
   */
  async readFailure(cause: unknown): Promise<DeviceError> {
    if (!this.lost) {
      await Promise.race([this.device.lost, new Promise((resolve) => setTimeout(resolve, 100))]);
    }
    if (this.lost) return this.lostError();
    const message = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    return new DeviceError(`reading a tensor on device '${this.name}' failed (${message})`, {
      cause,
    });
  }

  /** Keeps the first failure until it is reported (later ones are its consequences). */
  private fail(what: string, error: GPUError): void {
    if (this.failure) return;
    this.failure = new DeviceError(
      `device '${this.name}': ${what} failed: ${kindOf(error)} (${error.message.trim()}); the commands submitted with it did not run, so tensors computed since may hold wrong values: free memory (dispose tensors, use smaller batches) and compute them again`,
    );
  }
}

/** What a GPUError says happened (its classes are globals only where WebGPU is). */
function kindOf(error: GPUError): string {
  const g = globalThis as Partial<
    Pick<typeof globalThis, 'GPUOutOfMemoryError' | 'GPUValidationError'>
  >;
  if (g.GPUOutOfMemoryError && error instanceof g.GPUOutOfMemoryError) {
    return 'the GPU ran out of memory';
  }
  if (g.GPUValidationError && error instanceof g.GPUValidationError) {
    return 'the command was invalid';
  }
  return 'the GPU reported an internal error';
}
