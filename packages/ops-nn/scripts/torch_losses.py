"""PyTorch equivalents of @autodag/ops-nn's softmax and loss ops, for
packages/testing/scripts/gen_fixtures.py --mapping (run with /usr/bin/python3, PyTorch 1.13).

Each entry maps an op name to fn(inputs, attrs) -> tensor. Class-index targets arrive as int32
(autodag has no int64) and are converted to int64 before calling PyTorch.
"""
import torch
import torch.nn.functional as F

MAPPING = {
    "nn.softmax": lambda i, a: F.softmax(i[0], dim=a["dim"]),
    "nn.logSoftmax": lambda i, a: F.log_softmax(i[0], dim=a["dim"]),
}
