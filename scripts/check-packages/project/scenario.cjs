// What a new user does first, run from the installed tarballs in Node (ESM and CommonJS) and in a
// browser bundle. Throws on the first thing that is not as the README promises.
const { softplus } = require('autodag-plugin-softplus');

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

function throwsMatching(fn, pattern, what) {
  try {
    fn();
  } catch (error) {
    check(pattern.test(String(error.message)), `${what}: unexpected message '${error.message}'`);
    return;
  }
  check(false, `${what}: did not throw`);
}

/** Runs the scenario with `torch` (the autodag namespace); resolves to a list of lines to print. */
async function run(torch) {
  const { nn, optim } = torch;
  const lines = [];

  // The README's first snippet.
  const x = torch.tensor([-3, 2, 5]).requiresGrad_();
  x.pow(3).sum().backward();
  check(String(x.grad) === 'tensor([27., 12., 75.])', `x.grad prints as ${String(x.grad)}`);

  // Printing: PyTorch's reprs with the library's own class names (not a bundler's _Sequential).
  torch.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 1));
  const repr = String(model);
  check(
    repr.startsWith('Sequential(\n  (0): Linear(in_features=2, out_features=16, bias=True)'),
    repr,
  );
  check(!/_[A-Z]\w*\(/.test(repr), `renamed classes in ${repr}`);
  const printed = String(
    torch
      .tensor([
        [1, 2],
        [3, 4],
      ])
      .mul(0.5)
      .requiresGrad_()
      .sum(),
  );
  check(printed === 'tensor(5., gradFn=<SumBackward0>)', `printed ${printed}`);
  try {
    torch.ones(2).item();
  } catch (error) {
    check(/at Tensor\.item/.test(error.stack), `stack trace names 'Tensor.item': ${error.stack}`);
  }

  // A short training run: fit y = x0 - 2·x1 with AdamW.
  const inputs = torch.randn(64, 2);
  const targets = inputs.matmul(torch.tensor([[1], [-2]]));
  const opt = new optim.AdamW(model.parameters(), { lr: 0.05 });
  let first = 0;
  let last = 0;
  for (let step = 0; step < 60; step++) {
    opt.zeroGrad();
    const loss = nn.functional.mseLoss(model.call(inputs), targets);
    loss.backward();
    opt.step();
    if (step === 0) first = loss.item();
    last = loss.item();
  }
  check(last < first / 10, `loss went from ${first} to ${last}`);
  lines.push(`training: mse ${first.toFixed(4)} -> ${last.toFixed(4)} in 60 AdamW steps`);

  // safetensors round trip (the default format) into a fresh model.
  const bytes = await torch.io.saveToBytes(model.stateDict());
  const copy = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 1));
  copy.loadStateDict(torch.io.loadFromBytes(bytes));
  const diff = copy.call(inputs).sub(model.call(inputs)).abs().max().item();
  check(diff === 0, `reloaded model differs by ${diff}`);
  lines.push(`safetensors: ${bytes.length} bytes, reloaded model identical`);

  // A third-party op plugin, registered through the public registry.
  const sp = softplus(torch.tensor([-1, 0, 1])).tolist();
  check(Math.abs(sp[1] - Math.log(2)) < 1e-6, `softplus gave ${sp}`);

  // Clear errors for the usual mistakes.
  throwsMatching(
    () => torch.ones(2).matmul([1, 2]),
    /matmul.*not an array.*torch\.tensor/,
    'matmul',
  );
  throwsMatching(() => new nn.Linear(2, 2).call([1, 2]), /not an array.*torch\.tensor/, 'Linear');
  throwsMatching(() => torch.zeros([1e10]), /^zeros: .*40000000000 bytes/, 'zeros([1e10])');
  throwsMatching(
    () => torch.arange(0, Infinity),
    /^arange: unsupported range/,
    'arange(0, Infinity)',
  );
  return lines;
}

module.exports = { run, check };
