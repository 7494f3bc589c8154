import type { GradNode, RegisteredOp, Tensor, TensorMeta } from '@autodag/core';

/** Where a gradient goes: output `outputNr` of `node`. */
export interface Edge {
  readonly node: Node;
  readonly outputNr: number;
}

/** A saved tensor and its storage version when it was saved. */
export interface SavedTensor {
  readonly tensor: Tensor;
  readonly version: number;
}

let nextSequence = 0;

/**
 * A node of the autograd graph. `apply` maps the gradients of the node's outputs to the
 * gradients of its inputs (one per edge).
 */
export abstract class Node implements GradNode {
  abstract readonly name: string;
  /** Creation order; later nodes run first when several are ready (as PyTorch does). */
  readonly sequence = nextSequence++;
  /** One edge per argument; `null` where no gradient is needed. */
  abstract readonly edges: readonly (Edge | null)[];
  /** Tensors whose hooks or retained `.grad` watch this node's outputs, by output index. */
  watchers: Map<number, Tensor[]> | null = null;

  get nextFunctions(): readonly (GradNode | null)[] {
    return this.edges.map((e) => e?.node ?? null);
  }

  /** Number of outputs (gradient slots). */
  abstract readonly numOutputs: number;

  abstract apply(grads: (Tensor | null)[], createGraph: boolean): (Tensor | null)[];

  /** Drops saved tensors after a backward without `retainGraph`. */
  release(): void {}

  toString(): string {
    return `<${this.name}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `<${this.name} object>`;
  }
}

/** The node behind an op call recorded by the dispatcher. */
export class OpNode extends Node {
  readonly name: string;
  readonly numOutputs: number;
  saved: SavedTensor[] | null;
  savedOutputs: SavedTensor[] | null;
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

  apply(): (Tensor | null)[] {
    throw new Error('OpNode.apply is run by the engine');
  }

  override release(): void {
    if (this.saved?.length || this.savedOutputs?.length) this.released = true;
    this.saved = null;
    this.savedOutputs = null;
  }
}

/** The node that accumulates gradients into a leaf's `.grad`. */
export class AccumulateGrad extends Node {
  readonly name = 'AccumulateGrad';
  readonly edges: readonly (Edge | null)[] = [];
  readonly numOutputs = 1;

  constructor(readonly variable: Tensor) {
    super();
  }

  apply(): (Tensor | null)[] {
    return [];
  }
}

/** A node with a hand-written backward (`recordFunction`, cross-device copies, explicit DAGs). */
export class FunctionNode extends Node {
  constructor(
    readonly name: string,
    readonly edges: readonly (Edge | null)[],
    readonly numOutputs: number,
    readonly backwardFn: (grads: readonly (Tensor | null)[]) => readonly (Tensor | null)[],
  ) {
    super();
  }

  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    return this.backwardFn(grads).slice();
  }
}
