#!/usr/bin/python3
"""PyTorch reference results for the autodag conformance suite.

Reads the samples `dump-samples.ts` wrote (every op's inputs, attributes and which arguments to
differentiate), evaluates each op with real PyTorch through the mapping table below, and writes
the outputs plus the gradients of `sum_k sum(output_k * w_k)` (the weights formula is shared with
`src/seed.ts`) to a fixture file that `@autodag/testing` compares against.

Usage (run with the interpreter that has torch 1.13, /usr/bin/python3):
    /usr/bin/python3 gen_fixtures.py samples.json ops.json [--mapping plugin_torch_ops.py ...]

A `--mapping` file is a Python module defining `MAPPING = {op_name: fn(inputs, attrs)}`; plugin
packages use it to describe their own ops. Ops without a mapping are listed under "unmapped" and
reported by the suite, never silently skipped.
"""
import argparse
import importlib.util
import json
import math
import sys

import torch

DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "int32": torch.int32,
    "bool": torch.bool,
}


def dtype_of(name):
    if name not in DTYPES:
        raise ValueError(f"unknown dtype {name!r}")
    return DTYPES[name]


# ---- mapping table: autodag op name + normalised attributes -> PyTorch call --------------------


def _slice(x, a):
    idx = [slice(None)] * x.dim()
    idx[a["dim"]] = slice(a["start"], a["end"], a.get("step", 1))
    return x[tuple(idx)]


def _squeeze(x, a):
    for d in sorted(a["dims"], reverse=True):
        if x.shape[d] == 1:
            x = x.squeeze(d)
    return x


def _sum(x, a):
    if not a["dims"]:
        return x.clone()
    return torch.sum(x, dim=a["dims"], keepdim=a.get("keepdim", False))


def _view_scatter(g, a):
    size = a["size"]
    n = math.prod(size)
    index = torch.arange(n).as_strided(a["shape"], a["strides"], a["offset"]).reshape(-1)
    out = torch.zeros(n, dtype=g.dtype).index_add(0, index, g.reshape(-1))
    return out.reshape(size)


def _assign(dst, src):
    out = dst.clone()
    out.copy_(src)
    return out


def _per_dim(fn, x, dims, keepdim):
    """Reduces one dim at a time, for reductions PyTorch 1.13 only takes a single dim for."""
    if not dims:
        return fn(x, None, keepdim)
    for d in sorted(dims, reverse=True):
        x = fn(x, d, keepdim)
    return x


def _all(x, a):
    if not a["dims"]:
        return x.bool()
    return _per_dim(lambda t, d, k: t.all(dim=d, keepdim=k), x, a["dims"], a.get("keepdim", False))


def _any(x, a):
    if not a["dims"]:
        return x.bool()
    return _per_dim(lambda t, d, k: t.any(dim=d, keepdim=k), x, a["dims"], a.get("keepdim", False))


def _prod(x, a):
    if not a["dims"]:
        return x.clone()
    return _per_dim(lambda t, d, k: t.prod(dim=d, keepdim=k), x, a["dims"], a.get("keepdim", False))


def _dims_reduction(fn):
    """`fn(x, dim=dims, keepdim=...)`, treating an empty dim list as "reduce nothing"."""

    def call(i, a):
        if not a["dims"]:
            return i[0].clone()
        return fn(i[0], dim=a["dims"], keepdim=a.get("keepdim", False))

    return call


def _var(x, a, std):
    c = a.get("correction", 1)
    dims = a["dims"] or list(range(x.dim()))
    keepdim = a.get("keepdim", False)
    if c in (0, 1):
        f = torch.std if std else torch.var
        return f(x, dim=dims, unbiased=bool(c), keepdim=keepdim)
    n = math.prod(x.shape[d] for d in dims)
    mean = x.mean(dim=dims, keepdim=True)
    v = ((x - mean) ** 2).sum(dim=dims, keepdim=keepdim) / (n - c)
    return v.sqrt() if std else v


def _norm(x, a):
    dims = a["dims"] or None
    return torch.linalg.vector_norm(x, ord=a.get("p", 2), dim=dims, keepdim=a.get("keepdim", False))


def _cumsum(x, a):
    d = a["dim"]
    if a.get("reverse", False):
        return x.flip(d).cumsum(d).flip(d)
    return x.cumsum(d)


