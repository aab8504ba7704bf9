#!/usr/bin/python3
"""Runs bench/compare_eta and bench/compare_pytorch.py for every model x batch x thread count,
eta and PyTorch one after the other for each configuration (so both see the same machine load),
and prints a Markdown table. PyTorch is given its best thread setting: for each thread count it is
first probed with OpenBLAS on 1 thread or on all, and with OpenBLAS's own kernel choice or the
SkylakeX kernels (OpenBLAS 0.3.21 falls back to slow generic kernels on CPUs it does not know);
the fastest setting (over a short MLP and a short LeNet-5 run) is used and named in the table."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TORCH_SCRIPT = os.path.join(HERE, "compare_pytorch.py")


def run(cmd, env_extra=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("compare_pytorch: %s failed:\n%s" % (" ".join(cmd), out.stderr.strip()))
    return json.loads(out.stdout.strip().splitlines()[-1])


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


def print_and_save(table, out):
    """Prints the table and, if asked, writes it to `out` atomically."""
    print(table)
    if out:
        with open(out + ".tmp", "w") as f:
            f.write(table + "\n")
        os.replace(out + ".tmp", out)


def cpu_supports(flag):
    try:
        with open("/proc/cpuinfo") as f:
            return flag in f.read()
    except OSError:
        return False


def torch_settings(threads):
    settings = []
    blas_threads = sorted({1, threads})
    coretypes = [None, "SkylakeX"] if cpu_supports("avx512f") else [None]
    for bt in blas_threads:
        for ct in coretypes:
            env = {"OPENBLAS_NUM_THREADS": str(bt), "OMP_NUM_THREADS": str(threads)}
            if ct:
                env["OPENBLAS_CORETYPE"] = ct
            settings.append(env)
    return settings


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--eta", required=True, help="path of the compare_eta binary")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--models", default="mlp,lenet,cnn")
    p.add_argument("--batches", default="64,256")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--epochs", default="mlp=3,lenet=3,cnn=2", help="epochs per model")
    p.add_argument("--limit", default="mlp=0,lenet=0,cnn=10000", help="training images per epoch (0 = all)")
    p.add_argument("--tiny", default="32", help="batch size for the 784-32-10 per-step overhead row (empty: skip)")
    p.add_argument("--quick", action="store_true", help="a fast smoke run: 2 epochs of 5000 images each")
    p.add_argument("--out", help="also write the table to this file")
    a = p.parse_args()
    epochs = dict(kv.split("=") for kv in a.epochs.split(","))
    epochs.setdefault("tiny", "5")  # short epochs: more of them, so one noisy one moves the median less
    limits = dict(kv.split("=") for kv in a.limit.split(","))
    limits.setdefault("tiny", "20000")
    models, batches, thread_counts = a.models.split(","), [int(b) for b in a.batches.split(",")], [int(t) for t in a.threads.split(",")]
    if a.quick:
        epochs = {m: "2" for m in models + ["tiny"]}
        limits = {m: "5000" for m in models + ["tiny"]}
    start = time.time()

    def common(model, batch, threads):
        return ["--model", model, "--batch", str(batch), "--threads", str(threads), "--epochs", epochs.get(model, "2"),
                "--limit", limits.get(model, "0"), "--data", a.data]

    # Probe PyTorch's settings per thread count on short MLP and LeNet runs (GEMM-bound and
    # convolution-bound): two rounds over the settings, each scored by its faster round, so that
    # one noisy run cannot hand PyTorch a slow setting. The winner is used for every model.
    best_env = {}
    for threads in thread_counts:
        settings = torch_settings(threads)
        scores = [float("inf")] * len(settings)
        for _ in range(2):
            for k, env in enumerate(settings):
                total = 0.0
                for model in ("mlp", "lenet"):
                    r = run(["/usr/bin/python3", TORCH_SCRIPT, "--model", model, "--batch", "64", "--threads", str(threads),
                             "--epochs", "2", "--limit", "6000", "--data", a.data], env)
                    total += r["epoch_seconds"][-1]
                scores[k] = min(scores[k], total)
        best_env[threads] = settings[min(range(len(settings)), key=lambda k: scores[k])]
        print("PyTorch, %d thread(s): fastest setting %s" % (threads, best_env[threads]), file=sys.stderr)

    rows = []
    for model in models:
        for batch in batches:
            for threads in thread_counts:
                eta = run([a.eta] + common(model, batch, threads), {"OMP_NUM_THREADS": str(threads)})
                torch = run(["/usr/bin/python3", TORCH_SCRIPT] + common(model, batch, threads), best_env[threads])
                rows.append((model, batch, threads, eta, torch))
                print("  %s batch %d threads %d: eta %.2fs, PyTorch %.2fs per epoch" % (
                    model, batch, threads, statistics.median(eta["epoch_seconds"]),
                    statistics.median(torch["epoch_seconds"])), file=sys.stderr)

    if a.tiny:  # per-step overhead of a tiny MLP, one thread each
        model, batch = "tiny", int(a.tiny)
        eta = run([a.eta] + common(model, batch, 1), {"OMP_NUM_THREADS": "1"})
        torch = run(["/usr/bin/python3", TORCH_SCRIPT] + common(model, batch, 1), best_env[thread_counts[0]])
        rows.append((model, batch, 1, eta, torch))

    def per_epoch_60k(r):  # epochs on a subset are scaled to the full 60,000 images, and say so
        return statistics.median(r["epoch_seconds"]) * 60000 / r["images"]

    lines = ["| model | batch | threads | eta s/epoch | PyTorch s/epoch | ratio | eta img/s | PyTorch img/s | "
             "eta infer s | PyTorch infer s | ratio | eta RSS MB | PyTorch RSS MB | ratio | eta acc | PyTorch acc |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for model, batch, threads, e, t in rows:
        es, ts = per_epoch_60k(e), per_epoch_60k(t)
        scaled = "" if e["images"] == 60000 else "*"
        lines.append("| %s | %d | %d | %.2f%s | %.2f%s | **%.2f** | %.0f | %.0f | %.3f | %.3f | %.2f | %.0f | %.0f | %.2f | %.4f | %.4f |" % (
            model, batch, threads, es, scaled, ts, scaled, es / ts, 60000 / es, 60000 / ts, e["inference_seconds"],
            t["inference_seconds"], e["inference_seconds"] / t["inference_seconds"], e["peak_rss_mb"], t["peak_rss_mb"],
            e["peak_rss_mb"] / t["peak_rss_mb"], e["test_acc"], t["test_acc"]))
    notes = ["",
             "Medians of %s epochs per configuration (Adam, lr 1e-3; one epoch of batches preloaded on each side and visited "
             "in a new order every epoch, batches identical in shape); "
             "ratio = eta / PyTorch (below 1: eta is faster or smaller). `*`: epoch of %s images, time scaled to 60,000. "
             "Accuracy on the 10,000 test images after those epochs." % (
                 ", ".join("%s %s" % (m, epochs.get(m)) for m in models),
                 ", ".join("%s %s" % (m, limits.get(m)) for m in models + (["tiny"] if a.tiny else [])
                           if limits.get(m, "0") != "0") or "-"),
             "PyTorch settings (fastest found per thread count): " + "; ".join(
                 "%d thread(s): %s" % (k, " ".join("%s=%s" % kv for kv in v.items())) for k, v in best_env.items()),
             "eta: %s. Total run time %.0f s." % (rows[0][3]["setting"] if rows else "-", time.time() - start)]
    by_key = {(m, b, th): (e, t) for m, b, th, e, t in rows}
    for model in models:
        for batch in batches:
            if (model, batch, 1) in by_key and (model, batch, 2) in by_key:
                (e1, t1), (e2, t2) = by_key[(model, batch, 1)], by_key[(model, batch, 2)]
                notes.append("1 -> 2 threads, %s batch %d: eta %.2fx faster, PyTorch %.2fx." % (
                    model, batch, per_epoch_60k(e1) / per_epoch_60k(e2), per_epoch_60k(t1) / per_epoch_60k(t2)))
    for model, batch, threads, e, t in rows:
        if model == "tiny":
            steps = -(-e["images"] // batch)
            notes.append("Per-step time of the tiny MLP (784-32-10, batch %d, 1 thread): eta %.1f us, PyTorch %.1f us, ratio %.2f." % (
                batch, statistics.median(e["epoch_seconds"]) / steps * 1e6, statistics.median(t["epoch_seconds"]) / steps * 1e6,
                statistics.median(e["epoch_seconds"]) / statistics.median(t["epoch_seconds"])))
    print_and_save("\n".join(lines + notes), a.out)


if __name__ == "__main__":
    main()
