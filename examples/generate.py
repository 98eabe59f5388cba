"""Synthetic practice data sets for qofrules' worked examples and benchmarks.

Writes data sets in the directory layout of docs/data-formats.md section 1: ``dataset.yaml``,
``practices.csv``, NHS Digital long achievement files, prevalence files and, for the worked
examples, a ``contract-overrides.yaml`` of illustrative figures.

What is real and what is not:

* **Real**: practice codes, names, PCN, sub-ICB (CCG), ICB and region, read from
  ``examples/reference/QOF_MANUAL_MAPPINGS.csv`` (NHS Digital, 2023/24 geography).
* **From the project's contract-year files** (``qofrules/contracts/data/``): which indicators and
  groups exist in a year, their points and any thresholds the file knows.
* **Synthetic**: everything else - list sizes, opt-in dates, pilots, requests, every register,
  numerator, denominator, exception count and achieved points. Values are drawn from plausible
  distributions; they describe no real practice.

Every value comes from a random stream named after the seed, the practice and the indicator, so
the output is byte-for-byte reproducible, and adding an indicator or a practice does not change
the values drawn for the others.

Usage::

    python examples/generate.py --all
    python examples/generate.py --out DIR --scenario NAME [--seed N] [--scale K] [--limit N]

Standard library plus PyYAML, and qofrules' own code-change lookup (for earlier years' codes).
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import functools
import os
import random
import sys
import tempfile
from dataclasses import dataclass, replace, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterable, Iterator

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MAPPINGS = EXAMPLES / "reference" / "QOF_MANUAL_MAPPINGS.csv"
CONTRACTS = ROOT / "qofrules" / "contracts" / "data"

OVERRIDES_LABEL = "Illustrative values for the worked example: NOT national figures"
OVERRIDES_FILE = "contract-overrides.yaml"

PRACTICES_HEADER = ("PRACTICE_CODE", "PRACTICE_NAME", "LIST_SIZE", "PCN", "CCG", "ICB", "REGION")
LONG_HEADER = ("PRACTICE_CODE", "INDICATOR_CODE", "MEASURE", "VALUE")
PREVALENCE_HEADER = ("PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PATIENT_LIST_TYPE", "PRACTICE_LIST_SIZE")

# Share of the whole list in each of NHS Digital's patient lists (age bands). Approximately the
# England 2020/21 shares (shared/data/prevalence, opensafely/qof-utilities); unlisted bands: 1.
BAND_SHARE = {"TOTAL": 1.0, "06OV": 0.938, "15OV": 0.83, "16OV": 0.82, "17OV": 0.809, "18OV": 0.798,
              "45OV": 0.47, "50OV": 0.367, "25_64_F": 0.26}

# Synthetic mean size of each group's register, in percent of the patient list named beside it.
# Disease groups: close to England's 2020/21 prevalence (same source as BAND_SHARE). Population
# groups (BP, CS, SMOK, ...): the rough share of that list an indicator cohort covers.
GROUP_MEAN = {
    "AF": ("2.1", "TOTAL"), "AST": ("6.4", "06OV"), "BP": ("90", "45OV"), "CAN": ("3.2", "TOTAL"),
    "CHD": ("3.1", "TOTAL"), "CHOL": ("6", "TOTAL"), "CHS": ("6", "TOTAL"), "CKD": ("4.0", "18OV"),
    "CON": ("12", "TOTAL"), "COPD": ("1.9", "TOTAL"), "CS": ("95", "25_64_F"), "CVDPP": ("1.0", "TOTAL"),
    "DEM": ("0.7", "TOTAL"), "DEP": ("10", "18OV"), "DM": ("7.1", "17OV"), "EP": ("0.8", "18OV"),
    "HF": ("0.9", "TOTAL"), "HYP": ("13.9", "TOTAL"), "LD": ("0.5", "TOTAL"), "MAT": ("1.1", "TOTAL"),
    "MH": ("0.95", "TOTAL"), "NDH": ("5.3", "18OV"), "OB": ("6.9", "18OV"), "OST": ("0.8", "50OV"),
    "PAD": ("0.6", "TOTAL"), "PC": ("0.5", "TOTAL"), "PE": ("2", "TOTAL"), "RA": ("0.8", "16OV"),
    "SMOK": ("30", "15OV"), "STIA": ("1.8", "TOTAL"), "THY": ("3.5", "TOTAL"), "VI": ("1.2", "TOTAL"),
}
DEFAULT_GROUP_MEAN = ("1.0", "TOTAL")
# Groups whose registers grow with an older list (so the practice's age mix moves them together).
AGE_RELATED = {"AF", "CAN", "CHD", "CKD", "COPD", "DEM", "HF", "HYP", "OST", "PAD", "STIA", "BP"}
# Domains whose indicators are yes/no declarations, not counts of patients.
ALL_OR_NOTHING_DOMAINS = {"quality-productivity", "quality-improvement"}

# Illustrative figures for what a contract year leaves unknown: round, plausible, NOT national.
ILLUSTRATIVE_THRESHOLDS = ((40, 90), (45, 80), (50, 90), (40, 80), (35, 75), (45, 70), (50, 80), (40, 70))
ILLUSTRATIVE_POINTS = {"register": 5, "fraction": 10}
ILLUSTRATIVE_KIND = "fraction"  # for an indicator whose kind (register or fraction) the year leaves unknown
ILLUSTRATIVE_ZERO_DENOMINATOR = "no-points"
ILLUSTRATIVE_POINT_VALUE = "150.00"
ILLUSTRATIVE_AVERAGE_LIST_SIZE = 7000

# Stand-in indicators for a contract year whose indicator list qofrules does not have (England
# 2008/09, Northern Ireland 2016/17): made up, NOT the year's indicators, written into the example's
# overrides file (docs/contracts.md, "Supplying a year's indicators") so that a scheme on that year
# can be computed over synthetic data. Their codes begin with X so that none reads as a real code.
# (code, description, group, kind, points, lower, upper)
STAND_IN_GROUPS = {"XHYP": ("Stand-in: hypertension (illustrative, NOT a national group)", "13.9"),
                   "XDM": ("Stand-in: diabetes (illustrative, NOT a national group)", "5.5")}
STAND_IN_INDICATORS = (
    ("XHYP001", "Stand-in: hypertension register (illustrative, NOT a national indicator)", "XHYP", "register", 6,
     None, None),
    ("XHYP002", "Stand-in: hypertension, blood pressure controlled (illustrative, NOT a national indicator)", "XHYP",
     "fraction", 20, 40, 70),
    ("XDM001", "Stand-in: diabetes register (illustrative, NOT a national indicator)", "XDM", "register", 6,
     None, None),
    ("XDM002", "Stand-in: diabetes, HbA1c controlled (illustrative, NOT a national indicator)", "XDM", "fraction",
     15, 40, 90),
)

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


# ------------------------------------------------------------------ randomness

def stream(*parts: object) -> random.Random:
    """A random stream named by ``parts``.

    Seeding from a string hashes it (SHA-512), the same on every platform and Python version, so
    each (seed, purpose, practice, indicator) gets its own stable values.
    """
    return random.Random("|".join(str(p) for p in parts))


def clamp(value: float, low: float, high: float) -> float:
    """Keep a drawn value inside its meaningful range (a rate in 0..1, a share below 1)."""
    return max(low, min(high, value))


def unit_lognormal(rng: random.Random, sigma: float) -> float:
    """A multiplier with mean 1 and spread ``sigma``, so registers keep the intended average."""
    return rng.lognormvariate(-sigma * sigma / 2, sigma)


# ------------------------------------------------------------------ contract years

@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    domain: str
    kind: str                      # register | fraction | unknown (the contract year does not say)
    points: int | None             # None: unknown in the contract year
    lower: Decimal | None
    upper: Decimal | None

    @property
    def all_or_nothing(self) -> bool:
        """Yes/no declarations (QP, QI): scored 1/1 or 0/1, never a count of patients."""
        return self.domain in ALL_OR_NOTHING_DOMAINS


@dataclass(frozen=True)
class Group:
    code: str
    prevalence_adjusted: bool
    patient_list: str | None       # None: the year's file does not say (TOTAL is assumed)
    national_prevalence: Decimal | None


@dataclass(frozen=True)
class ContractYear:
    country: str
    year: str
    path: Path
    complete: bool
    point_value: Decimal | None
    average_list_size: int | None
    zero_denominator: str | None
    groups: dict[str, Group]
    indicators: tuple[Indicator, ...]


def contract_path(year: str, country: str = "england") -> Path:
    """``2013/14`` -> qofrules/contracts/data/england-2013-14.yaml."""
    return CONTRACTS / f"{country}-{year.replace('/', '-')}.yaml"


def _figure(raw: dict | None) -> object:
    """A figure's value; None both for an unknown figure and for one the file does not give."""
    return None if raw is None else raw.get("value")


