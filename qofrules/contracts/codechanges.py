"""Indicator codes that changed between QOF years: which code to read in an earlier year's data.

``achievement in YEAR`` pays a practice's ACHIEVED_POINTS of YEAR. NHS Digital's files for YEAR
carry YEAR's codes, and codes changed (2013/14 renumbered nearly everything: DM26 became DM007),
so looking the contract year's code up in YEAR's file would silently find nothing, or another
indicator. The shipped file ``england-code-changes.yaml`` records, with a source and a status,
each indicator's code in an earlier year, or that it is new since then (no earlier points).

:meth:`CodeChanges.lookup` is the one place that decides which code is read: the compiler asks it
once per indicator and earlier year, and both evaluation paths (the exact nodes and the columns)
read the code it gives, so they cannot disagree (docs/evaluation.md, "Earlier-year achievement").
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from .. import jsonschemas, yamlsafe
from ..diagnostics import QofError, error
from ..packaged import shipped
from ..source import Source

FILE = "{country}-code-changes.yaml"
SCHEMA = "code-changes.schema.json"


def _start(year: str) -> int:
    return int(year[:4])


@dataclass(frozen=True)
class Change:
    """One recorded link: ``code`` of ``year`` had ``earlier_code`` in ``earlier_year`` (None: new)."""

    year: str
    code: str
    earlier_year: str
    earlier_code: str | None
    status: str
    source: str
    inferred: str = ""
    note: str = ""

    def cite(self) -> str:
        """'[unchecked, inferred; Pulse, "..."]': how far to trust it, and where it is from (what was
        inferred is in the file's ``inferred`` field)."""
        return f"[{self.status}{', inferred' if self.inferred else ''}; {self.source}]"


@dataclass(frozen=True)
class Unchanged:
    """A source's statement that no indicator changed between two years."""

    year: str
    earlier_year: str
    status: str
    source: str
    note: str = ""


@dataclass(frozen=True)
class Lookup:
    """Where indicator ``code`` of contract year ``year`` is found in ``earlier_year``'s data.

    ``earlier_code`` is the code to read (``code`` itself when nothing is recorded), or None when
    the indicator is new since ``earlier_year``. ``steps`` are the recorded links followed, newest
    first (a 2016/17 code read in 2014/15 follows the 2015/16 renumbering)."""

    year: str
    code: str
    earlier_year: str
    earlier_code: str | None
    steps: tuple[Change, ...] = ()
    unchanged: Unchanged | None = None
    #: no change is recorded, but ``earlier_year``'s indicator list (shipped and complete) has no
    #: ``code``: new since then, or renumbered without a record; either way nothing is read
    absent: bool = False

    @property
    def is_new(self) -> bool:
        return self.earlier_code is None

    @property
    def renamed(self) -> bool:
        return self.earlier_code is not None and self.earlier_code != self.code

    def new_message(self) -> str:
        """What is missing when the indicator is new: it had no points in the earlier year."""
        if self.absent:
            return (f"{self.code} is not in qofrules' complete list of {self.earlier_year}'s indicators, and no "
                    f"code change is recorded: new since then, or renumbered without a record, so it has no "
                    f"{self.earlier_year} points to read")
        step = self.steps[-1]
        return (f"{self.code} was new in {step.year}: it had no points in {self.earlier_year} "
                f"{step.cite()}")

    def missing_points(self) -> str:
        """What is missing when the earlier year's data has no points under the code read."""
        if self.is_new:
            return self.new_message()
        if self.renamed:
            return (f"{self.earlier_year} ACHIEVED_POINTS of {self.earlier_code} "
                    f"({self.code}'s {self.earlier_year} code)")
        return f"{self.earlier_year} ACHIEVED_POINTS of {self.code}"

    def account(self) -> str:
        """The code read, and why: for an explanation."""
        if self.is_new:
            return self.new_message()
        if self.steps:
            return "; ".join(f"{s.code} of {s.year} was {s.earlier_code} in {s.earlier_year} {s.cite()}"
                             for s in self.steps)
        if self.unchanged is not None:
            u = self.unchanged
            return f"as {self.code}: no codes changed from {u.earlier_year} to {u.year} [{u.status}; {u.source}]"
        return f"as {self.code}: no code change recorded"


class CodeChanges:
    """The recorded code changes of one country, checked: at most one link per code and pair of
    years, and no earlier code claimed by two codes of the same year."""

    def __init__(self, changes: tuple[Change, ...] = (), unchanged: tuple[Unchanged, ...] = ()):
        self.changes = changes
        self.unchanged = unchanged
        self._by_code: dict[str, list[Change]] = {}
        for change in changes:
            self._by_code.setdefault(change.code, []).append(change)
        for found in self._by_code.values():
            found.sort(key=lambda c: _start(c.year), reverse=True)

    def lookup(self, year: str, code: str, earlier_year: str) -> Lookup:
        """The code ``code`` of ``year`` had in ``earlier_year``, following recorded links back in
        time: from ``year``, the latest link of the current code made after ``earlier_year``, then
        the same again from the code and year that link names. Where no link applies the code is
        taken as unchanged, as it always was before this file existed."""
        target, current, at = _start(earlier_year), code, _start(year)
        steps: list[Change] = []
        while True:
            link = next((c for c in self._by_code.get(current, ())
                         if target < _start(c.year) <= at and _start(c.earlier_year) >= target), None)
            if link is None:
                break
            steps.append(link)
            if link.earlier_code is None:
                return Lookup(year, code, earlier_year, None, tuple(steps))
            current, at = link.earlier_code, _start(link.earlier_year)
        stated = None if steps else next((u for u in self.unchanged
                                          if u.year == year and u.earlier_year == earlier_year), None)
        return Lookup(year, code, earlier_year, current, tuple(steps), stated)


def from_data(data, source: Source) -> CodeChanges:
    """Check a parsed code-changes file (schema, then content) and build its :class:`CodeChanges`.
    Every problem is a QR305/QR306 diagnostic naming the entry, never a traceback."""
    if not isinstance(data, dict):
        raise QofError([error("QR305", "a code-changes file must be a YAML mapping", source=source)])
    jsonschemas.validate(data, "qofrules.contracts", SCHEMA, source, "QR305")
    sources = data["sources"]
    problems = []

    def cited(ref: str, where: str) -> str:
        if ref not in sources:
            problems.append(f"{where} cites source '{ref}', which the file's sources do not define")
            return ref
        return sources[ref]["title"]

    changes, pairs, claimed = [], {}, {}
    for index, raw in enumerate(data["changes"]):
        where = f"changes[{index}] ({raw['code']} of {raw['year']})"
        if _start(raw["earlier_year"]) >= _start(raw["year"]):
            problems.append(f"{where}: earlier_year {raw['earlier_year']} is not before {raw['year']}")
        key = (raw["year"], raw["code"], raw["earlier_year"])
        if key in pairs:
            problems.append(f"{where}: {raw['code']} of {raw['year']} is given a {raw['earlier_year']} code twice "
                            f"(also changes[{pairs[key]}])")
        pairs[key] = index
        earlier = raw.get("earlier_code")
        if earlier is not None:
            claim = (raw["year"], raw["earlier_year"], earlier)
            if claim in claimed:
                problems.append(f"{where}: {earlier} of {raw['earlier_year']} is already the earlier code of "
                                f"{claimed[claim]} (a split or merge of indicators is not a code change)")
            claimed[claim] = raw["code"]
        if raw.get("inferred") and raw["status"] == "checked":
            problems.append(f"{where}: an inferred link cannot be 'checked'")
        changes.append(Change(year=raw["year"], code=raw["code"], earlier_year=raw["earlier_year"],
                              earlier_code=earlier, status=raw["status"], source=cited(raw["source"], where),
                              inferred=raw.get("inferred", ""), note=raw.get("note", "")))
    unchanged = []
    for index, raw in enumerate(data.get("unchanged", ())):
        where = f"unchanged[{index}] ({raw['earlier_year']} to {raw['year']})"
        if _start(raw["earlier_year"]) >= _start(raw["year"]):
            problems.append(f"{where}: earlier_year {raw['earlier_year']} is not before {raw['year']}")
        clash = [c.code for c in changes if c.year == raw["year"] and c.earlier_year == raw["earlier_year"]]
        if clash:
            problems.append(f"{where}: says no indicator changed, but changes records {', '.join(clash)}")
        unchanged.append(Unchanged(year=raw["year"], earlier_year=raw["earlier_year"], status=raw["status"],
                                   source=cited(raw["source"], where), note=raw.get("note", "")))
    if problems:
        raise QofError([error("QR306", p, source=source) for p in problems[:20]])
    return CodeChanges(tuple(changes), tuple(unchanged))


@functools.lru_cache(maxsize=None)
def load(country: str) -> CodeChanges:
    """The shipped code changes of ``country`` (none recorded if it ships no file)."""
    name = FILE.format(country=country)
    entry = shipped("qofrules.contracts", name)
    if not entry.is_file():
        return CodeChanges()
    source = Source(f"qofrules/contracts/{name}", entry.read_text(encoding="utf-8"))
    return from_data(yamlsafe.load_shipped(source, code="QR305"), source)
