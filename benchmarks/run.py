"""Speed and memory of check and run, printed as figures (a benchmark, never a test).

    python benchmarks/run.py            # generates the national data set on first use

Prints: parse+check time per seed scheme (warm, median of many), and for a national-sized data
set (6,410 real practice codes, synthetic values, every 2023/24 indicator) the time to load the
data, to compile and to evaluate, with the peak resident memory of a fresh process doing it.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
NATIONAL = OUT / "national-2023"
SCHEME = ROOT / "benchmarks" / "schemes" / "higher-of-2023.qof"


def check_times(repeats: int = 200) -> None:
    sys.path.insert(0, str(ROOT))
    from qofrules import api
    from qofrules.source import Source
    print("parse + check, warm (median of %d runs)" % repeats)
    for path in sorted((ROOT / "schemes").glob("*.qof")):
        source = Source(str(path), path.read_text(encoding="utf-8"))
        api.check_source(source)  # warm: grammar and contract year loaded once
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            report = api.check_source(source)
            times.append(time.perf_counter() - start)
        assert report.ok
        print(f"  {path.name:28} {statistics.median(times) * 1000:7.2f} ms")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from qofrules import api; api.check(['schemes/2017-leeds.qof'])"],
                   cwd=ROOT, check=True)
    print(f"  cold, one process (import + grammar + contract + check): {time.perf_counter() - start:.2f} s")


_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from qofrules import api
t0 = time.perf_counter()
data = api.load_data(sys.argv[2])
t1 = time.perf_counter()
report = api.check_file(sys.argv[3])
contract = api.load_contract(report.scheme.contract.country.text, report.scheme.contract.year.text,
                             [data.contract_overrides])
tree = api.compile(report.scheme, contract, report.source)
t2 = time.perf_counter()
result = api.evaluate(tree, data)
totals = result.totals
t3 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "compile": t2 - t1, "evaluate": t3 - t2, "practices": len(result.practices),
                  "indicators": len(contract.indicators), "total": str(totals["scheme_payment"]),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def national() -> None:
    if not (NATIONAL / "dataset.yaml").exists():
        print("generating the national data set (once) ...")
        subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), "--out", str(NATIONAL),
                        "--scenario", "national-2023"], check=True, stdout=subprocess.DEVNULL)
    done = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), str(NATIONAL), str(SCHEME)],
                          capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout)
    rows = sum(1 for _ in open(NATIONAL / "achievement-2023-24.csv")) + \
        sum(1 for _ in open(NATIONAL / "achievement-2022-23.csv"))
    print(f"national run: {figures['practices']:,} practices x {figures['indicators']} indicators "
          f"({rows:,} achievement rows), scheme {SCHEME.name}")
    print(f"  load data   {figures['load']:6.2f} s")
    print(f"  compile     {figures['compile']:6.2f} s")
    print(f"  evaluate    {figures['evaluate']:6.2f} s")
    print(f"  total       {figures['load'] + figures['compile'] + figures['evaluate']:6.2f} s   "
          f"peak memory {figures['peak_mb']:.0f} MB   scheme total £{figures['total']}")


if __name__ == "__main__":
    os.chdir(ROOT)
    check_times()
    national()
