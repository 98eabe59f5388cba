"""Speed and memory of check and run, printed as figures (a benchmark, never a test).

    python3 benchmarks/run.py [--quick] [--exact] [--profile]

Prints, on this machine:

1. parse + check time per seed scheme (warm, median of many runs) and of one cold process;
2. national runs, one fresh process each, from files on disk to results: each seed scheme over a
   national data set of its contract year, and the benchmark scheme (higher of two years, every
   2023/24 indicator) over national-2023 — load, compile, evaluate, their total, the whole
   process's wall time (interpreter start and imports included), peak memory, and how many
   practice × indicator cells the vectorised path handed to the exact path;
3. growth: the benchmark scheme over national-2023 copied x10 and x100 (``--quick``: x10 only);
4. the NumPy reference (benchmarks/numpy_reference.py) on the same data, in the same run, with
   the ratio of the two and whether their totals agree;
5. with ``--exact``: the exact path (``run --exact``) on national-2023, for comparison;
6. with ``--profile``: where the national run's time goes (cProfile, top functions).

Data sets are generated under benchmarks/out/ on first use (synthetic values; see
benchmarks/README.md): about 35 s for the three national sets, 4 s for x10 and 45 s (7.5 GB of
disk) for x100.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
BENCH_SCHEME = ROOT / "benchmarks" / "schemes" / "higher-of-2023.qof"
NATIONAL_RUNS = [  # (scheme, data set)
    (ROOT / "schemes" / "2014-lincolnshire-llr.qof", "national-2014"),
    (ROOT / "schemes" / "2014-devon-cornwall.qof", "national-2014"),
    (ROOT / "schemes" / "2014-somerset.qof", "national-2014"),
    (ROOT / "schemes" / "2017-leeds.qof", "national-2017"),
    (BENCH_SCHEME, "national-2023"),
]


def check_times(repeats: int = 200) -> None:
    sys.path.insert(0, str(ROOT))
    from qofrules import api
    from qofrules.source import Source
    print(f"1. parse + check, warm (median of {repeats} runs)")
    for path in sorted((ROOT / "schemes").glob("*.qof")):
        source = Source(str(path), path.read_text(encoding="utf-8"))
        api.check_source(source)  # warm: grammar and contract year loaded once
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            report = api.check_source(source)
            times.append(time.perf_counter() - start)
        assert report.ok
        print(f"   {path.name:28} {statistics.median(times) * 1000:7.2f} ms")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from qofrules import api; api.check(['schemes/2017-leeds.qof'])"],
                   cwd=ROOT, check=True)
    print(f"   cold, one process (import + grammar + contract + check): {time.perf_counter() - start:.2f} s")


def data_set(name: str) -> Path:
    """benchmarks/out/NAME, made on first use: national-YYYY by the generator, -xK by scale.py."""
    path = OUT / name
    if (path / "dataset.yaml").exists():
        return path
    if "-x" in name:
        base, times = name.rsplit("-x", 1)
        print(f"   (making {name}: scale.py, once)", flush=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "scale.py"), str(data_set(base)), str(path),
                        "--times", times], check=True, stdout=subprocess.DEVNULL)
    else:
        print(f"   (making {name}: generate.py, once)", flush=True)
        subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), "--out", str(path), "--scenario", name],
                       check=True, stdout=subprocess.DEVNULL)
    return path


_CHILD = r"""
import json, resource, sys, time
start = time.perf_counter()
sys.path.insert(0, sys.argv[1])
from qofrules import api
from qofrules.engine.fastpath import evaluate_columns
imported = time.perf_counter()
exact = sys.argv[4] == "exact"
data = api.load_data(sys.argv[2]) if exact else api.load_columns(sys.argv[2])
loaded = time.perf_counter()
report = api.check_file(sys.argv[3])
field = report.scheme.contract
contract = api.load_contract(field.country.text, field.year.text, [data.contract_overrides])
tree = api.compile(report.scheme, contract, report.source)
compiled = time.perf_counter()
result = api.evaluate(tree, data) if exact else evaluate_columns(tree, data)
totals = result.totals
done = time.perf_counter()
print(json.dumps({"import": imported - start, "load": loaded - imported, "compile": compiled - loaded,
                  "evaluate": done - compiled, "practices": len(result.practices),
                  "indicators": len(contract.indicators), "eligible": totals["eligible"],
                  "total": str(totals["scheme_payment"]), "national": str(totals["national_payment"]),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(scheme: Path, data: Path, mode: str = "fast", repeats: int = 1) -> dict:
    """Fresh processes: the phases one reports, and its whole wall time seen from outside; with
    ``repeats``, the run with the median total (this machine's timings vary by 10-20%)."""
    if repeats > 1:
        runs = sorted((measure(scheme, data, mode) for _ in range(repeats)), key=lambda f: f["files_to_results"])
        middle = runs[len(runs) // 2]
        middle["range"] = (runs[0]["files_to_results"], runs[-1]["files_to_results"])
        return middle
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), str(data), str(scheme), mode],
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"benchmark process failed:\n{done.stderr}")
    figures = json.loads(done.stdout)
    figures["wall"] = wall
    figures["files_to_results"] = figures["load"] + figures["compile"] + figures["evaluate"]
    return figures


def rows_in(data: Path) -> int:
    total = 0
    for path in data.glob("achievement-*.csv"):
        with path.open("rb") as handle:
            total += sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 24), b"")) - 1
    return total