def _full_index(x, indices, dim):
    """Index tensors addressing every element of x[(:,)*dim, *indices] (indices stacked as [k, ...B])."""
    k = indices.shape[0]
    b = list(indices.shape[1:])
    pre = list(x.shape[:dim])
    post = list(x.shape[dim + k:])
    rank = len(pre) + len(b) + len(post)
    full = []
    for p, n in enumerate(pre):
        shape = [1] * rank
        shape[p] = n
        full.append(torch.arange(n).reshape(shape))
    for j in range(k):
        full.append(indices[j].long().reshape([1] * len(pre) + b + [1] * len(post)))
    for q, n in enumerate(post):
        shape = [1] * rank
        shape[len(pre) + len(b) + q] = n
        full.append(torch.arange(n).reshape(shape))
    return tuple(full), pre + b + post


def _index(x, indices, a):
    full, _ = _full_index(x, indices, a["dim"])
    return x[full]


def _index_put(x, indices, values, a):
    full, shape = _full_index(x, indices, a["dim"])
    full = torch.broadcast_tensors(*full)
    return torch.index_put(x, full, values.expand(shape), accumulate=a.get("accumulate", False))


def _as_strided_scatter(x, src, a):
    out = x.clone()
    out.as_strided(a["shape"], a["strides"], a.get("offset", 0)).copy_(src)
    return out


def _overwrite(self, src):
    return src.expand(self.shape).clone()


COMPARISONS = {"eq": torch.eq, "ne": torch.ne, "gt": torch.gt, "lt": torch.lt, "ge": torch.ge, "le": torch.le}


