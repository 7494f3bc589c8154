// A TypeScript user's file, compiled with --strict against the installed declarations: the
// public API broadly (tensor methods of every op family, nn, optim, io, autograd), and wrong
// calls that must not compile (each @ts-expect-error fails the build if its line compiles).

import type { Tensor } from 'autodag';
import * as torch from 'autodag';
import { softplus } from 'autodag-plugin-softplus';

const { nn, optim, io, autograd } = torch;

// Creation, dtypes, devices.
const a: Tensor = torch.tensor([
  [1, 2, 3],
  [4, 5, 6],
]);
const b = torch.arange(6).reshape(2, 3).float();
const c = torch.linspace(0, 1, 5);
const r = torch.randn([2, 3], { dtype: 'float64' });
const e = torch.eye(3);
const f = torch.full([2, 2], 7);
const z = torch.zerosLike(a);

// Elementwise, comparison, reductions, views, indexing, joins, linear algebra.
const unary = a.exp().log().tanh().sigmoid().relu().abs().sqrt().neg().clamp(0, 1);
const binary = a.add(b).sub(1).mul(b).div(2).pow(2).maximum(z);
const mask: Tensor = a.gt(2).logicalAnd(a.lt(6));
const reduced = [
  a.sum(),
  a.sum(0, true),
  a.mean({ dim: 1 }),
  a.amax(1),
  a.std(),
  a.argmax(1),
  a.prod(),
];
const views = [
  a.view(3, 2),
  a.transpose(0, 1),
  a.permute(1, 0),
  a.T,
  a.unsqueeze(0).squeeze(0),
  a.flatten(),
];
const picked = [
  a.get(0, 1),
  a.indexSelect(1, torch.tensor([0, 2], { dtype: 'int32' })),
  a.maskedFill(mask, 0),
];
const joined = [torch.cat([a, b], 0), torch.stack([a, b]), torch.where(mask, a, b)];
const products = [a.matmul(b.T), torch.mm(a, e), a.cumsum(1), softplus(a)];
const shape: readonly number[] = a.shape;
const value: number = a.sum().item();
const text: string = value.toFixed(4) + String(a) + unary.dtype + binary.device + shape.join();

// Autograd.
const w = torch.randn(3).requiresGrad_();
const loss = w.mul(w).sum();
loss.backward();
const g: Tensor | null = w.grad;
const [dw] = torch.grad(w.pow(3).sum(), [w]);
const jac: Tensor = autograd.functional.jacobian((t: Tensor) => t.exp(), torch.ones(3));
const hess: Tensor = autograd.functional.hessian((t: Tensor) => t.pow(3).sum(), torch.ones(3));
const ok: boolean = autograd.gradcheck(
  (t: Tensor) => t.sin(),
  [torch.rand(3, { dtype: 'float64' }).requiresGrad_()],
);
torch.noGrad(() => w.mul_(0.5));
w[Symbol.dispose]();

// nn: containers, layers, a module of one's own.
class Net extends nn.Module {
  readonly conv: InstanceType<typeof nn.Conv2d>;
  readonly head: InstanceType<typeof nn.Linear>;
  constructor() {
    super();
    this.conv = new nn.Conv2d(1, 4, 3, { padding: 1 });
    this.head = new nn.Linear(4 * 4 * 4, 10);
  }
  override forward(x: Tensor): Tensor {
    const h = nn.functional.maxPool2d(this.conv.call(x).relu(), 2);
    return this.head.call(h.flatten(1));
  }
}
const net = new Net();
const logits: Tensor = net.call(torch.randn(2, 1, 8, 8));
const mlp = new nn.Sequential(
  new nn.Linear(4, 8),
  new nn.ReLU(),
  new nn.Dropout(0.1),
  new nn.Linear(8, 2),
);
const out: Tensor = mlp.call(torch.randn(5, 4));
const ce: Tensor = nn.functional.crossEntropy(logits, torch.tensor([1, 2], { dtype: 'int32' }));
const bn = new nn.BatchNorm2d(4);
bn.eval();
const params: Tensor[] = [...mlp.parameters()];
const state: Record<string, Tensor> = mlp.stateDict();

// optim.
const opt = new optim.AdamW(mlp.parameters(), { lr: 1e-3, weightDecay: 0.01 });
const sgd = new optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
opt.zeroGrad();
out.sum().backward();
opt.step();
sgd.step();

// io.
async function files(): Promise<void> {
  const bytes: Uint8Array = await io.saveToBytes(state);
  const back: Record<string, Tensor> = io.loadFromBytes(bytes);
  const npy: Uint8Array = await io.saveToBytes(a, { format: 'npy' });
  const data = new io.TensorDataset(torch.randn(8, 4), torch.randn(8, 2));
  for (const [x, y] of new io.DataLoader(data, { batchSize: 4, shuffle: true })) {
    const l: Tensor = nn.functional.mseLoss(mlp.call(x), y);
    l.item().toFixed(4);
  }
  console.log(back, npy.length, await a.data());
}

export {
  b,
  c,
  ce,
  dw,
  e,
  f,
  files,
  g,
  hess,
  jac,
  joined,
  ok,
  params,
  picked,
  products,
  r,
  reduced,
  text,
  views,
};

// Wrong calls.
// @ts-expect-error: a string is no tensor
a.add('1');
// @ts-expect-error: item() is a number
const wrong: string = a.sum().item();
// @ts-expect-error: model outputs are tensors, with no such method
mlp.call(torch.ones(1, 4)).fooBar();
// @ts-expect-error: Linear takes sizes
new nn.Linear('4', 2);
// @ts-expect-error: the learning rate is a number
new optim.SGD(mlp.parameters(), { lr: '0.1' });
// @ts-expect-error: no such file format
io.saveToBytes(state, { format: 'pickle' });
// @ts-expect-error: reshape takes numbers
a.reshape('2, 3');
// @ts-expect-error: no such dtype
torch.zeros([2], { dtype: 'float128' });

export { wrong };
