"""PyTorch CUDA figures for `npm run bench -- --device webgpu`, on the same machine as the run.

The bench runs this script after its WebGPU workloads (never at the same time, so the GPU is
not shared) and reads one JSON object from its stdout:
  {"version": ..., "device": ..., "results": {KEY: {"unit": ..., "median": ..., "medianMsPerCall": ...,
   "roundsMs": [...]}}}
or {"missing": REASON} when PyTorch or a CUDA device is not there. fp32 with TF32 off: WGSL has no
tensor cores, so fp32 CUDA kernels are the fair comparison (TF32 matmul runs ~8x faster on an H100).

Run: python3 bench/pytorch_cuda.py [--mm 1024,2048,4096] [--cnn-batch 256] [--rounds 6]
"""
import argparse
import json
import statistics
import sys
import time


def missing(reason):
    print(json.dumps({"missing": reason}))
    sys.exit(0)


try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    missing(f"PyTorch is not installed ({e})")

from pytorch_cnn import cnn_step, conv_fwd_bwd  # noqa: E402  (after the import check)


def rounds_ms(fn, rounds, min_round_s=0.2, warmup_s=0.3):
    """Per-call ms of each round; each round queues its calls, then waits for the GPU."""
    start = time.perf_counter()
    fn()
    torch.cuda.synchronize()
    while time.perf_counter() - start < warmup_s:
        fn()
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    fn()
    torch.cuda.synchronize()
    once = time.perf_counter() - t0
    calls = max(1, min(1000, int(min_round_s / max(once, 1e-6)) + 1))
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) / calls * 1000)
    return times


def mm(n, device):
    a = torch.rand(n, n, device=device) * 2 - 1
    b = torch.rand(n, n, device=device) * 2 - 1
    return lambda: torch.mm(a, b)


def mlp_step(batch, device):
    """The CPU bench's MLP: 784-256-256-10 with tanh, softmax cross-entropy, SGD lr 0.01."""
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(784, 256), nn.Tanh(), nn.Linear(256, 256), nn.Tanh(), nn.Linear(256, 10),
    ).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.rand(batch, 784, device=device)
    y = torch.randint(0, 10, (batch,), device=device)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    return step


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mm", default="1024,2048,4096")
    parser.add_argument("--cnn-batch", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        missing(f"PyTorch {torch.__version__} sees no CUDA device")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = "cuda"
    workloads = [(f"mm{n}", "GFLOP/s", 2 * n**3, mm(n, device)) for n in map(int, args.mm.split(","))]
    workloads += [
        ("convFwdBwdB32", "ms", None, conv_fwd_bwd(device)),
        ("mlpStepB64", "ms", None, mlp_step(64, device)),
        (f"cnnStepB{args.cnn_batch}", "ms", None, cnn_step(args.cnn_batch, device)),
    ]
    results = {}
    for key, unit, flops, fn in workloads:
        times = rounds_ms(fn, args.rounds)
        ms = statistics.median(times)
        figure = flops / (ms * 1e-3) / 1e9 if flops else ms
        results[key] = {"unit": unit, "median": figure, "medianMsPerCall": ms, "roundsMs": times}
    print(json.dumps({
        "version": f"PyTorch {torch.__version__}, CUDA {torch.version.cuda}, fp32, TF32 off",
        "device": torch.cuda.get_device_name(0),
        "results": results,
    }))


if __name__ == "__main__":
    main()