MAPPING = {
    # binary / unary elementwise
    "add": lambda i, a: torch.add(i[0], i[1]),
    "sub": lambda i, a: torch.sub(i[0], i[1]),
    "mul": lambda i, a: torch.mul(i[0], i[1]),
    "div": lambda i, a: torch.div(i[0], i[1]),
    "neg": lambda i, a: torch.neg(i[0]),
    "exp": lambda i, a: torch.exp(i[0]),
    "log": lambda i, a: torch.log(i[0]),
    "tanh": lambda i, a: torch.tanh(i[0]),
    "cast": lambda i, a: i[0].to(dtype_of(a["dtype"])),
    # reductions
    "sum": lambda i, a: _sum(i[0], a),
    # linear algebra
    "mm": lambda i, a: torch.mm(i[0], i[1]),
    "bmm": lambda i, a: torch.bmm(i[0], i[1]),
    "mv": lambda i, a: torch.mv(i[0], i[1]),
    "dot": lambda i, a: torch.dot(i[0], i[1]),
    # views and copies
    "contiguous": lambda i, a: i[0].clone(),
    "view": lambda i, a: i[0].view(a["shape"]),
    "transpose": lambda i, a: i[0].transpose(a["dim0"], a["dim1"]),
    "t": lambda i, a: i[0].t(),
    "permute": lambda i, a: i[0].permute(a["dims"]),
    "expand": lambda i, a: i[0].expand(a["shape"]),
    "unsqueeze": lambda i, a: i[0].unsqueeze(a["dim"]),
    "squeeze": lambda i, a: _squeeze(i[0], a),
    "slice": lambda i, a: _slice(i[0], a),
    "select": lambda i, a: i[0].select(a["dim"], a["index"]),
    "asStrided": lambda i, a: torch.as_strided(i[0], a["shape"], a["strides"], a.get("offset", 0)),
    "viewScatter": lambda i, a: _view_scatter(i[0], a),
    "toDevice": lambda i, a: i[0].to(a["device"]),
    "assign": lambda i, a: _assign(i[0], i[1]),
    # reductions
    "sumAll": lambda i, a: torch.sum(i[0]),
    "mean": _dims_reduction(torch.mean),
    "meanAll": lambda i, a: torch.mean(i[0]),
    "prod": lambda i, a: _prod(i[0], a),
    "prodAll": lambda i, a: torch.prod(i[0]),
    "amax": _dims_reduction(torch.amax),
    "amin": _dims_reduction(torch.amin),
    "max": lambda i, a: tuple(torch.max(i[0], dim=a["dim"], keepdim=a.get("keepdim", False))),
    "min": lambda i, a: tuple(torch.min(i[0], dim=a["dim"], keepdim=a.get("keepdim", False))),
    "maxAll": lambda i, a: torch.max(i[0]),
    "minAll": lambda i, a: torch.min(i[0]),
    "argmax": lambda i, a: torch.argmax(i[0], dim=a.get("dim"), keepdim=a.get("keepdim", False)),
    "argmin": lambda i, a: torch.argmin(i[0], dim=a.get("dim"), keepdim=a.get("keepdim", False)),
    "logsumexp": _dims_reduction(torch.logsumexp),
    "var": lambda i, a: _var(i[0], a, std=False),
    "std": lambda i, a: _var(i[0], a, std=True),
    "norm": lambda i, a: _norm(i[0], a),
    "all": lambda i, a: _all(i[0], a),
    "any": lambda i, a: _any(i[0], a),
    "cumsum": lambda i, a: _cumsum(i[0], a),
    "compareMask": lambda i, a: COMPARISONS[a["cmp"]](i[0], i[1]).to(dtype_of(a["dtype"])),
    # joining and reordering
    "cat": lambda i, a: torch.cat(list(i), dim=a["dim"]),
    "stack": lambda i, a: torch.stack(list(i), dim=a["dim"]),
    "flip": lambda i, a: i[0].flip(a["dims"]) if a["dims"] else i[0].clone(),
    "repeat": lambda i, a: i[0].repeat(a["repeats"]),
    "tril": lambda i, a: torch.tril(i[0], a.get("diagonal", 0)),
    "triu": lambda i, a: torch.triu(i[0], a.get("diagonal", 0)),
    # elementwise math
    "abs": lambda i, a: torch.abs(i[0]),
    "sign": lambda i, a: torch.sign(i[0]),
    "ceil": lambda i, a: torch.ceil(i[0]),
    "floor": lambda i, a: torch.floor(i[0]),
    "round": lambda i, a: torch.round(i[0]),
    "sqrt": lambda i, a: torch.sqrt(i[0]),
    "rsqrt": lambda i, a: torch.rsqrt(i[0]),
    "reciprocal": lambda i, a: torch.reciprocal(i[0]),
    "sin": lambda i, a: torch.sin(i[0]),
    "cos": lambda i, a: torch.cos(i[0]),
    "expm1": lambda i, a: torch.expm1(i[0]),
    "log1p": lambda i, a: torch.log1p(i[0]),
    "relu": lambda i, a: torch.relu(i[0]),
    "sigmoid": lambda i, a: torch.sigmoid(i[0]),
    "isfinite": lambda i, a: torch.isfinite(i[0]),
    "isinf": lambda i, a: torch.isinf(i[0]),
    "isnan": lambda i, a: torch.isnan(i[0]),
    "maximum": lambda i, a: torch.maximum(i[0], i[1]),
    "minimum": lambda i, a: torch.minimum(i[0], i[1]),
    "remainder": lambda i, a: torch.remainder(i[0], i[1]),
    "fmod": lambda i, a: torch.fmod(i[0], i[1]),
    "divFloor": lambda i, a: torch.div(i[0], i[1], rounding_mode="floor"),
    "divTrunc": lambda i, a: torch.div(i[0], i[1], rounding_mode="trunc"),
    "divScalar": lambda i, a: i[0] / a["other"],
    "mulScalar": lambda i, a: i[0] * a["other"],
    "pow": lambda i, a: torch.pow(i[0], i[1]),
    "powScalar": lambda i, a: torch.pow(i[0], a["exponent"]),
    "rpow": lambda i, a: torch.pow(a["base"], i[0]),
    "clamp": lambda i, a: torch.clamp(i[0], min=a.get("min"), max=a.get("max")),
    "clampTensor": lambda i, a: torch.clamp(i[0], min=i[1], max=i[2]),
    "where": lambda i, a: torch.where(i[0], i[1], i[2]),
    # comparisons and logic
    "eq": lambda i, a: torch.eq(i[0], i[1]),
    "ne": lambda i, a: torch.ne(i[0], i[1]),
    "lt": lambda i, a: torch.lt(i[0], i[1]),
    "le": lambda i, a: torch.le(i[0], i[1]),
    "gt": lambda i, a: torch.gt(i[0], i[1]),
    "ge": lambda i, a: torch.ge(i[0], i[1]),
    "logicalAnd": lambda i, a: torch.logical_and(i[0], i[1]),
    "logicalOr": lambda i, a: torch.logical_or(i[0], i[1]),
    "logicalXor": lambda i, a: torch.logical_xor(i[0], i[1]),
    "logicalNot": lambda i, a: torch.logical_not(i[0]),
    "reluBackward": lambda i, a: torch.ops.aten.threshold_backward(i[0], i[1], 0),
    # indexing
    "gather": lambda i, a: torch.gather(i[0], a["dim"], i[1].long()),
    "scatter": lambda i, a: torch.scatter(i[0], a["dim"], i[1].long(), i[2]),
    "scatterAdd": lambda i, a: torch.scatter_add(i[0], a["dim"], i[1].long(), i[2]),
    "indexSelect": lambda i, a: torch.index_select(i[0], a["dim"], i[1].long()),
    "index": lambda i, a: _index(i[0], i[1], a),
    "indexPut": lambda i, a: _index_put(i[0], i[1], i[2], a),
    "maskedFill": lambda i, a: torch.masked_fill(i[0], i[1], i[2]),
    "nonzero": lambda i, a: torch.nonzero(i[0]),
    "asStridedScatter": lambda i, a: _as_strided_scatter(i[0], i[1], a),
    # overwrite ops (the out-of-place core of copy_, fill_, zero_, uniform_, normal_): the result
    # is src broadcast over self; random fills receive their samples as src
    "copy": lambda i, a: _overwrite(i[0], i[1]),
    "fill": lambda i, a: _overwrite(i[0], i[1]),
    "fillTensor": lambda i, a: _overwrite(i[0], i[1]),
    "zero": lambda i, a: _overwrite(i[0], i[1]),
    "uniformFill": lambda i, a: _overwrite(i[0], i[1]),
    "normalFill": lambda i, a: _overwrite(i[0], i[1]),
}


