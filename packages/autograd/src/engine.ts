import type { AutogradEngine, BackwardOptions, Tensor } from '@autodag/core';
import {
  checkOptionalTensor,
  checkTensor,
  checkTensorList,
  formatShape,
  onesLike,
  shapesEqual,
} from '@autodag/core';
import { edgeOf, leafNode, record, recordFunction, watch } from './record.js';
import { releaseWhenUnsaved } from './saved-owner.js';
import { backwardTo, walk } from './walk.js';

/** `tensor.backward(gradient, options)`. */
export function backward(t: Tensor, gradient: Tensor | null, options: BackwardOptions): void {
  checkTensor(t, 'backward', 'self');
  checkOptionalTensor(gradient, 'backward', 'gradient');
  if (options.inputs !== undefined) checkTensorList(options.inputs, 'backward', 'inputs');
  if (!t.requiresGrad) {
    throw new Error('element 0 of tensors does not require grad and does not have a grad_fn');
  }
  let g = gradient;
  if (g === null) {
    if (t.numel() !== 1) throw new Error('grad can be implicitly created only for scalar outputs');
    g = onesLike(t);
  } else if (!shapesEqual(g.shape, t.shape)) {
    throw new RangeError(
      `Mismatch in shape: grad_output[0] has a shape of ${formatShape(g.shape)} and output[0] has a shape of ${formatShape(t.shape)}.`,
    );
  }
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  if (options.inputs) {
    if (options.inputs.length === 0) {
      throw new Error("'inputs' argument to backward() cannot be empty.");
    }
    options.inputs.forEach((x, i) => {
      if (!x.requiresGrad) {
        throw new Error(
          `backward: input ${i} does not require grad (can't retain_grad on Tensor that has requires_grad=False)`,
        );
      }
    });
    backwardTo([edgeOf(t)], [g], options.inputs, { retainGraph, createGraph });
    return;
  }
  walk([edgeOf(t)], [g], { retainGraph, createGraph });
  // The implicit seed gradient is the engine's own; under createGraph the new graph saves it.
  if (gradient === null && !createGraph) g.dispose();
}

/** The engine core calls into; installed by this package's entry point. */
export const engine: AutogradEngine = {
  record,
  recordFunction,
  backward,
  leafNode,
  watch,
  releaseWhenUnsaved,
};

export { edgeOf, leafNode, record, recordFunction, walk, watch };
