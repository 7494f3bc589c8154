import { checkOptionalTensor, empty, formatTensor, Tensor } from '@autodag/core';

/**
 * A tensor registered as a module parameter (PyTorch's `nn.Parameter`): a leaf sharing `data`'s
 * storage, requiring grad by default. Assigning one to a module attribute registers it.
 * @example
 * class Scale extends nn.Module {
 *   scale = new nn.Parameter(torch.ones(3));
 *   override forward(x: Tensor) { return x.mul(this.scale); }
 * }
 */
export class Parameter extends Tensor {
  constructor(data?: Tensor, requiresGrad = true) {
    checkOptionalTensor(data, 'Parameter', 'data');
    const src = data ?? empty(0);
    super(src.storage, src.shape.slice(), src.strides.slice(), src.offset);
    this.requiresGrad = requiresGrad;
    // A module owns its parameters: `tidy` scopes around model code must not free them.
    this.kept = true;
  }

  /**
   * `Parameter containing:` followed by the tensor, as PyTorch prints parameters.
   * @example `${new nn.Parameter(torch.zeros(2))}` // 'Parameter containing:\ntensor([0., 0.], requiresGrad=True)'
   */
  override toString(): string {
    return `Parameter containing:\n${formatTensor(this)}`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * Replaces `t`'s data (storage, shape, strides, dtype) with `src`'s, keeping the object: how
 * `module.to()` moves parameters so that optimisers holding them keep working (PyTorch's
 * `param.data = ...`).
 * @example setData(p, p.to('float64')) // p is now float64, still the same object
 */
export function setData(t: Tensor, src: Tensor): void {
  if (t === src) return;
  type Counted = { refs?: number; disposed: boolean };
  const old = t.storage as typeof t.storage & Counted;
  const next = src.storage as typeof src.storage & Counted;
  if (old !== next) {
    next.refs = (next.refs ?? 0) + 1;
    old.refs = (old.refs ?? 1) - 1;
    if (old.refs <= 0 && !old.disposed) {
      old.disposed = true;
      old.backend.release(old);
    }
  }
  t.storage = src.storage;
  t.shape = src.shape.slice();
  t.strides = src.strides.slice();
  t.offset = src.offset;
  (t as unknown as { dtype: string }).dtype = src.dtype;
}
