#!/usr/bin/env python3
"""Benchmark portacheck against the bare parser on the same files (not a test: it prints figures).

    python scripts/benchmark.py terraform PATH [--repeat 3]
    python scripts/benchmark.py startup [--repeat 10]

`terraform` times a full scan of PATH (discovery, parsing, module evaluation, matching,
assessment, JSON rendering) in this process and compares it with python-hcl2 alone loading the
same .tf files (`hcl2.load`, what a tool built on python-hcl2 pays at least). The figure that
matters is the ratio: it does not depend on the machine. `startup` times a cold
`portacheck --version` in a fresh interpreter.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time


def best_of(repeat: int, action) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def terraform(path: str, repeat: int) -> None:
    import hcl2

    from portacheck.config import Config
    from portacheck.discover import discover
    from portacheck.report import render
    from portacheck.rules.loader import load_catalogue
    from portacheck.scan import run

    discovery = discover([path])
    files = [f.path for f in discovery.files if f.kind == "terraform" and f.path.endswith((".tf", ".tofu"))]
    size = sum(os.path.getsize(f) for f in files)

    def bare() -> None:
        for name in files:
            with open(name, encoding="utf-8") as handle:
                try:
                    hcl2.load(handle)
                except Exception:  # noqa: BLE001 - the bare parser's failures cost time too
                    pass

    def full() -> None:
        assessment = run([path], Config(fail_on=None), catalogue=load_catalogue())
        render("json", assessment, io.StringIO())
        full.resources = assessment.resources_total
        full.findings = len(assessment.findings)

    bare()  # warm the Lark grammar cache and the OS page cache for both
    full()
    t_bare = best_of(repeat, bare)
    t_full = best_of(repeat, full)
    print(f"tree:        {path}")
    print(f"files:       {len(files)} .tf/.tofu files, {size / 1024:.0f} KiB")
    print(f"scan:        {full.resources} deployed resources, {full.findings} findings")
    print(f"hcl2.load:   {t_bare:.2f} s (best of {repeat})")
    print(f"portacheck:  {t_full:.2f} s (best of {repeat}; rules loaded, modules evaluated, JSON rendered)")
    print(f"ratio:       {t_full / t_bare:.2f}x the bare parse")


def startup(repeat: int) -> None:
    command = [sys.executable, "-m", "portacheck", "--version"]
    subprocess.run(command, check=True, capture_output=True)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    print(f"portacheck --version: median {statistics.median(times):.3f} s, best {min(times):.3f} s over {repeat} runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    tf = sub.add_parser("terraform", help="scan time against hcl2.load on the same files")
    tf.add_argument("path")
    tf.add_argument("--repeat", type=int, default=3)
    st = sub.add_parser("startup", help="cold start of portacheck --version")
    st.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    if args.what == "terraform":
        terraform(args.path, args.repeat)
    else:
        startup(args.repeat)


if __name__ == "__main__":
    main()