def national_runs() -> dict:
    print("\n2. national runs (fresh processes, the median of 3; times in seconds; from files on disk to results)")
    print(f"   {'scheme':28} {'data':14} {'practices':>9} {'ind':>4} {'load':>6} {'compile':>7} {'evaluate':>8} "
          f"{'total':>6} {'process':>7} {'peak MB':>7}  scheme total")
    results = {}
    for scheme, name in NATIONAL_RUNS:
        figures = measure(scheme, data_set(name), repeats=3)
        results[scheme.name, name] = figures
        print(f"   {scheme.name:28} {name:14} {figures['practices']:>9,} {figures['indicators']:>4} "
              f"{figures['load']:6.2f} {figures['compile']:7.2f} {figures['evaluate']:8.2f} "
              f"{figures['files_to_results']:6.2f} {figures['wall']:7.2f} {figures['peak_mb']:7.0f} "
              f"  £{float(figures['total']):,.2f}")
    bench = results[BENCH_SCHEME.name, "national-2023"]
    print("   (process = the whole command's wall time: interpreter start and imports "
          f"({bench['import']:.2f} s here) included; {BENCH_SCHEME.name}'s three totals ranged "
          f"{bench['range'][0]:.2f}-{bench['range'][1]:.2f} s)")
    return results


def growth(base: dict, scales: list[int]) -> None:
    print(f"\n3. growth: {BENCH_SCHEME.name} over national-2023 copied xK")
    print(f"   {'K':>4} {'practices':>10} {'rows':>12} {'total s':>8} {'µs/practice':>11} {'x time':>7} "
          f"{'peak MB':>8} {'x memory':>8}")
    rows1 = rows_in(OUT / "national-2023")
    first = base
    print(f"   {1:>4} {first['practices']:>10,} {rows1:>12,} {first['files_to_results']:8.2f} "
          f"{first['files_to_results'] / first['practices'] * 1e6:11.1f} {1:7.1f} {first['peak_mb']:8.0f} {1:8.1f}")
    for k in scales:
        data = data_set(f"national-2023-x{k}")
        figures = measure(BENCH_SCHEME, data)
        print(f"   {k:>4} {figures['practices']:>10,} {rows1 * k:>12,} {figures['files_to_results']:8.2f} "
              f"{figures['files_to_results'] / figures['practices'] * 1e6:11.1f} "
              f"{figures['files_to_results'] / first['files_to_results']:7.1f} {figures['peak_mb']:8.0f} "
              f"{figures['peak_mb'] / first['peak_mb']:8.1f}", flush=True)


