import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Node } from '../src/node.js';
import { ReadyQueue } from '../src/ready-queue.js';

describe('ReadyQueue', () => {
  it('pops nodes latest-created first, whatever the push order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 60 }), (sequences) => {
        const q = new ReadyQueue();
        for (const sequence of sequences) q.push({ sequence } as Node);
        const popped: number[] = [];
        for (let n = q.pop(); n; n = q.pop()) popped.push(n.sequence);
        expect(popped).toEqual([...sequences].sort((a, b) => b - a));
        expect(q.size).toBe(0);
      }),
    );
  });
});
