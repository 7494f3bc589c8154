import { Code, type FunctionDef, I32, V128 } from './assembler.js';

/**
 * WebAssembly SIMD matrix-vector and outer-product kernels for products with one row of A (a batch-1 linear layer
 * forward, `x · Wᵀ`, and its backward, `g · W`). They read the matrix in its stored layout, so a
 * weight kept in the memory (see ./runtime.ts) is never packed. Addresses are bytes.
 *
 *   gemv_dot_f32(pw, px, py, blocks, k4, ldw)
 *     Rows of a row-major W (pitch `ldw` bytes) dotted with x, four rows per block: for row
 *     r = 4·b + i, the four lanes of `py[16·b + 4·i …]` hold partial sums over k ≡ lane (mod 4)
 *     of the first 4·k4 products. The caller adds the lanes (and any k past 4·k4).
 *
 *   gemv_axpy_f32(px, pb, py, k, panels, ldb)
 *     y[0 … 16·panels) = Σₖ x[k] · B[k, ·] for a row-major B (pitch `ldb` bytes): 16 columns
 *     stay in four f32x4 registers while k runs.
 *
 *   outer_f32(pa, pb, pc, rows, n16, ldc)
 *     The outer product a ⊗ b (a weight gradient of a batch-1 layer), 16 columns per step.
 */

// gemv_dot_f32 parameters and locals.
const D_PW = 0;
const D_PX = 1;
const D_PY = 2;
const D_BLOCKS = 3;
const D_K4 = 4;
const D_LDW = 5;
const D_W0 = 6; // D_W0 .. D_W0+3: the block's row pointers
const D_XP = 10;
const D_K = 11;
const D_ROW = 12;
const D_ACC = 13; // D_ACC .. D_ACC+3
const D_X = 17;

/**
 * The `gemv_dot_f32` function.
 * @example assemble([gemvDotF32(), gemvAxpyF32(), outerF32()])
 */
export function gemvDotF32(): FunctionDef {
  const c = new Code();
  c.get(D_PW).set(D_ROW);
  c.loop((lb) => {
    lb.get(D_ROW).set(D_W0);
    for (let r = 1; r < 4; r++)
      lb.get(D_W0 + r - 1)
        .get(D_LDW)
        .add()
        .set(D_W0 + r);
    for (let r = 0; r < 4; r++) lb.v128Zero().set(D_ACC + r);
    lb.get(D_PX).set(D_XP).get(D_K4).set(D_K);
    lb.loop((lk) => {
      lk.get(D_XP).v128Load(0).set(D_X);
      for (let r = 0; r < 4; r++) {
        lk.get(D_ACC + r)
          .get(D_W0 + r)
          .v128Load(0)
          .get(D_X)
          .f32x4Mul()
          .f32x4Add()
          .set(D_ACC + r);
        lk.addTo(D_W0 + r, 16);
      }
      lk.addTo(D_XP, 16);
      lk.countDown(D_K);
    });
    for (let r = 0; r < 4; r++)
      lb.get(D_PY)
        .get(D_ACC + r)
        .v128Store(16 * r);
    lb.addTo(D_PY, 64);
    lb.get(D_ROW).get(D_LDW).i32(4).mul().add().set(D_ROW);
    lb.countDown(D_BLOCKS);
  });
  return {
    name: 'gemv_dot_f32',
    params: 6,
    locals: [
      { type: I32, count: D_ROW - D_W0 + 1 },
      { type: V128, count: D_X - D_ACC + 1 },
    ],
    code: c,
  };
}

// gemv_axpy_f32 parameters and locals.
const A_PX = 0;
const A_PB = 1;
const A_PY = 2;
const A_KK = 3;
const A_PANELS = 4;
const A_LDB = 5;
const A_BP = 6;
const A_XP = 7;
const A_K = 8;
const A_COL = 9;
const A_ACC = 10; // A_ACC .. A_ACC+3
const A_X = 14;

/**
 * The `gemv_axpy_f32` function.
 * @example assemble([gemvAxpyF32()])
 */
export function gemvAxpyF32(): FunctionDef {
  const c = new Code();
  c.get(A_PB).set(A_COL);
  c.loop((lp) => {
    lp.get(A_COL).set(A_BP).get(A_PX).set(A_XP).get(A_KK).set(A_K);
    for (let i = 0; i < 4; i++) lp.v128Zero().set(A_ACC + i);
    lp.loop((lk) => {
      lk.get(A_XP).load32Splat(0).set(A_X);
      for (let i = 0; i < 4; i++) {
        lk.get(A_ACC + i)
          .get(A_BP)
          .v128Load(16 * i)
          .get(A_X)
          .f32x4Mul()
          .f32x4Add()
          .set(A_ACC + i);
      }
      lk.get(A_BP).get(A_LDB).add().set(A_BP);
      lk.addTo(A_XP, 4);
      lk.countDown(A_K);
    });
    for (let i = 0; i < 4; i++)
      lp.get(A_PY)
        .get(A_ACC + i)
        .v128Store(16 * i);
    lp.addTo(A_PY, 64);
    lp.addTo(A_COL, 64);
    lp.countDown(A_PANELS);
  });
  return {
    name: 'gemv_axpy_f32',
    params: 6,
    locals: [
      { type: I32, count: A_COL - A_BP + 1 },
      { type: V128, count: A_X - A_ACC + 1 },
    ],
    code: c,
  };
}

// outer_f32 parameters and locals.
const O_PA = 0;
const O_PB = 1;
const O_PC = 2;
const O_ROWS = 3;
const O_N16 = 4;
const O_LDC = 5;
const O_BP = 6;
const O_CP = 7;
const O_J = 8;
const O_X = 9;

/**
 * The `outer_f32(pa, pb, pc, rows, n16, ldc)` function: C[i, 0 … 16·n16) = a[i] · b for
 * i < rows, C row-major with pitch `ldc` bytes. Rows are written in order, so with `ldc` equal to
 * the row length, what a row writes past its end is overwritten by the next row.
 * @example assemble([outerF32()])
 */
export function outerF32(): FunctionDef {
  const c = new Code();
  c.loop((li) => {
    li.get(O_PA).load32Splat(0).set(O_X);
    li.get(O_PB).set(O_BP).get(O_PC).set(O_CP).get(O_N16).set(O_J);
    li.loop((lj) => {
      for (let v = 0; v < 4; v++) {
        lj.get(O_CP)
          .get(O_BP)
          .v128Load(16 * v)
          .get(O_X)
          .f32x4Mul()
          .v128Store(16 * v);
      }
      lj.addTo(O_BP, 64);
      lj.addTo(O_CP, 64);
      lj.countDown(O_J);
    });
    li.addTo(O_PA, 4);
    li.get(O_PC).get(O_LDC).add().set(O_PC);
    li.countDown(O_ROWS);
  });
  return {
    name: 'outer_f32',
    params: 6,
    locals: [
      { type: I32, count: O_J - O_BP + 1 },
      { type: V128, count: 1 },
    ],
    code: c,
  };
}
