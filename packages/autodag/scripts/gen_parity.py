"""PyTorch reference for the end-to-end parity test (packages/autodag/test/parity.test.ts).

Run with /usr/bin/python3 (PyTorch 1.13):
    gen_parity.py            writes initial weights, fixed batches and the reference runs
    gen_parity.py --verify   loads the state dicts autodag saved (autodag_*.safetensors) into
                             PyTorch models and checks them against PyTorch's own final weights

For each model (an MLP and a small CNN with batch norm) it saves the initial state dict as
.safetensors, then trains a copy for 20 steps with SGD (momentum) and with AdamW on fixed
batches, recording every loss, the final state dict and eval-mode logits on a held-out batch.
Debian has no Python safetensors package, so the format is read and written here from its
specification: u64 little-endian header length, JSON header, raw little-endian data.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "parity")
STEPS = 20

DTYPES = {
    torch.float32: ("F32", np.float32),
    torch.float64: ("F64", np.float64),
    torch.int32: ("I32", np.int32),
    torch.int64: ("I64", np.int64),
}
NP_OF = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}


def write_safetensors(path, tensors, metadata=None):
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        code, np_dtype = DTYPES[t.dtype]
        raw = t.detach().contiguous().numpy().astype(np.dtype(np_dtype).newbyteorder("<")).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[base + begin : base + end], dtype=np.dtype(NP_OF[info["dtype"]]).newbyteorder("<"))
        out[name] = torch.from_numpy(arr.reshape(info["shape"]).copy())
    return out


def mlp():
    return nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 5))


def cnn():
    # The convolutions feed batch norm, so they have no bias: a bias there gets a zero gradient
    # up to rounding, which Adam's normalised step would turn into noise-driven updates.
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, bias=False),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, padding=1, bias=False),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(8 * 3 * 3, 10),
    )


MODELS = {
    "mlp": (mlp, lambda g: torch.randn(16, 20, generator=g), 5),
    "cnn": (cnn, lambda g: torch.rand(8, 1, 12, 12, generator=g), 10),
}
OPTIMIZERS = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
    "adamw": lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.01),
}


def make_batches(name):
    _, draw, classes = MODELS[name]
    g = torch.Generator().manual_seed(1)
    batches = []
    for _ in range(5):
        x = draw(g)
        y = torch.randint(0, classes, (x.shape[0],), generator=g)
        batches.append((x, y))
    return batches[:4], batches[4]


def generate():
    os.makedirs(OUT, exist_ok=True)
    runs = {}
    for name, (build, _, _) in MODELS.items():
        torch.manual_seed(0)
        model = build()
        init = {k: v.clone() for k, v in model.state_dict().items()}
        write_safetensors(os.path.join(OUT, f"{name}_init.safetensors"), init, {"model": name})
        batches, held = make_batches(name)
        data = {
            "batches": [{"x": x.flatten().tolist(), "xShape": list(x.shape), "y": y.tolist()} for x, y in batches],
            "held": {"x": held[0].flatten().tolist(), "xShape": list(held[0].shape), "y": held[1].tolist()},
        }
        for opt_name, make_opt in OPTIMIZERS.items():
            model.load_state_dict(init)
            model.train()
            opt = make_opt(model.parameters())
            losses = []
            for step in range(STEPS):
                x, y = batches[step % len(batches)]
                opt.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                opt.step()
                losses.append(loss.item())
            model.eval()
            with torch.no_grad():
                held_logits = model(held[0])
            write_safetensors(os.path.join(OUT, f"{name}_{opt_name}_final.safetensors"), model.state_dict())
            data[opt_name] = {"losses": losses, "heldLogits": held_logits.flatten().tolist()}
        runs[name] = data
    with open(os.path.join(OUT, "runs.json"), "w") as f:
        json.dump({"steps": STEPS, "torch": torch.__version__, "runs": runs}, f)
    print(f"gen_parity: wrote {OUT}")


def verify():
    """Loads each autodag_<model>_<opt>.safetensors into a PyTorch model (strict) and compares."""
    failures = 0
    for name, (build, _, _) in MODELS.items():
        for opt_name in OPTIMIZERS:
            path = os.path.join(OUT, f"autodag_{name}_{opt_name}.safetensors")
            if not os.path.exists(path):
                print(f"verify: missing {path} (run the parity test with AUTODAG_WRITE_PARITY=1)")
                failures += 1
                continue
            model = build()
            model.load_state_dict(read_safetensors(path), strict=True)
            want = read_safetensors(os.path.join(OUT, f"{name}_{opt_name}_final.safetensors"))
            worst = 0.0
            for k, v in model.state_dict().items():
                ref = want[k].to(v.dtype)
                worst = max(worst, float((v - ref).abs().max() / (ref.abs().max() + 1e-12)))
            ok = worst < 1e-4
            failures += 0 if ok else 1
            print(f"verify: {name}/{opt_name}: PyTorch loaded autodag's state dict, worst relative difference {worst:.2e} {'ok' if ok else 'FAIL'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    verify() if "--verify" in sys.argv else generate()