def _decimal(value: object) -> Decimal | None:
    """Percentages arrive as ints or decimal strings; Decimal keeps scoring exact, as the engine's."""
    return None if value is None else Decimal(str(value))


def load_contract(year: str, country: str = "england") -> ContractYear:
    """Read the indicators, groups and known figures of one contract-year file.

    Only what the generator needs is read; the package itself validates these files.
    """
    path = contract_path(year, country)
    if not path.exists():
        raise SystemExit(f"generate.py: contract year file {path.relative_to(ROOT)} does not exist (yet); "
                         f"it is needed for {year}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    groups = {
        code: Group(code=code, prevalence_adjusted=bool(raw.get("prevalence_adjusted")),
                    patient_list=raw.get("patient_list"),
                    national_prevalence=_decimal(_figure(raw.get("national_prevalence"))))
        for code, raw in (data.get("groups") or {}).items()
    }
    indicators = []
    for raw in data.get("indicators") or []:
        thresholds = raw.get("thresholds") or {}
        indicators.append(Indicator(
            code=raw["code"], group=raw["group"], domain=raw.get("domain", "clinical"), kind=raw["kind"],
            points=_figure(raw.get("points")), lower=_decimal(_figure(thresholds.get("lower"))),
            upper=_decimal(_figure(thresholds.get("upper")))))
    return ContractYear(
        country=country, year=year, path=path, complete=bool(data.get("complete")),
        point_value=_decimal(_figure(data.get("point_value"))),
        average_list_size=_figure(data.get("average_list_size")),
        zero_denominator=_figure(data.get("zero_denominator")), groups=groups, indicators=tuple(indicators))


def with_stand_ins(contract: ContractYear) -> ContractYear:
    """``contract`` with the stand-in groups and indicators in place of the list it lacks."""
    if contract.indicators:
        raise SystemExit(f"generate.py: {contract.path.name} lists indicators; stand-ins are only for a year "
                         "that lists none")
    groups = {code: Group(code=code, prevalence_adjusted=True, patient_list="TOTAL",
                          national_prevalence=Decimal(prevalence))
              for code, (_, prevalence) in STAND_IN_GROUPS.items()}
    indicators = tuple(Indicator(code=code, group=group, domain="clinical", kind=kind, points=points,
                                 lower=None if lower is None else Decimal(lower),
                                 upper=None if upper is None else Decimal(upper))
                       for code, _, group, kind, points, lower, upper in STAND_IN_INDICATORS)
    return replace(contract, groups=groups, indicators=indicators)


def stand_in_overrides(overrides: dict) -> dict:
    """``overrides`` with every stand-in group and indicator supplied whole (all its facts)."""
    out = dict(overrides)
    out["groups"] = {code: {"description": description, "prevalence_adjusted": True,
                            "national_prevalence": prevalence}
                     for code, (description, prevalence) in STAND_IN_GROUPS.items()}
    indicators = {}
    for code, description, group, kind, points, lower, upper in STAND_IN_INDICATORS:
        entry: dict = {"description": description, "group": group, "domain": "clinical", "kind": kind,
                       "points": points}
        if kind == "fraction":
            entry["thresholds"] = {"lower": lower, "upper": upper}
        indicators[code] = entry
    out["indicators"] = indicators
    return out


# ------------------------------------------------------------------ illustrative figures

def illustrative_thresholds(indicator: Indicator) -> tuple[Decimal, Decimal]:
    """Round thresholds for an indicator whose thresholds are unknown.

    Chosen from a fixed list by the indicator code alone (not the seed), so the overrides file is
    the same whatever data is drawn. Yes/no declarations get 0/100. A threshold the contract year
    knows is kept (the overrides format sets both together).
    """
    if indicator.all_or_nothing:
        lower, upper = Decimal(0), Decimal(100)
    else:
        pair = ILLUSTRATIVE_THRESHOLDS[stream("thresholds", indicator.code).randrange(len(ILLUSTRATIVE_THRESHOLDS))]
        lower, upper = Decimal(pair[0]), Decimal(pair[1])
    lower = indicator.lower if indicator.lower is not None else lower
    upper = indicator.upper if indicator.upper is not None else upper
    if lower >= upper:
        lower = max(Decimal(0), upper - 40)
    return lower, upper


def group_mean(contract: ContractYear, group: Group) -> tuple[Decimal, str]:
    """The synthetic mean register of ``group`` in percent of the list it is measured against.

    A national prevalence the contract year knows is used as it stands, so the synthetic data
    centres on it; otherwise GROUP_MEAN is re-expressed for the year's patient list.
    """
    year_list = group.patient_list or "TOTAL"
    if group.national_prevalence is not None:
        return group.national_prevalence, year_list
    percent, natural_list = GROUP_MEAN.get(group.code, DEFAULT_GROUP_MEAN)
    share = Decimal(str(BAND_SHARE.get(natural_list, 1.0))) / Decimal(str(BAND_SHARE.get(year_list, 1.0)))
    return min(Decimal(percent) * share, HUNDRED), natural_list


def illustrative_overrides(contract: ContractYear) -> dict:
    """Exactly the figures ``contract`` leaves unknown, with illustrative values.

    Returned in the docs/contracts.md overrides format (key order kept for a readable file).
    """
    out: dict = {"overrides": f"{contract.country} {contract.year}", "label": OVERRIDES_LABEL}
    if contract.point_value is None:
        out["point_value"] = ILLUSTRATIVE_POINT_VALUE
    if contract.average_list_size is None:
        out["average_list_size"] = ILLUSTRATIVE_AVERAGE_LIST_SIZE
    if contract.zero_denominator is None:
        out["zero_denominator"] = ILLUSTRATIVE_ZERO_DENOMINATOR
    groups = {}
    for group in contract.groups.values():
        if group.prevalence_adjusted and group.national_prevalence is None:
            percent, _ = group_mean(contract, group)
            groups[group.code] = {"national_prevalence": _percent_text(percent)}
    if groups:
        out["groups"] = groups
    indicators = {}
    for indicator in contract.indicators:
        entry: dict = {}
        if indicator.kind == "unknown":
            entry["kind"] = ILLUSTRATIVE_KIND
            indicator = replace(indicator, kind=ILLUSTRATIVE_KIND)
        if indicator.points is None:
            entry["points"] = ILLUSTRATIVE_POINTS[indicator.kind]
        if indicator.kind == "fraction" and (indicator.lower is None or indicator.upper is None):
            lower, upper = illustrative_thresholds(indicator)
            entry["thresholds"] = {"lower": _number(lower), "upper": _number(upper)}
        if entry:
            indicators[indicator.code] = entry
    if indicators:
        out["indicators"] = indicators
    return out