def numpy_reference(ours: dict) -> None:
    print("\n4. NumPy reference (benchmarks/numpy_reference.py, independent of qofrules) on national-2023")
    ratio = side_by_side(OUT / "national-2023")
    best = ratio["reference"]
    print(f"   reference: read {best['seconds']['read']:.2f} s + compute {best['seconds']['compute']:.2f} s = "
          f"{ratio['reference_seconds']:.2f} s (best of {ratio['rounds']}, in-process, imports excluded)")
    print(f"   qofrules, measured the same way, in turn with it (best of {ratio['rounds']}): {ratio['ours']:.2f} s "
          f"(api.run_result: check, read, contract, compile, evaluate; and the totals)  ratio {ratio['ratio']:.2f}x")
    print(f"   qofrules in a fresh process (section 2, median of 3): {ours['files_to_results']:.2f} s  "
          f"ratio {ours['files_to_results'] / ratio['reference_seconds']:.2f}x")
    theirs = best["totals"]
    same = str(theirs["scheme_payment"]) == ours["total"] and str(theirs["national_payment"]) == ours["national"]
    print(f"   totals: scheme £{ours['total']} (qofrules) vs £{theirs['scheme_payment']} (reference); national "
          f"£{ours['national']} vs £{theirs['national_payment']}: {'the same' if same else 'DIFFERENT'}")


def side_by_side(data: Path, rounds: int = 7) -> dict:
    """qofrules' path from files to results, in this process, against the NumPy reference's, timed
    in turn (one of each per round, after a round to warm up), and the best of ``rounds`` of each:
    this machine's speed drifts by half within minutes, and two best-of-3s taken one after the
    other measured the drift as much as the two programs. qofrules' path is the one ``qofrules
    run`` takes (api.run_result: check, read, contract and overrides, compile, evaluate) and the
    run's totals; writing them out is in the whole-process figures (commands.py section 1).
    Returns {ours, reference_seconds, ratio, reference (its best run's result), rounds}."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import numpy_reference as reference
    from qofrules import api

    def ours() -> float:
        start = time.perf_counter()
        api.run_result(str(BENCH_SCHEME), str(data)).totals
        return time.perf_counter() - start

    ours(), reference.reference(data)  # imports, the page cache, the grammar
    mine, theirs = [], []
    for _ in range(rounds):
        mine.append(ours())
        theirs.append(reference.reference(data))
    best = min(theirs, key=lambda r: r["seconds"]["total"])
    return {"ours": min(mine), "reference_seconds": best["seconds"]["total"], "reference": best, "rounds": rounds,
            "ratio": min(mine) / best["seconds"]["total"]}


def exact_path(fast: dict) -> None:
    print("\n5. the exact reader (run --exact: practice by practice, then the same engine) on national-2023")
    figures = measure(BENCH_SCHEME, OUT / "national-2023", "exact")
    print(f"   load {figures['load']:.2f} s, compile {figures['compile']:.2f} s, evaluate {figures['evaluate']:.2f} s, "
          f"total {figures['files_to_results']:.2f} s, peak {figures['peak_mb']:.0f} MB; scheme total "
          f"£{figures['total']} ({'the same' if figures['total'] == fast['total'] else 'DIFFERENT'} as the "
          f"columnar reader's)")


def profile() -> None:
    print("\n6. where the national run's time goes (cProfile, cumulative, top 20)")
    code = ("import cProfile, pstats, sys; sys.path.insert(0, sys.argv[1]); from qofrules import api; "
            "cProfile.run('api.run_result(sys.argv[2], sys.argv[3])', '/tmp/qofrules.prof'); "
            "pstats.Stats('/tmp/qofrules.prof').sort_stats('tottime').print_stats(20)")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT), str(BENCH_SCHEME), str(OUT / "national-2023")],
                          capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print("\n".join("   " + line for line in lines[start - 2:start + 21]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="growth to x10 only (x100 needs 7.5 GB and minutes)")
    parser.add_argument("--exact", action="store_true", help="also time the exact path on national-2023 (~30 s)")
    parser.add_argument("--profile", action="store_true", help="also profile the national run")
    args = parser.parse_args()
    os.chdir(ROOT)
    print(f"qofrules benchmarks on {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}\n")
    check_times()
    results = national_runs()
    bench = results[BENCH_SCHEME.name, "national-2023"]
    growth(bench, [10] if args.quick else [10, 100])
    numpy_reference(bench)
    if args.exact:
        exact_path(bench)
    if args.profile:
        profile()


if __name__ == "__main__":
    main()
