/**
 * Errors raised while reading or writing tensor files. Every malformed input is reported through
 * one of these classes (never a crash or a raw `RangeError` from a typed array), with a message
 * that starts with the format and names the problem.
 */

/**
 * A safetensors file (or the tensors given to the writer) is invalid.
 * @example
 * try { torch.io.safetensors.deserialize(bytes) } catch (e) { if (e instanceof torch.io.SafetensorsError) console.log(e.message) }
 */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(`safetensors: ${message}`);
    this.name = 'SafetensorsError';
  }
}

/**
 * A `.npy` array file (or the tensor given to the writer) is invalid.
 * @example
 * try { torch.io.npy.parse(bytes) } catch (e) { if (e instanceof torch.io.NpyError) console.log(e.message) }
 */
export class NpyError extends Error {
  constructor(message: string) {
    super(`npy: ${message}`);
    this.name = 'NpyError';
  }
}

/**
 * A `.npz` archive (a zip of `.npy` files) is invalid.
 * @example
 * try { torch.io.npz.parse(bytes) } catch (e) { if (e instanceof torch.io.NpzError) console.log(e.message) }
 */
export class NpzError extends Error {
  constructor(message: string) {
    super(`npz: ${message}`);
    this.name = 'NpzError';
  }
}

/**
 * An IDX file (MNIST's format), gzipped or not, is invalid or inflates past the limit.
 * @example
 * try { torch.io.readIdx(bytes, 'labels.gz') } catch (e) { if (e instanceof torch.io.IdxError) console.log(e.message) }
 */
export class IdxError extends Error {
  constructor(message: string) {
    super(`idx: ${message}`);
    this.name = 'IdxError';
  }
}
