/**
 * The seed's examples (`npm start`, src/main.ts) on WebGPU: main.ts's own statements, their
 * synchronous reads made asynchronous (async-main.ts), run with `torch.setDefaultDevice('webgpu')`
 * and compared, statement by statement, with the same program on the CPU; that program in turn
 * prints what `npm start` prints.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from 'autodag';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTestDevice } from '../../../packages/backend-webgpu/test/device.js';
import { main } from '../src/main.js';
import { repr } from '../src/transcript.js';
import { type AsyncTranscript, loadAsyncMain } from './async-main.js';

/** A value `show` printed, with the statement that produced it. */
interface Shown {
  code: string;
  value: unknown;
}

/** What a run printed (console.log lines) and the values it showed. */
interface Transcript {
  lines: string[];
  shown: Shown[];
  outDir: string;
}

const dirs: string[] = [];
const outDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'autodag-seed-webgpu-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

beforeAll(openTestDevice, 60_000);

/** `repr`, reading tensors asynchronously (`formatTensorAsync`): works on every device. */
async function reprAsync(value: unknown, nested = false): Promise<string> {
  if (value instanceof torch.Tensor) return torch.formatTensorAsync(value);
  if (Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype) {
    const items = await Promise.all(value.map((v) => reprAsync(v, true)));
    return `[${items.join(', ')}]`;
  }
  return repr(value, nested);
}

/** Captures console.log's lines while `body` runs. */
async function capture(lines: string[], body: () => unknown): Promise<void> {
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(...args.join(' ').split('\n'));
  });
  try {
    await body();
  } finally {
    log.mockRestore();
  }
}

/** main.ts with asynchronous reads, run with `device` as the default device. */
async function runAsyncMain(device: string): Promise<Transcript> {
  const shown: Shown[] = [];
  const echo = (code: string) => console.log(`> ${code.split('\n').join('\n  ')}`);
  const transcript: AsyncTranscript = {
    section: (title) => console.log(`\n=== ${title} ===`),
    note: (text) => console.log(`// ${text}`),
    run: async (code, body) => {
      echo(code);
      return await body();
    },
    show: async (code, body) => {
      echo(code);
      const value = await body();
      shown.push({ code, value });
      console.log(await reprAsync(value));
    },
  };
  const asyncMain = loadAsyncMain(transcript);
  const before = torch.getDefaultDevice();
  const lines: string[] = [];
  const dir = outDir();
  torch.setDefaultDevice(device);
  try {
    await capture(lines, () => asyncMain(dir));
  } finally {
    torch.setDefaultDevice(before);
  }
  return { lines, shown, outDir: dir };
}

const NUMBER = /-?\d+(\.\d*)?(e[+-]?\d+)?/gi;

/** Lines equal up to numbers, which may differ by `atol + rtol·|want|`. */
function expectLinesClose(got: string[], want: string[], atol: number, rtol: number): void {
  expect(got.length).toBe(want.length);
  got.forEach((line, i) => {
    const where = `line ${i + 1}: ${line} vs ${want[i]}`;
    expect(line.replace(NUMBER, '#'), where).toBe(want[i]!.replace(NUMBER, '#'));
    const a = line.match(NUMBER) ?? [];
    const b = want[i]!.match(NUMBER) ?? [];
    a.forEach((x, j) => {
      expect(Math.abs(Number(x) - Number(b[j])), where).toBeLessThanOrEqual(
        atol + rtol * Math.abs(Number(b[j])),
      );
    });
  });
}

// float32 on both devices, WebGPU summing in other orders: a few ULP per op, compounded through
// the MLP's 100 gradient steps (1e-8 apart here where the values are 1e-5).
const ATOL = 1e-5;
const RTOL = 1e-4;

/** `got` (shown by the WebGPU run) matches `want` (the CPU run's) within float32 tolerances. */
async function expectSameValue(got: unknown, want: unknown, where: string): Promise<void> {
  if (want instanceof torch.Tensor) {
    expect(got, where).toBeInstanceOf(torch.Tensor);
    const t = got as torch.Tensor;
    expect(t.device, where).toBe('webgpu');
    expect([t.shape, t.dtype, t.requiresGrad, t.gradFn?.name], where).toEqual([
      want.shape,
      want.dtype,
      want.requiresGrad,
      want.gradFn?.name,
    ]);
    const a = await t.data();
    const b = await want.data();
    for (let i = 0; i < b.length; i++) {
      const diff = Math.abs(Number(a[i]) - Number(b[i]));
      expect(diff, `${where}[${i}]`).toBeLessThanOrEqual(ATOL + RTOL * Math.abs(Number(b[i])));
    }
  } else if (typeof want === 'number') {
    expect(typeof got, where).toBe('number');
    expect(Math.abs((got as number) - want), where).toBeLessThanOrEqual(
      ATOL + RTOL * Math.abs(want),
    );
  } else if (Array.isArray(want) && Object.getPrototypeOf(want) === Array.prototype) {
    expect((got as unknown[]).length, where).toBe(want.length);
    for (let i = 0; i < want.length; i++) {
      await expectSameValue((got as unknown[])[i], want[i], `${where}[${i}]`);
    }
  } else {
    expect(String(got), where).toBe(String(want));
  }
}

describe("the seed's examples (npm start) on WebGPU", () => {
  let cpu: Transcript;
  let gpu: Transcript;

  beforeAll(async () => {
    cpu = await runAsyncMain('cpu');
    gpu = await runAsyncMain('webgpu');
  }, 120_000);

  it('on the CPU with asynchronous reads, prints what npm start prints', async () => {
    const lines: string[] = [];
    const dir = outDir();
    await capture(lines, () => main(dir));
    const relative = (l: string[], d: string) => l.map((line) => line.replaceAll(d, '<out>'));
    const want = relative(lines, dir);
    const got = relative(cpu.lines, cpu.outDir);
    // Up to the float64 section the programs are the same: the same text.
    const dag = want.findIndex((l) => l.startsWith('=== A general DAG'));
    expect(dag).toBeGreaterThan(0);
    expect(got.slice(0, dag)).toEqual(want.slice(0, dag));
    // There the rewritten program computes in float32: float32's rounding, no dtype suffix.
    const unsuffixed = want.slice(dag).map((l) => l.replace(', dtype=torch.float64', ''));
    expectLinesClose(got.slice(dag), unsuffixed, 1e-4, 1e-5);
  });

  it('shows the same values on WebGPU as on the CPU, statement by statement', async () => {
    expect(gpu.shown.map((s) => s.code)).toEqual(cpu.shown.map((s) => s.code));
    expect(cpu.shown.length).toBeGreaterThan(20);
    for (const [i, { code, value }] of cpu.shown.entries()) {
      const got = gpu.shown[i]!.value;
      const local = (v: unknown, dir: string) =>
        typeof v === 'string' ? v.replaceAll(dir, '<out>') : v;
      await expectSameValue(local(got, gpu.outDir), local(value, cpu.outDir), code);
    }
    // The tensors the examples create and compute live on WebGPU.
    const tensors = gpu.shown.filter((s) => s.value instanceof torch.Tensor);
    expect(tensors.length).toBeGreaterThan(15);
  });

  it("trains the MLP on WebGPU with the CPU's losses", () => {
    const steps = (t: Transcript) => t.lines.filter((l) => l.startsWith('step '));
    expect(steps(gpu)).toHaveLength(6);
    expectLinesClose(steps(gpu), steps(cpu), 1e-6, 1e-4);
    const losses = steps(gpu).map((l) => Number(l.split('loss ')[1]));
    expect(losses[5]!).toBeLessThan(losses[0]! / 100);
  });
});
