import type { RegisteredOp, Tensor, VjpContext } from '@autodag/core';
import {
  argName,
  checkArity,
  checkTensor,
  checkTensorOrList,
  dispatch,
  enableGrad,
  formatShape,
  getOp,
  isFloatingPoint,
  noGrad,
  onesLike,
  resolveAttrs,
  shapesEqual,
  Tensor as TensorClass,
  zerosLike,
} from '@autodag/core';
import type { DagDotSpec } from './dot.js';
import { dagDot } from './dot.js';
import { grad } from './grad.js';

/**
 * Explicit DAGs: a graph built by hand from operators φ⁽ⁱ⁾(x_{c₁}, …; w) whose arguments are
 * graph inputs, earlier activations and (possibly shared) parameters. `forward` evaluates the
 * nodes in topological order; `backward` runs reverse-mode differentiation node by node with
 * each operator's vector-Jacobian products J_{φ|x}ᵀ g and J_{φ|w}ᵀ g, summing the gradients of
 * activations used by several nodes and of parameters shared by several nodes.
 */

/**
 * An operator given as an object: its forward and, optionally, its VJPs. A missing VJP is
 * derived by differentiating `forward` with autograd.
 * @example
 * const affine: DagOperator = {
 *   name: 'affine',
 *   forward: ([x], [w, b]) => w.mv(x).add(b),
 *   vjpInputs: (g, _x, [w]) => [w.t().mv(g)],
 *   vjpParams: (g, [x]) => [g.outer(x), g],
 * };
 */
export interface DagOperator {
  /** Shown in errors and in `toDot()`; default `'φ'`. */
  readonly name?: string;
  /** x⁽ⁱ⁾ = φ(inputs; params). */
  forward(inputs: Tensor[], params: Tensor[]): Tensor;
  /** J_{φ|x_c}ᵀ grad for every input c (`null` for none). */
  vjpInputs?(grad: Tensor, inputs: Tensor[], params: Tensor[], out: Tensor): (Tensor | null)[];
  /** J_{φ|w}ᵀ grad for every parameter (`null` for none). */
  vjpParams?(grad: Tensor, inputs: Tensor[], params: Tensor[], out: Tensor): (Tensor | null)[];
}

/**
 * What a node computes: a registered op name (called like `torch.callOp`, arguments = inputs then
 * params, VJPs from the op's definition), a `DagOperator`, or a plain function (VJPs by autograd).
 */
export type DagOp = string | DagOperator | ((inputs: Tensor[], params: Tensor[]) => Tensor);

/**
 * A graph input x⁽⁰⁾, fed to `forward` by name.
 * @example const x0 = g.input('x0'); x0.name // 'x0'
 */
export class DagInput {
  /** Discriminates the three handle kinds: always `'input'`. */
  readonly kind = 'input' as const;
  /** @internal use `dag.input(name)`. */
  constructor(
    readonly dag: Dag,
    readonly name: string,
  ) {}
}

/**
 * A parameter w: a tensor any number of nodes may use (weight sharing).
 * @example const w1 = g.parameter('w1', torch.randn(3, 3)); w1.value // the tensor
 */
export class DagParameter {
  /** Discriminates the three handle kinds: always `'parameter'`. */
  readonly kind = 'parameter' as const;
  /** @internal use `dag.parameter(name, value)`. */
  constructor(
    readonly dag: Dag,
    readonly name: string,
    /** The current value; replace it (or update it in place under `noGrad`) when training. */
    public value: Tensor,
  ) {}
}

/**
 * An activation x⁽ⁱ⁾ = φ⁽ⁱ⁾(inputs; params).
 * @example const x1 = g.node('x1', 'tanh', { inputs: [x0] }); x1.name // 'x1'
 */
export class DagNode {
  /** Discriminates the three handle kinds: always `'node'`. */
  readonly kind = 'node' as const;
  /** @internal use `dag.node(...)`. */
  constructor(
    readonly dag: Dag,
    readonly name: string,
    readonly op: DagOp,
    readonly inputs: readonly DagRef[],
    readonly params: readonly (DagParameter | string)[],
    readonly attrs: Readonly<Record<string, unknown>>,
  ) {}
}

/** Refers to an input, parameter or node: by handle or by name (names may refer to later nodes). */
export type DagRef = DagInput | DagParameter | DagNode | string;

