"""Practice data as the evaluator sees it, whatever file form it came from."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple


class Measures(NamedTuple):
    """One practice's figures for one indicator in one year; None where not given.

    A named tuple rather than a dataclass: a national data set holds about a million of them."""

    register: int | None = None
    numerator: int | None = None
    denominator: int | None = None  # after PCAs/exceptions, as NHS Digital publishes it
    exceptions: int | None = None   # PCAS (from 2019/20) or EXCEPTIONS (before)
    achieved_points: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class Prevalence:
    register: int
    list_size: int  # the patient list (age band) the group's prevalence is measured against


@dataclass(frozen=True, kw_only=True)
class Practice:
    code: str
    name: str
    list_size: int
    areas: dict[str, str] = field(default_factory=dict)        # column (CCG, LMC, ...) -> value
    opted_in: dt.date | None = None
    pilots: frozenset[str] = frozenset()
    requested_alternative: bool = False
    attributes: dict[str, str] = field(default_factory=dict)   # lower-cased column -> raw text
    achievement: dict[str, dict[str, Measures]] = field(default_factory=dict)  # year -> code -> measures
    prevalence: dict[str, dict[str, Prevalence]] = field(default_factory=dict)  # year -> group -> prevalence

    def measures(self, year: str, code: str) -> Measures | None:
        return self.achievement.get(year, {}).get(code)

    @classmethod
    def of_row(cls, code: str, name: str, list_size: int, areas: dict[str, str], opted_in: dt.date | None,
               pilots: frozenset[str], requested_alternative: bool, attributes: dict[str, str]) -> "Practice":
        """``Practice(code=code, ...)`` with no achievement or prevalence yet: equal to what the
        constructor makes (tests/test_data.py), made without it. A frozen dataclass's ``__init__``
        sets each of its ten fields through ``object.__setattr__``, 40% of reading England's 6,410
        practices column by column; filling the new object's ``__dict__`` costs a third as much."""
        practice = object.__new__(cls)
        practice.__dict__.update(code=code, name=name, list_size=list_size, areas=areas, opted_in=opted_in,
                                 pilots=pilots, requested_alternative=requested_alternative,
                                 attributes=attributes, achievement={}, prevalence={})
        return practice


@dataclass(frozen=True, kw_only=True)
class Dataset:
    name: str
    synthetic: bool
    notice: str
    practices: tuple[Practice, ...]
    years: tuple[str, ...]                 # years with achievement data
    area_columns: frozenset[str]           # geography columns the data has
    attribute_names: frozenset[str]
    contract_overrides: str | None = None  # a path, resolved inside the data set's directory
    origin: str = ""                       # the path the user gave

    def codes(self, year: str) -> set[str]:
        """Indicator codes the data gives for ``year`` (as :meth:`ColumnarData.codes`)."""
        return {code for p in self.practices for code in p.achievement.get(year, {})}

    def practice(self, code: str) -> Practice | None:
        for practice in self.practices:
            if practice.code == code:
                return practice
        return None
