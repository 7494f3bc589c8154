import * as torch from 'autodag';

/**
 * A second host device whose storage is a plain typed array, to test cross-device rules and
 * printing without a GPU. `sync: false` leaves out `readSync`, as WebGPU in browsers does.
 */
export function hostBackend(name: string, opts: { sync?: boolean } = {}): torch.Backend {
  const storage = (values: torch.TypedArray, dtype: torch.DType): torch.Storage => ({
    backend,
    dtype,
    size: values.length,
    data: values,
    version: 0,
    disposed: false,
  });
  const backend: torch.Backend = {
    name,
    // Below the CPU backend, so it never becomes the default device.
    priority: -10,
    allocate: (dtype, size) => storage(new (torch.typedArrayFor(dtype))(size), dtype),
    upload: (values, dtype) => storage(values, dtype),
    read: async (s) => s.data as torch.TypedArray,
    release: () => {},
    ...(opts.sync === false ? {} : { readSync: (s: torch.Storage) => s.data as torch.TypedArray }),
  };
  return backend;
}
