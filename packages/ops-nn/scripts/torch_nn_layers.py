"""PyTorch references of @autodag/ops-nn's layer ops (linear, normalisation, activations,
embedding, attention), for packages/testing/scripts/gen_fixtures.py --mapping.

Each entry maps an op name to fn(inputs, attrs) -> tensor (or tuple of tensors). Run through
`npm run fixtures:layers` in packages/ops-nn (with /usr/bin/python3, PyTorch 1.13).
"""
import math

import torch
import torch.nn.functional as F


def _bn_dims(x):
    return [0] + list(range(2, x.dim()))


def _batch_norm_train(i, a):
    x, w, b = i
    out = F.batch_norm(x, None, None, w, b, True, 0.1, a["eps"])
    mean = x.mean(dim=_bn_dims(x))
    var = x.var(dim=_bn_dims(x), unbiased=False)
    return out, mean, var


def _batch_norm_eval(i, a):
    x, rm, rv, w, b = i
    return F.batch_norm(x, rm, rv, w, b, False, 0.1, a["eps"])


def _batch_norm_backward(i, a):
    # Training-mode gradients of batch_norm w.r.t. (input, weight, bias) for grad_output g, taken
    # with create_graph so that PyTorch's double backward gives the second-order references.
    g, x, w = i
    x_ = x if x.requires_grad else x.detach().requires_grad_(True)
    w_ = w if w.requires_grad else w.detach().requires_grad_(True)
    b = torch.zeros_like(w_, requires_grad=True)
    out = F.batch_norm(x_, None, None, w_, b, True, 0.1, a["eps"])
    return torch.autograd.grad(out, (x_, w_, b), g, create_graph=True)


def _embedding(i, a):
    pad = a.get("paddingIdx")
    return F.embedding(i[0].long(), i[1], padding_idx=pad)


def _attention(q, k, v, mask, a):
    scale = a.get("scale")
    if scale is None:
        scale = 1 / math.sqrt(q.shape[-1])
    scores = q @ k.transpose(-2, -1) * scale
    L, S = q.shape[-2], k.shape[-2]
    if a.get("isCausal"):
        keep = torch.ones(L, S, dtype=torch.bool).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if mask is not None:
        if mask.dtype == torch.bool:
            scores = scores.masked_fill(~mask, float("-inf"))
        else:
            scores = scores + mask
    return torch.softmax(scores, dim=-1) @ v


def _gelu_grad(x, a):
    x = x if x.requires_grad else x.detach().requires_grad_(True)
    y = F.gelu(x, approximate=a["approximate"])
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    return g


MAPPING = {
    "nn.linear": lambda i, a: F.linear(i[0], i[1], i[2]),
    "nn.batchNorm": _batch_norm_train,
    "nn.batchNormEval": _batch_norm_eval,
    "nn.batchNormBackward": _batch_norm_backward,
    "nn.layerNorm": lambda i, a: F.layer_norm(i[0], a["normalizedShape"], i[1], i[2], a["eps"]),
    "nn.groupNorm": lambda i, a: F.group_norm(i[0], a["numGroups"], i[1], i[2], a["eps"]),
    "nn.gelu": lambda i, a: F.gelu(i[0], approximate=a["approximate"]),
    "nn.geluGrad": lambda i, a: _gelu_grad(i[0], a),
    "nn.silu": lambda i, a: F.silu(i[0]),
    "nn.leakyRelu": lambda i, a: F.leaky_relu(i[0], a["negativeSlope"]),
    "nn.elu": lambda i, a: F.elu(i[0], a["alpha"]),
    "nn.softplus": lambda i, a: F.softplus(i[0], beta=a["beta"], threshold=a["threshold"]),
    "nn.hardtanh": lambda i, a: F.hardtanh(i[0], a["minVal"], a["maxVal"]),
    "nn.embedding": _embedding,
    "nn.scaledDotProductAttention": lambda i, a: _attention(i[0], i[1], i[2], None, a),
    "nn.scaledDotProductAttentionMasked": lambda i, a: _attention(i[0], i[1], i[2], i[3], a),
}