/** Options of `dag.node`. */
export interface DagNodeOptions {
  /** Arguments x_c: inputs, earlier (or later-defined) nodes, or parameters, in call order. */
  inputs?: readonly DagRef[];
  /** Parameters w, passed after the inputs. */
  params?: readonly (DagParameter | string)[];
  /** Attributes of a registered op (e.g. `{ dims: [0] }` for `'sum'`). */
  attrs?: Record<string, unknown>;
}

/** Gradients from `dag.backward`, by name. Entries that no gradient reached are zeros. */
export interface DagGradients {
  /** dℓ/dx⁽ⁱ⁾ for every node. */
  readonly nodes: Record<string, Tensor>;
  /** dℓ/dx⁽⁰⁾ for every graph input. */
  readonly inputs: Record<string, Tensor>;
  /** dℓ/dw for every parameter, summed over the nodes that share it. */
  readonly params: Record<string, Tensor>;
}

/** Options of `dag.backward`. */
export interface DagBackwardOptions {
  /** Record the backward pass so the gradients can be differentiated again. */
  createGraph?: boolean;
  /** Also add the parameter gradients into each parameter tensor's `.grad` (as `tensor.backward()` does). */
  accumulate?: boolean;
}

type Arg = { kind: 'input' | 'parameter' | 'node'; name: string };
interface Compiled {
  order: DagNode[];
  args: Map<DagNode, Arg[]>;
}

function opName(op: DagOp): string {
  if (typeof op === 'string') return op;
  if (typeof op === 'function') return op.name || 'φ';
  return op.name ?? 'φ';
}

/**
 * A hand-built computation graph. Names are unique across inputs, parameters and nodes.
 * @example
 * const g = new torch.autograd.Dag();
 * const x0 = g.input('x0');
 * const w1 = g.parameter('w1', torch.randn(3, 3));
 * const x1 = g.node('x1', (xs, [w]) => w.mv(xs[0]).tanh(), { inputs: [x0], params: [w1] });
 * const x2 = g.node('x2', 'sum', { inputs: [x1] });
 * g.output(x2);
 * g.forward({ x0: torch.randn(3) });
 * const { params } = g.backward(); // params.w1 = dℓ/dw1
 */
export class Dag {
  private readonly entries = new Map<string, DagInput | DagParameter | DagNode>();
  private readonly nodeList: DagNode[] = [];
  private outputs: DagRef[] = [];
  private compiled: Compiled | null = null;
  private values: Map<string, Tensor> | null = null;

  private add<T extends DagInput | DagParameter | DagNode>(item: T): T {
    if (typeof item.name !== 'string' || item.name === '') {
      throw new TypeError('Dag: names must be non-empty strings');
    }
    const existing = this.entries.get(item.name);
    if (existing) {
      throw new Error(`Dag: duplicate name '${item.name}' (already used by a ${existing.kind})`);
    }
    this.entries.set(item.name, item);
    this.compiled = null;
    this.values = null;
    return item;
  }

  /**
   * Declares a graph input, fed by name to `forward`.
   * @example const x0 = g.input('x0');
   */
  input(name: string): DagInput {
    return this.add(new DagInput(this, name));
  }

  /**
   * Declares a parameter w with its value; several nodes may use it (weight sharing).
   * @example const w1 = g.parameter('w1', torch.randn(4, 4));
   */
  parameter(name: string, value: Tensor): DagParameter {
    checkTensor(value, 'Dag.parameter', 'value');
    return this.add(new DagParameter(this, name, value));
  }

  /**
   * Adds the node x⁽ⁱ⁾ = φ(inputs; params). Inputs may name nodes defined later; the graph is
   * checked (unknown names, cycles) when it is first evaluated or drawn.
   * @example
   * g.node('x2', 'mul', { inputs: [x0, x1] });
   * g.node('x3', phi3, { inputs: [x1, x2], params: [w1] });
   */
  node(name: string, op: DagOp, options: DagNodeOptions = {}): DagNode {
    const kind = typeof op;
    if (kind !== 'string' && kind !== 'function' && (kind !== 'object' || op === null)) {
      throw new TypeError(
        `Dag.node('${name}'): the operator must be an op name, an operator object or a function, got ${op === null ? 'null' : kind}`,
      );
    }
    if (kind === 'object' && typeof (op as DagOperator).forward !== 'function') {
      throw new TypeError(`Dag.node('${name}'): the operator object needs a forward() method`);
    }
    if (kind === 'string') getOp(op as string);
    const refs = [...(options.inputs ?? []), ...(options.params ?? [])];
    for (const r of refs) {
      if (typeof r !== 'string' && (r as { dag?: unknown })?.dag !== this) {
        throw new Error(
          `Dag.node('${name}'): argument ${typeof r === 'object' && r ? `'${(r as DagNode).name}' ` : ''}is not a name or a handle of this graph`,
        );
      }
    }
    const node = new DagNode(
      this,
      name,
      op,
      (options.inputs ?? []).slice(),
      (options.params ?? []).slice(),
      { ...(options.attrs ?? {}) },
    );
    this.add(node);
    this.nodeList.push(node);
    return node;
  }

