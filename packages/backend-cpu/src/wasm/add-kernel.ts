import { Code, type FunctionDef } from './assembler.js';

/**
 * `add3_f32(pd, pa, pb, pc, n4)`: d[k] += a[k] + b[k] + c[k] for k < 4·n4 (n4 ≥ 1), float32 runs
 * at byte addresses in the shared memory, four lanes at a time (the scatter-add of a column
 * matrix back into an image, three kernel taps at once).
 */

const PD = 0;
const PA = 1;
const PB = 2;
const PC = 3;
const N4 = 4;

/**
 * The `add3_f32` function (assembled with the other kernels in ./runtime.ts).
 * @example assemble([add3F32()])
 */
export function add3F32(): FunctionDef {
  const c = new Code();
  c.loop((l) => {
    // d + ((a + b) + c), the order of the JS loop it replaces.
    l.get(PD);
    l.get(PD).v128Load(0).get(PA).v128Load(0).get(PB).v128Load(0).f32x4Add();
    l.get(PC).v128Load(0).f32x4Add().f32x4Add();
    l.v128Store(0);
    l.addTo(PD, 16).addTo(PA, 16).addTo(PB, 16).addTo(PC, 16);
    l.countDown(N4);
  });
  return { name: 'add3_f32', params: 5, locals: [], code: c };
}
