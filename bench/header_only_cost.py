#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""What including <telcrm/telcrm.hpp> costs a header-only translation unit, against a baseline.

Compiles a file that holds only `#include <telcrm/telcrm.hpp>` with `g++ -std=c++20 -O2 -c`
(the issue's command), once with this tree's include/ and once with a baseline commit's,
alternated ROUNDS times, and prints the user CPU time of each run (the driver, cc1plus and as),
the medians and their ratio. The baseline defaults to 4101a0f, the 0.1.0 release, whose
umbrella took ~10 s when the target (<= 5 s) was set: the ratio is the figure that does not
depend on the hour (this VM's speed varies by half across a day); both are printed.

  bench/header_only_cost.py                      # 5 rounds against 0.1.0
  bench/header_only_cost.py --base HEAD~1 --rounds 3
  CXX=clang++ bench/header_only_cost.py

Exit status 0 whatever the figures (a benchmark, not a test); 1 when a compile fails; 2 for
bad usage or a baseline git cannot read (e.g. in a shallow clone).
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BASE = "4101a0f"  # 0.1.0
TARGET_RATIO = 0.50  # 5 s where 0.1.0 took ~10 s


def user_cpu_of(cmd):
    """Runs cmd; returns the user CPU seconds it and its children (cc1plus) took."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    subprocess.run(cmd, check=True)  # a failure raises CalledProcessError (see the end)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before


def rev_parse(ref):
    """The commit `ref` names, or None."""
    out = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", "--quiet", ref + "^{commit}"],
                         stdout=subprocess.PIPE, text=True, check=False)
    return out.stdout.strip() if out.returncode == 0 else None


def verdict(ok):
    return "met" if ok else "not met"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=DEFAULT_BASE, help="baseline commit (default: 0.1.0)")
    parser.add_argument("--rounds", type=int, default=5, help="alternated pairs (default 5)")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    cxx = os.environ.get("CXX", "g++")

    with tempfile.TemporaryDirectory(prefix="telcrm-header-cost.") as work:
        base_dir = os.path.join(work, "base")
        os.mkdir(base_dir)
        archive = subprocess.run(["git", "-C", ROOT, "archive", args.base, "include"],
                                 stdout=subprocess.PIPE, check=False)
        if archive.returncode != 0:
            print(f"header_only_cost: cannot read include/ at {args.base} (a shallow clone?)",
                  file=sys.stderr)
            return 2
        subprocess.run(["tar", "-x", "-C", base_dir], input=archive.stdout, check=True)
        source = os.path.join(work, "umbrella.cpp")
        with open(source, "w", encoding="utf-8") as f:
            f.write("#include <telcrm/telcrm.hpp>\n")
        obj = os.path.join(work, "umbrella.o")

        base_commit = rev_parse(args.base)
        trees = {args.base: os.path.join(base_dir, "include"),
                 "this tree": os.path.join(ROOT, "include")}
        times = {name: [] for name in trees}
        print(f"{cxx} -std=c++20 -O2 -c of a file holding only #include <telcrm/telcrm.hpp>,"
              f" user CPU s, {args.rounds} alternated pairs")
        for r in range(args.rounds):
            line = []
            for name, include in trees.items():
                t = user_cpu_of([cxx, "-std=c++20", "-O2", "-I", include, "-c", source, "-o", obj])
                times[name].append(t)
                line.append(f"{name} {t:.2f}")
            print(f"  round {r + 1}: " + ", ".join(line), flush=True)

        base_median = statistics.median(times[args.base])
        now_median = statistics.median(times["this tree"])
        ratio = now_median / base_median
        print(f"median: {args.base} {base_median:.2f} s, this tree {now_median:.2f} s,"
              f" ratio {ratio:.2f}")
        if base_commit is not None and base_commit == rev_parse(DEFAULT_BASE):
            print(f"target: ratio <= {TARGET_RATIO:.2f} against 0.1.0 {verdict(ratio <= TARGET_RATIO)};"
                  f" <= 5 s absolute {verdict(now_median <= 5.0)} at this hour")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as e:
        print(f"header_only_cost: {' '.join(e.cmd)} failed (exit {e.returncode})", file=sys.stderr)
        sys.exit(1)