  /**
   * Marks the node(s) whose values `forward` returns and `backward` starts from.
   * @example g.output(x3);
   */
  output(...nodes: DagRef[]): this {
    if (nodes.length === 0) throw new Error('Dag.output: give at least one node');
    this.outputs = nodes;
    this.compiled = null;
    return this;
  }

  /**
   * Names of the nodes in the order `forward` evaluates them (Kahn's algorithm).
   * @example g.order() // ['x1', 'x2'] for the class example
   */
  order(): string[] {
    return this.compile().order.map((n) => n.name);
  }

  /**
   * The parameters, by name.
   * @example g.parameters() // { w1: Tensor }
   */
  parameters(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const e of this.entries.values()) if (e.kind === 'parameter') out[e.name] = e.value;
    return out;
  }

  private resolve(ref: DagRef, user: string): Arg {
    const name = typeof ref === 'string' ? ref : ref.name;
    const item = this.entries.get(name);
    if (!item) {
      const known = [...this.entries.keys()];
      throw new Error(
        `Dag: ${user} refers to unknown name '${name}' (known: ${known.length ? known.join(', ') : 'none'})`,
      );
    }
    return { kind: item.kind, name };
  }

  private outputNames(): string[] {
    if (this.outputs.length === 0) {
      throw new Error('Dag: no output; call dag.output(node) first');
    }
    return this.outputs.map((r) => {
      const a = this.resolve(r, 'output');
      if (a.kind !== 'node') throw new Error(`Dag: output '${a.name}' is a ${a.kind}, not a node`);
      return a.name;
    });
  }

  /** Resolves names, then orders the nodes with Kahn's algorithm; throws on cycles. */
  private compile(): Compiled {
    if (this.compiled) return this.compiled;
    const args = new Map<DagNode, Arg[]>();
    for (const node of this.nodeList) {
      const list = node.inputs.map((r) => this.resolve(r, `node '${node.name}'`));
      for (const p of node.params) {
        const a = this.resolve(p, `node '${node.name}'`);
        if (a.kind !== 'parameter') {
          throw new Error(
            `Dag: node '${node.name}' lists '${a.name}' in params, but it is a ${a.kind}, not a parameter`,
          );
        }
        list.push(a);
      }
      args.set(node, list);
    }
    const byName = new Map(this.nodeList.map((n) => [n.name, n]));
    const indegree = new Map<DagNode, number>();
    const consumers = new Map<DagNode, DagNode[]>();
    for (const node of this.nodeList) {
      let count = 0;
      for (const a of args.get(node)!) {
        if (a.kind !== 'node') continue;
        count++;
        const producer = byName.get(a.name)!;
        consumers.set(producer, [...(consumers.get(producer) ?? []), node]);
      }
      indegree.set(node, count);
    }
    const queue = this.nodeList.filter((n) => indegree.get(n) === 0);
    const order: DagNode[] = [];
    while (queue.length) {
      const node = queue.shift()!;
      order.push(node);
      for (const c of consumers.get(node) ?? []) {
        const left = indegree.get(c)! - 1;
        indegree.set(c, left);
        if (left === 0) queue.push(c);
      }
    }
    if (order.length < this.nodeList.length) {
      const done = new Set(order);
      const cycle = findCycle(
        this.nodeList.filter((n) => !done.has(n)),
        (n) => args.get(n)!.flatMap((a) => (a.kind === 'node' ? [byName.get(a.name)!] : [])),
      );
      throw new Error(`Dag: cycle detected: ${cycle.map((n) => n.name).join(' -> ')}`);
    }
    this.compiled = { order, args };
    return this.compiled;
  }

  private argValue(a: Arg, values: Map<string, Tensor>): Tensor {
    if (a.kind === 'parameter') return (this.entries.get(a.name) as DagParameter).value;
    return values.get(a.name)!;
  }

  /**
   * Evaluates every node in topological order from the given input values and returns the
   * output(s): a tensor for one output, an array for several. `backward` differentiates the graph
   * itself; when inputs or parameters require grad, autograd also records the forward as usual
   * (so `backward({ createGraph: true })` gives differentiable gradients and `y.backward()` works).
   * @example const y = g.forward({ x0: torch.randn(3) });
   */
  forward(feeds: Record<string, Tensor>): Tensor | Tensor[] {
    const { order, args } = this.compile();
    const outs = this.outputNames();
    const values = new Map<string, Tensor>();
    for (const [name, t] of Object.entries(feeds)) {
      const item = this.entries.get(name);
      if (item?.kind !== 'input') {
        throw new Error(
          `Dag.forward: '${name}' is not an input of the graph (inputs: ${this.names('input').join(', ') || 'none'})`,
        );
      }
      checkTensor(t, 'Dag.forward', name);
      values.set(name, t);
    }
    for (const name of this.names('input')) {
      if (!values.has(name)) throw new Error(`Dag.forward: missing value for input '${name}'`);
    }
    for (const node of order) {
      values.set(node.name, this.evaluate(node, args.get(node)!, values));
    }
    this.values = values;
    const results = outs.map((n) => values.get(n)!);
    return results.length === 1 ? results[0]! : results;
  }

  private names(kind: 'input' | 'parameter' | 'node'): string[] {
    return [...this.entries.values()].filter((e) => e.kind === kind).map((e) => e.name);
  }

  private split(node: DagNode, list: readonly Arg[], values: Map<string, Tensor>) {
    const all = list.map((a) => this.argValue(a, values));
    const nIn = node.inputs.length;
    return { all, inputs: all.slice(0, nIn), params: all.slice(nIn) };
  }

  private evaluate(node: DagNode, list: readonly Arg[], values: Map<string, Tensor>): Tensor {
    const { all, inputs, params } = this.split(node, list, values);
    const where = `Dag: node '${node.name}' (${opName(node.op)})`;
    let out: unknown;
    try {
      out = runForward(node, all, inputs, params);
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
    }
    if (Array.isArray(out)) {
      throw new Error(`${where} returned ${out.length} tensors; a node must produce exactly one`);
    }
    if (!(out instanceof TensorClass)) throw new TypeError(`${where} must return a Tensor`);
    return out;
  }

  /**
   * The value a node (or input) had in the last `forward`.
   * @example g.forward({ x0 }); g.value('x1')
   */
  value(name: string): Tensor {
    if (!this.values) throw new Error('Dag.value: call forward() first');
    const v = this.values.get(name);
    if (v) return v;
    const item = this.entries.get(name);
    if (item?.kind === 'parameter') return item.value;
    throw new Error(`Dag.value: unknown node or input '${name}'`);
  }

  /**
   * Back-propagates from the outputs of the last `forward`: visits the nodes in reverse
   * topological order, applies each operator's VJPs to the gradient of its activation, and sums
   * what flows into activations and parameters used by several nodes. `gradOutputs` (one per
   * output) defaults to ones for a single one-element output.
   * @example const { nodes, inputs, params } = g.backward();
   */
  backward(
    gradOutputs?: Tensor | readonly Tensor[] | null,
    options: DagBackwardOptions = {},
  ): DagGradients {
    const values = this.values;
    if (!values) throw new Error('Dag.backward: call forward() first');
    const { order, args } = this.compile();
    const outs = this.outputNames();
    if (gradOutputs != null) checkTensorOrList(gradOutputs, 'Dag.backward', 'gradOutputs');
    const given =
      gradOutputs == null ? [] : gradOutputs instanceof TensorClass ? [gradOutputs] : gradOutputs;
    if (given.length && given.length !== outs.length) {
      throw new RangeError(
        `Dag.backward: got ${given.length} gradients for ${outs.length} outputs`,
      );
    }
    const bufs = new Map<string, Tensor>();
    const add = (name: string, g: Tensor) => {
      const prev = bufs.get(name);
      bufs.set(name, prev ? prev.add(g) : g);
    };
    outs.forEach((name, i) => {
      const out = values.get(name)!;
      const g = given[i];
      if (!g) {
        if (out.numel() !== 1)
          throw new Error(
            `Dag.backward: grad can be implicitly created only for scalar outputs (output '${name}' has shape ${formatShape(out.shape)})`,
          );
        add(name, onesLike(out));
      } else {
        if (!shapesEqual(g.shape, out.shape)) {
          throw new RangeError(
            `Dag.backward: Mismatch in shape: gradient for output '${name}' has a shape of ${formatShape(g.shape)} and the output has a shape of ${formatShape(out.shape)}.`,
          );
        }
        add(name, g);
      }
    });
    const paramGrads = new Map<string, Tensor>();
    const run = () => {
      for (let k = order.length - 1; k >= 0; k--) {
        const node = order[k]!;
        const g = bufs.get(node.name);
        if (!g) continue; // nothing downstream depends on this node
        const list = args.get(node)!;
        const { all, inputs, params } = this.split(node, list, values);
        const out = values.get(node.name)!;
        const grads = runVjp(node, g, all, inputs, params, out, options.createGraph ?? false);
        list.forEach((a, i) => {
          const gi = grads[i];
          if (!gi) return;
          if (!shapesEqual(gi.shape, all[i]!.shape)) {
            throw new Error(
              `Dag: node '${node.name}' (${opName(node.op)}) returned a gradient of shape ${formatShape(gi.shape)} for argument ${i} ('${a.name}'), expected ${formatShape(all[i]!.shape)}`,
            );
          }
          if (a.kind === 'parameter') {
            const prev = paramGrads.get(a.name);
            paramGrads.set(a.name, prev ? prev.add(gi) : gi);
          } else add(a.name, gi);
        });
      }
    };
    if (options.createGraph) enableGrad(run);
    else noGrad(run);
    const pick = (kind: 'input' | 'node', source: Map<string, Tensor>) => {
      const out: Record<string, Tensor> = {};
      for (const name of this.names(kind)) {
        out[name] = source.get(name) ?? zerosLike(values.get(name)!);
      }
      return out;
    };
    const params: Record<string, Tensor> = {};
    for (const name of this.names('parameter')) {
      const p = this.entries.get(name) as DagParameter;
      params[name] = paramGrads.get(name) ?? zerosLike(p.value);
      if (options.accumulate) {
        const g = options.createGraph ? params[name]! : params[name]!.detach();
        // Recorded under createGraph, so the stored .grad stays differentiable.
        const store = () => {
          p.value.grad = p.value.grad ? p.value.grad.add(g) : g.clone();
        };
        if (options.createGraph) enableGrad(store);
        else noGrad(store);
      }
    }
    return { nodes: pick('node', bufs), inputs: pick('input', bufs), params };
  }

  /**
   * The graph in Graphviz DOT: inputs (ellipses), parameters (boxes; shared ones marked with the
   * nodes that use them), operator nodes, and edges in the direction data flows.
   * @example console.log(g.toDot()) // paste into https://dreampuf.github.io/GraphvizOnline
   */
  toDot(): string {
    const { order, args } = this.compile();
    let outs: string[] = [];
    try {
      outs = this.outputNames();
    } catch {
      outs = [];
    }
    const spec: DagDotSpec = {
      inputs: this.names('input').map((name) => ({
        name,
        shape: this.values?.get(name)?.shape,
      })),
      params: this.names('parameter').map((name) => ({
        name,
        shape: (this.entries.get(name) as DagParameter).value.shape,
      })),
      nodes: order.map((n) => ({
        name: n.name,
        op: opName(n.op),
        args: args.get(n)!.map((a) => a.name),
        shape: this.values?.get(n.name)?.shape,
      })),
      outputs: outs,
    };
    return dagDot(spec);
  }
}

