"""Which geography a data set's area columns are, said beside a report's area tables.

A data set places each practice in areas (LMC, CCG, ICB, ...) as its practices table gives them,
and does not record which year's geography that is. The shipped examples, and any data set built
from NHS Digital's current mappings, carry 2023/24 geography; a report on a 2013/14 scheme that
printed "ICB" totals without comment would present bodies that did not exist then as the
practices' commissioners. So for each area column the report shows, this module says, from
qofrules' sourced record of when each kind of body existed (contracts/authorities.yaml,
'existence'), whether that kind existed while the scheme ran; and it recognises sub-ICB location
names (``NHS Somerset ICB - 11X``), which stand in a CCG column only in data made since CCGs ended.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .bodies import kinds
from .dates import When

#: A sub-ICB location's name as NHS Digital writes it: "NHS Somerset ICB - 11X".
_SUB_ICB = re.compile(r"\bICB\s+-\s+\w+\s*$")


@dataclass(frozen=True)
class ColumnNote:
    column: str
    later: bool    # True: the column's areas are a geography from after the scheme ran
    text: str


def column_kind(column: str) -> str | None:
    """The kind of body whose area a practices-table column gives (``ICB`` → ``icb``)."""
    for kind, spec in kinds().items():
        if spec.get("area_column") == column:
            return kind
    return None


def _scheme_days(tree) -> tuple[When, str]:
    runs = tree.scheme.runs
    if runs is not None and runs.start.when is not None and runs.end.when is not None:
        start, end = runs.start.when, runs.end.when
        return When.between(start.earliest, end.latest), f"while the scheme ran ({start.text} to {end.text})"
    first, last = tree.contract.first_day, tree.contract.last_day
    return When.day(first) if first == last else When.between(first, last), f"in {tree.contract.year}"


def column_notes(tree, columns: list[str], values: dict[str, set[str]]) -> list[ColumnNote]:
    """One note per column whose areas cannot be the practices' areas while the scheme ran;
    ``values``: the names each column holds in the data."""
    from .rules.authorities import load
    existence = load().existence
    country = tree.contract.country
    days, during = _scheme_days(tree)
    notes = []
    for column in columns:
        kind = column_kind(column)
        entries = [e for e in existence if e.kind == kind and country in e.countries and e.levels is None]
        if entries and not any(e.covers(days) is not False for e in entries):
            entry = entries[0]
            if entry.start is not None and days.latest < entry.start.earliest:
                when = f"were set up on {entry.start.text}"
            else:
                when = f"ended on {entry.until.text}" if entry.until is not None else "did not exist then"
            notes.append(ColumnNote(column, True,
                                    f"{column}s {when} ({entry.source.split(': ')[0]}), so none existed {during}: the data's "
                                    f"{column} names are a later geography, where the practices are placed "
                                    f"now, not who commissioned them then."))
            continue
        sub_icb = sorted(v for v in values.get(column, ()) if _SUB_ICB.search(v))
        if kind == "ccg" and sub_icb:
            notes.append(ColumnNote(column, True,
                                    f"the data's {column} column holds sub-ICB locations (such as “{sub_icb[0]}”), "
                                    f"the names CCGs' areas took when ICBs replaced CCGs: a later geography than "
                                    f"the scheme's, not the CCGs that commissioned the practices {during}."))
    return notes
