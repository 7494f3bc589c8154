"""Generates packages/ops-nn/test/fixtures/bilinear.json: PyTorch's F.bilinear outputs and
gradients for fixed tensors, and the weights of a seeded nn.Bilinear. Run with /usr/bin/python3
(PyTorch 1.13)."""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures')


def enc(t):
    t = t.detach()
    dtype = {torch.float32: 'float32', torch.float64: 'float64'}[t.dtype]
    return {'shape': list(t.shape), 'dtype': dtype, 'data': t.flatten().tolist()}


def case(shape1, shape2, out, bias):
    x1 = torch.randn(*shape1, dtype=torch.float64, requires_grad=True)
    x2 = torch.randn(*shape2, dtype=torch.float64, requires_grad=True)
    w = torch.randn(out, shape1[-1], shape2[-1], dtype=torch.float64, requires_grad=True)
    b = torch.randn(out, dtype=torch.float64, requires_grad=True) if bias else None
    y = F.bilinear(x1, x2, w, b)
    g = torch.randn_like(y)
    y.backward(g)
    res = {'x1': enc(x1), 'x2': enc(x2), 'w': enc(w), 'out': enc(y), 'gradOut': enc(g),
           'gx1': enc(x1.grad), 'gx2': enc(x2.grad), 'gw': enc(w.grad)}
    if bias:
        res['b'] = enc(b)
        res['gb'] = enc(b.grad)
    return res


def main():
    torch.manual_seed(1)
    fixtures = {
        'cases': {
            'batched': case((5, 3), (5, 4), 2, True),
            'no bias 3-d': case((2, 3, 3), (2, 3, 2), 4, False),
            'vector': case((3,), (4,), 2, True),
        },
    }
    torch.manual_seed(0)
    m = nn.Bilinear(3, 4, 2)
    fixtures['seeded'] = {'weight': enc(m.weight), 'bias': enc(m.bias), 'repr': repr(m)}
    with open(os.path.join(OUT, 'bilinear.json'), 'w') as f:
        json.dump(fixtures, f)
        f.write('\n')


if __name__ == '__main__':
    main()
