import { Code, type FunctionDef, I32, V128 } from './assembler.js';

/**
 * The WebAssembly SIMD GEMM micro-kernel, generated with the tiny assembler:
 *
 *   gemm_f32(pa, pb, pc, mBlocks, nPanels, kc, ldc, accumulate, ldb, panelStride)
 *
 * computes C[4·mBlocks × 8·nPanels] (+)= A·B over `kc` steps of k, for operands laid out by the
 * caller (byte addresses in the shared memory):
 * - A in blocks of 4 rows, each block k-major: `a[k*4 + r]` (16 bytes per k);
 * - B in panels of 8 columns, the 8 values of step k at `pb + panel·panelStride + k·ldb`: packed
 *   k-major panels (ldb = 32, panelStride = 32·kc) or a plain row-major matrix read in place
 *   (ldb = its row pitch in bytes, panelStride = 32);
 * - C row-major with a row pitch of `ldc` bytes; `accumulate` ≠ 0 adds to what C holds.
 * Each 4×8 tile of C lives in eight f32x4 registers while k runs: per k, two loads of B, four
 * splat-loads of A and sixteen SIMD multiply/adds (32 multiply-adds).
 * `TILE_ROWS` is the rows of C per register tile.
 */
export const TILE_ROWS = 4;
/** Columns of C per register tile (two f32x4 registers per row). */
export const TILE_COLS = 8;

// Parameters.
const PA = 0;
const PB = 1;
const PC = 2;
const M_BLOCKS = 3;
const N_PANELS = 4;
const KC = 5;
const LDC = 6;
const ACCUMULATE = 7;
const LDB = 8;
const PANEL_STRIDE = 9;
// i32 locals.
const IB = 10;
const JP = 11;
const K = 12;
const AP = 13;
const BP = 14;
const CT = 15;
const A_BLK = 16;
const B_PANEL = 17;
const C_ROW = 18;
// v128 locals.
const ACC = 19; // ACC .. ACC+7
const B0 = 27;
const B1 = 28;
const A = 29;

function rowAddress(c: Code, r: number): Code {
  c.get(CT);
  if (r > 0) c.get(LDC).i32(r).mul().add();
  return c;
}

/**
 * The `gemm_f32` function (assembled with the other kernels in ./runtime.ts), with fused
 * multiply-adds where `fused` (relaxed SIMD available).
 * @example assemble([gemmF32(false)]) // a module exporting gemm_f32
 */
export function gemmF32(fused: boolean): FunctionDef {
  const c = new Code();
  c.get(PA).set(A_BLK).get(PC).set(C_ROW).get(M_BLOCKS).set(IB);
  c.loop((li) => {
    li.get(PB).set(B_PANEL).get(C_ROW).set(CT).get(N_PANELS).set(JP);
    li.loop((lj) => {
      lj.get(ACCUMULATE).ifElse(
        (t) => {
          for (let r = 0; r < TILE_ROWS; r++) {
            rowAddress(t, r)
              .v128Load(0)
              .set(ACC + 2 * r);
            rowAddress(t, r)
              .v128Load(16)
              .set(ACC + 2 * r + 1);
          }
        },
        (e) => {
          for (let i = 0; i < 2 * TILE_ROWS; i++) e.v128Zero().set(ACC + i);
        },
      );
      lj.get(A_BLK).set(AP).get(B_PANEL).set(BP).get(KC).set(K);
      lj.loop((lk) => {
        lk.get(BP).v128Load(0).set(B0).get(BP).v128Load(16).set(B1);
        for (let r = 0; r < TILE_ROWS; r++) {
          lk.get(AP)
            .load32Splat(4 * r)
            .set(A);
          lk.madd(ACC + 2 * r, A, B0, fused).set(ACC + 2 * r);
          lk.madd(ACC + 2 * r + 1, A, B1, fused).set(ACC + 2 * r + 1);
        }
        lk.addTo(AP, 4 * TILE_ROWS);
        lk.get(BP).get(LDB).add().set(BP);
        lk.countDown(K);
      });
      for (let r = 0; r < TILE_ROWS; r++) {
        rowAddress(lj, r)
          .get(ACC + 2 * r)
          .v128Store(0);
        rowAddress(lj, r)
          .get(ACC + 2 * r + 1)
          .v128Store(16);
      }
      lj.get(B_PANEL).get(PANEL_STRIDE).add().set(B_PANEL);
      lj.addTo(CT, 4 * TILE_COLS);
      lj.countDown(JP);
    });
    // The last k loop left AP at the next block of A.
    li.get(AP).set(A_BLK);
    li.get(C_ROW).get(LDC).i32(TILE_ROWS).mul().add().set(C_ROW);
    li.countDown(IB);
  });
  return {
    name: 'gemm_f32',
    params: 10,
    locals: [
      { type: I32, count: C_ROW - IB + 1 },
      { type: V128, count: A - ACC + 1 },
    ],
    code: c,
  };
}
