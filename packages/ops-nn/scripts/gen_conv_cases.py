#!/usr/bin/python3
"""PyTorch 1.13 references for packages/ops-nn/test/conv.test.ts and pool.test.ts (cases the
op-level conformance fixtures cannot express: padding='same' with even kernels, unbatched input,
NaN in max pooling). Run: /usr/bin/python3 scripts/gen_conv_cases.py > test/fixtures/conv-cases.json
"""
import json
import math

import torch
import torch.nn.functional as F


def values(t):
    return [("nan" if math.isnan(v) else v) for v in t.detach().reshape(-1).tolist()]


def ramp(*shape, scale=0.1, shift=0.0):
    n = math.prod(shape)
    return (torch.arange(n, dtype=torch.float64).reshape(shape) * scale + shift).sin()


cases = {}

# conv2d padding='same' with an even kernel and dilation (asymmetric padding), with gradients.
x = ramp(1, 2, 5, 6).requires_grad_(True)
w = ramp(3, 2, 4, 3, scale=0.37, shift=1.0).requires_grad_(True)
y = F.conv2d(x, w, None, padding="same", dilation=(1, 2))
gx, gw = torch.autograd.grad((y * ramp(*y.shape, scale=0.2)).sum(), [x, w])
cases["same even kernel"] = {
    "x": values(x), "xShape": list(x.shape), "w": values(w), "wShape": list(w.shape),
    "y": values(y), "yShape": list(y.shape), "gx": values(gx), "gw": values(gw),
}

# conv1d padding='same', unbatched.
x = ramp(3, 7)
w = ramp(2, 3, 2, scale=0.5)
b = torch.tensor([0.25, -0.5], dtype=torch.float64)
y = F.conv1d(x, w, b, padding="same")
cases["conv1d same unbatched"] = {
    "x": values(x), "xShape": list(x.shape), "w": values(w), "wShape": list(w.shape),
    "b": values(b), "y": values(y), "yShape": list(y.shape),
}

# max_pool2d with NaN: NaN propagates and its index is returned.
x = torch.tensor([[[1.0, float("nan"), 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]], dtype=torch.float64)
y, idx = F.max_pool2d(x, 2, return_indices=True)
cases["max pool nan"] = {"x": values(x), "xShape": list(x.shape), "y": values(y), "idx": idx.tolist()}

# conv2d double backward: gradient of <grad_x, v> w.r.t. the weight.
x = ramp(2, 2, 4, 4).requires_grad_(True)
w = ramp(3, 2, 3, 3, scale=0.3).requires_grad_(True)
y = F.conv2d(x, w, None, stride=2, padding=1)
(gx,) = torch.autograd.grad((y * y).sum(), [x], create_graph=True)
(ggw,) = torch.autograd.grad((gx * ramp(*gx.shape, scale=0.7)).sum(), [w])
cases["double backward"] = {"ggw": values(ggw)}

print(json.dumps({"torch": torch.__version__, "cases": cases}))
