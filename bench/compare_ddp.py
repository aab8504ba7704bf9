#!/usr/bin/python3
"""Runs bench/compare_eta_ddp and bench/compare_pytorch_ddp.py under the same mpirun for every
model x global batch x layout (processes x threads: 1x1, 1x2, 2x1), eta and PyTorch DDP one after
the other for each configuration and round (so both see the same machine load), and prints a
Markdown table: seconds per epoch (median over rounds of the epochs after the first), eta/PyTorch
ratio, scaling efficiency against 1x1 (T(1x1) / (cores used x T)), eta's share of the epoch spent in
gradient communication, start-up seconds, peak RSS per rank and test accuracy."""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from compare_driver import cpu_model, cpu_supports, print_and_save  # noqa: E402
LAYOUTS = [(1, 1), (1, 2), (2, 1)]


# PyTorch's fastest setting found by bench/compare_pytorch's probe on these CPUs: OpenBLAS on one
# thread (PyTorch's own pool runs the rest) with the SkylakeX kernels where AVX-512 exists
# (OpenBLAS 0.3.21 falls back to generic kernels on CPUs it does not know).
TORCH_ENV = ["-x", "OPENBLAS_NUM_THREADS=1"] + (["-x", "OPENBLAS_CORETYPE=SkylakeX"] if cpu_supports("avx512f") else [])


def launch(cmd, processes, threads, extra_env=()):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    # One thread per process: Open MPI's default binding (one core each) is right. Several
    # threads in one process need --bind-to none, or they all share one core.
    binding = ["--bind-to", "none"] if threads > 1 else ["--bind-to", "core"]
    full = ["mpirun", "-n", str(processes)] + binding + ["-x", "OMP_NUM_THREADS=%d" % threads,
                                                         "-x", "PYTHONPATH=" + HERE] + list(extra_env) + cmd + ["--threads", str(threads)]
    # A fresh rendezvous port per run: gloo's TCP store can stall on one still in TIME_WAIT.
    launch.port = getattr(launch, "port", 29500 + os.getpid() % 1000) + 1
    if "compare_pytorch_ddp.py" in " ".join(cmd):
        full += ["--port", str(launch.port)]
    try:
        out = subprocess.run(full, env=env, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        sys.exit("compare_ddp: %s did not finish in 600 s" % " ".join(full))
    if out.returncode != 0:
        sys.exit("compare_ddp: %s failed:\n%s%s" % (" ".join(full), out.stdout, out.stderr))
    return json.loads([l for l in out.stdout.splitlines() if l.startswith("{")][-1])


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--eta", default="build/bench/compare_eta_ddp")
    p.add_argument("--models", default="mlp,lenet")
    p.add_argument("--batches", default="64,256")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--limit", type=int, default=20000)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--quick", action="store_true", help="6,000 images, 2 epochs, 1 round")
    p.add_argument("--out", help="also write the table here")
    a = p.parse_args()
    if a.quick:
        a.limit, a.epochs, a.rounds = 6000, 2, 1
    rows = []
    for model in a.models.split(","):
        for batch in [int(b) for b in a.batches.split(",")]:
            common = ["--model", model, "--batch", str(batch), "--epochs", str(a.epochs), "--limit", str(a.limit)]
            results = {}
            for _ in range(a.rounds):
                for layout in LAYOUTS:
                    for fw, cmd, env in (("eta", [a.eta], []),
                                         ("pytorch", ["/usr/bin/python3", os.path.join(HERE, "compare_pytorch_ddp.py")], TORCH_ENV)):
                        r = launch(cmd + common, layout[0], layout[1], env)
                        print(json.dumps(r), file=sys.stderr, flush=True)
                        results.setdefault((fw, layout), []).append(r)
            def seconds(fw, layout):
                return statistics.median(s for r in results[(fw, layout)] for s in r["epoch_seconds"][1:] or r["epoch_seconds"])
            for layout in LAYOUTS:
                e, t = results[("eta", layout)][-1], results[("pytorch", layout)][-1]
                se, st = seconds("eta", layout), seconds("pytorch", layout)
                cores = layout[0] * layout[1]
                comm = statistics.median(r["comm_seconds_per_epoch"] for r in results[("eta", layout)])
                rows.append("| %s | %d | %dx%d | %.3f | %.3f | **%.2f** | %.2f | %.2f | %.0f%% | %.2f / %.2f | %.0f / %.0f | %.4f / %.4f |" % (
                    model, batch, layout[0], layout[1], se, st, se / st,
                    seconds("eta", (1, 1)) / (cores * se), seconds("pytorch", (1, 1)) / (cores * st), 100 * comm / se,
                    e["startup_seconds"], t["startup_seconds"], e["peak_rss_mb_per_rank"], t["peak_rss_mb_per_rank"],
                    e["test_acc"], t["test_acc"]))
    header = ["CPU: %s, %d cores; %d training images, %d epochs (the first not timed), %d rounds alternated; "
              "PyTorch %s DDP over gloo." % (cpu_model(), os.cpu_count(), a.limit, a.epochs, a.rounds,
                                             subprocess.run(["/usr/bin/python3", "-c", "import torch; print(torch.__version__)"],
                                                            capture_output=True, text=True).stdout.strip()),
              "",
              "| model | global batch | processes x threads | eta s/epoch | PyTorch DDP s/epoch | eta / PyTorch | eta efficiency | PyTorch efficiency | eta comm share | start-up s eta / PyTorch | peak RSS MB per rank eta / PyTorch | test acc eta / PyTorch |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    print_and_save("\n".join(header + rows), a.out)


if __name__ == "__main__":
    main()
