#!/usr/bin/python3
"""bench/compare: eta against every reference a user would pick -- PyTorch 1.13 (Python),
libtorch 1.13 (C++), dlib 19.24 and tiny-dnn -- on MLP 784-256-128-10, LeNet-5 and the small CNN,
same data (Fashion-MNIST IDX files, read by each harness), same batches, Adam lr 1e-3. Each
framework is first probed for its fastest setting (thread count x OpenBLAS setting, on short MLP
and LeNet-5 runs); then every configuration runs each framework one after the other (alternated,
so all see the same machine load). Prints one Markdown table with the CPU model.
A framework whose harness was not built (not installed) gets a row saying so."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from compare_driver import cpu_model, cpu_supports, print_and_save, torch_settings  # noqa: E402  (PyTorch's BLAS settings, as compare_pytorch)

# tiny-dnn trains 20-500x slower than the others (per-sample gradient buffers, no GEMM): its epochs
# are cut to this many images, and the CNN (about 30 min per 60,000-image epoch, 66 s to infer the
# test set, 2.3 GB) is left out unless asked for.
TINYDNN_LIMIT = 3000


def frameworks(build):
    b = os.path.join(build, "bench")
    return {"eta": [os.path.join(b, "compare_eta")],
            "PyTorch": ["/usr/bin/python3", os.path.join(HERE, "compare_pytorch.py")],
            "libtorch": [os.path.join(b, "compare_libtorch")],
            "dlib": [os.path.join(b, "compare_dlib")],
            "tiny-dnn": [os.path.join(b, "compare_tinydnn")]}


def available(cmd):
    if cmd[0] == "/usr/bin/python3":
        return subprocess.run([cmd[0], "-c", "import torch"], capture_output=True).returncode == 0
    return os.access(cmd[0], os.X_OK)


def settings(name, threads):
    """Environment settings to probe for one framework at one thread count."""
    if name in ("PyTorch", "libtorch"):
        return torch_settings(threads)
    omp = {"OMP_NUM_THREADS": str(threads)}
    # With AVX-512, OpenBLAS's SkylakeX kernels are probed too: eta upgrades OpenBLAS's kernel set
    # only when OPENBLAS_CORETYPE is unset, and a machine may preset it (one here sets Haswell).
    with_skylakex = lambda env: [env] + ([dict(env, OPENBLAS_CORETYPE="SkylakeX")] if cpu_supports("avx512f") else [])
    if name == "dlib":  # all of dlib's parallelism is OpenBLAS's
        return with_skylakex(dict(omp, OPENBLAS_NUM_THREADS=str(threads)))
    if name == "eta":
        return with_skylakex(omp)
    return [omp]  # tiny-dnn is OpenMP only


def run(cmd, args, env_extra, timeout):
    env = dict(os.environ)
    env.update(env_extra)
    try:
        out = subprocess.run(cmd + args, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timed out after %d s" % timeout
    if out.returncode != 0:
        return None, (out.stderr.strip().splitlines() or ["exit %d" % out.returncode])[-1]
    return json.loads(out.stdout.strip().splitlines()[-1]), None


def args_for(model, batch, threads, epochs, limit, data):
    return ["--model", model, "--batch", str(batch), "--threads", str(threads), "--epochs", str(epochs),
            "--limit", str(limit), "--data", data]


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--models", default="mlp,lenet,cnn")
    p.add_argument("--batches", default="mlp=64,lenet=64,cnn=64+256")
    p.add_argument("--threads", default="1,2", help="thread counts to probe; each framework runs at its fastest")
    p.add_argument("--epochs", default="mlp=3,lenet=3,cnn=2")
    p.add_argument("--limit", default="mlp=0,lenet=0,cnn=5000", help="training images per epoch (0 = all)")
    p.add_argument("--frameworks", default="eta,PyTorch,libtorch,dlib,tiny-dnn")
    p.add_argument("--tinydnn-cnn", action="store_true", help="also train the CNN in tiny-dnn (very slow)")
    p.add_argument("--probe-rounds", type=int, default=2)
    p.add_argument("--quick", action="store_true", help="smoke run: 2 epochs of 2000 images, batch 64, one probe round")
    p.add_argument("--out", help="also write the table to this file")
    a = p.parse_args()
    epochs = dict(kv.split("=") for kv in a.epochs.split(","))
    limits = dict(kv.split("=") for kv in a.limit.split(","))
    batches = {k: [int(b) for b in v.split("+")] for k, v in (kv.split("=") for kv in a.batches.split(","))}
    models, thread_counts = a.models.split(","), [int(t) for t in a.threads.split(",")]
    probe_limit = 2000
    if a.quick:
        epochs, limits = {m: "2" for m in models}, {m: "2000" for m in models}
        batches, a.probe_rounds, probe_limit = {m: [64] for m in models}, 1, 1500
    start = time.time()
    cmds = frameworks(a.build)
    names = [n for n in a.frameworks.split(",")]
    packages = {"eta": "", "PyTorch": "python3-torch", "libtorch": "libtorch-dev", "dlib": "libdlib-dev",
                "tiny-dnn": "tiny-dnn libcereal-dev libstb-dev"}
    skipped = {n: "not available: `bash bench/compare` installs %s and builds %s" % (
        packages[n] or "nothing", os.path.basename(cmds[n][-1])) for n in names if not available(cmds[n])}
    live = [n for n in names if n not in skipped]

    # Probe: every (threads, setting) of each framework on short MLP + LeNet-5 runs; the best of
    # the rounds scores a setting, so that one noisy run cannot hand a framework a slow one.
    best = {}
    for n in live:
        cands = [(t, env) for t in thread_counts for env in settings(n, t)]
        scores = [float("inf")] * len(cands)
        for _ in range(a.probe_rounds):
            for k, (t, env) in enumerate(cands):
                total = 0.0
                for model in ("mlp", "lenet"):
                    lim = min(probe_limit, TINYDNN_LIMIT // 3) if n == "tiny-dnn" else probe_limit
                    r, err = run(cmds[n], args_for(model, 64, t, 2, lim, a.data), env, 600)
                    total += r["epoch_seconds"][-1] if r else float("inf")
                scores[k] = min(scores[k], total)
        k = min(range(len(cands)), key=lambda i: scores[i])
        if scores[k] == float("inf"):
            skipped[n] = "failed in every probe run"
            continue
        best[n] = cands[k]
        print("%s: fastest %d thread(s) %s" % (n, cands[k][0], cands[k][1]), file=sys.stderr)
    live = [n for n in live if n in best]

    rows = []  # (model, batch, framework, result or None, note)
    for model in models:
        for batch in batches.get(model, [64]):
            for n in live:
                t, env = best[n]
                lim = int(limits.get(model, "0"))
                if n == "tiny-dnn":
                    if model == "cnn" and not a.tinydnn_cnn:
                        rows.append((model, batch, n, None, "skipped: ~30 min per epoch (--tinydnn-cnn to run it)"))
                        continue
                    lim = min(lim or 60000, TINYDNN_LIMIT)
                r, err = run(cmds[n], args_for(model, batch, t, epochs.get(model, "2"), lim, a.data), env, 900)
                rows.append((model, batch, n, r, err))
                print("  %s batch %d %s: %s" % (model, batch, n, "%.2f s/epoch" % statistics.median(r["epoch_seconds"])
                                                 if r else err), file=sys.stderr)

    def per_60k(r):
        return statistics.median(r["epoch_seconds"]) * 60000 / r["images"]

    # eta's thread scaling (issue 16: 1 -> 2 threads >= 1.8x on LeNet-5 and the CNN): each model at
    # batch 64 on one thread and on the most probed, run back to back.
    scaling = []
    if "eta" in live and max(thread_counts) > 1:
        for model in [m for m in ("lenet", "cnn") if m in models]:
            lim = int(limits.get(model, "0"))
            times = {}
            for t in (1, max(thread_counts)):
                r, err = run(cmds["eta"], args_for(model, 64, t, epochs.get(model, "2"), lim, a.data),
                             {"OMP_NUM_THREADS": str(t)}, 900)
                times[t] = per_60k(r) if r else None
            if all(times.values()):
                scaling.append("eta %s batch 64, 1 -> %d threads: %.2f -> %.2f s per 60,000 images, %.2fx." % (
                    model, max(thread_counts), times[1], times[max(thread_counts)], times[1] / times[max(thread_counts)]))

    eta_time = {(m, b): per_60k(r) for m, b, n, r, _ in rows if n == "eta" and r}
    lines = ["CPU: %s (%d logical CPUs)" % (cpu_model(), os.cpu_count()), "",
             "| model | batch | framework | threads | s/epoch | eta ÷ this | img/s | infer s | RSS MB | test acc |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for m, b, n, r, err in rows:
        if not r:
            lines.append("| %s | %d | %s | – | %s | | | | | |" % (m, b, n, err))
            continue
        s = per_60k(r)
        mark = "" if r["images"] == 60000 else "*"
        ratio = "%.2f" % (eta_time[(m, b)] / s) if (m, b) in eta_time and n != "eta" else ""
        lines.append("| %s | %d | %s | %d | %.2f%s | %s | %.0f | %.3f | %.0f | %.4f%s |" % (
            m, b, n, r["threads"], s, mark, ratio, 60000 / s, r["inference_seconds"], r["peak_rss_mb"], r["test_acc"],
            "" if r["images"] >= 5000 else "†"))
    for n, why in skipped.items():
        lines.append("| all | – | %s | – | %s | | | | | |" % (n, why))
    lines += ["",
              "Medians of %s epochs (Adam lr 1e-3, one epoch of batches preloaded and visited in a new order every "
              "epoch, each framework's default initialisation). `*`: epoch of fewer images (%s; tiny-dnn at most %d), "
              "time scaled to 60,000. `†`: accuracy after too few images to compare. eta ÷ this below 1: eta is faster. "
              "Inference: the 10,000 test images in batches of 1000." % (
                  ", ".join("%s %s" % (m, epochs.get(m, "2")) for m in models),
                  ", ".join("%s %s" % (m, limits.get(m)) for m in models if limits.get(m, "0") != "0") or "-",
                  TINYDNN_LIMIT),
              "Settings (fastest found per framework): " + "; ".join(
                  "%s: %d thread(s) %s" % (n, t, " ".join("%s=%s" % kv for kv in env.items())) for n, (t, env) in best.items()),
              "Total run time %.0f s." % (time.time() - start)]
    for m in models:
        for b in batches.get(m, [64]):
            refs = [per_60k(r) for mm, bb, n, r, _ in rows if (mm, bb) == (m, b) and r and n in ("PyTorch", "libtorch")]
            if refs and (m, b) in eta_time:
                lines.append("%s batch %d: eta ÷ faster of PyTorch and libtorch = %.2f." % (m, b, eta_time[(m, b)] / min(refs)))
    lines += scaling
    print_and_save("\n".join(lines), a.out)


if __name__ == "__main__":
    main()
