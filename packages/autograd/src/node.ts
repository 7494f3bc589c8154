import type { GradNode, RegisteredOp, Tensor, TensorMeta } from '@autodag/core';
import { noteUnsaved } from './saved-owner.js';

/** Where a gradient goes: output `outputNr` of `node`. */
export interface Edge {
  /** The node that receives the gradient. */
  readonly node: Node;
  /** Which of that node's outputs the gradient belongs to. */
  readonly outputNr: number;
}

/** A saved tensor and its storage version when it was saved. */
export interface SavedTensor {
  /** The tensor the VJP will read. */
  readonly tensor: Tensor;
  /** `tensor.version` at save time; a mismatch at backward means it was modified in place. */
  readonly version: number;
  /** Which argument (or output) of the op it is. */
  readonly index: number;
}

let nextSequence = 0;

/**
 * A node of the autograd graph. `apply` maps the gradients of the node's outputs to the
 * gradients of its inputs (one per edge).
 * @example const y = w.mul(2); y.gradFn instanceof torch.autograd.Node // true
 */
export abstract class Node implements GradNode {
  /**
   * PyTorch-style node name, e.g. `'MulBackward0'`.
   * @example w.mul(2).gradFn!.name // 'MulBackward0'
   */
  abstract readonly name: string;
  /**
   * Creation order; later nodes run first when several are ready (as PyTorch does).
   * @example (y.gradFn as torch.autograd.Node).sequence // larger for nodes recorded later
   */
  readonly sequence = nextSequence++;
  /**
   * One edge per argument; `null` where no gradient is needed.
   * @example (w.mul(2).gradFn as torch.autograd.Node).edges[0]!.node.name // 'AccumulateGrad'
   */
  abstract readonly edges: readonly (Edge | null)[];
  /**
   * Tensors whose hooks or retained `.grad` watch this node's outputs, by output index.
   * @example h.retainGrad(); (h.gradFn as torch.autograd.Node).watchers!.get(0) // [h]
   */
  watchers: Map<number, Tensor[]> | null = null;

  /**
   * The nodes this one sends gradients to (PyTorch's `grad_fn.next_functions`).
   * @example w.mul(2).gradFn!.nextFunctions[0]!.name // 'AccumulateGrad'
   */
  get nextFunctions(): readonly (GradNode | null)[] {
    return this.edges.map((e) => e?.node ?? null);
  }

  /**
   * Number of outputs (gradient slots).
   * @example (w.mul(2).gradFn as torch.autograd.Node).numOutputs // 1
   */
  abstract readonly numOutputs: number;

  /**
   * Maps the gradients of the outputs to the gradients of the inputs, one per edge.
   * @example node.apply([torch.ones(2)], false) // for a FunctionNode, runs its backward
   */
  abstract apply(grads: (Tensor | null)[], createGraph: boolean): (Tensor | null)[];

  /**
   * Drops saved tensors after a backward without `retainGraph`.
   * @example node.release() // later backward through this node throws PyTorch's "backward through the graph a second time" error
   */
  release(): void {}

  /**
   * `<MulBackward0>`, as PyTorch prints a node.
   * @example String(w.mul(2).gradFn) // '<MulBackward0>'
   */
  toString(): string {
    return `<${this.name}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `<${this.name} object>`;
  }
}

/**
 * The node behind an op call recorded by the dispatcher.
 * @example w.mul(2).gradFn instanceof torch.autograd.OpNode // true
 */
export class OpNode extends Node {
  /** The op's backward name (`op.gradFnName`). */
  readonly name: string;
  /** Number of op outputs. */
  readonly numOutputs: number;
  /** The inputs the VJPs read, with their versions; `null` once released. */
  saved: SavedTensor[] | null;
  /** The outputs the VJPs read (ops with `saveOutputs`); `null` once released. */
  savedOutputs: SavedTensor[] | null;
  /** True once saved tensors were dropped; running backward again then throws. */
  released = false;

  constructor(
    readonly op: RegisteredOp,
    readonly edges: (Edge | null)[],
    readonly inputMetas: TensorMeta[],
    readonly attrs: unknown,
    saved: SavedTensor[] | null,
    savedOutputs: SavedTensor[] | null,
    readonly outputMetas: TensorMeta[],
  ) {
    super();
    this.name = op.gradFnName;
    this.numOutputs = outputMetas.length;
    this.saved = saved;
    this.savedOutputs = savedOutputs;
  }

  /** Not called: the engine runs op nodes itself (it needs the op's VJPs and attributes); throws. */
  apply(): (Tensor | null)[] {
    throw new Error('OpNode.apply is run by the engine');
  }

  /** Drops the saved tensors and marks the node released if it had any. */
  override release(): void {
    if (this.saved?.length || this.savedOutputs?.length) this.released = true;
    for (const s of this.saved ?? []) noteUnsaved(s.tensor);
    for (const s of this.savedOutputs ?? []) noteUnsaved(s.tensor);
    this.saved = null;
    this.savedOutputs = null;
  }
}

/**
 * The node that accumulates gradients into a leaf's `.grad`.
 * @example torch.getAutograd().leafNode(w) instanceof torch.autograd.AccumulateGrad // true for a leaf w requiring grad
 */
export class AccumulateGrad extends Node {
  /** Always `'AccumulateGrad'`, as in PyTorch. */
  readonly name = 'AccumulateGrad';
  /** No edges: a leaf's gradient goes nowhere further. */
  readonly edges: readonly (Edge | null)[] = [];
  /** One gradient slot: the leaf's. */
  readonly numOutputs = 1;

  constructor(readonly variable: Tensor) {
    super();
  }

  /** Not used: the engine accumulates into `variable.grad` itself; returns no gradients. */
  apply(): (Tensor | null)[] {
    return [];
  }
}

/**
 * A node with a hand-written backward (`recordFunction`, cross-device copies, explicit DAGs).
 * @example torch.getAutograd().recordFunction('MyBackward', [x], [y], ([g]) => [g]) // attaches a FunctionNode to y
 */
export class FunctionNode extends Node {
  constructor(
    readonly name: string,
    readonly edges: readonly (Edge | null)[],
    readonly numOutputs: number,
    readonly backwardFn: (grads: readonly (Tensor | null)[]) => readonly (Tensor | null)[],
  ) {
    super();
  }

  /**
   * Runs the hand-written backward on the outputs' gradients.
   * @example node.apply([torch.ones(2)]) // the inputs' gradients
   */
  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    return this.backwardFn(grads).slice();
  }
}
