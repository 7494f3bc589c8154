import {
  argTypeError,
  checkTensorOrList,
  formatShape,
  onesLike,
  shapesEqual,
  Tensor,
  zerosLike,
} from '@autodag/core';
import { edgeOf } from './record.js';
import { captureWalk } from './walk.js';

/** Options of `grad` (PyTorch's `torch.autograd.grad` keywords, camelCased). */
export interface GradOptions {
  /** The "vector" of the vector-Jacobian product, one per output; default ones for scalar outputs. */
  gradOutputs?: Tensor | readonly (Tensor | null)[] | null;
  /** Keep the graph for another backward (defaults to `createGraph`). */
  retainGraph?: boolean;
  /** Record the computation of the gradients, for higher-order derivatives. */
  createGraph?: boolean;
  /** Return `null` for inputs the outputs do not depend on instead of throwing. */
  allowUnused?: boolean;
  /** Return zeros instead of `null` for unused inputs (PyTorch's `materialize_grads`). */
  materializeGrads?: boolean;
}

/** `gradOutputs`: a tensor, or a list of tensors and nulls (outputs that get no gradient). */
function checkGradOutputs(g: unknown): void {
  if (g === null || g === undefined || g instanceof Tensor) return;
  const expected = 'a Tensor or a list of Tensors and nulls';
  if (!Array.isArray(g)) throw argTypeError('grad', 'gradOutputs', g, expected);
  if (g.length > 0 && !g.some((x) => x === null || x instanceof Tensor)) {
    throw argTypeError('grad', 'gradOutputs', g, expected);
  }
  g.forEach((x, i) => {
    if (x !== null && !(x instanceof Tensor)) {
      throw argTypeError('grad', `gradOutputs[${i}]`, x, 'a Tensor or null');
    }
  });
}

function asList(x: Tensor | readonly Tensor[]): readonly Tensor[] {
  return Array.isArray(x) ? (x as readonly Tensor[]) : [x as Tensor];
}

/**
 * Gradients of `outputs` w.r.t. `inputs`, returned as an array (one per input, even for a
 * single input). Several outputs sum their gradients. Leaves' `.grad` fields are not touched.
 * @example
 * const t = torch.tensor([1, 2, 4]).requiresGrad_();
 * const u = torch.tensor([10, 20]).requiresGrad_();
 * const a = t.pow(2).sum().add(u.log().sum());
 * torch.autograd.grad(a, [t, u]) // [tensor([2., 4., 8.]), tensor([0.1000, 0.0500])]
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options: GradOptions = {},
): (Tensor | null)[] {
  checkTensorOrList(outputs, 'grad', 'outputs');
  checkTensorOrList(inputs, 'grad', 'inputs');
  checkGradOutputs(options.gradOutputs);
  const outs = asList(outputs);
  const ins = asList(inputs);
  const given =
    options.gradOutputs == null
      ? []
      : Array.isArray(options.gradOutputs)
        ? options.gradOutputs
        : [options.gradOutputs as Tensor];
  if (given.length && given.length !== outs.length) {
    throw new RangeError(`grad: got ${given.length} gradOutputs for ${outs.length} outputs`);
  }
  ins.forEach((t, i) => {
    if (!t.requiresGrad)
      throw new Error(
        `grad: input ${i} does not require grad (One of the differentiated Tensors does not require grad)`,
      );
  });
  const roots = outs.map((o, i) => {
    if (!o.requiresGrad)
      throw new Error(`element ${i} of tensors does not require grad and does not have a grad_fn`);
    return edgeOf(o);
  });
  const rootGrads = outs.map((o, i) => {
    const g = given[i];
    if (g) {
      if (!shapesEqual(g.shape, o.shape)) {
        throw new RangeError(
          `Mismatch in shape: grad_output[${i}] has a shape of ${formatShape(g.shape)} and output[${i}] has a shape of ${formatShape(o.shape)}.`,
        );
      }
      return g;
    }
    if (o.numel() !== 1) throw new Error('grad can be implicitly created only for scalar outputs');
    return onesLike(o);
  });
  const createGraph = options.createGraph ?? false;
  const captured = captureWalk(roots, rootGrads, ins, {
    retainGraph: options.retainGraph ?? createGraph,
    createGraph,
  });
  return captured.map((g, i) => {
    if (g) return createGraph ? g : g.detach();
    if (options.materializeGrads) return zerosLike(ins[i]!);
    if (!options.allowUnused) {
      throw new Error(
        `One of the differentiated Tensors (input ${i}) appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.`,
      );
    }
    return null;
  });
}
