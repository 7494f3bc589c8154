import type { RegisteredOp } from './registry.js';
import type { Tensor } from './tensor.js';

/** A node of the autograd graph, as `tensor.gradFn` exposes it (`MulBackward0`, ...). */
export interface GradNode {
  /** PyTorch-style name, e.g. `'MulBackward0'` or `'AccumulateGrad'`. */
  readonly name: string;
  /** The nodes this one sends gradients to, one per differentiable argument (`null` where none). */
  readonly nextFunctions: readonly (GradNode | null)[];
}

/** Options of `tensor.backward()`. */
export interface BackwardOptions {
  /** Keep the saved tensors so that backward can run through the graph again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients. */
  createGraph?: boolean;
  /** Accumulate only into these tensors' `.grad` (leaves or not), walking only the graph that leads to them. */
  inputs?: readonly Tensor[];
}

/**
 * The hooks core calls into autograd with. Core records nothing by itself: the
 * `@autodag/autograd` package installs an engine, keeping dependencies one-way.
 */
export interface AutogradEngine {
  /** Called after an op ran with grad mode on and some argument requiring grad: attach a node to `outputs`. */
  record(
    op: RegisteredOp,
    args: readonly Tensor[],
    attrs: unknown,
    outputs: readonly Tensor[],
  ): void;
  /**
   * Records a node with a hand-written backward (PyTorch's `autograd.Function`): `backward` maps
   * the outputs' gradients to the inputs' gradients.
   */
  recordFunction(
    name: string,
    inputs: readonly Tensor[],
    outputs: readonly Tensor[],
    backward: (grads: readonly (Tensor | null)[]) => readonly (Tensor | null)[],
  ): void;
  /** `tensor.backward(gradient, options)`. */
  backward(tensor: Tensor, gradient: Tensor | null, options: BackwardOptions): void;
  /** Makes a non-leaf tensor's hooks and retained `.grad` see the gradient of its node's output. */
  watch(tensor: Tensor): void;
  /** The node that accumulates into a leaf's `.grad`, created on demand. */
  leafNode(tensor: Tensor): GradNode;
  /**
   * Takes a library temporary nobody else can reach (made inside a composite op and not
   * returned): disposed now if no node saved it for backward, else once the last node that saved
   * it is released.
   */
  releaseWhenUnsaved?(tensor: Tensor): void;
}

let engine: AutogradEngine | null = null;
let gradEnabled = true;

/**
 * Installs the autograd engine; done by `@autodag/autograd` on import.
 * @example torch.installAutograd(engine) // what importing '@autodag/autograd' does
 */
export function installAutograd(e: AutogradEngine): void {
  engine = {
    ...e,
    recordFunction(name, inputs, outputs, backward) {
      functionNodes++;
      e.recordFunction(name, inputs, outputs, backward);
    },
  };
}

let functionNodes = 0;

/**
 * How many hand-written backward nodes were recorded so far. Their closures may hold any tensor,
 * so a composite op that recorded one leaves its intermediates to the garbage collector.
 * @example const before = functionNodesRecorded(); ...; functionNodesRecorded() > before
 */
export function functionNodesRecorded(): number {
  return functionNodes;
}

/**
 * The installed engine; a clear error when no autograd package was imported.
 * @example torch.getAutograd().leafNode(w).name // 'AccumulateGrad'
 */
export function getAutograd(): AutogradEngine {
  if (!engine) {
    throw new Error(
      "No autograd engine installed: import '@autodag/autograd' (the 'autodag' package does this)",
    );
  }
  return engine;
}

/**
 * True when autograd is installed (ops then record graphs for tensors requiring grad).
 * @example torch.hasAutograd() // true after `import * as torch from 'autodag'`
 */
export function hasAutograd(): boolean {
  return engine !== null;
}

/**
 * Whether ops currently record the autograd graph.
 * @example torch.noGrad(() => torch.isGradEnabled()) // false
 */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Turns graph recording on or off globally; prefer the scoped `noGrad`/`enableGrad`.
 * @example torch.setGradEnabled(false); const y = x.mul(2); torch.setGradEnabled(true) // y.requiresGrad === false
 */
export function setGradEnabled(enabled: boolean): void {
  gradEnabled = enabled;
}

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/**
 * Runs `fn` without recording the graph (PyTorch's `with torch.no_grad():`).
 * @example const y = torch.noGrad(() => w.mul(2)); y.requiresGrad // false
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/**
 * Runs `fn` with graph recording on, even inside `noGrad`.
 * @example torch.noGrad(() => torch.enableGrad(() => w.mul(2))).requiresGrad // true
 */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
