import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { dec, type Encoded, fx, maxDiff } from './module-helpers.js';

const init = torch.nn.init;
const f = fx.init as Record<string, Encoded & Record<string, number>>;

describe('nn.init', () => {
  it('uniform_ reproduces PyTorch’s draws exactly (float32 and float64)', () => {
    torch.manualSeed(4);
    expect(maxDiff(init.uniform_(torch.empty(2000), -0.37, 0.81), dec(f.uniform_f32!))).toBe(0);
    torch.manualSeed(5);
    const w = init.uniform_(torch.empty(50, { dtype: 'float64' }), -2.5, 1.25);
    expect(maxDiff(w, dec(f.uniform_f64!))).toBe(0);
  });

  it('xavierUniform_ and kaimingUniform_(fan_out, relu) equal PyTorch for the same seed', () => {
    torch.manualSeed(6);
    const x = init.xavierUniform_(torch.empty(40, 30), init.calculateGain('tanh'));
    expect(maxDiff(x, dec(f.xavier_uniform_40_30_tanh!))).toBe(0);
    torch.manualSeed(7);
    const k = init.kaimingUniform_(torch.empty(16, 8, 3, 3), {
      mode: 'fan_out',
      nonlinearity: 'relu',
    });
    expect(maxDiff(k, dec(f.kaiming_uniform_fan_out_relu!))).toBe(0);
  });

  it('calculateGain matches PyTorch', () => {
    const gains = f.gains as unknown as Record<string, number>;
    expect(init.calculateGain('linear')).toBe(gains.linear);
    expect(init.calculateGain('tanh')).toBe(gains.tanh);
    expect(init.calculateGain('relu')).toBe(gains.relu);
    expect(init.calculateGain('leaky_relu')).toBe(gains.leaky_relu);
    expect(init.calculateGain('leaky_relu', 0.2)).toBe(gains['leaky_relu_0.2']);
    expect(init.calculateGain('selu')).toBe(gains.selu);
    expect(init.calculateGain('sigmoid')).toBe(gains.sigmoid);
    expect(() => init.calculateGain('swish')).toThrow('Unsupported nonlinearity swish');
  });

  it('bounds and statistics of the random initialisers', () => {
    torch.manualSeed(0);
    const w = init.kaimingUniform_(torch.empty(256, 128));
    const bound = (Math.sqrt(3) * Math.sqrt(2 / (1 + 0))) / Math.sqrt(128);
    expect(w.abs().max().item()).toBeLessThanOrEqual(bound);
    expect(w.abs().max().item()).toBeGreaterThan(0.99 * bound);
    const n = init.kaimingNormal_(torch.empty(512, 256), { mode: 'fan_out', nonlinearity: 'relu' });
    expect(n.std().item()).toBeCloseTo(Math.sqrt(2 / 512), 3);
    expect(Math.abs(n.mean().item() as number)).toBeLessThan(2e-3);
    const xn = init.xavierNormal_(torch.empty(300, 200));
    expect(xn.std().item()).toBeCloseTo(Math.sqrt(2 / 500), 3);
    const u = init.uniform_(torch.empty(10000), 2, 3);
    expect(u.min().item()).toBeGreaterThanOrEqual(2);
    expect(u.max().item()).toBeLessThan(3);
    expect(u.mean().item()).toBeCloseTo(2.5, 1);
    const g = init.normal_(torch.empty(20000), 1, 0.5);
    expect(g.mean().item()).toBeCloseTo(1, 1);
    expect(g.std().item()).toBeCloseTo(0.5, 1);
    const t = init.truncNormal_(torch.empty(20000), 0, 1, -1, 1.5);
    expect(t.min().item()).toBeGreaterThanOrEqual(-1);
    expect(t.max().item()).toBeLessThanOrEqual(1.5);
    // Truncated N(0,1) on [-1, 1.5] has mean (φ(-1) − φ(1.5)) / (Φ(1.5) − Φ(-1)) ≈ 0.1468.
    expect(t.mean().item()).toBeCloseTo(0.1468, 1);
  });

  it('deterministic initialisers and their errors', () => {
    expect(init.constant_(torch.empty(2, 2), 0.5).tolist()).toEqual([
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
    expect(init.zeros_(torch.ones(2)).tolist()).toEqual([0, 0]);
    expect(init.ones_(torch.zeros(2)).tolist()).toEqual([1, 1]);
    expect(init.eye_(torch.empty(2, 3)).tolist()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(() => init.eye_(torch.empty(2))).toThrow('Only tensors with 2 dimensions are supported');
    expect(() => init.xavierUniform_(torch.empty(3))).toThrow(
      'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions',
    );
    expect(() => init.kaimingUniform_(torch.empty(3, 3), { mode: 'fan_avg' as 'fan_in' })).toThrow(
      'Mode fan_avg not supported, please use one of fan_in, fan_out',
    );
    expect(init.calculateFanInAndFanOut(torch.empty(8, 3, 5, 5))).toEqual([75, 200]);
  });

  it('works on parameters without recording a graph', () => {
    const p = new torch.nn.Parameter(torch.empty(3, 4));
    init.xavierUniform_(p);
    init.zeros_(p);
    expect(p.isLeaf && p.requiresGrad).toBe(true);
    expect(p.gradFn).toBeNull();
    expect(p.abs().sum().item()).toBe(0);
  });
});

describe('Tensor.uniform_ and nn.init.uniform_', () => {
  it('draw identical values (one PyTorch-exact sampler in core)', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      torch.manualSeed(3);
      const a = torch.empty([257], { dtype }).uniform_(-0.1, 0.3);
      torch.manualSeed(3);
      const b = torch.nn.init.uniform_(torch.empty([257], { dtype }), -0.1, 0.3);
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    }
  });
});
