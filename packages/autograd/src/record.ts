import type { RegisteredOp, Tensor } from '@autodag/core';
import { argName, isFloatingPoint } from '@autodag/core';
import type { Edge, SavedTensor } from './node.js';
import { AccumulateGrad, FunctionNode, type Node, OpNode } from './node.js';
import { noteSaved } from './saved-owner.js';

/**
 * Recording the graph on the fly: every op call with an argument requiring grad gets a node
 * holding its edges to the arguments' nodes and what its VJPs will read.
 */

/** The edge a gradient for `t` should travel along. */
export function edgeOf(t: Tensor): Edge {
  if (t.gradFn) return { node: t.gradFn as Node, outputNr: t.outputNr };
  return { node: leafNode(t), outputNr: 0 };
}

/** The (cached) accumulator node of a leaf. */
export function leafNode(t: Tensor): AccumulateGrad {
  if (!t.gradAccumulator) t.gradAccumulator = new AccumulateGrad(t);
  return t.gradAccumulator as AccumulateGrad;
}

function save(t: Tensor, index: number): SavedTensor {
  noteSaved(t);
  return { tensor: t, version: t.storage.version, index };
}

/**
 * The arguments an op call must save for backward: with `saveInputsFor`, only those that the
 * VJPs of the arguments requiring grad read (so `x.mul(w)` with only `w` requiring grad keeps
 * `x` alone, and `w` may change in place afterwards, as in PyTorch); else `saveInputs`, else all.
 */
function argumentsToSave(op: RegisteredOp, args: readonly Tensor[]): readonly number[] {
  const def = op.def;
  const perArg = def.saveInputsFor;
  if (!perArg) return def.saveInputs ?? args.map((_, i) => i);
  const needed: number[] = [];
  for (let i = 0; i < args.length; i++) {
    if (!args[i]!.requiresGrad) continue;
    for (const j of perArg[argName(op, i)] ?? []) if (!needed.includes(j)) needed.push(j);
  }
  return needed;
}

/** Attaches a node to the outputs of an op call (called by core's dispatcher). */
export function record(
  op: RegisteredOp,
  args: readonly Tensor[],
  attrs: unknown,
  outputs: readonly Tensor[],
): void {
  const def = op.def;
  const differentiable =
    def.differentiableOutputs ??
    outputs.map((_, i) => i).filter((i) => isFloatingPoint(outputs[i]!.dtype));
  if (differentiable.length === 0) return;
  const edges = args.map((a) => (a.requiresGrad ? edgeOf(a) : null));
  const saveIdx = argumentsToSave(op, args);
  const saved = saveIdx.length ? saveIdx.map((i) => save(args[i]!, i)) : null;
  const node = new OpNode(
    op,
    edges,
    args.map((a) => ({ shape: a.shape, dtype: a.dtype, strides: a.strides })),
    attrs,
    saved,
    null,
    outputs.map((o) => ({ shape: o.shape, dtype: o.dtype })),
  );
  for (const i of differentiable) {
    const out = outputs[i]!;
    out.gradFn = node;
    out.outputNr = i;
  }
  const keepOut = def.saveOutputs;
  if (keepOut) {
    node.savedOutputs = outputs.flatMap((o, i) =>
      keepOut === true || keepOut.includes(i) ? [save(o, i)] : [],
    );
  }
}

/** Records a node with a hand-written backward (PyTorch's `autograd.Function`). */
export function recordFunction(
  name: string,
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  backward: (grads: readonly (Tensor | null)[]) => readonly (Tensor | null)[],
): void {
  const edges = inputs.map((a) => (a.requiresGrad ? edgeOf(a) : null));
  const node = new FunctionNode(name, edges, outputs.length, backward);
  outputs.forEach((o, i) => {
    if (isFloatingPoint(o.dtype)) {
      o.gradFn = node;
      o.outputNr = i;
    }
  });
}

/** Registers a non-leaf tensor whose hooks or retained grad must see its gradient. */
export function watch(t: Tensor): void {
  const node = t.gradFn as Node | null;
  if (!node) return;
  if (!node.watchers) node.watchers = new Map();
  const list = node.watchers.get(t.outputNr) ?? [];
  if (!list.includes(t)) list.push(t);
  node.watchers.set(t.outputNr, list);
}
