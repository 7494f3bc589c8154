import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

/**
 * Impossible sizes: every creation function names itself, the size and the bytes asked for
 * (PyTorch: `not enough memory: you tried to allocate N bytes`), never V8's `Invalid typed array
 * length`; invalid sizes (negative, NaN, fractional, infinite) are named as such. The sizes used
 * are past any machine's memory, so the tests allocate nothing.
 */

const HUGE = [1e6, 1e6]; // 4e12 bytes as float32
const HUGE_BYTES = '4000000000000 bytes';

function allocationError(fn: string, size = '[1000000, 1000000]', bytes = HUGE_BYTES): RegExp {
  const text = `${fn}: not enough memory: you tried to allocate ${bytes} for a tensor of size ${size}`;
  return new RegExp(`^${text.replace(/[[\]()]/g, '\\$&')}`);
}

describe('creation with impossible sizes', () => {
  const big = () => torch.zeros(1).expand(HUGE);

  it.each([
    ['zeros', () => torch.zeros(HUGE)],
    ['ones', () => torch.ones(...HUGE)],
    ['empty', () => torch.empty(HUGE, { dtype: 'float32' })],
    ['full', () => torch.full(HUGE, 7)],
    ['rand', () => torch.rand(HUGE)],
    ['randn', () => torch.randn(HUGE)],
    ['eye', () => torch.eye(1e6)],
    ['zerosLike', () => torch.zerosLike(big())],
    ['onesLike', () => torch.onesLike(big())],
    ['emptyLike', () => torch.emptyLike(big())],
    ['fullLike', () => torch.fullLike(big(), 2)],
    ['randLike', () => torch.randLike(big())],
    ['randnLike', () => torch.randnLike(big())],
  ])('%s names itself, the size and the bytes', (fn, make) => {
    expect(make).toThrow(allocationError(fn));
    expect(make).toThrow(RangeError);
  });

  it('names the dtype, whose size sets the bytes', () => {
    expect(() => torch.randint(0, 5, HUGE)).toThrow(/^randint: .* 4000000000000 bytes .* int32/);
    expect(() => torch.zeros(HUGE, { dtype: 'float64' })).toThrow(/8000000000000 bytes .* float64/);
    expect(() => torch.zeros(HUGE, { dtype: 'bool' })).toThrow(/1000000000000 bytes .* bool/);
  });

  it('counts bytes exactly past 2^53 elements', () => {
    expect(() => torch.zeros(1e10, 1e10)).toThrow(
      allocationError('zeros', '[10000000000, 10000000000]', '400000000000000000000 bytes'),
    );
  });

  it('ranges: arange rejects infinite and NaN bounds as PyTorch does, and counts its elements', () => {
    expect(() => torch.arange(0, Infinity)).toThrow(/^arange: unsupported range: 0 -> inf$/);
    expect(() => torch.arange(-Infinity, 0)).toThrow(/^arange: unsupported range: -inf -> 0$/);
    expect(() => torch.arange(Number.NaN)).toThrow(/^arange: unsupported range: 0 -> nan$/);
    expect(() => torch.arange(0, 1, Number.NaN)).toThrow(/unsupported range: 0 -> 1 with step nan/);
    expect(() => torch.arange(0, 1e12)).toThrow(
      allocationError('arange', '[1000000000000]', '4000000000000 bytes'),
    );
    expect(() => torch.arange(0, 1, 1e-12)).toThrow(/^arange: not enough memory/);
    expect(() => torch.linspace(0, 1, 1e12)).toThrow(/^linspace: not enough memory/);
    expect(() => torch.logspace(0, 1, 1e12)).toThrow(/^logspace: not enough memory/);
    expect(() => torch.linspace(0, 1, 2.5)).toThrow(
      'linspace: number of steps must be a non-negative integer, got 2.5',
    );
    expect(() => torch.logspace(0, 1, -1)).toThrow(/^logspace: number of steps/);
    expect(() => torch.randint(0, Infinity, [2])).toThrow(
      /^randint: low and high must be integers/,
    );
  });

  it.each([
    ['negative', -2],
    ['NaN', Number.NaN],
    ['fractional', 2.5],
    ['infinite', Infinity],
  ])('a %s size is named with the function', (_, bad) => {
    for (const [fn, make] of [
      ['zeros', () => torch.zeros(2, bad)],
      ['ones', () => torch.ones([bad])],
      ['empty', () => torch.empty(bad)],
      ['full', () => torch.full([bad], 1)],
      ['rand', () => torch.rand(bad)],
      ['randn', () => torch.randn(bad)],
      ['randint', () => torch.randint(0, 2, [bad])],
      ['eye', () => torch.eye(bad)],
    ] as const) {
      expect(make, fn).toThrow(new RegExp(`^${fn}: invalid shape .*non-negative integers`));
    }
    expect(() => torch.zeros(1).expand(bad)).toThrow(/^expand: invalid size/);
    expect(() => torch.arange(6).reshape(bad, -1)).toThrow(/^reshape: invalid shape/);
    expect(() => torch.arange(6).view(bad)).toThrow(/^view: invalid shape/);
  });

  it('tensor() sizes nested data before reading it (rows shared by reference)', () => {
    const row = new Array(1e6).fill(0);
    expect(() => torch.tensor(new Array(1e6).fill(row))).toThrow(allocationError('tensor'));
    // The data still decides the dtype: all booleans make bool, a number among them float32.
    expect(torch.tensor([[true], [false]]).dtype).toBe('bool');
    expect(torch.tensor([true, 2, false]).tolist()).toEqual([1, 2, 0]);
    expect(torch.tensor([true, 2.5]).dtype).toBe('float32');
    expect(torch.tensor([0, 2, Number.NaN], { dtype: 'bool' }).tolist()).toEqual([
      false,
      true,
      true,
    ]);
  });

  it('ops that must copy an expanded view name themselves', () => {
    expect(() => big().contiguous()).toThrow(allocationError('contiguous'));
    expect(() => big().clone()).toThrow(allocationError('clone'));
    expect(() => big().add(1)).toThrow(allocationError('add'));
    expect(() => torch.arange(1e6).expand(HUGE).t().reshape(-1)).toThrow(
      /^reshape: not enough memory: you tried to allocate 4000000000000 bytes/,
    );
    expect(() => torch.arange(1e6).expand(HUGE).t().flatten()).toThrow(/^flatten: not enough/);
    expect(() => torch.zeros(2).repeat(1e6, 1e6)).toThrow(/^repeat: not enough memory/);
    expect(() => torch.ones(1e6, 1).matmul(torch.ones(1, 1e6))).toThrow(/^matmul: not enough/);
    expect(() => torch.outer(torch.ones(1e6), torch.ones(1e6))).toThrow(/^outer: not enough/);
    // Views of absurd sizes allocate nothing and stay allowed, as in PyTorch.
    expect(big().shape).toEqual(HUGE);
  });

  it('keeps the backend error as the cause', () => {
    try {
      torch.zeros(HUGE);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(torch.AllocationError);
      expect((e as torch.AllocationError).size).toEqual(HUGE);
      expect((e as Error).cause).toBeInstanceOf(RangeError);
    }
  });
});

