import * as torch from 'autodag';
import { afterEach, describe, expect, it, vi } from 'vitest';

const { progress, ProgressBar, formatInterval } = torch.io;

/** Collects what is written; claims to be a terminal when `isTTY`. */
class FakeStream {
  chunks: string[] = [];
  columns = 120;
  constructor(readonly isTTY: boolean) {}
  write(s: string) {
    this.chunks.push(s);
    return true;
  }
  get text() {
    return this.chunks.join('');
  }
  /** The text with terminal escape sequences removed. */
  get plain() {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    return this.text.replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, '');
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('progress on a stream that is not a terminal', () => {
  it('prints nothing and passes the items through', () => {
    const stream = new FakeStream(false);
    const it = progress([1, 2, 3], { desc: 'epoch 1', stream });
    const seen: number[] = [];
    for (const x of it) {
      seen.push(x);
      it.setPostfix({ loss: x / 2 });
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(stream.text).toBe('');
    expect(it.bar!.enabled).toBe(false);
    expect(it.bar!.n).toBe(3);
    expect(it.bar!.closed).toBe(true);
  });

  it('with summary: true prints one line per loop at the end', () => {
    const stream = new FakeStream(false);
    const it = progress([1, 2, 3], { desc: 'epoch 1', stream, summary: true });
    for (const x of it) it.setPostfix({ loss: 0.25123, acc: x === 3 ? 0.9 : 0 });
    expect(stream.text).toMatch(
      /^epoch 1: 100%\|█{25}\| 3\/3 \[00:00<00:00, ([0-9.]+|\?)it\/s, loss=0\.251, acc=0\.9\]\n$/,
    );
    for (const _ of it);
    expect(stream.text.split('\n').length).toBe(3);
  });
});

describe('progress on a terminal', () => {
  it('draws a tqdm-like bar with the description, counts and postfix, ending with a newline', () => {
    const stream = new FakeStream(true);
    const it = progress(['a', 'b', 'c', 'd'], { desc: 'epoch 2', stream, fps: 1000 });
    for (const _ of it) it.setPostfix({ loss: torch.tensor(1.23456) });
    expect(it.bar!.enabled).toBe(true);
    const plain = stream.plain;
    // The first frame at 0 and the final one at 4/4.
    expect(plain).toContain('epoch 2:   0%|');
    expect(plain).toMatch(
      /epoch 2: 100%\|█{25}\| 4\/4 \[00:00<00:00, ([0-9.]+|\?)it\/s, loss=1\.23\]/,
    );
    expect(stream.text.endsWith('\n')).toBe(true);
    // Redraws go back to the start of the line and clear what is right of the cursor.
    expect(stream.text).toContain('\x1b[1G');
    expect(stream.text).toContain('\x1b[0K');
  });

  it('closes the bar when the loop breaks or throws', () => {
    const stream = new FakeStream(true);
    const it = progress([1, 2, 3, 4], { stream });
    for (const x of it) if (x === 2) break;
    expect(it.bar!.closed).toBe(true);
    expect(it.bar!.n).toBe(1);
    expect(stream.plain).toMatch(/ 25%\|.*\| 1\/4/);
    const it2 = progress([1, 2], { stream });
    expect(() => {
      for (const _ of it2) throw new Error('step failed');
    }).toThrow('step failed');
    expect(it2.bar!.closed).toBe(true);
  });

  it('wraps async iterables and a DataLoader (total = number of batches)', async () => {
    const stream = new FakeStream(true);
    async function* gen() {
      yield 1;
      yield 2;
    }
    const got: number[] = [];
    for await (const x of progress(gen(), { stream, desc: 'async' })) got.push(x);
    expect(got).toEqual([1, 2]);
    expect(stream.plain).toMatch(/async: 2it \[00:00, ([0-9.]+|\?)it\/s\]/);

    const ds = new torch.io.TensorDataset(torch.zeros(10, 2));
    const loader = new torch.io.DataLoader(ds, { batchSize: 4 });
    const s2 = new FakeStream(true);
    const bar = progress(loader, { desc: 'epoch 1', stream: s2 });
    expect(bar.options.total).toBe(3);
    let batches = 0;
    for await (const [x] of bar) batches += x!.shape[0]! > 0 ? 1 : 0;
    expect(batches).toBe(3);
    expect(s2.plain).toMatch(/epoch 1: 100%\|█+\| 3\/3/);
  });

  it('for..of over an async-only source says to use for await', () => {
    async function* gen() {
      yield 1;
    }
    expect(() => {
      for (const _ of progress(gen())) {
      }
    }).toThrow(/use `for await/);
  });
});

describe('ProgressBar', () => {
  it('formats like tqdm: percentage, eighth-block bar, counts, times, rate, postfix', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const bar = new ProgressBar({ total: 100, desc: 'train', enabled: false });
    bar.update(40);
    bar.update(2);
    vi.setSystemTime(1_002_000);
    bar.setPostfix({ loss: 0.25123, name: 'x' });
    expect(bar.format()).toBe(
      `train:  42%|${'█'.repeat(10)}▌${' '.repeat(14)}| 42/100 [00:02<00:02, 21.00it/s, loss=0.251, name=x]`,
    );
    bar.close();
    vi.setSystemTime(1_010_000);
    expect(bar.elapsed).toBe(2);
    bar.update(5);
    expect(bar.n).toBe(42);
  });

  it('slow steps are shown as seconds per step, unknown totals as a count', () => {
    vi.useFakeTimers({ now: 0 });
    const bar = new ProgressBar({ total: 10, unit: 'batch', enabled: false });
    bar.update();
    vi.setSystemTime(4000);
    expect(bar.format()).toBe(` 10%|██▌${' '.repeat(22)}| 1/10 [00:04<00:36, 4.00s/batch]`);
    const open = new ProgressBar({ desc: 'stream', enabled: false });
    open.update(3);
    vi.setSystemTime(5000);
    expect(open.format()).toBe('stream: 3it [00:01, 3.00it/s]');
  });

  it('renders on a terminal on manual updates, and can be forced on a non-terminal', () => {
    const stream = new FakeStream(true);
    const bar = new ProgressBar({ total: 3, desc: 'manual', stream, fps: 1000 });
    bar.update();
    bar.setDescription('manual!');
    bar.update(2);
    bar.close();
    bar.close();
    expect(stream.plain).toMatch(/manual!: 100%\|█{25}\| 3\/3/);
    expect(stream.text.match(/\n/g)?.length).toBe(1);

    const log = new FakeStream(false);
    const forced = new ProgressBar({ total: 2, stream: log, enabled: true });
    forced.update(2);
    forced.close();
    expect(log.plain).toMatch(/100%\|█{25}\| 2\/2/);
  });

  it('reads tensor postfix values when they are set, so a tidy scope may dispose them', () => {
    const bar = new ProgressBar({ total: 2, enabled: false });
    torch.tidy(() => bar.setPostfix({ loss: torch.tensor(0.25).mul(2) }));
    expect(bar.format()).toMatch(/loss=0\.5\]$/);
    const stream = new FakeStream(false);
    const it = progress([1, 2], { stream, summary: true });
    for (const x of it) torch.tidy(() => it.setPostfix({ loss: torch.tensor(x).div(4) }));
    expect(stream.text).toMatch(/loss=0\.5\]\n$/);
  });

  it('rejects a bad total; formatInterval prints h:mm:ss', () => {
    expect(() => new ProgressBar({ total: -1, enabled: false })).toThrow(
      /total must be a non-negative number/,
    );
    expect(formatInterval(3725)).toBe('1:02:05');
    expect(formatInterval(59.9)).toBe('00:59');
    expect(formatInterval(Number.NaN)).toBe('?');
  });
});
