"""Every national command as a user runs it, with the targets of issue 12 as ratios (a benchmark, never a test).

    python3 benchmarks/commands.py [--quick] [--repeats N] [--qofrules PATH]

Prints, on this machine, in one run:

1. each command over national-2023 (6,410 practices × 76 indicators, the benchmark scheme
   ``benchmarks/schemes/higher-of-2023.qof``) as one whole process — interpreter start, imports,
   reading, evaluating and writing the output to a file: wall time and peak resident memory
   (``/usr/bin/time -v``'s maximum resident set size), the median of ``--repeats`` runs
   (``run --format json`` and the slow ones once when they take over a minute);
2. each command's wall time as a multiple of ``run --format csv`` measured alike, against the
   target (3× for report, diff --impact and validate --data, 5× for run --format json; at most
   600 MB for the first three);
3. ``run --format csv``'s path against the NumPy reference (benchmarks/numpy_reference.py) measured
   alike: both in-process, imports excluded, timed in turn, best of 7 — target 1.3×;
4. a cold ``qofrules check`` of one seed scheme as a whole process (target 0.25 s), with Python's
   bytecode cache as an installed package has it (and, where this environment turns that cache
   off, without it, for comparison), the instructions it executes (valgrind, where installed: a
   figure the machine's load does not move), and how much of it is importing (``python -X
   importtime``'s top entries);
5. growth: ``run --format csv`` over national-2023 copied ×10 and ×100 (``--quick``: ×10 only):
   wall time, peak memory, and each as a multiple of ×1 (target: time linear, memory no more than
   linear).

The data sets are synthetic (benchmarks/README.md) and are made on first use under
benchmarks/out/. Timings on this shared 2-core machine vary by 10-35% between runs; the ratios,
measured in one run, move less.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import run as run_benchmark  # noqa: E402  (data_set and the in-process timing live there)

SCHEME = ROOT / "benchmarks" / "schemes" / "higher-of-2023.qof"
#: The other side of ``diff --impact``: the same scheme paying on last year's achievement alone,
#: so that most practices' payments change (a reviewer's worst case).
CHANGED = ROOT / "benchmarks" / "schemes" / "prior-year-2023.qof"
SEED = ROOT / "schemes" / "2017-leeds.qof"
TARGETS = {"validate --data": 3.0, "report -o r.html": 3.0, "diff --impact": 3.0, "run --format json": 5.0}
MEMORY_TARGET_MB = 600


def timed(argv: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float, str]:
    """(wall s, peak resident MB, stderr's last line) of one whole process under /usr/bin/time -v."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-v", "-o", report.name, *argv], cwd=cwd, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
        figures = report.read()
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", figures)
    if done.returncode not in (0, 1):  # diff exits 1 when the versions differ
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    return wall, int(peak.group(1)) / 1024 if peak else float("nan"), last


def median_run(argv: list[str], cwd: Path, repeats: int) -> dict:
    """The run with the median wall time of ``repeats`` (one only when the first took over a minute)."""
    runs = [timed(argv, cwd)]
    if runs[0][0] < 60:
        runs += [timed(argv, cwd) for _ in range(repeats - 1)]
    runs.sort()
    wall, peak, _ = runs[len(runs) // 2]
    return {"wall": wall, "peak": peak, "range": (runs[0][0], runs[-1][0]), "runs": len(runs)}


def commands(qofrules: str, data: Path, out: Path) -> dict[str, list[str]]:
    scheme, changed = str(SCHEME), str(CHANGED)
    return {
        "run --format csv": [qofrules, "run", scheme, "--data", str(data), "--format", "csv", "-o", str(out / "r.csv")],
        "validate --data": [qofrules, "validate", scheme, "--data", str(data)],
        "report -o r.html": [qofrules, "report", scheme, "--data", str(data), "-o", str(out / "r.html")],
        "run --format json": [qofrules, "run", scheme, "--data", str(data), "--format", "json",
                              "-o", str(out / "r.json")],
        "diff --impact": [qofrules, "diff", scheme, changed, "--impact", str(data), "-o", str(out / "impact.txt")],
        "explain": [qofrules, "explain", scheme, "--data", str(data), "--practice", "A81001", "-o",
                    str(out / "explain.txt")],
    }


def national(qofrules: str, repeats: int) -> dict:
    data = run_benchmark.data_set("national-2023")
    print(f"1. commands over national-2023 ({SCHEME.name}), whole processes under /usr/bin/time -v, "
          f"median of {repeats}")
    print(f"   {'command':20} {'wall s':>7} {'(range)':>13} {'peak MB':>8} {'× csv':>6} {'target':>7}  verdict")
    found = {}
    with tempfile.TemporaryDirectory(prefix="qofrules-bench-") as out:
        for name, argv in commands(qofrules, data, Path(out)).items():
            figures = found[name] = median_run(argv, ROOT, repeats)
            base = found["run --format csv"]["wall"]
            ratio = figures["wall"] / base
            target = TARGETS.get(name)
            verdict = ""
            if target is not None:
                memory_ok = name == "run --format json" or figures["peak"] <= MEMORY_TARGET_MB
                verdict = "met" if ratio <= target and memory_ok else "NOT met"
                if not memory_ok:
                    verdict += f" (memory over {MEMORY_TARGET_MB} MB)"
            low, high = figures["range"]
            print(f"   {name:20} {figures['wall']:7.2f} {f'({low:.2f}-{high:.2f})':>13} {figures['peak']:8.0f} "
                  f"{ratio:6.2f} {f'{target:.0f}×' if target else '':>7}  {verdict}", flush=True)
            if name == "run --format json":
                size = (Path(out) / "r.json").stat().st_size / 1e6
                print(f"   {'':20} (the JSON written: {size:,.0f} MB)")
    return found


def reference_ratio() -> None:
    print("\n2. run --format csv's path against the NumPy reference, both in-process, imports excluded, "
          "timed in turn, best of 7 (target 1.3×)")
    found = run_benchmark.side_by_side(run_benchmark.OUT / "national-2023")
    best = found["reference"]["seconds"]
    print(f"   reference {best['total']:.2f} s (read {best['read']:.2f} + compute {best['compute']:.2f}); "
          f"qofrules {found['ours']:.2f} s; ratio {found['ratio']:.2f}×  {'met' if found['ratio'] <= 1.3 else 'NOT met'}")


def instructions_executed(argv: list[str], env: dict) -> int | None:
    """The instructions one process executes, counted by valgrind (callgrind), where it is
    installed: the same from run to run within a fraction of a percent, where this machine's wall
    times move by a third with its load. About 15 s, as the program runs some 50 times slower."""
    if shutil.which("valgrind") is None:
        return None
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv], cwd=ROOT,
                          env=env, capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    return int(found.group(1)) if found else None


def cold_check(qofrules: str, repeats: int) -> None:
    """A new process each time, with Python's bytecode cache as an installed package has it (pip
    compiles it on install; an editable install writes it on first use). It is kept in a
    directory of its own (PYTHONPYCACHEPREFIX), filled by one run first. Where this environment
    turns the cache off (PYTHONDONTWRITEBYTECODE, as this machine does), every process compiles
    qofrules' modules from source again, some 70 ms: that figure is printed too, for comparison."""
    print(f"\n3. a cold `qofrules check {SEED.relative_to(ROOT)}` as a whole process (median of {repeats}; "
          "target 0.25 s)")
    argv = [qofrules, "check", str(SEED)]
    with tempfile.TemporaryDirectory(prefix="qofrules-pycache-") as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache
        timed(argv, ROOT, env)  # writes the bytecode
        runs = sorted(timed(argv, ROOT, env)[0] for _ in range(repeats))
        python = Path(qofrules).with_name("python")
        done = subprocess.run([str(python if python.exists() else sys.executable), "-X", "importtime", "-c",
                               "from qofrules.entry import main; import sys; sys.argv = ['qofrules', 'check', "
                               "sys.argv[1]]; main()", str(SEED)], cwd=ROOT, env=env, capture_output=True, text=True)
        instructions = instructions_executed(argv, env)
    wall = runs[len(runs) // 2]
    print(f"   {wall:.3f} s ({runs[0]:.3f}-{runs[-1]:.3f}) with bytecode cached  {'met' if wall <= 0.25 else 'NOT met'}")
    if instructions is not None:
        print(f"   {instructions / 1e6:,.0f} million instructions executed (valgrind; unlike the time, the machine's "
              "load does not move it)")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        uncached = sorted(timed(argv, ROOT)[0] for _ in range(repeats))
        print(f"   {uncached[len(uncached) // 2]:.3f} s ({uncached[0]:.3f}-{uncached[-1]:.3f}) compiling from source "
              "each time (PYTHONDONTWRITEBYTECODE is set here)")
    own, outside = 0, {}
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not match:
            continue
        package = match.group(4).split(".")[0]
        if package == "qofrules":
            own += int(match.group(1))  # qofrules' own modules: their self time
        else:  # another package: its largest cumulative entry (its top-level import)
            outside[package] = max(outside.get(package, 0), int(match.group(2)))
    print(f"   imports: qofrules' own modules {own / 1e3:.0f} ms; the largest others: " +
          ", ".join(f"{name} {t / 1e3:.0f} ms" for name, t in sorted(outside.items(), key=lambda kv: -kv[1])[:6]))


def growth(qofrules: str, base: dict, scales: list[int]) -> None:
    print("\n4. growth: run --format csv over national-2023 copied ×K (whole processes; target: time linear, "
          "memory no more than linear)")
    print(f"   {'K':>4} {'practices':>10} {'wall s':>8} {'× time':>7} {'peak MB':>8} {'× memory':>8}")
    print(f"   {1:>4} {6410:>10,} {base['wall']:8.2f} {1:7.1f} {base['peak']:8.0f} {1:8.1f}")
    with tempfile.TemporaryDirectory(prefix="qofrules-bench-") as out:
        for k in scales:
            data = run_benchmark.data_set(f"national-2023-x{k}")
            wall, peak, _ = timed([qofrules, "run", str(SCHEME), "--data", str(data), "--format", "csv",
                                   "-o", str(Path(out) / "r.csv")], ROOT)
            print(f"   {k:>4} {6410 * k:>10,} {wall:8.2f} {wall / base['wall']:7.1f} {peak:8.0f} "
                  f"{peak / base['peak']:8.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="growth to ×10 only (×100 needs 7.5 GB and minutes)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per command (the median is shown)")
    parser.add_argument("--qofrules", default=shutil.which("qofrules") or "qofrules",
                        help="the qofrules command to measure (default: the one on PATH)")
    parser.add_argument("--only", choices=["commands", "reference", "check", "growth"], action="append",
                        help="only these sections (repeatable)")
    args = parser.parse_args()
    os.chdir(ROOT)
    sections = set(args.only or ["commands", "reference", "check", "growth"])
    print(f"qofrules commands benchmark on {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}, "
          f"load average {os.getloadavg()[0]:.1f}; {args.qofrules}\n")
    found = national(args.qofrules, args.repeats) if sections & {"commands", "growth"} else {}
    if "reference" in sections:
        reference_ratio()
    if "check" in sections:
        cold_check(args.qofrules, max(args.repeats, 5))
    if "growth" in sections:
        growth(args.qofrules, found["run --format csv"], [10] if args.quick else [10, 100])


if __name__ == "__main__":
    main()
