import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

/**
 * What backward and composite ops free themselves (device memory that would otherwise wait for
 * the garbage collector), and what they must leave alone because the caller can still reach it.
 * The checks are on `disposed`, so they hold on every device.
 */

const { nn } = torch;

function mlpLoss() {
  torch.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(4, 8), new nn.Tanh(), new nn.Linear(8, 3));
  const x = torch.randn(5, 4);
  const y = torch.tensor([0, 2, 1, 1, 0], { dtype: 'int32' });
  return { model, loss: nn.functional.crossEntropy(model.call(x), y) };
}

describe('backward frees what only it could reach', () => {
  it('disposes the gradients flowing between nodes and keeps every .grad', () => {
    const { model, loss } = mlpLoss();
    const { created } = torch.collectCreated(() => loss.backward());
    const grads = model.parameters().map((p) => p.grad!);
    expect(created.length).toBeGreaterThan(grads.length);
    const live = created.filter((t) => !t.disposed);
    for (const g of grads) expect(g.disposed).toBe(false);
    // Survivors are the .grad tensors and the tensors they are views of.
    for (const t of live) expect(grads.some((g) => g === t || g.storage === t.storage)).toBe(true);
    expect(grads.every((g) => g.isfinite().all().item() === 1)).toBe(true);
  });

  it('leaves alone what hooks saw, what retainGrad stored and what grad() returns', () => {
    const x = torch.randn(3, { requiresGrad: true });
    const h = x.mul(2);
    h.retainGrad();
    let seen: torch.Tensor | null = null;
    const h2 = h.exp();
    h2.registerHook((g) => {
      seen = g;
    });
    h2.sum().backward();
    expect(seen!.disposed).toBe(false);
    expect(seen!.tolist()).toEqual([1, 1, 1]);
    expect(h.grad!.disposed).toBe(false);
    expect(h.grad!.sub(h.exp()).abs().max().item()).toBeLessThan(1e-6);

    const w = torch.randn(3, { requiresGrad: true });
    const [gw] = torch.autograd.grad(w.mul(w).sum(), [w]);
    expect(gw!.disposed).toBe(false);
    expect(gw!.sub(w.mul(2)).abs().max().item()).toBeLessThan(1e-6);
  });

  it('frees nothing under createGraph, so double backward works', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const { created } = torch.collectCreated(() =>
      x.pow(3).sum().backward(null, { createGraph: true }),
    );
    expect(created.every((t) => !t.disposed)).toBe(true);
    const g = x.grad!;
    x.grad = null;
    g.sum().backward();
    expect(x.grad!.tolist()).toEqual([6, 12, 18]);
  });

  it('keeps the gradients a custom backward function receives', () => {
    let received: torch.Tensor | null = null;
    const x = torch.randn(4, { requiresGrad: true });
    const out = torch.noGrad(() => x.mul(3)).detach();
    torch.getAutograd().recordFunction('Times3Backward', [x], [out], ([g]) => {
      received = g;
      return [g!.mul(3)];
    });
    out.mul(2).sum().backward();
    expect(received!.disposed).toBe(false);
    expect(received!.tolist()).toEqual([2, 2, 2, 2]);
    expect(x.grad!.tolist()).toEqual([6, 6, 6, 6]);
  });
});

describe('composite ops free their intermediates', () => {
  /** A composite exp(x)·2 summed, which hands its intermediates to the test. */
  function expSumOp(seen: torch.Tensor[]) {
    return torch.defineOp(
      {
        name: 'test.expSum',
        inputs: ['x'],
        composite: ([x]) => {
          const e = x!.exp(); // saved by exp's node (its VJP reads the output)
          const d = e.mul(2); // saved by nobody: sum's VJP needs only the shape
          seen.push(e, d);
          return d.sum();
        },
      },
      { override: true },
    );
  }

  it('at once when no node saved them, else when backward releases the nodes', () => {
    const seen: torch.Tensor[] = [];
    const x = torch.tensor([0, 1, 2], { requiresGrad: true });
    const out = torch.callOp(expSumOp(seen), [x]) as torch.Tensor;
    const [e, d] = seen;
    expect(d!.disposed).toBe(true);
    expect(e!.disposed).toBe(false);
    out.backward();
    expect(e!.disposed).toBe(true);
    expect(out.disposed).toBe(false);
    expect(x.grad!.sub(x.exp().mul(2)).abs().max().item()).toBeLessThan(1e-5);
  });

  it('under noGrad, as soon as the op returns; retainGraph keeps what a second backward needs', () => {
    const seen: torch.Tensor[] = [];
    const op = expSumOp(seen);
    const out = torch.noGrad(() => torch.callOp(op, [torch.ones(3)]) as torch.Tensor);
    expect(seen.every((t) => t.disposed)).toBe(true);
    expect(out.item()).toBeCloseTo(6 * Math.E, 4);

    seen.length = 0;
    const x = torch.zeros(2, { requiresGrad: true });
    const y = torch.callOp(op, [x]) as torch.Tensor;
    y.backward(null, { retainGraph: true });
    y.backward();
    expect(x.grad!.tolist()).toEqual([4, 4]);
    expect(seen[0]!.disposed).toBe(true);
  });

  it('the real composites too: cross-entropy keeps only its loss', () => {
    const logits = torch.randn(4, 3, { requiresGrad: true });
    const target = torch.tensor([0, 1, 2, 1], { dtype: 'int32' });
    const { result: loss, created } = torch.collectCreated(() =>
      nn.functional.crossEntropy(logits, target),
    );
    // Intermediates never reach enclosing scopes: only the loss does.
    expect(created).toEqual([loss]);
    loss.backward();
    expect(logits.grad!.sum(1).abs().max().item()).toBeLessThan(1e-6);
  });

  it('leaves intermediates alone when the composite recorded a hand-written backward', () => {
    const op = torch.defineOp(
      {
        name: 'test.scaledCopy',
        inputs: ['x'],
        composite: ([x]) => {
          const scale = torch.tensor([2, 3]);
          const out = torch.noGrad(() => x!.mul(scale)).detach();
          if (x!.requiresGrad) {
            torch
              .getAutograd()
              .recordFunction('ScaledCopyBackward', [x!], [out], ([g]) => [g!.mul(scale)]);
          }
          return out;
        },
      },
      { override: true },
    );
    const x = torch.ones(2, { requiresGrad: true });
    (torch.callOp(op, [x]) as torch.Tensor).sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 3]);
  });
});
