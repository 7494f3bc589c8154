import cliProgress from 'cli-progress';

/** Where a progress bar writes: a Node stream such as `process.stderr`, or anything alike. */
export interface ProgressStream {
  /** Writes text. */
  write(text: string): unknown;
  /** True for terminals; the bar renders only there. */
  isTTY?: boolean;
  /** Terminal width in characters. */
  columns?: number;
}

/** Options of {@link ProgressBar} and {@link progress} (tqdm's keyword arguments). */
export interface ProgressOptions {
  /** Number of expected steps; default the iterable's `length` (or `size`) when it has one. */
  total?: number;
  /** Text before the bar, e.g. `'epoch 1'`. */
  desc?: string;
  /** Name of one step in the rate, default `'it'` (`12.50it/s`). */
  unit?: string;
  /** Output stream; default `process.stderr` (none in browsers). */
  stream?: ProgressStream;
  /** Draw the bar; default true exactly when the stream is a terminal (`stream.isTTY`). */
  enabled?: boolean;
  /** When the bar is not drawn, print one final line at `close()` (e.g. one line per epoch in logs). Default false. */
  summary?: boolean;
  /** Keep the finished bar on screen (default true); false clears its line. */
  leave?: boolean;
  /** Width of the bar itself in characters (default 25). */
  barSize?: number;
  /**
   * Most redraws per second (default 10). Updates redraw the bar on the spot once this much time
   * has passed since the last frame (so synchronous loops, which starve timers, still refresh);
   * the frame that completes the bar and the one drawn by `close()` are always drawn.
   */
  fps?: number;
}

/** Values shown after the counts, e.g. `{ loss: 0.25, acc: 0.91 }`. */
export type Postfix = Record<string, unknown>;

const PARTIAL = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

function defaultStream(): ProgressStream | undefined {
  return (globalThis as { process?: { stderr?: ProgressStream } }).process?.stderr;
}

/**
 * Seconds as `mm:ss` or `h:mm:ss`, as tqdm prints them.
 * @example torch.io.formatInterval(3725) // '1:02:05'
 */
