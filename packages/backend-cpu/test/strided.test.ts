import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gatherLayout, type Layout, scatterLayout } from '../src/strided.js';

/** Every flat index a layout reaches, in row-major order of its index space. */
function positions({ shape, strides, offset }: Layout): number[] {
  let out = [offset];
  for (let d = 0; d < shape.length; d++) {
    const next: number[] = [];
    for (const p of out) for (let i = 0; i < shape[d]!; i++) next.push(p + i * strides[d]!);
    out = next;
  }
  return out;
}

/** A layout of up to 3 dims (rows either side of SET_MIN_ROW, unit and other steps, some stride 0). */
const layouts = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.constantFrom(0, 1, 2, 7)), { maxLength: 2 })
  .chain((outer) =>
    fc
      .tuple(
        fc.constantFrom(1, 3, 11, 12, 40),
        fc.constantFrom(0, 1, 3),
        fc.integer({ min: 0, max: 9 }),
      )
      .map(
        ([len, step, offset]): Layout => ({
          shape: [...outer.map(([n]) => n), len],
          strides: [...outer.map(([, s]) => s * 50), step],
          offset,
        }),
      ),
  );

function sizeFor(layout: Layout): number {
  return Math.max(0, ...positions(layout)) + 1;
}

describe('scatterLayout', () => {
  it('writes each value to its position (the last write wins where the layout repeats)', () => {
    fc.assert(
      fc.property(layouts, (layout) => {
        const pos = positions(layout);
        const values = Float32Array.from(pos, (_, i) => i + 1);
        const out = new Float32Array(sizeFor(layout)).fill(-1);
        const want = Array.from(out);
        pos.forEach((p, i) => {
          want[p] = values[i]!;
        });
        scatterLayout(values, out, layout);
        expect(Array.from(out)).toEqual(want);
      }),
    );
  });

  it('with accumulate adds every value, so repeated positions receive the sum', () => {
    fc.assert(
      fc.property(layouts, (layout) => {
        const pos = positions(layout);
        const values = Float64Array.from(pos, (_, i) => i + 1);
        const out = new Float64Array(sizeFor(layout)).fill(0.5);
        const want = Array.from(out);
        pos.forEach((p, i) => {
          want[p]! += values[i]!;
        });
        scatterLayout(values, out, layout, true);
        expect(Array.from(out)).toEqual(want);
      }),
    );
  });

  it('undoes gatherLayout for a layout without repeats', () => {
    const layout: Layout = { shape: [3, 20], strides: [41, 2], offset: 1 };
    const src = Float32Array.from({ length: 124 }, (_, i) => i);
    const dense = new Float32Array(60);
    gatherLayout(src, layout, dense);
    const out = new Float32Array(124);
    scatterLayout(dense, out, layout);
    for (const p of positions(layout)) expect(out[p]).toBe(src[p]);
  });

  it('0-d layouts write (or add) one element; empty ones write nothing, even past the end', () => {
    const out = new Int32Array([5, 6, 7]);
    scatterLayout(new Int32Array([9]), out, { shape: [], strides: [], offset: 1 });
    scatterLayout(new Int32Array([4]), out, { shape: [], strides: [], offset: 2 }, true);
    scatterLayout(new Int32Array(0), out, { shape: [0, 4], strides: [4, 1], offset: 10 });
    expect(Array.from(out)).toEqual([5, 9, 11]);
  });
});

describe('gatherLayout', () => {
  it('reads the positions of any layout in row-major order, from outOffset', () => {
    fc.assert(
      fc.property(layouts, (layout) => {
        const pos = positions(layout);
        const src = Float32Array.from({ length: sizeFor(layout) }, (_, i) => i * 3 + 1);
        const out = new Float32Array(pos.length + 2).fill(-1);
        gatherLayout(src, layout, out, 1);
        expect(Array.from(out)).toEqual([-1, ...pos.map((p) => src[p]!), -1]);
      }),
    );
  });
});
