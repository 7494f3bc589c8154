import type {
  AutogradEngine,
  BackwardOptions,
  RegisteredOp,
  Tensor,
  VjpContext,
} from '@autodag/core';
import {
  argName,
  enableGrad,
  formatShape,
  isFloatingPoint,
  noGrad,
  onesLike,
  shapesEqual,
  zeros,
} from '@autodag/core';
import type { Edge, SavedTensor } from './node.js';
import { AccumulateGrad, FunctionNode, Node, OpNode } from './node.js';

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
  if (def.saveOutputs) node.savedOutputs = outputs.map((o, i) => save(o, i));
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

function unpack(node: OpNode, list: SavedTensor[] | null, what: string): Tensor[] {
  if (node.released) {
    throw new Error(
      `Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retainGraph: true if you need to backward through the graph a second time or if you need to access saved tensors after calling backward. (node ${node.name})`,
    );
  }
  if (!list) return [];
  return list.map((s, i) => {
    if (s.tensor.storage.version !== s.version) {
      const t = s.tensor;
      throw new Error(
        `one of the variables needed for gradient computation has been modified by an inplace operation: [${t.dtype} ${formatShape(t.shape)}], which is ${what} ${i} of ${node.name}, is at version ${t.storage.version}; expected version ${s.version} instead. Hint: the operation that failed was ${node.name}; avoid modifying this tensor in place, or clone it first.`,
      );
    }
    return s.tensor;
  });
}

/** Runs an op node's VJPs: one gradient per argument edge. */
function applyOpNode(node: OpNode, grads: (Tensor | null)[]): (Tensor | null)[] {
  const def = node.op.def;
  const savedInputs = unpack(node, node.saved, 'input');
  const inputs: Tensor[] = new Array(node.edges.length);
  node.saved?.forEach((saved, k) => {
    inputs[saved.index] = savedInputs[k]!;
  });
  const outputs = unpack(node, node.savedOutputs, 'output');
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

function accumulate(into: (Tensor | null)[], index: number, g: Tensor): void {
  const prev = into[index];
  into[index] = prev ? prev.add(g) : g;
}

/** Collects, for every node reachable from the roots, how many edges point at it. */
function countDependencies(roots: readonly Node[]): Map<Node, number> {
  const deps = new Map<Node, number>();
  const seen = new Set<Node>(roots);
  const stack = [...roots];
  while (stack.length) {
    const node = stack.pop()!;
    for (const edge of node.edges) {
      if (!edge) continue;
      deps.set(edge.node, (deps.get(edge.node) ?? 0) + 1);
      if (!seen.has(edge.node)) {
        seen.add(edge.node);
        stack.push(edge.node);
      }
    }
  }
  return deps;
}

/** Nodes from which some captured node is reachable through at least one edge. */
function capturesBelow(roots: readonly Node[], capture: Map<Node, unknown>): Set<Node> {
  // Iterative post-order (deep graphs, e.g. unrolled loops, would overflow a recursive walk).
  const postOrder: Node[] = [];
  const visited = new Set<Node>();
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    const stack: { node: Node; next: number }[] = [{ node: root, next: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.node.edges.length) {
        const edge = top.node.edges[top.next++];
        if (edge && !visited.has(edge.node)) {
          visited.add(edge.node);
          stack.push({ node: edge.node, next: 0 });
        }
      } else {
        stack.pop();
        postOrder.push(top.node);
      }
    }
  }
  const below = new Set<Node>();
  for (const node of postOrder) {
    if (node.edges.some((e) => e && (capture.has(e.node) || below.has(e.node)))) below.add(node);
  }
  return below;
}

/** What a walk does with gradients arriving at leaves and captured tensors. */
interface WalkOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /** `grad()` mode: gradients for these edges are captured and leaves' `.grad` left alone. */
  capture?: Map<Node, Map<number, number>>;
  captured?: (Tensor | null)[];
  /** `backward(inputs=...)`: accumulate only into these leaves. */
  onlyLeaves?: Set<Tensor>;
}

/** Stores a gradient in a leaf's `.grad`, accumulating; copies it when it might be shared. */
function accumulateIntoLeaf(
  leaf: Tensor,
  g: Tensor,
  delivered: Set<unknown>,
  createGraph: boolean,
): void {
  let owned = g;
  if (!createGraph) {
    owned = g.detach();
    const shared =
      delivered.has(g.storage) ||
      !g.isContiguous() ||
      g.offset !== 0 ||
      g.storage.size !== g.numel();
    if (shared) owned = owned.clone();
    delivered.add(owned.storage);
  }
  leaf.grad = leaf.grad
    ? createGraph
      ? leaf.grad.add(owned)
      : leaf.grad.detach().add(owned)
    : owned;
}

