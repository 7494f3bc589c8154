import type { Node } from './node.js';

/** Questions the backward walk asks of the graph before it runs. */

/** Collects, for every node reachable from the roots, how many edges point at it. */
export function countDependencies(roots: readonly Node[]): Map<Node, number> {
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
export function capturesBelow(roots: readonly Node[], capture: Map<Node, unknown>): Set<Node> {
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
