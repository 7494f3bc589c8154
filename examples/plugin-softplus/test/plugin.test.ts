import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fixtureValues, parseFixtures, runConformance } from '@autodag/testing';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { erf, erfOp, NAMESPACE, softplus, softplusGradOp, softplusOp } from '../src/index.js';

const path = fileURLToPath(new URL('./fixtures/ops.json', import.meta.url));
const fixtures = existsSync(path)
  ? parseFixtures(JSON.parse(readFileSync(path, 'utf8')))
  : undefined;
const ops = [softplusOp, softplusGradOp, erfOp].map((o) => o.def.name);

// The plugin's ops through the same suite core ops run: values and gradients vs PyTorch,
// float64 gradcheck, non-contiguous inputs. Fixtures are required for every sample.
runConformance({
  describe,
  it,
  ops,
  fixtures,
  requireFixtures: true,
  checks: ['forward', 'fixture', 'gradcheck', 'gradgradcheck', 'layouts'],
});

describe('autodag-plugin-softplus', () => {
  it('registers namespaced ops with a CPU kernel each', () => {
    for (const name of ops) {
      expect(name.startsWith(`${NAMESPACE}.`)).toBe(true);
      expect(torch.listKernels(name)).toContain('cpu');
    }
  });

  it('erf matches PyTorch in float64 to about 1e-15', () => {
    const sample = fixtures!.ops[erfOp.def.name]!['float64 tails']!;
    const x = torch.tensor([-7, -4.5, -2.5, -2, -1.999, -0.3, 0, 1e-8, 0.7, 1.95, 3.5, 6.5], {
      dtype: 'float64',
    });
    const got = Array.from(erf(x).dataSync());
    const want = fixtureValues(sample.outputs![0]!);
    got.forEach((v, i) => {
      expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(2e-15 * Math.abs(want[i]!) + 1e-300);
    });
  });

  it('follows PyTorch argument handling and errors', () => {
    const ints = torch.tensor([0, 1], { dtype: 'int32' });
    expect(erf(ints).dtype).toBe('float32');
    expect(() => softplus(ints)).toThrow(/softplus: expected a floating point tensor, got int32/);
    expect(() => torch.callOp(softplusOp, [torch.ones(2)], { beta: 'x' })).toThrow(
      /softplus: attribute 'beta' must be a number/,
    );
    const y = softplus(torch.tensor([1], { requiresGrad: true }), { beta: 2 });
    expect(y.gradFn?.name).toBe('SoftplusBackward0');
  });

  it('has second derivatives (gradgradcheck)', () => {
    const x = torch.tensor([-1.5, -0.2, 0.4, 2.5], { dtype: 'float64', requiresGrad: true });
    expect(torch.autograd.gradgradcheck((t: torch.Tensor) => softplus(t, { beta: 1.5 }), [x])).toBe(
      true,
    );
    expect(torch.autograd.gradgradcheck((t: torch.Tensor) => erf(t), [x])).toBe(true);
  });
});
