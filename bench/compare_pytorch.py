#!/usr/bin/python3
"""PyTorch's half of bench/compare_pytorch: the same protocol as compare_eta.cpp (one epoch of
batches preloaded in the same shapes and visited in a new order each epoch, Adam lr 1e-3, PyTorch's default initialisation) and the same JSON
line. Reads the IDX files itself so that it needs nothing but torch."""
import argparse
import gzip
import json
import os
import resource
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST, as eta's DataLoader


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(dir_, prefix):
    def find(name):
        for candidate in (name, name + ".gz"):
            if os.path.exists(os.path.join(dir_, candidate)):
                return os.path.join(dir_, candidate)
        raise FileNotFoundError(os.path.join(dir_, name))
    x = read_idx(find(prefix + "-images-idx3-ubyte")).astype(np.float32)
    x /= 255.0  # in place: one float copy of the set, not three
    x -= MEAN
    x /= STD
    y = read_idx(find(prefix + "-labels-idx1-ubyte")).astype(np.int64)
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


class Residual(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)
        self.conv2, self.bn2 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))) + x)


def make_model(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    if name == "tiny":  # per-step overhead: a 784-32-10 MLP at batch 32
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10))
    if name == "lenet":
        return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                             nn.Linear(84, 10))
    if name == "cnn":  # eta's models::SmallCNN
        return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                             Residual(32), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64),
                             nn.ReLU(), nn.Flatten(), nn.Dropout(0.25), nn.Linear(64 * 7 * 7, 10))
    raise ValueError(name)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="mlp")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x, y = load(a.data, "train")
    tx, ty = load(a.data, "t10k")
    if 0 < a.limit < len(y):
        x, y = x[:a.limit], y[:a.limit]
    g = torch.Generator().manual_seed(0)
    # One epoch of batches preloaded (shuffled once, contiguous), visited in a new order each
    # epoch, as compare_eta.cpp; the full float set is dropped once batched.
    order = torch.randperm(len(y), generator=g)
    batches = [(x[order[i:i + a.batch]].contiguous(), y[order[i:i + a.batch]].contiguous())
               for i in range(0, len(y), a.batch)]
    images = len(y)
    del x, y, order
    model = make_model(a.model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    epoch_seconds = []
    for _ in range(a.epochs):
        visit = torch.randperm(len(batches), generator=g).tolist()
        t0 = time.perf_counter()
        for i in visit:
            xb, yb = batches[i]
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
        epoch_seconds.append(time.perf_counter() - t0)
    model.eval()
    with torch.no_grad():
        t0 = time.perf_counter()
        preds = [model(tx[i:i + 1000]).argmax(1) for i in range(0, len(ty), 1000)]
        infer = time.perf_counter() - t0
    acc = float((torch.cat(preds) == ty).float().mean())
    setting = "torch threads %d, OPENBLAS_NUM_THREADS=%s, OPENBLAS_CORETYPE=%s" % (
        a.threads, os.environ.get("OPENBLAS_NUM_THREADS", "unset"), os.environ.get("OPENBLAS_CORETYPE", "auto"))
    print(json.dumps({"framework": "pytorch", "model": a.model, "batch": a.batch, "threads": a.threads, "images": images,
                      "epoch_seconds": [round(s, 4) for s in epoch_seconds], "inference_seconds": round(infer, 4),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "test_acc": round(acc, 4), "setting": setting}))


if __name__ == "__main__":
    main()
