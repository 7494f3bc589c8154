"""PyTorch equivalents of this plugin's ops, for packages/testing/scripts/gen_fixtures.py --mapping.

Each entry maps an op name to fn(inputs, attrs) -> tensor (or tuple of tensors).
"""
import torch
import torch.nn.functional as F

NS = "autodag-plugin-softplus"


def _softplus_grad(x, a):
    # d softplus / dx, computed by autograd so that PyTorch's own definition is the reference.
    x = x.detach().requires_grad_(True) if not x.requires_grad else x
    y = F.softplus(x, beta=a["beta"], threshold=a["threshold"])
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    return g


MAPPING = {
    f"{NS}.softplus": lambda i, a: F.softplus(i[0], beta=a["beta"], threshold=a["threshold"]),
    f"{NS}.softplusGrad": lambda i, a: _softplus_grad(i[0], a),
    f"{NS}.erf": lambda i, a: torch.erf(i[0]),
}