describe('a failed allocation or kernel', () => {
  /** A 'cpu' device that counts the storages it allocates and fails the int32 ones. */
  function countingCpu() {
    const cpu = torch.getBackend('cpu');
    const made: torch.Storage[] = [];
    const own = (s: torch.Storage) => Object.assign(s, { backend: proxy });
    const proxy: torch.Backend = {
      name: 'cpu',
      priority: cpu.priority,
      allocate(dtype, size) {
        if (dtype === 'int32' && size > 0) throw new RangeError('fake device: out of memory');
        const s = own(cpu.allocate(dtype, size));
        made.push(s);
        return s;
      },
      upload: (values, dtype) => own(cpu.upload(values, dtype)),
      read: (s) => cpu.read(s),
      readSync: (s) => cpu.readSync!(s),
      release: (s) => cpu.release(s),
    };
    return { cpu, proxy, made };
  }

  it('releases the outputs it had allocated and changes no input', () => {
    const { cpu, proxy, made } = countingCpu();
    torch.registerBackend(proxy);
    try {
      const x = torch.tensor([
        [1, 5],
        [7, 2],
      ]);
      // max over a dim allocates float32 values, then int32 indices, which fail.
      expect(() => x.max(1)).toThrow(/^max: not enough memory: you tried to allocate 8 bytes/);
      expect(made.length).toBe(1);
      expect(made.every((s) => s.disposed)).toBe(true);
      expect(x.tolist()).toEqual([
        [1, 5],
        [7, 2],
      ]);
      expect(x.add(1).tolist()).toEqual([
        [2, 6],
        [8, 3],
      ]);
    } finally {
      torch.registerBackend(cpu);
    }
  });
});
