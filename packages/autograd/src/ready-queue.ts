import type { Node } from './node.js';

/**
 * The nodes whose gradients are complete, latest-created first (PyTorch's order: a node created
 * later ran later in the forward pass, so its backward goes first). A binary max-heap on
 * `sequence`, so wide graphs cost O(log n) per node rather than a scan.
 * @example const q = new ReadyQueue(); q.push(node); q.pop() // node
 */
export class ReadyQueue {
  private readonly heap: Node[] = [];

  /** Number of nodes waiting. */
  get size(): number {
    return this.heap.length;
  }

  /** Adds a node whose gradients are complete. */
  push(node: Node): void {
    const h = this.heap;
    let i = h.length;
    h.push(node);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.sequence >= node.sequence) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = node;
  }

  /** Removes and returns the latest-created waiting node. */
  pop(): Node | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const child = r < h.length && h[r]!.sequence > h[l]!.sequence ? r : l;
      if (h[child]!.sequence <= last.sequence) break;
      h[i] = h[child]!;
      i = child;
    }
    h[i] = last;
    return top;
  }
}