/** Finds one cycle among `nodes` (each listing its producers); returned in data-flow order. */
function findCycle(nodes: readonly DagNode[], producers: (n: DagNode) => DagNode[]): DagNode[] {
  const state = new Map<DagNode, 1 | 2>();
  const stack: DagNode[] = [];
  const visit = (n: DagNode): DagNode[] | null => {
    state.set(n, 1);
    stack.push(n);
    for (const p of producers(n)) {
      if (state.get(p) === 1) {
        // The stack runs consumer -> producer; data flows the other way. Start the report at
        // the earliest-defined node on the cycle so it reads like the graph's definition.
        const cycle = stack.slice(stack.indexOf(p)).reverse();
        const first = cycle.reduce(
          (b, c, i) => (nodes.indexOf(c) < nodes.indexOf(cycle[b]!) ? i : b),
          0,
        );
        const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
        return [...rotated, rotated[0]!];
      }
      if (!state.has(p)) {
        const found = visit(p);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of nodes) {
    if (!state.has(n)) {
      const found = visit(n);
      if (found) return found;
    }
  }
  return nodes.slice(0, 1);
}

function runForward(node: DagNode, all: Tensor[], inputs: Tensor[], params: Tensor[]): unknown {
  const op = node.op;
  if (typeof op === 'string') {
    const registered = getOp(op);
    checkArity(registered, all.length);
    const outs = dispatch(registered, all, resolveAttrs(registered, { ...node.attrs }));
    return outs.length === 1 ? outs[0] : outs;
  }
  if (typeof op === 'function') return op(inputs, params);
  return op.forward(inputs, params);
}

/** VJPs by differentiating the node's forward with autograd (for ops without explicit VJPs). */
function autogradVjp(
  node: DagNode,
  g: Tensor,
  all: Tensor[],
  createGraph: boolean,
): (Tensor | null)[] {
  return enableGrad(() => {
    // Under createGraph, arguments already in a graph stay in it so the result is differentiable.
    const leaves = all.map((t) =>
      !isFloatingPoint(t.dtype) || (createGraph && t.requiresGrad) ? t : t.detach().requiresGrad_(),
    );
    const nIn = node.inputs.length;
    const out = runForward(node, leaves, leaves.slice(0, nIn), leaves.slice(nIn)) as Tensor;
    const diff = leaves.filter((t) => t.requiresGrad);
    if (!out.requiresGrad || diff.length === 0) return all.map(() => null);
    const gs = grad(out, diff, { gradOutputs: [g], allowUnused: true, createGraph });
    let k = 0;
    return leaves.map((t) => (t.requiresGrad ? gs[k++]! : null));
  });
}

function registryVjp(op: RegisteredOp, node: DagNode, g: Tensor, all: Tensor[], out: Tensor) {
  const def = op.def;
  const ctx: { -readonly [K in keyof VjpContext]: VjpContext[K] } = {
    grad: g,
    grads: [g],
    inputs: all,
    inputMetas: all.map((t) => ({ shape: t.shape, dtype: t.dtype })),
    outputs: [out],
    attrs: resolveAttrs(op, { ...node.attrs }),
    index: 0,
  };
  return all.map((t, i) => {
    if (!isFloatingPoint(t.dtype)) return null;
    const name = argName(op, i);
    const vjp = def.vjp?.[name];
    if (!vjp) {
      throw new Error(
        `Dag: node '${node.name}': the derivative for '${def.name}' with respect to '${name}' is not implemented`,
      );
    }
    ctx.index = i;
    return vjp(ctx as VjpContext<never>);
  });
}

/** J_{φ|x}ᵀ g and J_{φ|w}ᵀ g for one node: one gradient per argument (inputs, then params). */
function runVjp(
  node: DagNode,
  g: Tensor,
  all: Tensor[],
  inputs: Tensor[],
  params: Tensor[],
  out: Tensor,
  createGraph: boolean,
): (Tensor | null)[] {
  const op = node.op;
  if (typeof op === 'string') {
    const registered = getOp(op);
    if (registered.def.composite || !registered.def.vjp)
      return autogradVjp(node, g, all, createGraph);
    return registryVjp(registered, node, g, all, out);
  }
  if (typeof op === 'function' || (!op.vjpInputs && !op.vjpParams)) {
    return autogradVjp(node, g, all, createGraph);
  }
  const derived =
    !op.vjpInputs || (!op.vjpParams && params.length)
      ? autogradVjp(node, g, all, createGraph)
      : null;
  const gi = op.vjpInputs ? op.vjpInputs(g, inputs, params, out) : derived!.slice(0, inputs.length);
  const gp = op.vjpParams
    ? op.vjpParams(g, inputs, params, out)
    : (derived?.slice(inputs.length) ?? []);
  if (gi.length !== inputs.length || gp.length !== params.length) {
    throw new Error(
      `Dag: node '${node.name}' (${opName(op)}): vjpInputs/vjpParams returned ${gi.length}/${gp.length} gradients for ${inputs.length} inputs and ${params.length} params`,
    );
  }
  return [...gi, ...gp];
}
