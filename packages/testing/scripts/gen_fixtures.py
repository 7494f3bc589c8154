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
    with torch.no_grad():
        out.copy_(src)
    # The copy makes `out` depend on `src` only, as autodag's assign primitive does.
    return src + (out - src).detach()


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
    # views and copies
    "contiguous": lambda i, a: i[0].clone(),
    "view": lambda i, a: i[0].view(a["shape"]),
    "transpose": lambda i, a: i[0].transpose(a["dim0"], a["dim1"]),
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
}


# ---- evaluation -------------------------------------------------------------------------------


def decode(v):
    if isinstance(v, str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[v]
    return v


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
    out = fn(inputs, sample["attrs"])
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
            grads = torch.autograd.grad(loss, diff, allow_unused=True)
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
