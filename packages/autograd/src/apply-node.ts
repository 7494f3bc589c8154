import type { Tensor, VjpContext } from '@autodag/core';
import { argName, formatShape, shapesEqual, zeros } from '@autodag/core';
import type { OpNode, SavedTensor } from './node.js';

/** Running one op node during backward: unpacking its saved tensors and calling its VJPs. */

function unpack(node: OpNode, list: SavedTensor[] | null, what: string): Tensor[] {
  if (node.released) {
    throw new Error(
      `Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retainGraph: true if you need to backward through the graph a second time or if you need to access saved tensors after calling backward. (node ${node.name})`,
    );
  }
  if (!list) return [];
  return list.map((s) => {
    if (s.tensor.storage.version !== s.version) {
      const t = s.tensor;
      throw new Error(
        `one of the variables needed for gradient computation has been modified by an inplace operation: [${t.dtype} ${formatShape(t.shape)}], which is ${what} ${s.index} of ${node.name}, is at version ${t.storage.version}; expected version ${s.version} instead. Hint: the operation that failed was ${node.name}; avoid modifying this tensor in place, or clone it first.`,
      );
    }
    return s.tensor;
  });
}

/** Runs an op node's VJPs: one gradient per argument edge. */
export function applyOpNode(node: OpNode, grads: (Tensor | null)[]): (Tensor | null)[] {
  const def = node.op.def;
  const savedInputs = unpack(node, node.saved, 'input');
  const inputs: Tensor[] = new Array(node.edges.length);
  node.saved?.forEach((saved, k) => {
    inputs[saved.index] = savedInputs[k]!;
  });
  const savedOutputs = unpack(node, node.savedOutputs, 'output');
  const outputs: Tensor[] = [];
  node.savedOutputs?.forEach((saved, k) => {
    outputs[saved.index] = savedOutputs[k]!;
  });
  const grad0 =
    grads[0] ??
    zeros(node.outputMetas[0]!.shape, {
      dtype: node.outputMetas[0]!.dtype,
      device: deviceOfGrads(grads),
    });
  const ctx: { -readonly [K in keyof VjpContext]: VjpContext[K] } = {
    grad: grad0,
    grads,
    inputs,
    index: 0,
    inputMetas: node.inputMetas,
    outputs,
    attrs: node.attrs as Record<string, unknown>,
  };
  return node.edges.map((edge, i) => {
    if (!edge) return null;
    const name = argName(node.op, i);
    const vjp = def.vjp?.[name];
    if (!vjp) {
      throw new Error(
        `the derivative for '${def.name}' with respect to '${name}' is not implemented`,
      );
    }
    ctx.index = i;
    const g = vjp(ctx as VjpContext<never>);
    if (g && !shapesEqual(g.shape, node.inputMetas[i]!.shape)) {
      throw new Error(
        `Function ${node.name} returned an invalid gradient at index ${i} - got ${formatShape(g.shape)} but expected shape compatible with ${formatShape(node.inputMetas[i]!.shape)}`,
      );
    }
    return g;
  });
}

/** The device of the gradients reaching a node (at least one did: see `walk`). */
function deviceOfGrads(grads: (Tensor | null)[]): string {
  return grads.find((g) => g !== null)!.device;
}