# ---- evaluation -------------------------------------------------------------------------------


def decode(v):
    if isinstance(v, str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "-0": -0.0}[v]
    return v


def decode_attrs(attrs):
    def dec(v):
        if isinstance(v, list):
            return [dec(x) for x in v]
        if v in ("nan", "inf", "-inf", "-0"):
            return decode(v)
        return v

    return {k: dec(v) for k, v in attrs.items()}


def encode(v):
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
    return v


def tensor_json(t):
    t = t.detach()
    return {
        "shape": list(t.shape),
        "dtype": str(t.dtype).replace("torch.", ""),
        "values": [encode(v) for v in t.reshape(-1).tolist()],
    }


def weights(n, k, dtype):
    w = [(((i + 1000 * k) * 7 + 3) % 13) / 6.5 - 0.95 for i in range(n)]
    return torch.tensor(w, dtype=torch.float64).to(dtype)


def evaluate(fn, sample):
    inputs = []
    for i, spec in enumerate(sample["inputs"]):
        values = [decode(v) for v in spec["values"]]
        t = torch.tensor(values, dtype=torch.float64).to(dtype_of(spec["dtype"]))
        t = t.reshape(spec["shape"])
        if i in sample["grad"]:
            t.requires_grad_(True)
        inputs.append(t)
    out = fn(inputs, decode_attrs(sample["attrs"]))
    outputs = list(out) if isinstance(out, (tuple, list)) else [out]
    result = {"digest": sample["digest"], "outputs": [tensor_json(o) for o in outputs]}
    if sample["grad"]:
        which = sample["differentiableOutputs"]
        if which is None:
            which = [k for k, o in enumerate(outputs) if o.is_floating_point()]
        loss = None
        for k in which:
            o = outputs[k]
            if not o.requires_grad:
                continue
            term = (o * weights(o.numel(), k, o.dtype).reshape(o.shape)).sum()
            loss = term if loss is None else loss + term
        diff = [inputs[i] for i in sample["grad"]]
        if loss is None:
            grads = [None] * len(diff)
        else:
            try:
                grads = torch.autograd.grad(loss, diff, allow_unused=True)
            except Exception as e:  # a PyTorch limitation: keep the forward reference
                result["gradError"] = str(e)
                return result
        result["grads"] = [None] * len(inputs)
        for i, g in zip(sample["grad"], grads):
            if g is None:
                g = torch.zeros_like(inputs[i])
            result["grads"][i] = tensor_json(g)
    return result


def load_mapping(path):
    spec = importlib.util.spec_from_file_location("extra_mapping", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MAPPING


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("samples")
    parser.add_argument("out")
    parser.add_argument("--mapping", action="append", default=[])
    args = parser.parse_args()
    mapping = dict(MAPPING)
    for path in args.mapping:
        mapping.update(load_mapping(path))
    with open(args.samples) as f:
        dumped = json.load(f)
    torch.manual_seed(0)
    ops, unmapped, errors = {}, [], 0
    for name, entry in sorted(dumped["ops"].items()):
        fn = mapping.get(name)
        if fn is None:
            unmapped.append(name)
            continue
        ops[name] = {}
        for sample in entry["samples"]:
            try:
                ops[name][sample["name"]] = evaluate(fn, sample)
            except Exception as e:  # recorded, and reported as a failure by the suite
                errors += 1
                ops[name][sample["name"]] = {"digest": sample["digest"], "error": str(e)}
    result = {
        "torch": torch.__version__,
        "generatedBy": "packages/testing/scripts/gen_fixtures.py",
        "ops": ops,
        "unmapped": unmapped,
    }
    with open(args.out, "w") as f:
        json.dump(result, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    n = sum(len(v) for v in ops.values())
    print(f"gen_fixtures: {n} samples of {len(ops)} ops -> {args.out}")
    if unmapped:
        print(f"gen_fixtures: no PyTorch mapping for: {', '.join(unmapped)}")
    if errors:
        print(f"gen_fixtures: PyTorch raised on {errors} samples (recorded as errors)")


if __name__ == "__main__":
    sys.exit(main())
