import type { GradNode, Tensor } from '@autodag/core';

/**
 * Graphviz DOT export of autograd graphs (walking `gradFn.nextFunctions`, as torchviz's
 * `make_dot` does) and of explicit DAGs.
 */

/** Options of `toDot`. */
export interface ToDotOptions {
  /** Names for leaf tensors (e.g. parameters), shown on their boxes. */
  params?: Record<string, Tensor>;
  /** Graph name in the `digraph` header (default `autograd`). */
  name?: string;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `(3, 10, 10)`, as torchviz labels tensors. */
function shapeLabel(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

function leafOf(node: GradNode): Tensor | null {
  const v = (node as { variable?: unknown }).variable;
  return v && typeof v === 'object' && 'shape' in v ? (v as Tensor) : null;
}

/**
 * The autograd graph behind one or more tensors, in Graphviz DOT: one box per backward node
 * (`MulBackward0`, `AccumulateGrad`, ...), leaf tensors with their shapes (named when listed in
 * `params`), the root tensors in green, and edges in the direction of the forward computation.
 * @example
 * const y = w.mul(x).tanh().sum();
 * console.log(torch.autograd.toDot(y, { params: { w } }));
 */
export function toDot(roots: Tensor | readonly Tensor[], options: ToDotOptions = {}): string {
  const list = Array.isArray(roots) ? (roots as readonly Tensor[]) : [roots as Tensor];
  const names = new Map<Tensor, string>();
  for (const [name, t] of Object.entries(options.params ?? {})) names.set(t, name);
  const ids = new Map<GradNode | Tensor, string>();
  const id = (x: GradNode | Tensor) => {
    let s = ids.get(x);
    if (!s) {
      s = `n${ids.size}`;
      ids.set(x, s);
    }
    return s;
  };
  const lines: string[] = [
    `digraph ${quote(options.name ?? 'autograd')} {`,
    '  node [shape=box, style=filled, fillcolor=lightgray, fontname="monospace", fontsize=12];',
  ];
  const edges: string[] = [];
  const seen = new Set<GradNode>();
  const stack: GradNode[] = [];
  for (const t of list) {
    const label = `${names.get(t) ? `${names.get(t)}\n` : ''}${shapeLabel(t.shape)}`;
    lines.push(`  ${id(t)} [label=${quote(label)}, fillcolor=darkolivegreen1];`);
    if (t.gradFn) {
      edges.push(`  ${id(t.gradFn)} -> ${id(t)};`);
      if (!seen.has(t.gradFn)) {
        seen.add(t.gradFn);
        stack.push(t.gradFn);
      }
    }
  }
  while (stack.length) {
    const node = stack.pop()!;
    const leaf = leafOf(node);
    lines.push(`  ${id(node)} [label=${quote(node.name)}];`);
    if (leaf) {
      const name = names.get(leaf);
      const label = `${name ? `${name}\n` : ''}${shapeLabel(leaf.shape)}`;
      lines.push(`  ${id(leaf)} [label=${quote(label)}, fillcolor=lightblue];`);
      edges.push(`  ${id(leaf)} -> ${id(node)};`);
    }
    for (const next of node.nextFunctions) {
      if (!next) continue;
      edges.push(`  ${id(next)} -> ${id(node)};`);
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return `${[...lines, ...edges].join('\n')}\n}\n`;
}

/** What `dagDot` draws: an explicit DAG's inputs, parameters and nodes, by name. */
export interface DagDotSpec {
  /** Graph inputs, with their shapes once known. */
  inputs: { name: string; shape?: readonly number[] }[];
  /** Parameters and their shapes. */
  params: { name: string; shape: readonly number[] }[];
  /** Nodes: the op's display name, argument names (inputs then params) and the shape once computed. */
  nodes: { name: string; op: string; args: string[]; shape?: readonly number[] }[];
  /** Names of the output nodes. */
  outputs: string[];
}

/**
 * DOT for an explicit DAG (used by `Dag.toDot`): inputs as ellipses, parameters as blue boxes
 * (a shared one says which nodes share it and gets bold edges), each node as `name = op`,
 * outputs double-bordered.
 * @example dagDot({ inputs: [{ name: 'x0' }], params: [], nodes: [{ name: 'x1', op: 'tanh', args: ['x0'] }], outputs: ['x1'] }) // 'digraph {...}'
 */
export function dagDot(spec: DagDotSpec): string {
  const users = new Map<string, string[]>();
  for (const n of spec.nodes) {
    for (const a of new Set(n.args)) users.set(a, [...(users.get(a) ?? []), n.name]);
  }
  const shared = new Set(
    spec.params.filter((p) => (users.get(p.name)?.length ?? 0) > 1).map((p) => p.name),
  );
  const shape = (s?: readonly number[]) => (s ? `\n${shapeLabel(s)}` : '');
  const lines = ['digraph "dag" {', '  rankdir=LR;', '  node [fontname="monospace", fontsize=12];'];
  for (const i of spec.inputs) {
    lines.push(`  ${quote(i.name)} [shape=ellipse, label=${quote(`${i.name}${shape(i.shape)}`)}];`);
  }
  for (const p of spec.params) {
    const note = shared.has(p.name) ? `\nshared by ${users.get(p.name)!.join(', ')}` : '';
    lines.push(
      `  ${quote(p.name)} [shape=box, style=filled, fillcolor=lightblue${shared.has(p.name) ? ', penwidth=2' : ''}, label=${quote(`${p.name}${shape(p.shape)}${note}`)}];`,
    );
  }
  const outputs = new Set(spec.outputs);
  for (const n of spec.nodes) {
    lines.push(
      `  ${quote(n.name)} [shape=box, style="rounded,filled", fillcolor=${outputs.has(n.name) ? 'darkolivegreen1, peripheries=2' : 'lightgray'}, label=${quote(`${n.name} = ${n.op}${shape(n.shape)}`)}];`,
    );
  }
  for (const n of spec.nodes) {
    n.args.forEach((a, k) => {
      const attrs = [`label=${quote(String(k))}`];
      if (shared.has(a)) attrs.push('style=bold', 'color=blue');
      lines.push(`  ${quote(a)} -> ${quote(n.name)} [${attrs.join(', ')}];`);
    });
  }
  return `${lines.join('\n')}\n}\n`;
}
