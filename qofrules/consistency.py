"""Warnings about data that reads, but not as the user may have meant: DENOMINATOR counted before
PCAs (personalised care adjustments, exceptions before 2019/20).

qofrules takes DENOMINATOR as NHS Digital publishes it, after PCAs are removed, so PCAS/EXCEPTIONS
play no part in the score. A user whose DENOMINATOR counts patients before PCAs gets a lower
achievement and other points, silently. The one sign in the data: the patients a denominator and
its PCAs count are all on the indicator's register, so DENOMINATOR + PCAS can be at most REGISTER
where a file gives all three (docs/data-formats.md, "DENOMINATOR and PCAS")."""
from __future__ import annotations

import numpy as np

#: How many of the figures that break the rule the note names.
SHOWN = 3


def denominator_notes(data, year: str) -> list[str]:
    """One warning (or none) for the figures of ``year`` where DENOMINATOR + PCAS > REGISTER."""
    found = _columnar(data, year) if hasattr(data, "achievement") and hasattr(data, "index") else _exact(data, year)
    count, examples = found
    if not count:
        return []
    shown = "; ".join(f"{practice} {code}: DENOMINATOR {d} + PCAS {e} > REGISTER {r}"
                      for practice, code, d, e, r in examples[:SHOWN])
    return [f"WARNING: in {count} {year} practice × indicator figure(s) DENOMINATOR plus PCAS (exceptions) is "
            f"more than REGISTER (e.g. {shown}). qofrules reads DENOMINATOR as NHS Digital publishes it, after "
            "PCAs are removed, and PCAS play no part in the score; a DENOMINATOR counted before PCAs gives lower "
            "achievement. Check how the data counts it (docs/data-formats.md, \"DENOMINATOR and PCAS\")"]


def _exact(data, year: str):
    count, examples = 0, []
    for practice in data.practices:
        for code, m in sorted(practice.achievement.get(year, {}).items()):
            if None in (m.denominator, m.exceptions, m.register):
                continue
            if m.denominator + m.exceptions > m.register:
                count += 1
                if len(examples) < SHOWN:
                    examples.append((practice.code, code, m.denominator, m.exceptions, m.register))
    return count, examples


def _columnar(data, year: str):
    columns = data.achievement.get(year)
    if columns is None or not all(k in columns.matrices for k in ("denominator", "exceptions", "register")):
        return 0, []
    denominator, exceptions, register = (columns.matrices[k] for k in ("denominator", "exceptions", "register"))
    with np.errstate(invalid="ignore"):
        broken = (denominator + exceptions) > register  # NaN (not given) compares False
    count = int(broken.sum())
    if not count:
        return 0, []
    codes = {row: code for code, row in columns.codes.items()}
    cells = sorted((data.practices[p].code, codes[i], i, p) for i, p in zip(*np.nonzero(broken)))
    examples = [(practice, code, int(denominator[i, p]), int(exceptions[i, p]), int(register[i, p]))
                for practice, code, i, p in cells[:SHOWN]]
    return count, examples
