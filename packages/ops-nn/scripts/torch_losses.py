"""PyTorch equivalents of @autodag/ops-nn's softmax and loss ops, for
packages/testing/scripts/gen_fixtures.py --mapping (run with /usr/bin/python3, PyTorch 1.13).

Each entry maps an op name to fn(inputs, attrs) -> tensor. Class-index targets arrive as int32
(autodag has no int64) and are converted to int64 before calling PyTorch. The ops always receive
a weight tensor (ones, or a 0-d one, when the caller gave none), which PyTorch takes as is.
"""
import warnings

import torch
import torch.nn.functional as F

# Regression losses with a broadcast target warn in PyTorch; the result is what we compare.
warnings.filterwarnings("ignore", category=UserWarning)


def _target(t):
    return t.long() if t.dtype == torch.int32 else t


def _nll(i, a):
    return F.nll_loss(i[0], _target(i[1]), weight=i[2], ignore_index=a["ignoreIndex"],
                      reduction=a["reduction"])


def _nll_backward(i, a):
    # NLL is linear in its input, so its input gradient is the same at any point: take it at 0,
    # with create_graph so that the result is differentiable w.r.t. the incoming gradient.
    x = torch.zeros(a["inputShape"], dtype=i[0].dtype, requires_grad=True)
    y = F.nll_loss(x, _target(i[1]), weight=i[2], ignore_index=a["ignoreIndex"],
                   reduction=a["reduction"])
    (g,) = torch.autograd.grad(y, x, grad_outputs=i[0], create_graph=True)
    return g


def _cross_entropy(i, a):
    return F.cross_entropy(i[0], _target(i[1]), weight=i[2], ignore_index=a["ignoreIndex"],
                           reduction=a["reduction"], label_smoothing=a["labelSmoothing"])


MAPPING = {
    "nn.softmax": lambda i, a: F.softmax(i[0], dim=a["dim"]),
    "nn.logSoftmax": lambda i, a: F.log_softmax(i[0], dim=a["dim"]),
    "nn.softmaxBackward": lambda i, a: torch._softmax_backward_data(i[0], i[1], a["dim"],
                                                                    i[1].dtype),
    "nn.logSoftmaxBackward": lambda i, a: torch._log_softmax_backward_data(i[0], i[1], a["dim"],
                                                                           i[1].dtype),
    "nn.nllLoss": _nll,
    "nn.nllLossBackward": _nll_backward,
    "nn.crossEntropy": _cross_entropy,
    "nn.mseLoss": lambda i, a: F.mse_loss(i[0], i[1], reduction=a["reduction"]),
    "nn.l1Loss": lambda i, a: F.l1_loss(i[0], i[1], reduction=a["reduction"]),
    "nn.smoothL1Loss": lambda i, a: F.smooth_l1_loss(i[0], i[1], reduction=a["reduction"],
                                                     beta=a["beta"]),
    "nn.huberLoss": lambda i, a: F.huber_loss(i[0], i[1], reduction=a["reduction"],
                                              delta=a["delta"]),
    "nn.binaryCrossEntropy": lambda i, a: F.binary_cross_entropy(
        i[0], i[1], weight=i[2], reduction=a["reduction"]),
    "nn.binaryCrossEntropyWithLogits": lambda i, a: F.binary_cross_entropy_with_logits(
        i[0], i[1], weight=i[2], pos_weight=i[3], reduction=a["reduction"]),
    "nn.klDiv": lambda i, a: F.kl_div(i[0], i[1], reduction=a["reduction"],
                                      log_target=a["logTarget"]),
}