def _percent_text(percent: Decimal) -> str:
    """A percentage to one decimal place, as the overrides format's decimal string."""
    return str(percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _number(value: Decimal) -> int | str:
    """Whole thresholds as plain integers (40, not '40'), others as decimal strings, for a readable file."""
    return int(value) if value == value.to_integral_value() else str(value)


@dataclass(frozen=True)
class Figures:
    """The figures the data is drawn and scored with: the contract's, gaps filled by the overrides."""
    zero_denominator: str
    points: dict[str, int]
    thresholds: dict[str, tuple[Decimal, Decimal]]


def with_supplied_kinds(contract: ContractYear, overrides: dict) -> ContractYear:
    """``contract`` with the kinds the overrides supply, so data is drawn as qofrules will score it."""
    supplied = overrides.get("indicators", {})
    return replace(contract, indicators=tuple(
        replace(i, kind=supplied[i.code]["kind"]) if "kind" in supplied.get(i.code, {}) else i
        for i in contract.indicators))


def effective_figures(contract: ContractYear, overrides: dict) -> Figures:
    """What qofrules will use once the overrides are applied, so the scored points agree with it."""
    supplied = overrides.get("indicators", {})
    points, thresholds = {}, {}
    for indicator in contract.indicators:
        entry = supplied.get(indicator.code, {})
        points[indicator.code] = entry.get("points", indicator.points)
        if indicator.kind == "fraction":
            raw = entry.get("thresholds")
            thresholds[indicator.code] = ((Decimal(str(raw["lower"])), Decimal(str(raw["upper"]))) if raw
                                          else (indicator.lower, indicator.upper))
    return Figures(zero_denominator=overrides.get("zero_denominator", contract.zero_denominator),
                   points=points, thresholds=thresholds)


def score(numerator: int, denominator: int, maximum: int, lower: Decimal, upper: Decimal,
          zero_denominator: str) -> Decimal:
    """Points under the national formula (domain.md), rounded as qofrules rounds them: computed
    exactly (as fractions), then 2 dp half up, so 7.625 points is 7.63.

    Written out here, not imported, so the examples do not depend on the engine they test.
    """
    if denominator == 0:
        return Decimal(maximum if zero_denominator == "full-points" else 0).quantize(CENT)
    low, high = _fraction(lower), _fraction(upper)
    if numerator * 100 * low.denominator <= low.numerator * denominator:      # at or below the lower threshold
        return Decimal(0).quantize(CENT)
    if numerator * 100 * high.denominator >= high.numerator * denominator:   # at or above the upper
        return Decimal(maximum).quantize(CENT)
    # maximum × (100n/d − L) / (U − L) as one fraction A/B of whole numbers, then ⌊100·A/B + ½⌋.
    top = maximum * (numerator * 100 * low.denominator - low.numerator * denominator) * high.denominator
    bottom = denominator * (high.numerator * low.denominator - low.numerator * high.denominator)
    hundredths = (200 * top + bottom) // (2 * bottom)
    return (Decimal(hundredths) / 100).quantize(CENT)


@functools.lru_cache(maxsize=None)
def _fraction(value: Decimal) -> Fraction:
    return Fraction(value)


# ------------------------------------------------------------------ practices

@dataclass
class Practice:
    code: str
    name: str
    pcn: str
    ccg: str
    icb: str
    region: str
    list_size: int = 0
    age_factor: float = 1.0        # > 1: an older list than average
    quality: float = 0.0           # the practice's lasting tendency to achieve more or less
    source: dict[str, str] = field(default_factory=dict)   # its row of the mappings file (real)
    extra: dict[str, str] = field(default_factory=dict)    # scheme columns: LMC, OPTED_IN, ...


def made_up_row(number: int) -> dict[str, str]:
    """A mappings-file row for a made-up practice: code ZZ9NNN (no real practice's form), no geography."""
    return {"PRACTICE_CODE": f"ZZ9{number:03d}", "PRACTICE_NAME": f"MADE-UP PRACTICE {number}", "PCN_NAME": "",
            "CCG_NAME": "", "STP_NAME": "", "REGION_NAME": ""}


def read_mappings() -> list[dict[str, str]]:
    """The real practices and their geography (NHS Digital, 2023/24), in file order."""
    with MAPPINGS.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def draw_list_size(rng: random.Random, median: int) -> int:
    """Lognormal-ish list sizes kept inside 2,000-20,000 by redrawing (no pile-up at the edges)."""
    while True:
        size = round(rng.lognormvariate(0, 0.45) * median)
        if 2000 <= size <= 20000:
            return size


def make_practices(rows: list[dict[str, str]], seed: int, median: int, scale: int) -> list[Practice]:
    """Practices with their synthetic list size, age mix and quality; ``scale`` copies each K times.

    Copies get codes like A81001-2 and their own draws, for growth measurements.
    """
    practices = []
    for copy in range(1, scale + 1):
        for row in rows:
            code = row["PRACTICE_CODE"] if copy == 1 else f"{row['PRACTICE_CODE']}-{copy}"
            name = row["PRACTICE_NAME"] if copy == 1 else f"{row['PRACTICE_NAME']} (COPY {copy})"
            rng = stream(seed, "practice", code)
            practices.append(Practice(
                code=code, name=name, pcn=row["PCN_NAME"], ccg=row["CCG_NAME"], icb=row["STP_NAME"],
                region=row["REGION_NAME"], list_size=draw_list_size(rng, median),
                age_factor=rng.uniform(0.85, 1.15), quality=rng.gauss(0, 0.035), source=row))
    return practices


def band_size(practice: Practice, band: str) -> int:
    """The practice's patient list for an age band: the band's share, moved by the practice's age mix.

    Old-age bands move fully with the age mix; bands covering most of the list barely move.
    """
    share = BAND_SHARE.get(band, 1.0)
    if share < 1.0:
        weight = 1.0 if share < 0.7 else 0.05 / share
        share = clamp(share * (1 + (practice.age_factor - 1) * weight), 0.05, 0.995)
    return max(1, round(practice.list_size * share))


def opt_in_date(rng: random.Random, share: float, first: dt.date, last: dt.date) -> str:
    """An opt-in date between ``first`` and ``last`` for about ``share`` of practices, else empty."""
    if rng.random() >= share:
        return ""
    return (first + dt.timedelta(days=rng.randrange((last - first).days + 1))).isoformat()


# ------------------------------------------------------------------ achievement

@dataclass(frozen=True)
class Cell:
    """One practice's figures for one fraction indicator in one year."""
    numerator: int
    denominator: int              # after exceptions, as NHS Digital publishes it
    exceptions: int


def registers(practice: Practice, contract: ContractYear, seed: int) -> dict[str, tuple[int, str, int]]:
    """group -> (register, patient list type, that list's size), for every group of the year."""
    out = {}
    for group in contract.groups.values():
        percent, band = group_mean(contract, group)
        rng = stream(seed, "register", contract.year, practice.code, group.code)
        factor = unit_lognormal(rng, 0.25)
        if group.code in AGE_RELATED and band == "TOTAL":
            factor *= practice.age_factor
        list_size = band_size(practice, band)
        register = min(list_size, round(list_size * float(percent) / 100 * factor))
        year_band = group.patient_list or "TOTAL"
        year_list = band_size(practice, year_band) if year_band != band else list_size
        out[group.code] = (min(register, year_list), year_band, year_list)
    return out


def indicator_profile(seed: int, indicator: Indicator) -> tuple[float, float]:
    """(share of the group's register in this indicator's cohort, national mean achievement)."""
    rng = stream(seed, "indicator", indicator.code)
    return rng.uniform(0.45, 1.0), rng.uniform(0.74, 0.93)


def achievement_rate(rng: random.Random, mean: float, quality: float) -> float:
    """Mostly 60-100%; about one in forty practice-indicators is a low outlier."""
    if rng.random() < 0.025:
        return rng.uniform(0.15, 0.55)
    return clamp(mean + quality + rng.gauss(0, 0.05), 0.0, 1.0)


def draw_cell(rng: random.Random, indicator: Indicator, register: int, cohort: float, mean: float,
              quality: float) -> Cell:
    """Numerator, denominator and exceptions for a fraction indicator (exceptions a few percent)."""
    if indicator.all_or_nothing:
        return Cell(numerator=1 if rng.random() < 0.93 else 0, denominator=1, exceptions=0)
    eligible = min(register, round(register * cohort * rng.uniform(0.92, 1.08)))
    rate = rng.uniform(0.005, 0.06) if rng.random() >= 0.05 else rng.uniform(0.06, 0.15)
    exceptions = round(eligible * rate)
    denominator = eligible - exceptions
    numerator = round(denominator * achievement_rate(rng, mean, quality))
    return Cell(numerator=numerator, denominator=denominator, exceptions=exceptions)


def current_rows(practice: Practice, contract: ContractYear, figures: Figures, seed: int,
                 regs: dict[str, tuple[int, str, int]]) -> Iterator[tuple[str, str, str, str]]:
    """The full long-format rows of the scheme's year for one practice.

    ACHIEVED_POINTS are scored from the synthetic counts with ``figures`` (contract + overrides).
    """
    exceptions_measure = "PCAS" if contract.year >= "2019/20" else "EXCEPTIONS"
    for indicator in contract.indicators:
        maximum = figures.points[indicator.code]
        if indicator.kind == "register":
            register = 1 if indicator.all_or_nothing else regs.get(indicator.group, (0,))[0]
            yield practice.code, indicator.code, "REGISTER", str(register)
            yield practice.code, indicator.code, "ACHIEVED_POINTS", str(Decimal(maximum).quantize(CENT))
            continue
        cohort, mean = indicator_profile(seed, indicator)
        rng = stream(seed, "achievement", contract.year, practice.code, indicator.code)
        cell = draw_cell(rng, indicator, regs.get(indicator.group, (0,))[0], cohort, mean, practice.quality)
        lower, upper = figures.thresholds[indicator.code]
        points = score(cell.numerator, cell.denominator, maximum, lower, upper, figures.zero_denominator)
        yield practice.code, indicator.code, "NUMERATOR", str(cell.numerator)
        yield practice.code, indicator.code, "DENOMINATOR", str(cell.denominator)
        yield practice.code, indicator.code, exceptions_measure, str(cell.exceptions)
        yield practice.code, indicator.code, "ACHIEVED_POINTS", str(points)


@functools.lru_cache(maxsize=None)
def earlier_codes(year: str, prior_year: str, country: str = "england") -> dict[str, str | None]:
    """{code of ``year``: its code in ``prior_year``, or None if new since}, from the package's
    own lookup (qofrules/contracts/codechanges.py, and compiler.unless_absent: no rows for a code the
    earlier year's complete list lacks), so the examples' earlier-year files carry the earlier
    codes, as NHS Digital's do, exactly where the engine will look for them."""
    sys.path.insert(0, str(ROOT))
    from qofrules.contracts import codechanges
    if country != "england":  # qofrules records code changes for England only; the same code is read
        return {i.code: i.code for i in load_contract(year, country).indicators} or _stand_in_codes()
    from qofrules.compiler import complete_list, unless_absent
    changes, listed = codechanges.load("england"), complete_list("england", prior_year)
    return {i.code: unless_absent(changes.lookup(year, i.code, prior_year), listed).earlier_code
            for i in load_contract(year).indicators}


def _stand_in_codes() -> dict[str, str]:
    return {code: code for code, *_ in STAND_IN_INDICATORS}


def prior_rows(practice: Practice, contract: ContractYear, figures: Figures, seed: int, prior_year: str,
               regs: dict[str, tuple[int, str, int]]) -> Iterator[tuple[str, str, str, str]]:
    """ACHIEVED_POINTS only, for an earlier year, under that year's codes (none for an indicator
    new since then) and the scheme year's points.

    Drawn like the scheme year (same practice quality, fresh noise) and scored with the same
    figures, so points lie between 0 and each indicator's maximum and track the practice.
    """
    codes = earlier_codes(contract.year, prior_year, contract.country)
    for indicator in contract.indicators:
        written = codes[indicator.code]
        if written is None:
            continue
        maximum = figures.points[indicator.code]
        if indicator.kind == "register":
            points = Decimal(maximum)
        else:
            cohort, mean = indicator_profile(seed, indicator)
            rng = stream(seed, "achievement", prior_year, practice.code, indicator.code)
            cell = draw_cell(rng, indicator, regs.get(indicator.group, (0,))[0], cohort, mean,
                             practice.quality - 0.01)
            lower, upper = figures.thresholds[indicator.code]
            points = score(cell.numerator, cell.denominator, maximum, lower, upper, figures.zero_denominator)
        yield practice.code, written, "ACHIEVED_POINTS", str(points.quantize(CENT))


def prevalence_rows(practice: Practice, contract: ContractYear,
                    regs: dict[str, tuple[int, str, int]]) -> Iterator[tuple[str, str, str, str, str]]:
    """One row per prevalence-adjusted group (the groups APDF needs a register for)."""
    for group in contract.groups.values():
        if group.prevalence_adjusted:
            register, band, list_size = regs[group.code]
            yield practice.code, group.code, str(register), band, str(list_size)


# ------------------------------------------------------------------ writing

@contextlib.contextmanager
def atomic_open(path: Path, *, binary: bool = False, buffering: int = -1):
    """Write ``path`` through a temporary file in the same directory, then swap it in.

    A reader never sees a half-written file, and a failed run leaves the old file in place.
    ``binary``: a bytes file (benchmarks/scale.py writes its copies through this too).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    text = {} if binary else {"encoding": "utf-8", "newline": ""}
    handle = tempfile.NamedTemporaryFile("wb" if binary else "w", dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp", delete=False, buffering=buffering, **text)
    try:
        with handle:
            yield handle
        os.chmod(handle.name, 0o644)
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(handle.name)
        raise


def write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[str]]) -> int:
    """A plain CSV (header row, then data; ``\\n`` line ends). Returns the number of data rows."""
    count = 0
    with atomic_open(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


class _Dumper(yaml.SafeDumper):
    """Long prose (descriptions, notices) as folded blocks, which people can read; the rest as usual."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    """Folded style only for long one-line prose; short values stay plain so keys read as usual."""
    style = ">" if len(text) > 80 and "\n" not in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


#: The published JSON Schemas (their $id) for editors: the last line of each file's leading comment
#: names its schema for yaml-language-server (docs/editors.md; tests/test_json_schemas.py checks them).
SCHEMA_URL = "https://raw.githubusercontent.com/qofrules/qofrules/main/qofrules/"
DATASET_SCHEMA = SCHEMA_URL + "data/dataset.schema.json"
OVERRIDES_SCHEMA = SCHEMA_URL + "contracts/overrides.schema.json"


def write_yaml(path: Path, comment: str, data: dict, schema: str) -> None:
    """YAML with a leading comment, its last line naming the file's schema for editors; key order
    as given, so files read top-down and diff cleanly."""
    comment += f"\nyaml-language-server: $schema={schema}"
    lines = "".join(f"# {line}".rstrip() + "\n" for line in comment.splitlines())
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=None)
    with atomic_open(path) as handle:
        handle.write(lines + body)


def file_year(year: str) -> str:
    """``2013/14`` -> ``2013-14`` for file names."""
    return year.replace("/", "-")


# ------------------------------------------------------------------ scenarios

@dataclass(frozen=True)
class Scenario:
    name: str
    dataset: str
    purpose: str                         # one line for the description: what the data is for
    year: str                            # the scheme's contract year: full achievement + prevalence
    #: earlier years, newest first: ACHIEVED_POINTS only, each under its own codes (a scheme that
    #: protects on a year two back, as England 2020/21 did on 2018/19, needs more than one)
    prior_years: tuple[str, ...]
    seed: int                            # default seed
    list_median: int                     # median list size of the era
    select: Callable[[dict], bool]
    selection: str                       # how practices were chosen, for the description
    lmc: Callable[[dict], str] | None    # LMC from the real geography, or None: no LMC column
    lmc_basis: str                       # what the LMC column is derived from, for the notice
    attributes: Callable[[Practice, int], dict[str, str]] | None
    columns: tuple[str, ...]             # extra practices.csv columns after PRACTICE_HEADER
    synthetic_columns: tuple[str, ...]   # which of ``columns`` are synthetic
    shipped: bool = True
    overrides: bool = True
    #: local indicators (docs/language.md, "Local indicators") the data also measures, under their
    #: own codes in the scheme's year: (code, description, register group the cohort is drawn from)
    local_indicators: tuple[tuple[str, str, str], ...] = ()
    #: the year lists no indicators: draw the data on STAND_IN_INDICATORS and supply them, whole,
    #: in the overrides file, labelled illustrative
    stand_ins: bool = False
    country: str = "england"
    #: make up this many practices instead of selecting real ones (a country whose practices the
    #: mappings file does not hold: it lists England's only)
    made_up_practices: int = 0


def _by_icb(*names: str) -> Callable[[dict], bool]:
    """Select practices by their 2023/24 ICB, the closest real stand-in for a 2014 LMC's patch."""
    wanted = set(names)
    return lambda row: row["STP_NAME"] in wanted


LINCS_ICB = "NHS Lincolnshire Integrated Care Board"
LLR_ICB = "NHS Leicester, Leicestershire and Rutland Integrated Care Board"
DEVON_ICB = "NHS Devon Integrated Care Board"
CORNWALL_ICB = "NHS Cornwall and the Isles of Scilly Integrated Care Board"
SOMERSET_ICB = "NHS Somerset Integrated Care Board"
LEEDS_SUB_ICB = "15F"   # CCG_NAME "NHS West Yorkshire ICB - 15F": the former NHS Leeds CCG
SOMERSET_PILOT = "somerset-practice-quality-scheme"


def _lincs_attributes(practice: Practice, seed: int) -> dict[str, str]:
    """About 60% opted in, some after the 1 February 2014 start (the data must show late ones)."""
    rng = stream(seed, "scheme", practice.code)
    return {"OPTED_IN": opt_in_date(rng, 0.60, dt.date(2014, 1, 6), dt.date(2014, 2, 14))}


def _south_west_attributes(practice: Practice, seed: int) -> dict[str, str]:
    """~70% opted in; in Somerset about half in the pilot and ~20% asking for the alternative basis."""
    rng = stream(seed, "scheme", practice.code)
    opted = opt_in_date(rng, 0.70, dt.date(2013, 12, 1), dt.date(2014, 1, 31))
    somerset = practice.icb == SOMERSET_ICB
    pilot = SOMERSET_PILOT if somerset and rng.random() < 0.5 else ""
    requested = "yes" if somerset and rng.random() < 0.2 else "no"
    return {"OPTED_IN": opted, "PILOTS": pilot, "REQUESTED_ALTERNATIVE": requested}


def _essex_attributes(practice: Practice, seed: int) -> dict[str, str]:
    """About 85% agreed population stratification with the commissioner (England 2020/21's condition
    on income protection); the rest did not. QOF_INCOME_2019_20: a made-up 2019/20 QOF income, £8
    to £13 a patient (synthetic, drawn on its own stream so the other columns stay as they were)."""
    rng = stream(seed, "scheme", practice.code)
    income = stream(seed, "income-2019-20", practice.code)
    pence = round(practice.list_size * income.uniform(8.0, 13.0) * 100)
    return {"STRATIFICATION_AGREED": "yes" if rng.random() < 0.85 else "no",
            "QOF_INCOME_2019_20": f"{pence // 100}.{pence % 100:02d}"}


def _covid_attributes(practice: Practice, seed: int) -> dict[str, str]:
    """About a third judged affected by COVID-19 in March 2020 (England 2019/20's floor applied only
    where the commissioner judged the pandemic had lowered achievement); the share is synthetic."""
    rng = stream(seed, "scheme", practice.code)
    return {"COVID_AFFECTED": "yes" if rng.random() < 0.35 else "no"}


def _ni_attributes(practice: Practice, seed: int) -> dict[str, str]:
    """Each practice's recorded choice (1: actual 2016/17 achievement, 2: the average of 2014/15 and
    2015/16), about half each; synthetic."""
    rng = stream(seed, "scheme", practice.code)
    draw = rng.random()
    return {"NI_BASIS": "1" if draw < 0.5 else "2"}


def _scotland_attributes(practice: Practice, seed: int) -> dict[str, str]:
    """A made-up transferred sum: £8 to £14 a patient (synthetic, not Scotland's figure)."""
    rng = stream(seed, "scheme", practice.code)
    pence = round(practice.list_size * rng.uniform(8.0, 14.0) * 100)
    return {"QOF_TRANSFER": f"{pence // 100}.{pence % 100:02d}"}


def local_rows(practice: Practice, scenario: Scenario, seed: int,
               regs: dict[str, tuple[int, str, int]]) -> Iterator[tuple[str, str, str, str]]:
    """NUMERATOR/DENOMINATOR rows for the scenario's local indicators: a cohort of the named
    register, an achievement rate drawn like a national indicator's. Synthetic, like every VALUE."""
    for code, _, group in scenario.local_indicators:
        rng = stream(seed, "local", scenario.year, practice.code, code)
        denominator = round(regs.get(group, (0,))[0] * rng.uniform(0.6, 0.95))
        numerator = round(denominator * achievement_rate(rng, 0.86, practice.quality))
        yield practice.code, code, "NUMERATOR", str(numerator)
        yield practice.code, code, "DENOMINATOR", str(denominator)


def _leeds_attributes(practice: Practice, seed: int) -> dict[str, str]:
    """Leeds was not opt-in: the column is present and empty for every practice."""
    return {"OPTED_IN": ""}


# LMCs the regional examples name, by the 2023/24 ICB that approximates each one's patch.
KNOWN_LMC_BY_ICB = {LINCS_ICB: "Lincolnshire", LLR_ICB: "Leicester, Leicestershire and Rutland",
                    DEVON_ICB: "Devon", CORNWALL_ICB: "Cornwall and Isles of Scilly", SOMERSET_ICB: "Somerset"}
NATIONAL_LMC_BASIS = (
    "the 2023/24 geography: 'Leeds' for sub-ICB location 15F (CCG_ODS_CODE), as in leeds-2017; "
    "'Lincolnshire', 'Leicester, Leicestershire and Rutland', 'Devon', 'Cornwall and Isles of Scilly' and "
    "'Somerset' for the ICBs (STP_NAME) that stand for those LMCs in the regional examples; for every other "
    "practice, its ICB name without 'NHS ' and ' Integrated Care Board' (e.g. 'West Yorkshire'), a "
    "stand-in that is not the name of a real LMC")


def national_lmc(row: dict[str, str]) -> str:
    """A practice's LMC for the national scenarios (NATIONAL_LMC_BASIS says how, the notice repeats it).

    The areas the seed schemes name get the same LMC as in their regional examples, so each seed
    finds its own practices among all of England's; the rest get a label derived from the ICB.
    """
    if row["CCG_ODS_CODE"] == LEEDS_SUB_ICB:
        return "Leeds"
    icb = row["STP_NAME"].strip()
    if icb in KNOWN_LMC_BY_ICB:
        return KNOWN_LMC_BY_ICB[icb]
    return icb.removeprefix("NHS ").removesuffix(" Integrated Care Board")


def _national_2014_attributes(practice: Practice, seed: int) -> dict[str, str]:
    """Lincolnshire and LLR drawn as lincolnshire-2014, every other practice as south-west-2014.

    So the Lincolnshire/LLR scheme meets opt-ins before and after its 1 February start, and
    Somerset practices have pilots and requests; elsewhere ~70% opted in, no pilot, no request.
    """
    if practice.icb in (LINCS_ICB, LLR_ICB):
        return {**_lincs_attributes(practice, seed), "PILOTS": "", "REQUESTED_ALTERNATIVE": "no"}
    return _south_west_attributes(practice, seed)


SCENARIOS = {
    "lincolnshire-2014": Scenario(
        name="lincolnshire-2014", dataset="lincolnshire-2014-example",
        purpose="schemes/2014-lincolnshire-llr.qof (opt-in from 1 February 2014)",
        year="2013/14", prior_years=("2012/13",), seed=20140201, list_median=6200,
        select=_by_icb(LINCS_ICB, LLR_ICB),
        selection=f"every practice whose ICB (STP_NAME) is {LINCS_ICB} or {LLR_ICB}",
        lmc=lambda row: "Lincolnshire" if row["STP_NAME"] == LINCS_ICB else "Leicester, Leicestershire and Rutland",
        lmc_basis="the 2023/24 ICB (STP_NAME), approximating each LMC's patch",
        attributes=_lincs_attributes, columns=("LMC", "OPTED_IN"), synthetic_columns=("OPTED_IN",)),
    "south-west-2014": Scenario(
        name="south-west-2014", dataset="south-west-2014-example",
        purpose="schemes/2014-devon-cornwall.qof and schemes/2014-somerset.qof",
        year="2013/14", prior_years=("2012/13",), seed=20131201, list_median=6200,
        select=_by_icb(DEVON_ICB, CORNWALL_ICB, SOMERSET_ICB),
        selection=f"every practice whose ICB (STP_NAME) is {DEVON_ICB}, {CORNWALL_ICB} or {SOMERSET_ICB}",
        lmc=lambda row: {DEVON_ICB: "Devon", CORNWALL_ICB: "Cornwall and Isles of Scilly",
                         SOMERSET_ICB: "Somerset"}[row["STP_NAME"]],
        lmc_basis="the 2023/24 ICB (STP_NAME), approximating each LMC's patch",
        attributes=_south_west_attributes, columns=("LMC", "OPTED_IN", "PILOTS", "REQUESTED_ALTERNATIVE"),
        synthetic_columns=("OPTED_IN", "PILOTS", "REQUESTED_ALTERNATIVE")),
    "leeds-2017": Scenario(
        name="leeds-2017", dataset="leeds-2017-example",
        purpose="schemes/2017-leeds.qof (higher of 2015/16 or 2016/17 achievement)",
        year="2016/17", prior_years=("2015/16",), seed=20170201, list_median=6700,
        select=lambda row: row["CCG_ODS_CODE"] == LEEDS_SUB_ICB,
        selection=f"every practice in sub-ICB location {LEEDS_SUB_ICB} (CCG_ODS_CODE; CCG_NAME 'NHS West "
                  f"Yorkshire ICB - 15F', the former NHS Leeds CCG)",
        lmc=lambda row: "Leeds", lmc_basis="the 2023/24 sub-ICB location 15F, approximating Leeds LMC's patch",
        attributes=_leeds_attributes, columns=("LMC", "OPTED_IN"),
        synthetic_columns=("OPTED_IN",)),
    "mid-south-essex-2021": Scenario(
        name="mid-south-essex-2021", dataset="mid-south-essex-2021-example",
        purpose="schemes/2020-21-mid-and-south-essex-top-up.qof (a floor at 2019/20 achievement) and "
                "examples/local-indicator-on-top-2021.qof (an illustrative local indicator, "
                "LOC-BP150, measured here), and schemes/2020-21-england-covid.qof (protection on 2018/19 "
                "points, hence the second earlier year)",
        year="2020/21", prior_years=("2019/20", "2018/19"), seed=20210331, list_median=8200,
        select=_by_icb("NHS Mid and South Essex Integrated Care Board"),
        selection="every practice whose ICB (STP_NAME) is NHS Mid and South Essex Integrated Care Board",
        lmc=None, lmc_basis="", attributes=_essex_attributes, columns=("STRATIFICATION_AGREED", "QOF_INCOME_2019_20"),
        synthetic_columns=("STRATIFICATION_AGREED", "QOF_INCOME_2019_20"),
        local_indicators=(("LOC-BP150", "Hypertension: blood pressure 150/90 or less (illustrative)", "HYP"),)),
    "hammersmith-fulham-2009": Scenario(
        name="hammersmith-fulham-2009", dataset="hammersmith-fulham-2009-example",
        purpose="schemes/2008-09-hammersmith-fulham-qof-plus.qof (QOF+: a local indicator, HF-HYP150, on top of "
                "national QOF); qofrules has no 2008/09 indicator list, so the national part is four stand-in "
                "indicators (X...) supplied in contract-overrides.yaml, NOT 2008/09's",
        year="2008/09", prior_years=(), seed=20090331, list_median=5900,
        select=lambda row: any(word in row["PCN_NAME"] for word in ("HAMMERSMITH", "FULHAM")),
        selection="every practice whose 2023/24 PCN (PCN_NAME) names Hammersmith or Fulham, the closest real "
                  "stand-in for the former NHS Hammersmith and Fulham PCT",
        lmc=None, lmc_basis="", attributes=None, columns=(), synthetic_columns=(),
        local_indicators=(("HF-HYP150", "Hypertension: blood pressure 150/90 or less (QOF+'s measure)", "XHYP"),),
        stand_ins=True),
    "northern-ireland-2017": Scenario(
        name="northern-ireland-2017", dataset="northern-ireland-2017-example",
        purpose="schemes/2016-17-northern-ireland.qof (each practice's choice: actual 2016/17 achievement, or the "
                "average of 2014/15 and 2015/16); qofrules has no Northern Ireland 2016/17 indicator list or practice "
                "list, so both are made up: four stand-in indicators (X...) supplied in contract-overrides.yaml and "
                "40 made-up practices",
        year="2016/17", prior_years=("2015/16", "2014/15"), seed=20170210, list_median=6300,
        select=lambda row: False, selection="40 made-up practices (codes ZZ9001-ZZ9040, no geography)",
        lmc=None, lmc_basis="", attributes=_ni_attributes, columns=("NI_BASIS",), synthetic_columns=("NI_BASIS",),
        stand_ins=True, country="northern-ireland", made_up_practices=40),
    "scotland-2016": Scenario(
        name="scotland-2016", dataset="scotland-2016-example",
        purpose="schemes/2016-17-scotland-core-funding.qof (QOF removed; each practice's former QOF money paid "
                "as a cash sum, QOF_TRANSFER); the year has no QOF, so there are no achievement files",
        year="2016/17", prior_years=(), seed=20160401, list_median=5800,
        select=lambda row: False, selection="30 made-up practices (codes ZZ9001-ZZ9030, no geography)",
        lmc=None, lmc_basis="", attributes=_scotland_attributes, columns=("QOF_TRANSFER",),
        synthetic_columns=("QOF_TRANSFER",), overrides=False, country="scotland", made_up_practices=30),
    "cornwall-2020": Scenario(
        name="cornwall-2020", dataset="cornwall-2020-example",
        purpose="schemes/2019-20-england-covid-floor.qof (QOF as usual, with a floor at 2018/19 achievement "
                "for practices the commissioner judged affected by COVID-19)",
        year="2019/20", prior_years=("2018/19",), seed=20200319, list_median=8000,
        select=_by_icb(CORNWALL_ICB),
        selection="every practice whose ICB (STP_NAME) is NHS Cornwall and the Isles of Scilly Integrated Care Board",
        lmc=None, lmc_basis="", attributes=_covid_attributes, columns=("COVID_AFFECTED",),
        synthetic_columns=("COVID_AFFECTED",)),
    "national-2023": Scenario(
        name="national-2023", dataset="national-2023-benchmark",
        purpose="benchmarks: every practice in England",
        year="2023/24", prior_years=("2022/23",), seed=20240331, list_median=8700,
        select=lambda row: True, selection="every practice in the mappings file",
        lmc=None, lmc_basis="", attributes=None, columns=(), synthetic_columns=(), shipped=False),
    "national-2014": Scenario(
        name="national-2014", dataset="national-2014-benchmark",
        purpose="benchmarks: every practice in England, for schemes/2014-lincolnshire-llr.qof, "
                "schemes/2014-devon-cornwall.qof and schemes/2014-somerset.qof",
        year="2013/14", prior_years=("2012/13",), seed=20140331, list_median=6200,
        select=lambda row: True, selection="every practice in the mappings file",
        lmc=national_lmc, lmc_basis=NATIONAL_LMC_BASIS, attributes=_national_2014_attributes,
        columns=("LMC", "OPTED_IN", "PILOTS", "REQUESTED_ALTERNATIVE"),
        synthetic_columns=("OPTED_IN", "PILOTS", "REQUESTED_ALTERNATIVE"), shipped=False),
    "national-2017": Scenario(
        name="national-2017", dataset="national-2017-benchmark",
        purpose="benchmarks: every practice in England, for schemes/2017-leeds.qof",
        year="2016/17", prior_years=("2015/16",), seed=20170331, list_median=6700,
        select=lambda row: True, selection="every practice in the mappings file",
        lmc=national_lmc, lmc_basis=NATIONAL_LMC_BASIS, attributes=_leeds_attributes,
        columns=("LMC", "OPTED_IN"), synthetic_columns=("OPTED_IN",), shipped=False),
}


# ------------------------------------------------------------------ describing a data set

def notice_no_qof(scenario: Scenario, notice: str) -> str:
    """The notice of a data set with no QOF year: only practices.csv's columns are named."""
    return notice.split(" in practices.csv")[0] + " in practices.csv."


def real_and_synthetic(scenario: Scenario, contract: ContractYear, seed: int, scale: int) -> tuple[str, str]:
    """(notice, description): precisely which columns are real and which are synthetic."""
    lmc_note = f" LMC is derived from {scenario.lmc_basis}." if scenario.lmc else ""
    stand_in_notice = (f", and {len(contract.indicators)} made-up stand-in indicators (X...) in place of "
                       f"{contract.year}'s, whose list qofrules does not have" if scenario.stand_ins else "")
    synthetic_practice_cols = ", ".join(("LIST_SIZE",) + scenario.synthetic_columns)
    copies = (f" Practices with a suffixed code (e.g. A81001-2) are synthetic copies made by --scale {scale}: "
              f"their codes and names are not real." if scale > 1 else "")
    real = (f"Real (NHS Digital QOF mappings, 2023/24 geography): PRACTICE_CODE, PRACTICE_NAME, PCN, CCG, ICB, "
            f"REGION.{lmc_note} Synthetic: {synthetic_practice_cols}" if not scenario.made_up_practices else
            f"Nothing is real: the {scenario.made_up_practices} practices are MADE UP (PRACTICE_CODE and "
            f"PRACTICE_NAME invented, PCN, CCG, ICB and REGION empty). Synthetic: {synthetic_practice_cols}")
    notice = (
        f"SYNTHETIC DATA: no value here is a real practice's achievement. {real} in practices.csv and every VALUE, REGISTER and PRACTICE_LIST_SIZE in the "
        f"achievement and prevalence files. contract-overrides.yaml holds illustrative figures, NOT national "
        f"ones{stand_in_notice}.{copies}")
    local_note = "".join(f" {code} ({description}) is a local indicator's measure: its NUMERATOR and DENOMINATOR "
                         f"are synthetic, drawn from a cohort of the {group} register." for code, description, group
                         in scenario.local_indicators)
    source = ("Stand-ins (examples/generate.py, STAND_IN_INDICATORS)" if scenario.stand_ins
              else f"From the project's contract-year file {contract.path.name}")
    earlier_note = (f" {' and '.join(scenario.prior_years)} rows give only ACHIEVED_POINTS, under that year's codes "
                    f"qofrules records (qofrules/contracts/england-code-changes.yaml; none for an indicator new "
                    f"since then) and the {scenario.year} points." if scenario.prior_years else "")
    listed = f"{len(contract.indicators)} indicators"
    if scenario.stand_ins:
        listed = (f"{len(contract.indicators)} STAND-IN indicators, made up and supplied whole in "
                  f"contract-overrides.yaml, because {contract.path.name} lists none: NOT {contract.year}'s "
                  f"indicators")
    elif not contract.complete:
        listed += (f" - all that {contract.path.name} lists; that file is incomplete, so the data covers only "
                   f"part of {contract.year}'s QOF")
    practices = (
        f"Practices: {scenario.selection}, from examples/reference/QOF_MANUAL_MAPPINGS.csv "
        f"(NHS Digital QOF public_metadata, 2023/24 geography; practices opened since the scheme's year are "
        f"included and practices closed before 2023 are missing). REAL columns, copied from that file: "
        f"practices.csv PRACTICE_CODE, PRACTICE_NAME, PCN (PCN_NAME), CCG (CCG_NAME: the 2023/24 sub-ICB "
        f"location, not the CCG of the scheme's year), ICB (STP_NAME), REGION (REGION_NAME); and PRACTICE_CODE "
        f"in every other file.{lmc_note}" if not scenario.made_up_practices else
        f"Practices: {scenario.selection}. REAL columns: none (that file lists England's practices only); "
        f"PRACTICE_CODE and PRACTICE_NAME are MADE UP.")
    if not contract.indicators:  # a year with no QOF: practices.csv only
        return notice_no_qof(scenario, notice), (
            f"Synthetic data for {scenario.purpose}, made by examples/generate.py (scenario {scenario.name}, "
            f"seed {seed}). {practices} SYNTHETIC columns (drawn from plausible distributions): practices.csv "
            f"{synthetic_practice_cols}. {contract.path.name} has no QOF indicators, so there is no achievement "
            f"or prevalence file and no overrides file.")
    description = (
        f"Synthetic data for {scenario.purpose}, made by examples/generate.py (scenario {scenario.name}, "
        f"seed {seed}). {practices} {source}: "
        f"INDICATOR_CODE ({listed}), GROUP_CODE, PATIENT_LIST_TYPE. SYNTHETIC columns (drawn from plausible "
        f"distributions): practices.csv {synthetic_practice_cols}; achievement files VALUE (REGISTER, "
        f"NUMERATOR, DENOMINATOR, EXCEPTIONS/PCAS, ACHIEVED_POINTS); prevalence file REGISTER and "
        f"PRACTICE_LIST_SIZE. {scenario.year} ACHIEVED_POINTS are scored from the synthetic counts with the "
        f"contract year's figures, its unknown ones filled from contract-overrides.yaml (illustrative, NOT "
        f"national).{earlier_note}{local_note}{copies}")
    return notice, description


# ------------------------------------------------------------------ generating

@dataclass
class Written:
    path: Path
    rows: int


def generate(scenario: Scenario, out: Path, seed: int | None = None, scale: int = 1,
             limit: int | None = None) -> list[Written]:
    """Write one data set into ``out``. ``limit`` keeps the first N real practices (quick tries, tests)."""
    seed = scenario.seed if seed is None else seed
    contract = load_contract(scenario.year, scenario.country)
    if scenario.stand_ins:
        contract = with_stand_ins(contract)
    overrides = illustrative_overrides(contract)
    if scenario.stand_ins:
        overrides = stand_in_overrides(overrides)
    unknown_kinds = [i.code for i in contract.indicators if i.kind == "unknown"]
    contract = with_supplied_kinds(contract, overrides)
    practices = scenario_practices(scenario, seed, scale, limit)
    written = write_tables(scenario, out, contract, effective_figures(contract, overrides), practices, seed)
    if scenario.overrides:
        write_yaml(out / OVERRIDES_FILE, overrides_comment(contract, unknown_kinds), overrides, OVERRIDES_SCHEMA)
        written.append(Written(out / OVERRIDES_FILE, 0))
    write_yaml(out / "dataset.yaml", manifest_comment(scenario, seed, scale),
               manifest(scenario, contract, seed, scale), DATASET_SCHEMA)
    written.append(Written(out / "dataset.yaml", 0))
    return written


def scenario_practices(scenario: Scenario, seed: int, scale: int, limit: int | None) -> list[Practice]:
    """The scenario's real practices with their synthetic values and scheme columns filled in."""
    rows = ([made_up_row(n) for n in range(1, scenario.made_up_practices + 1)] if scenario.made_up_practices
            else [row for row in read_mappings() if scenario.select(row)])
    if not rows:
        raise SystemExit(f"generate.py: no practice matches scenario {scenario.name}: {scenario.selection}")
    practices = make_practices(rows[:limit] if limit is not None else rows, seed, scenario.list_median, scale)
    for practice in practices:
        if scenario.attributes:
            practice.extra = scenario.attributes(practice, seed)
        if scenario.lmc:
            practice.extra["LMC"] = scenario.lmc(practice.source)
    return practices


def write_tables(scenario: Scenario, out: Path, contract: ContractYear, figures: Figures,
                 practices: list[Practice], seed: int) -> list[Written]:
    """practices.csv, the achievement files (this year and each earlier one) and the prevalence file,
    rows streamed to disk."""
    regs = {p.code: registers(p, contract, seed) for p in practices}
    files = data_files(scenario)
    practices_table = ("practices.csv", PRACTICES_HEADER + scenario.columns, practice_rows(practices, scenario.columns))
    if not contract.indicators:  # a year with no QOF (Scotland 2016/17): nothing to achieve
        return [Written(out / practices_table[0], write_csv(out / practices_table[0], *practices_table[1:]))]
    tables = [
        ("practices.csv", PRACTICES_HEADER + scenario.columns, practice_rows(practices, scenario.columns)),
        (files["achievement"], LONG_HEADER,
         (r for p in practices for rows in (current_rows(p, contract, figures, seed, regs[p.code]),
                                            local_rows(p, scenario, seed, regs[p.code])) for r in rows)),
        *((name, LONG_HEADER, _prior_table(practices, contract, figures, seed, year, regs))
          for year, name in files["prior"].items()),
        (files["prevalence"], PREVALENCE_HEADER,
         (r for p in practices for r in prevalence_rows(p, contract, regs[p.code]))),
    ]
    return [Written(out / name, write_csv(out / name, header, rows)) for name, header, rows in tables]


def _prior_table(practices: list[Practice], contract: ContractYear, figures: Figures, seed: int, year: str,
                 regs: dict) -> Iterator[tuple[str, str, str, str]]:
    """One earlier year's rows, every practice (a function, so each table binds its own year)."""
    for practice in practices:
        yield from prior_rows(practice, contract, figures, seed, year, regs[practice.code])


def data_files(scenario: Scenario) -> dict[str, str]:
    """File names of a scenario's tables, named after their years as NHS Digital's are."""
    return {"achievement": f"achievement-{file_year(scenario.year)}.csv",
            "prior": {year: f"achievement-{file_year(year)}.csv" for year in scenario.prior_years},
            "prevalence": f"prevalence-{file_year(scenario.year)}.csv"}


def manifest(scenario: Scenario, contract: ContractYear, seed: int, scale: int) -> dict:
    """dataset.yaml (docs/data-formats.md section 1), saying what is real and what synthetic."""
    notice, description = real_and_synthetic(scenario, contract, seed, scale)
    files = data_files(scenario)
    out = {"dataset": scenario.dataset, "description": description, "synthetic": True, "notice": notice,
           "practices": "practices.csv"}
    if contract.indicators:
        out["achievement"] = {scenario.year: files["achievement"], **files["prior"]}
        out["prevalence"] = {scenario.year: files["prevalence"]}
    if scenario.overrides:
        out["contract_overrides"] = OVERRIDES_FILE
    return out


def practice_rows(practices: list[Practice], columns: tuple[str, ...]) -> Iterator[list[str]]:
    """practices.csv rows: the real columns first, then the scenario's scheme columns."""
    for p in practices:
        yield [p.code, p.name, str(p.list_size), p.pcn, p.ccg, p.icb, p.region] + [p.extra[c] for c in columns]


def manifest_comment(scenario: Scenario, seed: int, scale: int) -> str:
    """dataset.yaml's header: synthetic, by what, and how to regenerate it rather than edit it."""
    command = f"python examples/generate.py --out DIR --scenario {scenario.name} --seed {seed}"
    if scale > 1:
        command += f" --scale {scale}"
    if scenario.shipped:
        command = "python examples/generate.py --all"
    return (f"SYNTHETIC DATA written by examples/generate.py (scenario {scenario.name}, seed {seed}).\n"
            f"Do not edit by hand; regenerate with: {command}\n"
            f"Which columns are real and which synthetic: see description and notice below.")


def overrides_comment(contract: ContractYear, unknown_kinds: list[str] = ()) -> str:
    """The overrides file's header: what it is, and any known figure it has to repeat."""
    text = (f"Illustrative figures for the worked example: NOT national figures.\n"
            f"Written by examples/generate.py: exactly the figures {contract.path.name} leaves unknown\n"
            f"(value null), each given a round, plausible value so the example can be computed. National\n"
            f"thresholds and prevalences are published in NHS England's QOF guidance and NHS Digital's\n"
            f"tables; these are not them. Yes/no declarations (quality and productivity, quality\n"
            f"improvement) get thresholds 0/100: a 1/1 scores full points, 0/1 none.")
    if any(i.code.startswith("X") for i in contract.indicators) and not load_contract(contract.year,
                                                                                        contract.country).indicators:
        text += (f"\n{contract.path.name} lists no indicators, so the groups and indicators below are made-up\n"
                 f"STAND-INS (codes beginning X), supplied whole (docs/contracts.md, \"Supplying a year's\n"
                 f"indicators\"): they are NOT {contract.year}'s indicators, points or thresholds.")
    if unknown_kinds:
        text += (f"\nThe contract year does not say whether {len(unknown_kinds)} indicators are register or fraction\n"
                 f"indicators; each is given kind: {ILLUSTRATIVE_KIND} here, which is illustrative too.")
    for indicator in contract.indicators:
        if indicator.kind == "fraction" and (indicator.lower is None) != (indicator.upper is None):
            known = "lower" if indicator.lower is not None else "upper"
            value = indicator.lower if indicator.lower is not None else indicator.upper
            text += (f"\n{indicator.code}: its {known} threshold {value} is the contract year's own, repeated "
                     f"because\nthe overrides format sets lower and upper together.")
    return text


def generate_all() -> list[Written]:
    """Regenerate every shipped example into examples/NAME/, each with its scenario's own seed."""
    written = []
    for scenario in SCENARIOS.values():
        if scenario.shipped:
            written += generate(scenario, EXAMPLES / scenario.name)
    return written


def report(written: list[Written]) -> str:
    """One line per file written: data rows, bytes, path."""
    lines = []
    for item in written:
        rows = f"{item.rows:>8} rows" if item.rows else " " * 13
        resolved = item.path.resolve()
        shown = resolved.relative_to(ROOT) if resolved.is_relative_to(ROOT) else item.path
        lines.append(f"{rows} {item.path.stat().st_size:>10} bytes  {shown}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description="Write synthetic qofrules data sets (see examples/README.md).")
    parser.add_argument("--all", action="store_true", help="regenerate every shipped example under examples/")
    parser.add_argument("--out", type=Path, help="directory to write one data set into")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), help="which data set to write")
    parser.add_argument("--seed", type=int, help="random seed (default: the scenario's own)")
    parser.add_argument("--scale", type=int, default=1, help="copy every practice K times (growth measurements)")
    parser.add_argument("--limit", type=int, help="keep only the first N real practices (quick tries)")
    args = parser.parse_args(argv)
    if args.scale < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--scale and --limit must be at least 1")
    if args.all:
        if args.out or args.scenario or args.seed is not None or args.scale != 1 or args.limit:
            parser.error("--all regenerates the shipped examples exactly as shipped; it takes no --out, "
                         "--scenario, --seed, --scale or --limit")
        written = generate_all()
    else:
        if not (args.out and args.scenario):
            parser.error("give --all, or both --out DIR and --scenario NAME")
        written = generate(SCENARIOS[args.scenario], args.out, seed=args.seed, scale=args.scale, limit=args.limit)
    print(report(written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
