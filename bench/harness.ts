/**
 * Timing helpers for `npm run bench`: warm up, then time several rounds and keep the median.
 * Each round repeats the workload until it has run for at least `minRoundMs`, so fast
 * workloads are timed over many calls and slow ones over one.
 */

/** How one workload is timed. */
export interface MeasureOptions {
  /** Warm-up before timing starts (JIT, caches): calls `fn` for this long, at least once. */
  warmupMs?: number;
  /** Rounds whose per-call times are collected; the median is reported. */
  rounds?: number;
  /** Minimum wall time of one round. */
  minRoundMs?: number;
  /** Stop adding rounds once this much time has been spent (at least 3 rounds still run). */
  budgetMs?: number;
}

/** Per-call times of each round, in milliseconds, and their median. */
export interface Measurement {
  medianMs: number;
  roundsMs: number[];
  calls: number;
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Times `fn` (see `MeasureOptions`); `fn` must finish its work synchronously. */
export function measure(fn: () => void, opts: MeasureOptions = {}): Measurement {
  const { warmupMs = 300, rounds = 6, minRoundMs = 100, budgetMs = 8000 } = opts;
  const start = performance.now();
  do fn();
  while (performance.now() - start < warmupMs);
  const roundsMs: number[] = [];
  let calls = 0;
  while (roundsMs.length < rounds) {
    const t0 = performance.now();
    let n = 0;
    let t1 = t0;
    do {
      fn();
      n++;
      t1 = performance.now();
    } while (t1 - t0 < minRoundMs);
    roundsMs.push((t1 - t0) / n);
    calls += n;
    if (roundsMs.length >= 3 && t1 - start > budgetMs) break;
  }
  return { medianMs: median(roundsMs), roundsMs, calls };
}
