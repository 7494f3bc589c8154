import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

const f64 = { dtype: 'float64' as const };

describe("the seed's networks", () => {
  it('the MLP w1 b1 w2 b2 with tanh: autograd agrees with finite differences', () => {
    torch.manualSeed(3);
    const params = [
      torch.rand(20, 10, f64),
      torch.rand(20, f64),
      torch.rand(5, 20, f64),
      torch.rand(5, f64),
    ].map((p) => p.sub(0.5).requiresGrad_());
    const x = torch.rand(10, f64);
    const target = torch.rand(5, f64);
    const loss = (w1: torch.Tensor, b1: torch.Tensor, w2: torch.Tensor, b2: torch.Tensor) => {
      const h = torch.tanh(w1.matmul(x).add(b1));
      const y = torch.tanh(w2.matmul(h).add(b2));
      return y.sub(target).pow(2).mean();
    };
    expect(torch.autograd.gradcheck(loss, params)).toBe(true);
    const l = loss(params[0]!, params[1]!, params[2]!, params[3]!);
    l.backward();
    for (const p of params) expect(p.grad!.shape).toEqual(p.shape);
    expect(String(l)).toMatch(
      /^tensor\(\d\.\d{4}, dtype=torch\.float64, gradFn=<MeanBackward0>\)$/,
    );
  });
});
