/**
 * Reference figures measured on the benchmark machine (AMD Zen 4, 2 vCPUs) with the same
 * workloads, medians of 6 rounds. Copied here so every results file carries its comparison.
 */
export const PEER_REFERENCE = {
  source: 'PyTorch 1.13 on the same machine type, fp32, 1 thread, medians of 6 rounds',
  'pytorch-openblas': {
    mm256: 104,
    mm512: 103,
    mm1024: 100,
    addTanh1M: 7.0,
    mlpStepB64: 1.17,
    fwdBwdB1: 0.16,
    // Measured on the benchmark's own machine type here (Intel Xeon, 2 vCPUs) with
    // bench/pytorch_cnn.py, PyTorch 1.13 + OpenBLAS, OPENBLAS_NUM_THREADS=1.
    convFwdBwdB32: 27.7,
    cnnStepB64: 52.2,
  },
  'pytorch-reference-blas': {
    mm256: 6.2,
    mm512: 6.0,
    mm1024: 6.0,
    addTanh1M: 6.4,
    mlpStepB64: 21.6,
    fwdBwdB1: 0.46,
    convFwdBwdB32: Number.NaN,
    cnnStepB64: Number.NaN,
  },
} as const;
