#!/usr/bin/python3
"""PyTorch DDP's half of bench/compare_ddp, started by the same mpirun as eta (it reads
OMPI_COMM_WORLD_*; gloo over TCP on 127.0.0.1, the only CPU backend of Debian's PyTorch 1.13).
The protocol of compare_eta_ddp.cpp: the normalised set preloaded; each epoch a new order and
global batches of --batch, each rank taking its contiguous slice; Adam lr 1e-3; DDP averaging the
gradients; test accuracy from exact reduced counts. Rank 0 prints one JSON line."""
import argparse
import json
import os
import resource
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F

from compare_pytorch import load, make_model


def seconds_since_start():
    with open("/proc/self/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    with open("/proc/uptime") as f:
        up = float(f.read().split()[0])
    return up - int(fields[19]) / os.sysconf("SC_CLK_TCK")


def my_slice(n, rank, world):
    base, extra = divmod(n, world)
    lo = rank * base + min(rank, extra)
    return lo, lo + base + (1 if rank < extra else 0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="mlp")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--port", default="29511")
    a = p.parse_args()
    rank = int(os.environ.get("OMPI_COMM_WORLD_RANK", "0"))
    world = int(os.environ.get("OMPI_COMM_WORLD_SIZE", "1"))
    if a.threads:
        torch.set_num_threads(a.threads)
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    dist.init_process_group("gloo", init_method="tcp://127.0.0.1:" + a.port, rank=rank, world_size=world)
    x, y = load(a.data, "train")
    if a.limit:
        x, y = x[:a.limit].contiguous(), y[:a.limit].contiguous()
    tx, ty = load(a.data, "t10k")
    if a.model == "mlp":
        x, tx = x.reshape(len(x), 784), tx.reshape(len(tx), 784)
    torch.manual_seed(0)
    model = torch.nn.parallel.DistributedDataParallel(make_model(a.model))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    n = len(x)
    startup = -1.0
    epoch_seconds = []
    for e in range(a.epochs):
        order = torch.randperm(n, generator=torch.Generator().manual_seed(e))
        dist.barrier()
        t0 = time.perf_counter()
        for start in range(0, n, a.batch):
            lo, hi = my_slice(min(a.batch, n - start), rank, world)
            idx = order[start + lo:start + hi]
            if startup < 0:
                startup = seconds_since_start()
            opt.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
        dist.barrier()
        epoch_seconds.append(time.perf_counter() - t0)
    model.eval()
    lo, hi = my_slice(len(tx), rank, world)
    with torch.no_grad():
        correct = sum(int((model.module(tx[s:min(s + 1000, hi)]).argmax(1) == ty[s:min(s + 1000, hi)]).sum())
                      for s in range(lo, hi, 1000))
    figures = torch.tensor([float(correct), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, startup],
                           dtype=torch.float64)
    counts = figures[:1].clone()
    dist.all_reduce(counts)
    worst = figures[1:].clone()
    dist.all_reduce(worst, op=dist.ReduceOp.MAX)
    if rank == 0:
        print(json.dumps({"framework": "pytorch_ddp", "model": a.model, "batch": a.batch, "processes": world,
                          "threads": torch.get_num_threads(), "images": n,
                          "epoch_seconds": [round(s, 4) for s in epoch_seconds], "comm_seconds_per_epoch": None,
                          "startup_seconds": round(float(worst[1]), 3), "peak_rss_mb_per_rank": round(float(worst[0]), 1),
                          "test_acc": round(float(counts[0]) / len(tx), 4)}), flush=True)
    # gloo's teardown can wait forever for a peer that already left (seen here on the second run of
    # a session): meet once more, then leave without it.
    dist.barrier()
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
