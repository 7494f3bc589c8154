/**
 * When a terminal progress bar redraws: synchronous loops (a training step that never yields to
 * the event loop) must still refresh it about `fps` times per second, a frame must not pair one
 * step's postfix with the previous step's count, and a finished bar must end on a 100% frame with
 * the latest postfix. The clock is faked, so cli-progress's own timer never fires, as in a loop
 * that holds the event loop.
 */
import * as torch from 'autodag';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const { progress, ProgressBar } = torch.io;

/** A terminal that records what is written. */
class FakeTerminal {
  readonly isTTY = true;
  columns = 200;
  chunks: string[] = [];
  write(s: string) {
    this.chunks.push(s);
    return true;
  }
  /** Every frame drawn, in order, without escape sequences. */
  get frames(): string[] {
    return (
      this.chunks
        .join('')
        .split('\x1b[1G')
        .slice(1)
        // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
        .map((f) => f.replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, '').trim())
        .filter((f) => f !== '')
    );
  }
}

/** The count `n` of `n/total` in a frame. */
const countOf = (frame: string) => Number(/\| (\d+)\/\d+ \[/.exec(frame)![1]);

/** Moves the clock without running timers: the event loop is busy with the loop. */
const elapse = (ms: number) => vi.setSystemTime(Date.now() + ms);

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('progress bars redraw in synchronous loops', () => {
  it('refresh every frame time, show the postfix with its own step, and end at 100%', () => {
    const term = new FakeTerminal();
    const steps = 40;
    const it = progress(
      Array.from({ length: steps }, (_, i) => i + 1),
      { desc: 'epoch 1', stream: term, fps: 10 },
    );
    for (const step of it) {
      elapse(30); // a 30 ms training step
      it.setPostfix({ loss: step / 1000 });
    }
    const frames = term.frames;
    // Frames 100 ms apart: every 4th step (cli-progress alone redrew every 7th step).
    const counts = frames.map(countOf);
    for (let i = 1; i < counts.length; i++) {
      expect(counts[i]! - counts[i - 1]!).toBeLessThanOrEqual(4);
    }
    // A frame's loss is the loss of the step its count includes, never one step ahead.
    for (const frame of frames.slice(1)) {
      const n = countOf(frame);
      expect(frame).toContain(`loss=${n / 1000}]`);
    }
    const last = frames.at(-1)!;
    expect(last).toMatch(/^epoch 1: 100%\|█{25}\| 40\/40 \[/);
    expect(last).toContain('loss=0.04]');
  });

  it('a manual bar draws its 100% frame as soon as it completes, and close() the latest postfix', () => {
    const term = new FakeTerminal();
    const bar = new ProgressBar({ total: 3, desc: 'test', stream: term, fps: 10 });
    elapse(500);
    bar.update(2);
    elapse(10); // within the frame time: not drawn yet
    bar.setPostfix({ acc: 0.5 });
    bar.update(1);
    // Completed but not closed (e.g. evaluation still summing up): the 100% frame is on screen.
    expect(term.frames.at(-1)).toMatch(/^test: 100%\|█{25}\| 3\/3 \[.*acc=0\.5\]$/);
    elapse(10);
    bar.setPostfix({ acc: 0.75 }); // throttled away here, but not lost
    expect(term.frames.at(-1)).toContain('acc=0.5]');
    bar.close();
    expect(term.frames.at(-1)).toMatch(/^test: 100%\|█{25}\| 3\/3 \[.*acc=0\.75\]$/);
    expect(term.chunks.join('').endsWith('\n')).toBe(true);
  });

  it('a loop that completes draws 100% with the postfix set on its last step', () => {
    const term = new FakeTerminal();
    const it = progress([1, 2, 3], { stream: term, fps: 1 });
    for (const x of it) it.setPostfix({ loss: x });
    // At 1 fps with no time passing only the first frame and the completing ones are drawn.
    expect(term.frames.at(-1)).toMatch(/^100%\|█{25}\| 3\/3 \[.*loss=3\]$/);
    expect(term.frames.some((f) => / 2\/3 /.test(f))).toBe(false);
  });
});
