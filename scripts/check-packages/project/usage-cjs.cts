// A CommonJS TypeScript file: the .d.cts declarations.
import torch = require('autodag');

const x: torch.Tensor = torch.ones(2, 3).add(1).sum(1);
const n: number = x.sum().item();
// @ts-expect-error: sum() takes dims, not a string
torch.ones(2).sum('a');
export = { x, n };
