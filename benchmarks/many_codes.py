"""Peak memory of `qofrules run` on an achievement file naming many made-up indicator codes.

    python benchmarks/many_codes.py OUT_DIR [CODES]   # writes the data set, then prints the commands

Copies examples/lincolnshire-2014 to OUT_DIR and adds CODES (default 400,000) rows to its 2013/14
achievement file, each naming a code no contract year has (about 11 MB). Measure each path with
`/usr/bin/time -v qofrules run schemes/2014-lincolnshire-llr.qof --data OUT_DIR [--exact]`
("Maximum resident set size"). Synthetic data only.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(out: str, codes: int = 400_000) -> None:
    target = Path(out)
    shutil.copytree(ROOT / "examples" / "lincolnshire-2014", target)
    with (target / "achievement-2013-14.csv").open("a", encoding="utf-8", newline="") as handle:
        for i in range(codes):
            handle.write(f"C82001,ZZ{i:06d},REGISTER,1\n")
    scheme = ROOT / "schemes" / "2014-lincolnshire-llr.qof"
    for flag in ("", " --exact"):
        print(f"/usr/bin/time -v qofrules run {scheme} --data {target}{flag} --format csv -o /dev/null")


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:3]))
