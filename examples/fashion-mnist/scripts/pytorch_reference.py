"""The example's recipe in PyTorch, for comparison on the same machine, and a check that an
autodag checkpoint loads into PyTorch.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/pytorch_reference.py --epochs 10 --lr 2e-3 \
        [--stop-after 1] [--checkpoint out/fashion-cnn.safetensors]

--stop-after N trains only the first N epochs of the schedule (to time an epoch);
--checkpoint evaluates autodag's saved state dict with PyTorch on the test set and exits.
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530


def read_idx(name):
    with gzip.open(os.path.join(ROOT, name), "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(train):
    prefix = "train" if train else "t10k"
    x = torch.from_numpy(read_idx(f"{prefix}-images-idx3-ubyte.gz").copy()).float().div(255)
    y = torch.from_numpy(read_idx(f"{prefix}-labels-idx1-ubyte.gz").astype(np.int64))
    return ((x - MEAN) / STD).unsqueeze(1), y


def model():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    types = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        arr = np.frombuffer(data[8 + n + b : 8 + n + e], dtype=np.dtype(types[info["dtype"]]).newbyteorder("<"))
        out[name] = torch.from_numpy(arr.reshape(info["shape"]).copy())
    return out


@torch.no_grad()
def accuracy(net, x, y):
    net.eval()
    correct = sum((net(x[i : i + 500]).argmax(1) == y[i : i + 500]).sum().item() for i in range(0, len(x), 500))
    return correct / len(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--stop-after", type=int, default=None)
    p.add_argument("--checkpoint")
    args = p.parse_args()
    torch.set_num_threads(1)
    test_x, test_y = load(False)
    if args.checkpoint:
        net = model()
        net.load_state_dict(read_safetensors(args.checkpoint), strict=True)
        print(f"PyTorch accuracy of {args.checkpoint}: {accuracy(net, test_x, test_y):.4f}")
        return
    torch.manual_seed(0)
    train_x, train_y = load(True)
    net = model()
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=0.01)
    steps = (len(train_x) + 63) // 64
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.epochs * steps)
    for epoch in range(1, (args.stop_after or args.epochs) + 1):
        net.train()
        started = time.perf_counter()
        perm = torch.randperm(len(train_x))
        for i in range(0, len(train_x), 64):
            idx = perm[i : i + 64]
            opt.zero_grad()
            F.cross_entropy(net(train_x[idx]), train_y[idx]).backward()
            opt.step()
            sched.step()
        seconds = time.perf_counter() - started
        print(f"epoch {epoch}: test accuracy {accuracy(net, test_x, test_y):.4f}, {seconds:.1f} s")


if __name__ == "__main__":
    main()
