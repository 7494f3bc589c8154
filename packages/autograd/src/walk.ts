import type { Tensor } from '@autodag/core';
import { collectCreated, enableGrad, noGrad, trackTensor, untracked } from '@autodag/core';
import { applyOpNode } from './apply-node.js';
import { capturesBelow, countDependencies } from './graph-queries.js';
import type { Edge } from './node.js';
import { AccumulateGrad, type Node, OpNode } from './node.js';
import { ReadyQueue } from './ready-queue.js';
import { edgeOf, watch } from './record.js';

/** What a walk does with gradients arriving at leaves and captured tensors. */
export interface WalkOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /** `grad()` mode: gradients for these edges are captured and leaves' `.grad` left alone. */
  capture?: Map<Node, Map<number, number>>;
  captured?: (Tensor | null)[];
  /**
   * `backward(inputs=...)` with `capture`: these non-leaf inputs get their `.grad` as the walk
   * reaches them, and retained `.grad`s on the pruned walk are stored as in a plain backward.
   */
  accumulateInto?: Set<Tensor>;
  /** Tensors the walk gave to user code (hooks, custom backward functions): never freed by it. */
  handedOut?: Set<Tensor>;
}

/** `.grad` tensors the engine allocated itself: only these are accumulated into in place. */
const ownedGrads = new WeakSet<Tensor>();

/**
 * Stores a gradient in a leaf's `.grad`, accumulating as PyTorch does: in place into a `.grad`
 * the engine allocated (so its identity survives several backward calls), else into a new
 * tensor (out of place and recorded under `createGraph`). A gradient that may be shared
 * (delivered to another leaf too, a view, a root gradient or a hook's result) is copied first.
 */
function accumulateIntoLeaf(
  leaf: Tensor,
  g: Tensor,
  fromHook: boolean,
  delivered: Set<unknown>,
  createGraph: boolean,
): void {
  const shared = () =>
    fromHook ||
    delivered.has(g.storage) ||
    !g.isContiguous() ||
    g.offset !== 0 ||
    g.storage.size !== g.numel();
  if (createGraph) {
    // Out of place and recorded, so the new .grad is differentiable.
    if (leaf.grad) leaf.grad = leaf.grad.add(g);
    else {
      leaf.grad = shared() ? g.clone() : g;
      delivered.add(leaf.grad.storage);
    }
    return;
  }
  const previous = leaf.grad;
  if (previous && ownedGrads.has(previous) && !previous.disposed) {
    previous.add_(g);
    return;
  }
  let owned = shared() ? g.detach().clone() : g.detach();
  delivered.add(owned.storage);
  if (previous) owned = previous.detach().add(owned);
  ownedGrads.add(owned);
  leaf.grad = owned;
}

/**
 * Runs the gradient hooks of `tensors` on `g`. Hooks are user code: what they receive or return
 * may be kept anywhere, so it goes into `handedOut`, and what they create is left untracked.
 */
function runHooks(
  tensors: readonly Tensor[] | undefined,
  g: Tensor,
  handedOut: Set<Tensor> | undefined,
): Tensor {
  if (!tensors) return g;
  for (const t of tensors) {
    for (const hook of t.hooks ?? []) {
      handedOut?.add(g);
      const r = untracked(() => hook(g));
      if (r) g = r;
    }
  }
  handedOut?.add(g);
  return g;
}

/** Gradients arriving at each node, one slot per output, summed as they arrive. */
class GradBuffers {
  private readonly slots = new Map<Node, (Tensor | null)[]>();

  /** Adds `g` to output `outputNr` of `node` (paths meeting at a node sum here). */
  add(node: Node, outputNr: number, g: Tensor | null): void {
    let buf = this.slots.get(node);
    if (!buf) {
      buf = new Array(node.numOutputs).fill(null);
      this.slots.set(node, buf);
    }
    if (g) buf[outputNr] = buf[outputNr] ? buf[outputNr]!.add(g) : g;
  }

  /** The node's complete gradients, removed from the buffers. */
  take(node: Node): (Tensor | null)[] {
    const buf = this.slots.get(node) ?? new Array(node.numOutputs).fill(null);
    this.slots.delete(node);
    return buf;
  }
}

/** Runs the hooks of the tensors watching `node` and stores retained (or requested) `.grad`s. */
function notifyWatchers(node: Node, grads: (Tensor | null)[], opts: WalkOptions): void {
  if (!node.watchers) return;
  for (const [nr, tensors] of node.watchers) {
    const g = grads[nr];
    if (!g) continue;
    grads[nr] = runHooks(tensors, g, opts.handedOut);
    for (const t of tensors) {
      const stored = opts.capture
        ? opts.accumulateInto && (t.retainsGrad || opts.accumulateInto.has(t))
        : t.retainsGrad;
      if (stored && t.gradFn === node) {
        const own = opts.createGraph ? grads[nr]! : grads[nr]!.detach();
        // A copy, as PyTorch: the flowing gradient may be the caller's or end up in a leaf's .grad.
        t.grad = t.grad ? t.grad.add(own) : own.clone();
      }
    }
  }
}

/** `grad()` mode: copies the gradients of the requested inputs out of the walk. */
function captureGrads(node: Node, grads: (Tensor | null)[], opts: WalkOptions): void {
  const slots = opts.capture?.get(node);
  if (!slots) return;
  for (const [nr, slot] of slots) {
    // Each node runs once, so each slot is written at most once.
    if (grads[nr]) opts.captured![slot] = grads[nr]!;
  }
}

/**
 * The gradients a node sends along its edges (none when no gradient reached it). Other nodes
 * than op nodes run user code (custom backward functions), treated as hooks are.
 */
