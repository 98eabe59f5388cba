"""Time `qofrules check` and `qofrules fmt` on the largest scheme the limits allow: 1,000 rules
(MAX_RULES) in close to 1 MB (MAX_SCHEME_BYTES), each rule naming many indicators of 2023/24 and
carrying a comment. The figures are quoted in docs/limits.md. docs/limits.md promises `check` well under a second on any such file.

    python3 benchmarks/big_scheme.py            # prints the file's size and each command's time
    python3 benchmarks/big_scheme.py --profile  # also a cProfile of check and fmt (top 15)

Each figure is the median of three fresh processes (Python start-up included). Not a test: speed
is measured here, never asserted in tests/.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def codes_2023() -> list[str]:
    data = yaml.safe_load((ROOT / "qofrules/contracts/data/england-2023-24.yaml").read_text())
    return sorted(i["code"] for i in data["indicators"])


def big_scheme(rules: int = 1000, codes_per_rule: int = 125, unknown: bool = False) -> str:
    """A scheme as dense in tokens as the limits allow: every rule names ``codes_per_rule`` codes
    (125 codes of 2023/24, about 880 characters, under the 2,000-character line limit), so that
    1,000 rules come to about 980 KB, just under the 1 MiB file limit. ``unknown``: codes the year
    does not have (each one a QR212 error with a "did you mean" hint)."""
    codes = [f"ZZ{n:03d}" for n in range(76)] if unknown else codes_2023()
    out = ['scheme bench-big "Benchmark: the largest scheme the limits allow"\n'
           "  contract: england 2023/24\n  eligible when: every practice\n"]
    for i in range(rules):
        listed = ", ".join(codes[(i + j) % len(codes)] for j in range(codes_per_rule))
        out.append(f'\n  # rule {i}\n  rule "Rule {i}":\n    applies to: indicators {listed}\n    pay: achievement\n')
    return "".join(out)


def timed(args: list[str]) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "qofrules.cli", *args], capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        baseline = timed(["--version"])
        print(f"python + imports (qofrules --version): {baseline:.2f} s")
        for unknown in (False, True):
            path = Path(tmp) / ("unknown.qof" if unknown else "big.qof")
            path.write_text(big_scheme(unknown=unknown), encoding="utf-8")
            size = path.stat().st_size
            print(f"scheme: {size:,} bytes, 1,000 rules, {'unknown' if unknown else '2023/24'} codes")
            for name, args in (("check", ["check", str(path)]), ("fmt", ["fmt", str(path)]),
                               ("fmt --check", ["fmt", "--check", str(path)])):
                print(f"  qofrules {name}: {timed(args):.2f} s")
        path = Path(tmp) / "big.qof"
        if options.profile:
            import cProfile
            import pstats
            from qofrules import api
            from qofrules.formatter import format_source
            from qofrules.reading import MAX_SCHEME_BYTES, read_text
            for name, call in (("check", lambda: api.check_file(str(path))),
                               ("fmt", lambda: format_source(read_text(str(path), max_bytes=MAX_SCHEME_BYTES,
                                                                       what="scheme file")))):
                profile = cProfile.Profile()
                profile.runcall(call)
                print(f"\n--- profile of {name} ---")
                pstats.Stats(profile).sort_stats("cumulative").print_stats(15)


if __name__ == "__main__":
    main()
