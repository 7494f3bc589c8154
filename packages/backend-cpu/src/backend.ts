import type { Backend, DType, Storage, TypedArray } from '@autodag/core';
import { typedArrayFor } from '@autodag/core';

/** CPU storage: the elements live in a typed array of the dtype's kind. */
export interface CpuStorage extends Storage {
  data: TypedArray;
}

/**
 * The CPU device: storage is a plain typed array, reads are synchronous, memory is
 * garbage collected (`release` just drops the reference early).
 */
export class CpuBackend implements Backend {
  readonly name = 'cpu';
  readonly priority = 0;

  allocate(dtype: DType, size: number): CpuStorage {
    return {
      backend: this,
      dtype,
      size,
      data: new (typedArrayFor(dtype))(size),
      version: 0,
      disposed: false,
    };
  }

  upload(values: TypedArray, dtype: DType): CpuStorage {
    // Callers hand over a fresh array they no longer touch, so it is adopted without a copy.
    return { backend: this, dtype, size: values.length, data: values, version: 0, disposed: false };
  }

  read(storage: Storage): Promise<TypedArray> {
    return Promise.resolve(this.readSync(storage));
  }

  readSync(storage: Storage): TypedArray {
    return storage.data as TypedArray;
  }

  release(storage: Storage): void {
    storage.data = new (typedArrayFor(storage.dtype))(0);
  }
}

/** The typed array behind a CPU tensor's storage. */
export function cpuData(t: { storage: Storage }): TypedArray {
  return t.storage.data as TypedArray;
}