function inputGradients(node: Node, grads: (Tensor | null)[], opts: WalkOptions) {
  if (grads.every((g) => g === null)) return node.edges.map(() => null);
  if (node instanceof OpNode) return applyOpNode(node, grads);
  for (const g of grads) if (g) opts.handedOut?.add(g);
  return untracked(() => node.apply(grads, opts.createGraph));
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
  const pending = countDependencies(rootNodes);
  const buffers = new GradBuffers();
  for (const [i, r] of roots.entries()) buffers.add(r.node, r.outputNr, rootGrads[i]!);
  // grad(): run only the nodes with a captured input below them, as PyTorch prunes its graph
  // task (so freed or unrelated parts of the graph are never touched).
  const below = opts.capture ? capturesBelow(rootNodes, opts.capture) : null;
  const ready = new ReadyQueue();
  for (const n of rootNodes) if (!pending.has(n)) ready.push(n);
  const delivered = new Set<unknown>(rootGrads.map((g) => g.storage));
  const run = () => {
    for (let node = ready.pop(); node; node = ready.pop()) {
      const needed = !below || below.has(node);
      if (!needed && !opts.capture!.has(node)) continue;
      const grads = buffers.take(node);
      notifyWatchers(node, grads, opts);
      captureGrads(node, grads, opts);
      if (!needed) continue;
      if (node instanceof AccumulateGrad) {
        const leaf = node.variable;
        if (grads[0] && !opts.capture) {
          const g = runHooks([leaf], grads[0], opts.handedOut);
          accumulateIntoLeaf(leaf, g, g !== grads[0], delivered, opts.createGraph);
        }
        continue;
      }
      const sent = inputGradients(node, grads, opts);
      if (!opts.retainGraph) node.release();
      node.edges.forEach((edge, i) => {
        if (!edge) return;
        buffers.add(edge.node, edge.outputNr, sent[i] ?? null);
        const left = pending.get(edge.node)! - 1;
        pending.set(edge.node, left);
        if (left === 0) ready.push(edge.node);
      });
    }
  };
  if (opts.createGraph) {
    enableGrad(run);
    return;
  }
  const handedOut = new Set<Tensor>();
  opts.handedOut = handedOut;
  const { created } = collectCreated(() => noGrad(run));
  for (const g of opts.captured ?? []) if (g) handedOut.add(g);
  freeWalkTensors(created, handedOut);
}

/**
 * Frees what a backward pass (without `createGraph`) created and nobody else can reach: the
 * gradients flowing between nodes and the VJPs' temporaries. Kept are the `.grad` tensors it
 * stored, the gradients `grad()` returns and what went through user code; they join the
 * enclosing `tidy` scope, if any. Storages shared with a kept view stay alive (disposing a view
 * only drops its reference), so on every device memory goes back when backward returns rather
 * than when the garbage collector gets to it.
 */
function freeWalkTensors(created: readonly Tensor[], handedOut: ReadonlySet<Tensor>): void {
  for (const t of created) {
    if (handedOut.has(t) || t.kept || t.gradOf?.grad === t) trackTensor(t);
    else t.dispose();
  }
}

/**
 * Walks from `roots` capturing the gradients that reach `inputs` (one per input, `null` where
 * none arrives; an input listed twice gets the same gradient in both slots). Only the part of
 * the graph leading to the inputs runs, and leaves' `.grad` are left alone.
 * @example captureWalk([edgeOf(y)], [torch.ones([])], [x], { retainGraph: false, createGraph: false }) // [dy/dx]
 */
export function captureWalk(
  roots: readonly Edge[],
  rootGrads: readonly Tensor[],
  inputs: readonly Tensor[],
  opts: Pick<WalkOptions, 'retainGraph' | 'createGraph' | 'accumulateInto'>,
): (Tensor | null)[] {
  const capture = new Map<Node, Map<number, number>>();
  const slotOf = inputs.map((t, i) => {
    const e = edgeOf(t);
    const byNr = capture.get(e.node) ?? new Map<number, number>();
    capture.set(e.node, byNr);
    const slot = byNr.get(e.outputNr);
    if (slot !== undefined) return slot;
    byNr.set(e.outputNr, i);
    return i;
  });
  const captured: (Tensor | null)[] = inputs.map(() => null);
  walk(roots, rootGrads, { ...opts, capture, captured });
  return slotOf.map((slot) => captured[slot] ?? null);
}

/**
 * `backward(inputs=...)`: the gradients reaching `inputs` are accumulated into their `.grad`
 * (non-leaf ones during the walk, leaves after it, through their hooks), and nothing else is.
 */
export function backwardTo(
  roots: readonly Edge[],
  rootGrads: readonly Tensor[],
  inputs: readonly Tensor[],
  opts: Pick<WalkOptions, 'retainGraph' | 'createGraph'>,
): void {
  const nonLeaves = new Set(inputs.filter((t) => t.gradFn !== null));
  for (const t of nonLeaves) watch(t);
  const grads = captureWalk(roots, rootGrads, inputs, { ...opts, accumulateInto: nonLeaves });
  const delivered = new Set<unknown>(rootGrads.map((g) => g.storage));
  const done = new Set<Tensor>();
  const deliver = () =>
    inputs.forEach((leaf, i) => {
      const g = grads[i];
      if (!g || nonLeaves.has(leaf) || done.has(leaf)) return;
      done.add(leaf);
      const hooked = runHooks([leaf], g, undefined);
      accumulateIntoLeaf(leaf, hooked, hooked !== g, delivered, opts.createGraph);
    });
  if (opts.createGraph) enableGrad(deliver);
  else noGrad(deliver);
}