export function formatInterval(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** A postfix value (already read by `snapshot`) as printed: numbers to 3 significant digits. */
function formatValue(v: unknown): string {
  if (typeof v === 'number' && !Number.isInteger(v)) {
    return Number.parseFloat(v.toPrecision(3)).toString();
  }
  return String(v);
}

/** `values` with tensors (anything with `item()`) read now: a `tidy` scope may dispose them before the next redraw. */
function snapshot(values: Postfix): Postfix {
  const out: Postfix = {};
  for (const [k, v] of Object.entries(values)) {
    const item = v !== null && typeof v === 'object' ? (v as { item?: unknown }).item : undefined;
    out[k] = typeof item === 'function' ? item.call(v) : v;
  }
  return out;
}

/**
 * A tqdm-like progress bar for manual updates, drawn with cli-progress on terminals and silent
 * elsewhere (unless `summary` asks for one final line). Call `close()` when done: it draws the
 * final state and stops the redraw timer.
 * @example
 * const bar = new torch.io.ProgressBar({ total: 100, desc: 'training' });
 * for (let i = 0; i < 100; i++) { step(); bar.update(); bar.setPostfix({ loss }); }
 * bar.close();
 * // training:  100%|█████████████████████████| 100/100 [00:03<00:00, 31.25it/s, loss=0.123]
 */
export class ProgressBar {
  /** Steps done so far. */
  n = 0;
  /** Expected number of steps (undefined when unknown: no bar, just the count). */
  total: number | undefined;
  /** Text before the bar. */
  desc: string;
  /** Name of one step. */
  readonly unit: string;
  /** Whether the bar is drawn (false for non-terminals unless forced). */
  readonly enabled: boolean;
  /** True once `close()` ran. */
  closed = false;
  private postfix: Postfix = {};
  private readonly stream: ProgressStream | undefined;
  private readonly summary: boolean;
  private readonly barSize: number;
  private readonly startTime = Date.now();
  private endTime: number | undefined;
  private readonly bar: cliProgress.SingleBar | undefined;
  /** Shortest time between two frames, in ms. */
  private readonly interval: number;
  /** When the last frame was drawn (by an update or by cli-progress's timer). */
  private lastDraw = Number.NEGATIVE_INFINITY;

  /** @example new torch.io.ProgressBar({ total: loader.length, desc: 'epoch 1' }) */
  constructor(options: ProgressOptions = {}) {
    const { total, desc = '', unit = 'it', summary = false, leave = true, barSize = 25 } = options;
    if (total !== undefined && !(Number.isFinite(total) && total >= 0)) {
      throw new RangeError(`ProgressBar: total must be a non-negative number, got ${total}`);
    }
    this.total = total;
    this.desc = desc;
    this.unit = unit;
    this.summary = summary;
    this.barSize = barSize;
    this.stream = options.stream ?? defaultStream();
    this.enabled = options.enabled ?? this.stream?.isTTY === true;
    const fps = options.fps ?? 10;
    this.interval = 1000 / fps;
    // Browser bundles map cli-progress to an empty module (package.json "browser"): no bar there.
    const SingleBar = (cliProgress as Partial<typeof cliProgress> | undefined)?.SingleBar;
    if (this.enabled && this.stream && SingleBar) {
      this.bar = new SingleBar({
        stream: this.stream as NodeJS.WritableStream,
        format: () => this.format(),
        fps,
        // cli-progress redraws on update only after twice its frame time, and its timer never
        // fires while a synchronous loop holds the event loop: `redraw` throttles instead.
        synchronousUpdate: false,
        clearOnComplete: !leave,
        hideCursor: false,
        // Render even when the stream does not claim to be a terminal but the bar was forced on.
        noTTYOutput: this.stream.isTTY !== true,
        notTTYSchedule: this.interval,
      });
      this.bar.on('redraw-post', () => {
        this.lastDraw = Date.now();
      });
      this.bar.start(total ?? 0, 0);
    }
  }

  /**
   * Draws the current state now if `force` or if a frame time has passed since the last frame;
   * otherwise the next update (or cli-progress's timer, when the event loop is free) draws it.
   */
  private redraw(force = false): void {
    if (!this.bar || this.closed) return;
    this.bar.update(this.n);
    if (force || Date.now() - this.lastDraw >= this.interval) this.bar.render();
  }

  /**
   * Advances by `n` steps (default 1) and redraws at most `fps` times per second; the update
   * that reaches `total` always redraws, so a finished bar reads 100% even before `close()`.
   * @example bar.update(); bar.update(64)
   */
  update(n = 1): void {
    if (this.closed) return;
    this.n += n;
    this.redraw(this.total !== undefined && this.n >= this.total);
  }

  /**
   * Replaces the values shown after the counts (numbers are printed with 3 significant digits;
   * 0-d tensors are read with `item()` right away). With `refresh` (default, as tqdm's
   * `set_postfix`) the bar redraws when a frame is due; without, the next update shows them.
   * Either way the next frame drawn carries them, `close()`'s included.
   * @example bar.setPostfix({ loss: 0.2512, acc: 0.9 }) // ..., loss=0.251, acc=0.9]
   */
  setPostfix(values: Postfix, refresh = true): void {
    this.postfix = snapshot(values);
    if (refresh) this.redraw();
  }

  /**
   * Changes the text before the bar.
   * @example bar.setDescription('epoch 2')
   */
  setDescription(desc: string): void {
    this.desc = desc;
    this.redraw();
  }

  /**
   * Seconds since the bar was created (until it was closed).
   * @example bar.elapsed // 3.2
   */
  get elapsed(): number {
    return ((this.endTime ?? Date.now()) - this.startTime) / 1000;
  }

  /**
   * The line as it would be drawn now, tqdm's format:
   * `desc:  42%|██████████▌              | 42/100 [00:01<00:01, 41.20it/s, loss=0.5]`.
   * @example bar.format()
   */
  format(): string {
    const elapsed = this.elapsed;
    const rate = elapsed > 0 ? this.n / elapsed : Number.NaN;
    const rateText = Number.isFinite(rate)
      ? rate >= 1 || rate === 0
        ? `${rate.toFixed(2)}${this.unit}/s`
        : `${(1 / rate).toFixed(2)}s/${this.unit}`
      : `?${this.unit}/s`;
    const post = Object.entries(this.postfix)
      .map(([k, v]) => `${k}=${formatValue(v)}`)
      .join(', ');
    const tail = post ? `, ${post}` : '';
    const prefix = this.desc ? `${this.desc}: ` : '';
    if (this.total === undefined) {
      return `${prefix}${this.n}${this.unit} [${formatInterval(elapsed)}, ${rateText}${tail}]`;
    }
    const frac = this.total > 0 ? Math.min(1, this.n / this.total) : 1;
    const left = Math.max(0, this.total - this.n);
    const remaining = left === 0 ? 0 : Number.isFinite(rate) && rate > 0 ? left / rate : Number.NaN;
    const pct = `${Math.floor(frac * 100)}%`.padStart(4);
    return `${prefix}${pct}|${this.drawBar(frac)}| ${this.n}/${this.total} [${formatInterval(elapsed)}<${formatInterval(remaining)}, ${rateText}${tail}]`;
  }

  /** The bar with eighth-block precision, as tqdm draws it. */
  private drawBar(frac: number): string {
    const eighths = Math.floor(frac * this.barSize * 8);
    const full = Math.floor(eighths / 8);
    if (full >= this.barSize) return '█'.repeat(this.barSize);
    return `${'█'.repeat(full)}${PARTIAL[eighths % 8]}${' '.repeat(this.barSize - full - 1)}`;
  }

  /**
   * Draws the final state and ends the bar (or, when not drawn and `summary` is set, prints one
   * line). Calling it again does nothing.
   * @example bar.close()
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.endTime = Date.now();
    if (this.bar) {
      this.bar.update(this.n);
      this.bar.stop();
    } else if (this.summary && this.stream) {
      this.stream.write(`${this.format()}\n`);
    }
  }
}

/** Reads `length` or `size` of an iterable, when it has a numeric one. */
function lengthOf(source: unknown): number | undefined {
  const s = source as { length?: unknown; size?: unknown };
  if (typeof s.length === 'number') return s.length;
  if (typeof s.size === 'number') return s.size;
  return undefined;
}

/**
 * An iterable wrapped by {@link progress}: iterate it with `for` or `for await` (following the
 * source), and report values with `setPostfix`. The bar starts with the loop and closes when the
 * loop ends, breaks or throws.
 * @example const it = torch.io.progress(loader, { desc: 'epoch 1' }); for (const b of it) it.setPostfix({ loss })
 */
export class Progress<T> implements Iterable<T>, AsyncIterable<T> {
  /** The wrapped iterable. */
  readonly source: Iterable<T> | AsyncIterable<T>;
  /** Options the bar is created with. */
  readonly options: ProgressOptions;
  /** The bar of the current (or last) loop; undefined before the loop starts. */
  bar: ProgressBar | undefined;
  private postfix: Postfix = {};

  /** @example new torch.io.Progress([1, 2, 3], { desc: 'items' }) */
  constructor(source: Iterable<T> | AsyncIterable<T>, options: ProgressOptions = {}) {
    this.source = source;
    this.options = { ...options, total: options.total ?? lengthOf(source) };
  }

  /**
   * Values shown after the counts (see `ProgressBar.setPostfix`). They are drawn with the step
   * count that includes the current item: the loop's own update right after the body redraws,
   * so a frame never pairs this step's values with the previous step's count.
   * @example it.setPostfix({ loss: loss.item(), acc })
   */
  setPostfix(values: Postfix): void {
    this.postfix = snapshot(values);
    this.bar?.setPostfix(this.postfix, false);
  }

  /**
   * Ends the bar now (the loop's end does this too).
   * @example it.close()
   */
  close(): void {
    this.bar?.close();
  }

  private start(): ProgressBar {
    this.bar?.close();
    this.bar = new ProgressBar(this.options);
    this.bar.setPostfix(this.postfix, false);
    return this.bar;
  }

  *[Symbol.iterator](): Iterator<T> {
    const src = this.source as Partial<Iterable<T>>;
    if (typeof src[Symbol.iterator] !== 'function') {
      throw new TypeError(
        'progress: the wrapped source is only asynchronously iterable; use `for await (const x of progress(...))`',
      );
    }
    const bar = this.start();
    try {
      for (const item of src as Iterable<T>) {
        yield item;
        bar.update(1);
      }
    } finally {
      bar.close();
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    const bar = this.start();
    try {
      for await (const item of this.source) {
        yield item;
        bar.update(1);
      }
    } finally {
      bar.close();
    }
  }
}

/**
 * Wraps an iterable (an array, a DataLoader, an async generator...) so that looping over it shows
 * a tqdm-like progress bar on the terminal; nothing is printed when the stream is not a terminal,
 * or one line at the end with `summary: true`.
 * @example
 * for (let epoch = 1; epoch <= 5; epoch++) {
 *   const bar = torch.io.progress(loader, { desc: `epoch ${epoch}` });
 *   for (const [x, y] of bar) { const loss = step(x, y); bar.setPostfix({ loss }); }
 * }
 */
export function progress<T>(
  source: Iterable<T> | AsyncIterable<T>,
  options: ProgressOptions = {},
): Progress<T> {
  return new Progress(source, options);
}
