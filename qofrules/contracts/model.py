"""National contract years as Python objects: figures that know where they came from."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Iterator

from ..dates import parse_date

CHECKED = "checked"
UNCHECKED = "unchecked"
UNKNOWN = "unknown"
SUPPLIED = "supplied"
NOT_RETIRING = "none"  # a retirement "date" an overrides file may give: the indicator does not retire  # given by a user's --contract-overrides file, not national data


@dataclass(frozen=True, kw_only=True)
class Figure:
    """One number (or date, or setting) with its provenance."""

    value: Any
    status: str
    source: str = ""
    note: str = ""

    @property
    def known(self) -> bool:
        return self.value is not None

    def supplied(self, value: Any, source: str) -> "Figure":
        return Figure(value=value, status=SUPPLIED, source=source)


@dataclass(frozen=True, kw_only=True)
class Indicator:
    code: str
    description: str
    group: str
    domain: str
    kind: str  # "register", "fraction" or "unknown" (no source says which)
    points: Figure
    lower: Figure | None = None
    upper: Figure | None = None
    retires: Figure | None = None
    # The kind as a figure, so completeness counts and refusals can name it: set when the national
    # data leaves the kind unknown (an unknown figure) or a user's overrides supplied it.
    kind_figure: Figure | None = None
    # Set for an indicator a scheme defines (``local indicator``): how a point of it is priced. A
    # local indicator is not part of the national contract and pays nothing under national rules.
    local: Any = None

    @property
    def is_local(self) -> bool:
        return self.local is not None

    @property
    def is_register(self) -> bool:
        return self.kind == "register"

    @property
    def is_fraction(self) -> bool:
        return self.kind == "fraction"

    @property
    def kind_known(self) -> bool:
        return self.kind in ("register", "fraction")

    @property
    def retirement_date(self) -> dt.date | None:
        if self.retires is None or self.retires.value in (None, NOT_RETIRING):
            return None
        return parse_date(self.retires.value)

    @property
    def stays(self) -> bool:
        """Known not to retire at the end of the year: an overrides file said ``retires: none``
        (so a reviewer who knows it can turn "cannot judge" into a judgement)."""
        return self.retires is not None and self.retires.value == NOT_RETIRING


@dataclass(frozen=True, kw_only=True)
class Group:
    code: str
    description: str
    prevalence_adjusted: bool
    patient_list: str = "TOTAL"
    national_prevalence: Figure | None = None
    #: False where no source says whether APDF applies to the group this year (the file then sets
    #: prevalence_adjusted true, so nothing is computed until a user supplies the fact)
    adjustment_known: bool = True


@dataclass(frozen=True, kw_only=True)
class ContractYear:
    country: str
    year: str  # "2013/14"
    title: str
    complete: bool
    point_value: Figure
    average_list_size: Figure
    zero_denominator: Figure
    published_total_points: Figure
    published_indicator_count: Figure
    groups: dict[str, Group]
    indicators: dict[str, Indicator]  # by code, in the file's order
    sources: dict[str, dict] = field(default_factory=dict)
    notes: str = ""
    path: str = ""
    overridden_by: tuple[str, ...] = ()
    replaced_national: tuple[str, ...] = ()  # national figures an overrides file changed, said aloud
    #: indicators the year does not list, supplied whole by an overrides file (contracts/supplied.py)
    supplied_indicators: tuple[str, ...] = ()

    @property
    def national_indicators(self) -> dict[str, Indicator]:
        """The contract's own indicators, without any a scheme defines (``local indicator``)."""
        return {code: i for code, i in self.indicators.items() if not i.is_local}

    @property
    def key(self) -> str:
        return f"{self.country} {self.year}"

    @property
    def start_year(self) -> int:
        return int(self.year[:4])

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.start_year, 4, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.start_year + 1, 3, 31)

    @property
    def total_points(self) -> int | None:
        """The sum of the indicators' points, or None if any is unknown (or none is listed)."""
        if self.indicator_list_unknown:
            return None
        values = [i.points.value for i in self.national_indicators.values()]
        if any(v is None for v in values):
            return None
        return sum(values)

    @property
    def listed(self) -> str:
        """'35 of 121': indicators listed in the data of those the year has, as published."""
        published = self.published_indicator_count.value
        return f"{len(self.national_indicators)} of {'?' if published is None else published}"

    @property
    def indicator_list_unknown(self) -> bool:
        """No indicator is listed, but the year has (or may have) some: nothing can be computed."""
        return not self.national_indicators and self.published_indicator_count.value != 0

    @property
    def domains(self) -> list[str]:
        return sorted({i.domain for i in self.indicators.values()})

    def figures(self) -> Iterator[tuple[str, Figure]]:
        """Every figure of the year, labelled, for completeness reports and refusal messages."""
        yield "£ per point", self.point_value
        yield "national average list size", self.average_list_size
        yield "zero-denominator rule", self.zero_denominator
        yield "published total points", self.published_total_points
        yield "published indicator count", self.published_indicator_count
        for group in self.groups.values():
            if group.national_prevalence is not None:
                yield f"national prevalence of group {group.code}", group.national_prevalence
        for ind in self.national_indicators.values():
            if ind.kind_figure is not None:
                yield f"{ind.code} kind (register or fraction)", ind.kind_figure
            yield f"{ind.code} points", ind.points
            if ind.lower is not None:
                yield f"{ind.code} lower threshold", ind.lower
            if ind.upper is not None:
                yield f"{ind.code} upper threshold", ind.upper
            if ind.retires is not None:
                yield f"{ind.code} retirement date", ind.retires

    def status_counts(self) -> dict[str, int]:
        counts = {CHECKED: 0, UNCHECKED: 0, UNKNOWN: 0, SUPPLIED: 0}
        for _, figure in self.figures():
            counts[figure.status] = counts.get(figure.status, 0) + 1
        return counts

    def with_changes(self, **changes) -> "ContractYear":
        return replace(self, **changes)
