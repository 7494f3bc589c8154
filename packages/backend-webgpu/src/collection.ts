/**
 * When to ask the JavaScript engine for a garbage collection. A tensor the program dropped
 * without `dispose()` gives its GPU buffer back only once the collector finds it unreachable,
 * and V8 does not see GPU memory: left alone, a training loop's dropped activations and
 * gradients pile up by the thousand. So the backend watches its bytes in use and, past a budget
 * relative to what survived the previous collection, requests one where the runtime allows it
 * (Node; browsers have only the ArrayBuffer ballast each storage carries), at most one between
 * two reads unless memory runs far ahead. The freed buffers
 * come back when the finalizers run, once the program yields to the event loop (an `await`).
 */

/** Smallest growth, in bytes, that triggers a collection: below it a collection costs more than it frees. */
const MIN_GROWTH = 64 * 1024;

/** Growth past the survivors of the previous collection, as a fraction of them, that triggers the next. */
const GROWTH = 0.5;

/**
 * Past this many times the survivors, a collection is requested even if the program has not
 * read anything since the last one.
 */
const FORCE_FACTOR = 2;

/** ...and past this much growth, whatever the survivors. */
const RUNAWAY_BYTES = 64 * 2 ** 20;

/**
 * Collections requested without their finalizers running in between (each after 1.5x growth, so
 * memory grew about 25-fold): the program is told once that dropped tensors wait for an await.
 */
const UNANSWERED_BEFORE_WARNING = 8;

/** How long a read waits at most for a collection's finalizers. */
const SETTLE_LIMIT_MS = 100;

function nextThreshold(bytesInUse: number): number {
  return bytesInUse + Math.max(MIN_GROWTH, bytesInUse * GROWTH);
}

export class CollectionPolicy {
  /** Bytes in use past which the next collection is requested. */
  private threshold = MIN_GROWTH;
  /** Bytes in use when the last collection's finalizers had run. */
  private survivors = 0;
  /** Collections requested whose finalizers have not run yet. */
  private unanswered = 0;
  /** Finalizers ran: the next allocation measures the survivors. */
  private answered = false;
  /** Resolves once the finalizers of the last requested collection ran. */
  private finalized: Promise<void> | null = null;
  /** A read happened since the last collection (a training loop's step boundary). */
  private readSince = true;
  private warned = false;

  constructor(
    /** Requests a full collection; `null` where the runtime offers none. */
    private readonly collect: (() => void) | null,
    /**
     * Registers a fresh object in the storages' FinalizationRegistry with `callback` as its held
     * value: the collection that frees dropped storages frees it too, and the registry calls
     * back in the same batch as theirs.
     */
    private readonly sentinel: (callback: () => void) => void,
    private readonly deviceName: string,
  ) {}

  /** Called after each allocation with the bytes now in use. */
  afterAllocate(bytesInUse: number): void {
    if (this.answered) {
      this.answered = false;
      this.survivors = bytesInUse;
      this.threshold = nextThreshold(bytesInUse);
    }
    if (!this.collect || bytesInUse <= this.threshold) return;
    // At most one collection between two reads (a full collection costs milliseconds, a GPU
    // step may cost less), unless memory ran far past the survivors meanwhile.
    const forced =
      bytesInUse > FORCE_FACTOR * this.survivors || bytesInUse > this.survivors + RUNAWAY_BYTES;
    if (!this.readSince && !forced) return;
    this.readSince = false;
    // Each collection finds what was dropped so far; later ones (before the finalizers run)
    // find more, and the threshold grows geometrically, so a program that never yields pays
    // for few.
    this.finalized = new Promise<void>((resolve) =>
      this.sentinel(() => {
        this.unanswered = 0;
        this.answered = true;
        resolve();
      }),
    );
    this.collect();
    this.threshold = nextThreshold(bytesInUse);
    if (++this.unanswered >= UNANSWERED_BEFORE_WARNING && !this.warned) {
      this.warnNeverYields(bytesInUse);
    }
  }

  /**
   * Lets a read resolve only after the finalizers of the collections requested before it ran:
   * they run as tasks of their own, which the read's continuation may otherwise overtake, and a
   * loop that awaits once per step or per N steps would free its garbage a round later.
   */
  settle<T>(value: T): T | Promise<T> {
    this.readSince = true;
    const finalized = this.finalized;
    if (!finalized) return value;
    this.finalized = null;
    const limit = new Promise<void>((resolve) => setTimeout(resolve, SETTLE_LIMIT_MS));
    return Promise.race([finalized, limit]).then(() => value);
  }

  private warnNeverYields(bytesInUse: number): void {
    this.warned = true;
    console.warn(
      `autodag: ${(bytesInUse / 2 ** 20).toFixed(1)} MiB of '${this.deviceName}' memory in use and growing while the program has not yielded to the event loop: tensors dropped without dispose() give their memory back only after an await (e.g. \`await loss.itemAsync()\` each step). In loops that never await, free tensors with dispose(), \`using\` or torch.tidy().`,
    );
  }
}
