"""PyTorch equivalents of @autodag/ops-nn's convolution and pooling ops, for
packages/testing/scripts/gen_fixtures.py --mapping (run with /usr/bin/python3, PyTorch 1.13).

Each entry maps an op name to fn(inputs, attrs) -> tensor (or tuple of tensors). The backward ops
(nn.convWeightBackward, nn.*PoolBackward) are linear in the gradient they receive, so their
reference is PyTorch's own autograd gradient with that gradient fed in (create_graph=True keeps it
differentiable for the fixture's gradients); max pooling's backward is the scatter-add by index
that PyTorch's max_pool*_with_indices_backward performs.
"""
import torch
import torch.nn.functional as F

CONV = {1: F.conv1d, 2: F.conv2d}
CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d}
MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d}
AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d}
ADAPTIVE = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d}


def _conv(dims, bias):
    def call(i, a):
        return CONV[dims](
            i[0], i[1], i[2] if bias else None,
            stride=a["stride"], padding=a["padding"], dilation=a["dilation"], groups=a["groups"],
        )
    return call


def _conv_t(dims, bias):
    def call(i, a):
        return CONV_T[dims](
            i[0], i[1], i[2] if bias else None,
            stride=a["stride"], padding=a["padding"], output_padding=a["outputPadding"],
            groups=a["groups"], dilation=a["dilation"],
        )
    return call


def _vjp_of(fn, input_shape, grad, dtype):
    """The gradient of <fn(x), grad> in x, differentiable in grad (fn is linear in x)."""
    x = torch.zeros(input_shape, dtype=dtype, requires_grad=True)
    (g,) = torch.autograd.grad(fn(x), x, grad_outputs=grad, create_graph=True)
    return g


def _conv_weight_backward(i, a):
    x, gy = i
    dims = len(a["kernelSize"])
    shape = [gy.shape[1], x.shape[1] // a["groups"], *a["kernelSize"]]
    w = torch.zeros(shape, dtype=x.dtype, requires_grad=True)
    y = CONV[dims](x, w, stride=a["stride"], padding=a["padding"], dilation=a["dilation"],
                   groups=a["groups"])
    (g,) = torch.autograd.grad(y, w, grad_outputs=gy, create_graph=True)
    return g


def _max_pool(dims):
    def call(i, a):
        out, idx = MAX_POOL[dims](
            i[0], a["kernelSize"], stride=a["stride"], padding=a["padding"],
            dilation=a["dilation"], ceil_mode=a["ceilMode"], return_indices=True,
        )
        return out, idx.to(torch.int32)
    return call


def _max_pool_backward(i, a):
    grad, idx = i
    lead = list(grad.shape[:2])
    n = 1
    for s in a["inputSize"]:
        n *= s
    out = torch.zeros(lead + [n], dtype=grad.dtype)
    out = out.scatter_add(2, idx.long().flatten(2), grad.flatten(2))
    return out.reshape(lead + list(a["inputSize"]))


def _avg_args(a):
    return dict(
        stride=a["stride"], padding=a["padding"], ceil_mode=a["ceilMode"],
        count_include_pad=a["countIncludePad"],
    )


def _avg_pool(dims):
    def call(i, a):
        kw = _avg_args(a)
        if dims == 2:
            kw["divisor_override"] = a.get("divisorOverride")
        return AVG_POOL[dims](i[0], a["kernelSize"], **kw)
    return call


def _avg_pool_backward(i, a):
    grad = i[0]
    dims = len(a["kernelSize"])
    shape = list(grad.shape[:2]) + list(a["inputSize"])
    return _vjp_of(lambda x: _avg_pool(dims)([x], a), shape, grad, grad.dtype)


def _adaptive_backward(i, a):
    grad = i[0]
    dims = len(a["inputSize"])
    shape = list(grad.shape[:2]) + list(a["inputSize"])
    out_size = list(grad.shape[2:])
    return _vjp_of(lambda x: ADAPTIVE[dims](x, out_size), shape, grad, grad.dtype)


MAPPING = {
    "nn.conv1d": _conv(1, True),
    "nn.conv1dNoBias": _conv(1, False),
    "nn.conv2d": _conv(2, True),
    "nn.conv2dNoBias": _conv(2, False),
    "nn.convTranspose1d": _conv_t(1, True),
    "nn.convTranspose1dNoBias": _conv_t(1, False),
    "nn.convTranspose2d": _conv_t(2, True),
    "nn.convTranspose2dNoBias": _conv_t(2, False),
    "nn.convWeightBackward": _conv_weight_backward,
    "nn.convBiasBackward": lambda i, a: i[0].sum([0] + list(range(2, i[0].dim()))),
    "nn.maxPool1d": _max_pool(1),
    "nn.maxPool2d": _max_pool(2),
    "nn.maxPoolBackward": _max_pool_backward,
    "nn.avgPool1d": _avg_pool(1),
    "nn.avgPool2d": _avg_pool(2),
    "nn.avgPoolBackward": _avg_pool_backward,
    "nn.adaptiveAvgPool1d": lambda i, a: F.adaptive_avg_pool1d(i[0], a["outputSize"]),
    "nn.adaptiveAvgPool2d": lambda i, a: F.adaptive_avg_pool2d(i[0], a["outputSize"]),
    "nn.adaptiveAvgPoolBackward": _adaptive_backward,
}
