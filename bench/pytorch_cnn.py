"""PyTorch figures for the convolution workloads of `npm run bench`, on this machine.

Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/pytorch_cnn.py
(with Debian's libopenblas0-pthread installed, so PyTorch's BLAS is OpenBLAS; torch.set_num_threads
does not limit OpenBLAS, the environment variable does). Prints medians of 6 rounds in ms; the
figures are copied into bench/peers.ts. bench/pytorch_cuda.py runs the same workloads on a GPU.
"""
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def median_ms(fn, rounds=6, min_time=0.5):
    fn()
    fn()
    times = []
    for _ in range(rounds):
        n, start = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time / rounds and n >= 2:
                break
        times.append(elapsed / n * 1000)
    return statistics.median(times)


def conv_fwd_bwd(device="cpu"):
    x = torch.randn(32, 32, 28, 28, device=device, requires_grad=True)
    w = torch.randn(64, 32, 3, 3, device=device, requires_grad=True)
    b = torch.randn(64, device=device, requires_grad=True)

    def step():
        y = F.conv2d(x, w, b, padding=1)
        y.sum().backward()

    return step


def cnn_step(batch, device="cpu"):
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10),
    ).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.rand(batch, 1, 28, 28, device=device)
    y = torch.randint(0, 10, (batch,), device=device)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    return step


if __name__ == "__main__":
    torch.set_num_threads(1)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    print(f"conv2d fwd+bwd b32 32->64 3x3 28x28: {median_ms(conv_fwd_bwd()):.2f} ms")
    print(f"CNN step b64 (AdamW): {median_ms(cnn_step(64)):.2f} ms")
