"""The analyst's path over NHS Digital's publication as published, at national scale: time and
memory of each command, one fresh process each (a benchmark, never a test).

    python3 benchmarks/publication.py

Writes the synthetic national publication (examples/generate_publication.py: every practice in
England, real layout, synthetic values) under benchmarks/out/publication/ on first use, then runs
``data describe``, ``contracts infer``, ``reconcile 2023/24``, ``run`` to CSV and to Parquet with
``--indicators``, and prints per command: wall time, CPU time (user + system of the child) and
peak memory (the child's maximum resident set).
"""
from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "publication"
SCHEME = ROOT / "schemes" / "2023-24-register-protection.qof"


def timed(args: list[str]) -> tuple[float, float, int, int]:
    """(wall s, CPU s, peak KB, exit code) of one fresh qofrules process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRAPPER, *args], cwd=OUT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak = int(next(line.split()[1] for line in done.stderr.splitlines() if line.startswith("PEAK ")))
    return wall, cpu, peak, done.returncode


#: qofrules' own entry point, saying its process's peak memory as it exits.
WRAPPER = ("import atexit, resource, sys; atexit.register(lambda: sys.stderr.write("
           "'PEAK %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)); "
           "sys.argv = ['qofrules'] + sys.argv[1:]; from qofrules.cli import main; main()")


def main() -> int:
    zipped = OUT / "qof-2324-synthetic.zip"
    if not zipped.exists():
        subprocess.run([sys.executable, str(ROOT / "examples" / "generate_publication.py"), "--out", str(OUT)], check=True)
    data = zipped.name
    steps = [
        ("data describe", ["data", "describe", data]),
        ("contracts infer", ["contracts", "infer", data, "-o", "inferred.yaml"]),
        ("reconcile 2023/24", ["reconcile", "2023/24", "--data", data, "--contract-overrides", "inferred.yaml"]),
        ("run -o results.csv", ["run", str(SCHEME), "--data", data, "--contract-overrides", "inferred.yaml",
                                "-o", "results.csv"]),
        ("run -o results.parquet --indicators", ["run", str(SCHEME), "--data", data, "--contract-overrides",
                                                 "inferred.yaml", "-o", "results.parquet", "--indicators"]),
    ]
    print(f"{'command':40} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} exit")
    for name, args in steps:
        wall, cpu, peak, code = timed(args)
        print(f"{name:40} {wall:8.1f} {cpu:8.1f} {peak / 1024:8.0f} {code:4}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
