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

/**
 * Largest relative difference between two results (a sanity check, not a benchmark).
 * @example relDiff([1, 2], [1, 2.01]) // 0.00333…
 */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  }
  return worst;
}

/** One library's call in an interleaved measurement. */
export interface Contender {
  /** Queues one call's work (a product, a training step). */
  run: () => void;
  /** Resolves once all queued work has finished (on a GPU: once the device has done it). */
  settle: () => Promise<void>;
}

/** How an interleaved measurement is timed. */
export interface InterleaveOptions {
  /** Rounds per contender; the median is reported. */
  rounds?: number;
  /** Calls per round are chosen so that one round lasts at least this long. */
  minRoundMs?: number;
  /** Warm-up per contender (pipelines compile on the first call): at least two calls. */
  warmupMs?: number;
  /** Stop adding rounds once this much time has been spent (at least 3 rounds still run). */
  budgetMs?: number;
  /** At most this many calls are queued in one round. */
  maxCallsPerRound?: number;
}

/** A contender's times, or why it could not be measured. */
export type Outcome = Measurement | { error: string };

async function timed(c: Contender, calls: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) c.run();
  await c.settle();
  return (performance.now() - t0) / calls;
}

/**
 * Times several contenders in alternating rounds (the order rotates each round), so that a
 * machine that slows down or speeds up during the run affects them alike. Each round queues
 * its calls and then awaits `settle`, so it measures finished work. A contender that throws is
 * reported with its error and the others go on.
 * @example const r = await measureInterleaved({ a: { run, settle }, b: { run: run2, settle } });
 */
export async function measureInterleaved(
  contenders: Record<string, Contender>,
  opts: InterleaveOptions = {},
): Promise<Record<string, Outcome>> {
  const {
    rounds = 6,
    minRoundMs = 200,
    warmupMs = 500,
    budgetMs = 20_000,
    maxCallsPerRound = 200,
  } = opts;
  const out: Record<string, Outcome> = {};
  const calls: Record<string, number> = {};
  const fail = (name: string, e: unknown) => {
    out[name] = { error: e instanceof Error ? e.message : String(e) };
  };
  for (const [name, c] of Object.entries(contenders)) {
    try {
      const start = performance.now();
      let last = await timed(c, 1);
      let n = 1;
      while (n < 2 || performance.now() - start < warmupMs) {
        last = await timed(c, 1);
        n++;
      }
      calls[name] = Math.max(1, Math.min(maxCallsPerRound, Math.ceil(minRoundMs / last)));
      out[name] = { medianMs: Number.NaN, roundsMs: [], calls: 0 };
    } catch (e) {
      fail(name, e);
    }
  }
  const start = performance.now();
  for (let r = 0; r < rounds; r++) {
    const names = Object.keys(calls).filter((n) => !('error' in out[n]!));
    if (names.length === 0) break;
    for (let i = 0; i < names.length; i++) {
      const name = names[(r + i) % names.length]!;
      const m = out[name] as Measurement;
      try {
        m.roundsMs.push(await timed(contenders[name]!, calls[name]!));
        m.calls += calls[name]!;
      } catch (e) {
        fail(name, e);
      }
    }
    if (r + 1 >= 3 && performance.now() - start > budgetMs) break;
  }
  for (const o of Object.values(out)) if (!('error' in o)) o.medianMs = median(o.roundsMs);
  return out;
}
