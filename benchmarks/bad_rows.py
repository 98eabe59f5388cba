"""What one bad last row of a large achievement file costs ``qofrules run``: wall time and peak memory.

    python3 benchmarks/bad_rows.py [--times K]

Makes (once) a synthetic ×K national data set with ``examples/generate.py --scenario national-2023
--scale K`` (K = 7: 44,870 practices, an achievement file of 11.4 million rows, 345 MB), then, one
case at a time, a copy of it whose 2023/24 achievement file ends in one bad row:

* ``bad VALUE``: a count written ``1E999999999``;
* ``unknown practice``: a practice code the practices table lacks;
* ``repeated row``: the file's first data row again;
* ``short row``: a row of three fields where the header has four.

and runs ``qofrules run benchmarks/schemes/higher-of-2023.qof --data COPY`` in a fresh process,
printing the wall time, the peak resident memory (the process's own maximum RSS, from wait4) and
the first line it printed. The unchanged data set is run first, for comparison. Every other file of
a copy is a hard link to the original, so only the changed file costs disk (345 MB, removed after
its case). Figures go in docs/limits.md ("A bad row in a large file").
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
SCHEME = ROOT / "benchmarks" / "schemes" / "higher-of-2023.qof"
FILE = "achievement-2023-24.csv"


def data_set(times: int) -> Path:
    path = OUT / f"national-2023-x{times}"
    if not (path / "dataset.yaml").exists():
        print(f"generating {path} (synthetic; a few minutes) ...", flush=True)
        subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), "--out", str(path),
                        "--scenario", "national-2023", "--scale", str(times)], check=True, stdout=subprocess.DEVNULL)
    return path


def last_rows(original: Path) -> dict[str, str]:
    with (original / FILE).open(encoding="utf-8") as handle:
        handle.readline()
        first = handle.readline().rstrip("\n")
    practice, indicator = first.split(",")[:2]
    return {
        "bad VALUE": f"{practice},{indicator},PCAS,1E999999999",
        "unknown practice": f"ZZZ999,{indicator},NUMERATOR,1",
        "repeated row": first,
        "short row": f"{practice},{indicator},NUMERATOR",
    }


def copy_with(original: Path, case: Path, row: str | None) -> None:
    shutil.rmtree(case, ignore_errors=True)
    case.mkdir(parents=True)
    for item in original.iterdir():
        if item.name == FILE and row is not None:
            shutil.copyfile(item, case / item.name)
            with (case / item.name).open("a", encoding="utf-8") as handle:
                handle.write(row + "\n")
        else:
            os.link(item, case / item.name)


def measure(data: Path) -> tuple[float, float, int, str]:
    """(seconds, peak MB, exit code, first line printed) of one fresh ``qofrules run``."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "qofrules.cli", "run", str(SCHEME), "--data", str(data)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    first = output.decode("utf-8", "replace").splitlines()[0] if output else ""
    return seconds, usage.ru_maxrss / 1024, child.returncode, first.replace(str(data), "COPY")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=7, help="copies of the national data set (default 7)")
    args = parser.parse_args()
    original = data_set(args.times)
    size = (original / FILE).stat().st_size
    print(f"data: {original.relative_to(ROOT)} (SYNTHETIC), {FILE} {size / 1e6:,.0f} MB")
    print(f"{'case':<18} {'wall s':>7} {'peak MB':>8} {'exit':>4}  first line")
    case = OUT / "bad-rows-case"
    try:
        for name, row in {"no bad row": None, **last_rows(original)}.items():
            copy_with(original, case, row)
            seconds, peak, code, first = measure(case)
            print(f"{name:<18} {seconds:7.1f} {peak:8.0f} {code:>4}  {first[:110]}", flush=True)
    finally:
        shutil.rmtree(case, ignore_errors=True)


if __name__ == "__main__":
    main()