function runHooks(tensors: readonly Tensor[] | undefined, g: Tensor): Tensor {
  if (!tensors) return g;
  for (const t of tensors) {
    for (const hook of t.hooks ?? []) {
      const r = hook(g);
      if (r) g = r;
    }
  }
  return g;
}

/**
 * The backward walk: starting from `roots` with gradients `rootGrads`, visit nodes in reverse
 * topological order (a node runs once every edge into it delivered its gradient), apply its VJPs,
 * and send the results along its edges. Gradients meeting at a node are summed, which is how
 * weight sharing and reuse of a tensor on several paths accumulate.
 */
export function walk(
  roots: readonly Edge[],
  rootGrads: readonly Tensor[],
  opts: WalkOptions,
): void {
  const rootNodes = [...new Set(roots.map((r) => r.node))];
  const deps = countDependencies(rootNodes);
  const buffers = new Map<Node, (Tensor | null)[]>();
  roots.forEach((r, i) => {
    const buf = buffers.get(r.node) ?? new Array(r.node.numOutputs).fill(null);
    accumulate(buf, r.outputNr, rootGrads[i]!);
    buffers.set(r.node, buf);
  });
  // grad(): run only the nodes with a captured input below them, as PyTorch prunes its graph
  // task (so freed or unrelated parts of the graph are never touched).
  const below = opts.capture ? capturesBelow(rootNodes, opts.capture) : null;
  const ready: Node[] = rootNodes.filter((n) => !deps.has(n));
  const delivered = new Set<unknown>(rootGrads.map((g) => g.storage));
  const run = () => {
    while (ready.length) {
      // Latest-created first among the ready nodes, as PyTorch orders its queue.
      let best = 0;
      for (let i = 1; i < ready.length; i++)
        if (ready[i]!.sequence > ready[best]!.sequence) best = i;
      const node = ready.splice(best, 1)[0]!;
      const needed = !below || below.has(node);
      if (!needed && !opts.capture!.has(node)) continue;
      const grads = buffers.get(node) ?? new Array(node.numOutputs).fill(null);
      buffers.delete(node);
      if (node.watchers) {
        for (const [nr, tensors] of node.watchers) {
          const g = grads[nr];
          if (!g) continue;
          grads[nr] = runHooks(tensors, g);
          for (const t of tensors) {
            if (t.retainsGrad && t.gradFn === node && !opts.capture) {
              t.grad = t.grad
                ? t.grad.add(grads[nr]!)
                : opts.createGraph
                  ? grads[nr]!
                  : grads[nr]!.detach();
            }
          }
        }
      }
      const captureSlots = opts.capture?.get(node);
      if (captureSlots) {
        for (const [nr, slot] of captureSlots) {
          const g = grads[nr];
          if (g) opts.captured![slot] = opts.captured![slot] ? opts.captured![slot]!.add(g) : g;
        }
      }
      if (!needed) continue;
      if (node instanceof AccumulateGrad) {
        const g = grads[0];
        const leaf = node.variable;
        if (g && !opts.capture && (!opts.onlyLeaves || opts.onlyLeaves.has(leaf))) {
          accumulateIntoLeaf(leaf, runHooks([leaf], g), delivered, opts.createGraph);
        }
        continue;
      }
      // A node no gradient reached passes none on (its inputs' gradients would all be zero).
      const inputGrads = grads.every((g) => g === null)
        ? node.edges.map(() => null)
        : node instanceof OpNode
          ? applyOpNode(node, grads)
          : node.apply(grads, opts.createGraph);
      if (!opts.retainGraph) node.release();
      node.edges.forEach((edge, i) => {
        if (!edge) return;
        const g = inputGrads[i];
        const buf = buffers.get(edge.node) ?? new Array(edge.node.numOutputs).fill(null);
        if (g) accumulate(buf, edge.outputNr, g);
        buffers.set(edge.node, buf);
        const left = deps.get(edge.node)! - 1;
        deps.set(edge.node, left);
        if (left === 0) ready.push(edge.node);
      });
    }
  };
  if (opts.createGraph) enableGrad(run);
  else noGrad(run);
}

/** `tensor.backward(gradient, options)`. */
export function backward(t: Tensor, gradient: Tensor | null, options: BackwardOptions): void {
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
  walk([edgeOf(t)], [g], {
    retainGraph: options.retainGraph ?? createGraph,
    createGraph,
    onlyLeaves: options.inputs ? new Set(options.inputs) : undefined,
  });
}

/** The engine core calls into; installed by this package's entry point. */
export const engine: AutogradEngine = {
  record,
  recordFunction,
  backward,
  leafNode,
  watch,
};

export { Node, noGrad };
