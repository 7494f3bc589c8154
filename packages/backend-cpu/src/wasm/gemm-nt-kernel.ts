import { Code, type FunctionDef, I32, V128 } from './assembler.js';

/**
 * The WebAssembly SIMD kernel for products A·Bᵀ of two matrices stored row-major along k (the
 * weight gradient of a convolution: the output gradient times the transposed column matrix),
 * read where they lie, without packing:
 *
 *   gemm_nt_f32(pa, pb, pc, mPairs, nQuads, k4, lda, ldb, ldc, accumulate)
 *
 * For rows i < 2·mPairs of A (pitch `lda` bytes) and rows j < 4·nQuads of B (pitch `ldb`), the
 * four lanes at `pc + i·ldc + 16·j` get the partial sums Σ A[i, k]·B[j, k] over k ≡ lane (mod 4),
 * k < 4·k4 (k4 ≥ 1); `accumulate` ≠ 0 adds them to what is there. The caller adds the lanes.
 * A 2×4 tile keeps eight f32x4 accumulators: per four steps of k, two loads of A, four of B and
 * eight multiply/adds (32 multiply-adds), the same ratio as the packed kernel.
 */

// Parameters.
const PA = 0;
const PB = 1;
const PC = 2;
const M_PAIRS = 3;
const N_QUADS = 4;
const K4 = 5;
const LDA = 6;
const LDB = 7;
const LDC = 8;
const ACCUMULATE = 9;
// i32 locals.
const IP = 10;
const JQ = 11;
const K = 12;
const A_ROW = 13;
const B_ROW = 14;
const C_ROW = 15;
const CT = 16;
const AP0 = 17;
const AP1 = 18;
const BP = 19; // BP .. BP+3
// v128 locals.
const ACC = 23; // ACC .. ACC+7: row r of A, row q of B at ACC + 4r + q
const VA0 = 31;
const VA1 = 32;
const VB = 33;

/** The address of the partial sums of (row r of the pair, row q of the quad), less 16·q. */
function cellRow(c: Code, r: number): Code {
  c.get(CT);
  if (r > 0) c.get(LDC).add();
  return c;
}

/**
 * The `gemm_nt_f32` function (assembled with the other kernels in ./runtime.ts), with fused
 * multiply-adds where `fused` (relaxed SIMD available).
 * @example assemble([gemmNtF32(false)]) // a module exporting gemm_nt_f32
 */
export function gemmNtF32(fused: boolean): FunctionDef {
  const c = new Code();
  c.get(PA).set(A_ROW).get(PC).set(C_ROW).get(M_PAIRS).set(IP);
  c.loop((li) => {
    li.get(PB).set(B_ROW).get(C_ROW).set(CT).get(N_QUADS).set(JQ);
    li.loop((lj) => {
      lj.get(ACCUMULATE).ifElse(
        (t) => {
          for (let r = 0; r < 2; r++) {
            for (let q = 0; q < 4; q++) {
              cellRow(t, r)
                .v128Load(16 * q)
                .set(ACC + 4 * r + q);
            }
          }
        },
        (e) => {
          for (let i = 0; i < 8; i++) e.v128Zero().set(ACC + i);
        },
      );
      lj.get(A_ROW).set(AP0).get(A_ROW).get(LDA).add().set(AP1).get(B_ROW).set(BP);
      for (let q = 1; q < 4; q++)
        lj.get(BP + q - 1)
          .get(LDB)
          .add()
          .set(BP + q);
      lj.get(K4).set(K);
      lj.loop((lk) => {
        lk.get(AP0).v128Load(0).set(VA0).get(AP1).v128Load(0).set(VA1);
        for (let q = 0; q < 4; q++) {
          lk.get(BP + q)
            .v128Load(0)
            .set(VB);
          for (let r = 0; r < 2; r++) {
            lk.madd(ACC + 4 * r + q, r === 0 ? VA0 : VA1, VB, fused).set(ACC + 4 * r + q);
          }
          lk.addTo(BP + q, 16);
        }
        lk.addTo(AP0, 16).addTo(AP1, 16);
        lk.countDown(K);
      });
      for (let r = 0; r < 2; r++) {
        for (let q = 0; q < 4; q++) {
          cellRow(lj, r)
            .get(ACC + 4 * r + q)
            .v128Store(16 * q);
        }
      }
      lj.addTo(CT, 64);
      lj.get(B_ROW).get(LDB).i32(4).mul().add().set(B_ROW);
      lj.countDown(JQ);
    });
    li.get(A_ROW).get(LDA).i32(2).mul().add().set(A_ROW);
    li.get(C_ROW).get(LDC).i32(2).mul().add().set(C_ROW);
    li.countDown(IP);
  });
  return {
    name: 'gemm_nt_f32',
    params: 10,
    locals: [
      { type: I32, count: BP + 4 - IP },
      { type: V128, count: VB - ACC + 1 },
    ],
    code: c,
  };
}
