"""National contract years: loading the shipped YAML data, listing it, and applying overrides.

The package ships one YAML file per country-year in ``data/``; each is validated against
``contract.schema.json`` when loaded, so a malformed data file fails loudly, naming the field.
"""
from __future__ import annotations

import functools
import math
import re
from decimal import Decimal, InvalidOperation

import yaml

from .. import jsonschemas, yamlsafe
from ..dates import parse_date, why_not_a_date
from ..diagnostics import QofError, did_you_mean, error
from ..packaged import shipped
from ..reading import read_text
from ..source import Source, Span
from . import supplied as supplied_facts
from .model import (CHECKED, NOT_RETIRING, SUPPLIED, UNCHECKED, UNKNOWN, ContractYear, Figure, Group,  # noqa: F401
                    Indicator)

MAX_OVERRIDES_BYTES = 1024 * 1024


# ------------------------------------------------------------------ bounds on national figures

class Bound:
    """What a national figure may be (docs/limits.md, "National figures"): a number from ``low``
    to ``high`` (``low`` itself excluded when ``above``), with at most ``places`` decimal places,
    given as a number or a numeric string alike.

    The numbers are written once, in contract.schema.json's ``$defs`` (``NAME_bound``: minimum or
    exclusiveMinimum, maximum, x-decimal-places), where the schema itself applies them to figures
    given as JSON numbers; :meth:`from_schema` reads them from there, so the check of a figure
    given as a string of digits (which no JSON Schema keyword bounds) cannot drift from them."""

    def __init__(self, what: str, low, high, places: int, above: bool = False, unit: str = ""):
        self.what, self.low, self.high, self.places, self.above, self.unit = \
            what, Decimal(low), Decimal(high), places, above, unit

    @classmethod
    def from_schema(cls, name: str, what: str, unit: str = "") -> "Bound":
        """The bound ``$defs/NAME_bound`` of contract.schema.json, described as ``what``."""
        written = jsonschemas.schema("qofrules.contracts", "contract.schema.json")["$defs"][f"{name}_bound"]
        above = "exclusiveMinimum" in written
        low = written["exclusiveMinimum"] if above else written["minimum"]
        return cls(what, low, written["maximum"], written["x-decimal-places"], above=above, unit=unit)

    def describe(self) -> str:
        high = f"{self.high:,}{self.unit}"
        if self.places == 0:
            span = f"above {self.low} and at most {high}" if self.above else f"from {self.low} to {high}"
            return f"{self.what} must be a whole number {span}"
        span = f"above {self.low}{self.unit} and at most {high}" if self.above else f"from {self.low} to {high}"
        return f"{self.what} must be {span}, with at most {self.places} decimal places"


POINT_VALUE = Bound.from_schema("point_value", "a £ per point")
AVERAGE_LIST_SIZE = Bound.from_schema("average_list_size", "a national average list size")
THRESHOLD = Bound.from_schema("threshold", "a threshold", unit="%")
PREVALENCE = Bound.from_schema("national_prevalence", "a national prevalence", unit="%")
POINTS = Bound.from_schema("points", "an indicator's points")
#: How much of a refused figure a message repeats.
SHOWN_CHARS = 20
_NUMERIC = re.compile(r"[0-9]+(\.[0-9]+)?")


class FigureError(ValueError):
    """A figure outside its bound; ``why`` says what it is and what it may be."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


def bounded(value, bound: Bound):
    """``value`` (a number, or a string of digits with an optional point) as a Decimal, or an int
    for a whole-number bound, after checking it is within ``bound``; FigureError otherwise."""
    shown = repr(value) if isinstance(value, str) else str(value)
    if len(shown) > SHOWN_CHARS:
        shown = f"{shown[:SHOWN_CHARS]}... ({len(shown):,} characters)"
    if isinstance(value, str):
        if not (value.isascii() and _NUMERIC.fullmatch(value)):
            raise FigureError(f"{shown} is not a number in plain digits (such as 6 or 5.7); {bound.describe()}")
        number = Decimal(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, float) and math.isfinite(value):
        number = Decimal(repr(value))
    else:
        raise FigureError(f"{shown} is not a number; {bound.describe()}")
    places = max(0, -number.as_tuple().exponent)
    if places > bound.places:
        raise FigureError(f"{shown} has {places:,} decimal places; {bound.describe()}")
    if number > bound.high or number < bound.low or (bound.above and number == bound.low):
        raise FigureError(f"{shown} is out of range; {bound.describe()}")
    return int(number) if bound.places == 0 else number


def _locate(source: Source, path: tuple) -> Span | None:
    """Where the value at ``path`` (keys, from the top) is written in a YAML file, if found.
    (The file has been loaded already, aliases and depth refused, so composing it is safe.)"""
    try:
        node = yaml.compose(source.text, Loader=yaml.SafeLoader)
        for key in path:
            node = next(v for k, v in node.value if k.value == str(key))
    except Exception:  # noqa: BLE001 - a location is a help, never a second error
        return None
    mark = node.start_mark
    return Span(line=mark.line + 1, column=mark.column + 1, end_line=node.end_mark.line + 1,
                end_column=node.end_mark.column + 1 if node.end_mark.line == mark.line else mark.column + 2)


def figure(value, bound: Bound, source: Source, path: tuple, code: str):
    """``bounded(value, bound)``, or a located QofError with ``code`` naming the field."""
    try:
        return bounded(value, bound)
    except FigureError as exc:
        field = ".".join(str(k) for k in path)
        raise QofError([error(code, f"{field}: {exc.why}", source=source, span=_locate(source, path))]) from None


def _package_dir():
    return shipped("qofrules.contracts")


def validate(data, schema_name: str, source: Source, code: str, positions=None) -> None:
    jsonschemas.validate(data, "qofrules.contracts", schema_name, source, code, positions)


def _source_text(raw: dict | None, sources: dict) -> str:
    if not raw:
        return ""
    doc = sources.get(raw["ref"], {})
    title = doc.get("title", raw["ref"])
    return f"{title}, {raw['section']}" if raw.get("section") else title


def _figure(raw: dict, sources: dict, convert=lambda v: v) -> Figure:
    value = raw.get("value")
    return Figure(value=None if value is None else convert(value), status=raw["status"],
                  source=_source_text(raw.get("source"), sources), note=raw.get("note", ""))


def _decimal(value) -> Decimal:
    """A figure as a Decimal; YAML's .inf and .nan are numbers to a JSON Schema ('minimum: 0'
    holds for both), so they are refused here, as InvalidOperation, like any other non-number."""
    number = Decimal(str(value))
    if not number.is_finite():
        raise InvalidOperation(f"{value} is not a finite number")
    return number


def contract_from_data(data: dict, source: Source, *, schema_checked: bool = False) -> ContractYear:
    """A contract year from its parsed file. ``schema_checked``: the file is one qofrules ships,
    checked against contract.schema.json by the test suite (tests/test_contracts.py), so a run does
    not check it again (a fifth of a national run's time went on that)."""
    if not schema_checked:
        validate(data, "contract.schema.json", source, "QR301")
    sources = data["sources"]
    groups = {}
    for code, raw in data["groups"].items():
        prevalence = raw.get("national_prevalence")
        groups[code] = Group(code=code, description=raw["description"],
                             prevalence_adjusted=raw["prevalence_adjusted"],
                             patient_list=raw.get("patient_list", "TOTAL"),
                             national_prevalence=_figure(prevalence, sources, _decimal) if prevalence else None,
                             adjustment_known=raw.get("prevalence_adjusted_known", True))
    for code, raw in data["groups"].items():
        _check_figure(raw.get("national_prevalence"), PREVALENCE, source, f"group {code}'s national prevalence")
    _check_figure(data["point_value"], POINT_VALUE, source, "point_value")
    _check_figure(data["average_list_size"], AVERAGE_LIST_SIZE, source, "average_list_size")
    for raw in data["indicators"]:
        _check_figure(raw["points"], POINTS, source, f"indicator {raw['code']}'s points")
        for end in ("lower", "upper"):
            _check_figure((raw.get("thresholds") or {}).get(end), THRESHOLD, source,
                          f"indicator {raw['code']}'s {end} threshold")
    indicators = {}
    for raw in data["indicators"]:
        code = raw["code"]
        if code in indicators:
            raise QofError([error("QR302", f"indicator {code} is listed twice", source=source)])
        if raw["group"] not in groups:
            raise QofError([error("QR302", f"indicator {code} names group {raw['group']}, which is not "
                                  "among the year's groups", source=source)])
        thresholds = raw.get("thresholds")
        kind_figure = (Figure(value=None, status=UNKNOWN, note="no source read says whether it is a register or "
                              "a fraction indicator") if raw["kind"] == "unknown" else None)
        indicators[code] = Indicator(
            code=code, description=raw["description"], group=raw["group"], domain=raw["domain"],
            kind=raw["kind"], points=_figure(raw["points"], sources),
            lower=_figure(thresholds["lower"], sources, _decimal) if thresholds else None,
            upper=_figure(thresholds["upper"], sources, _decimal) if thresholds else None,
            retires=_figure(raw["retires"], sources) if raw.get("retires") else None,
            kind_figure=kind_figure)
    return ContractYear(
        country=data["country"], year=data["year"], title=data["title"], complete=data["complete"],
        point_value=_figure(data["point_value"], sources, _decimal),
        average_list_size=_figure(data["average_list_size"], sources),
        zero_denominator=_figure(data["zero_denominator"], sources),
        published_total_points=_figure(data["published_total_points"], sources),
        published_indicator_count=_figure(data["published_indicator_count"], sources),
        groups=groups, indicators=indicators, sources=sources, notes=data.get("notes", ""),
        path=source.name)


def _check_figure(raw: dict | None, bound: Bound, source: Source, what: str) -> None:
    """QR302 for a contract-year figure outside its bound (docs/limits.md, "National figures")."""
    if raw and raw.get("value") is not None:
        try:
            bounded(raw["value"], bound)
        except FigureError as exc:
            raise QofError([error("QR302", f"{what}: {exc.why}", source=source)]) from None


@functools.lru_cache(maxsize=None)
def _load_file(name: str) -> ContractYear:
    text = _package_dir().joinpath("data", name).read_text(encoding="utf-8")
    source = Source(f"qofrules/contracts/data/{name}", text)
    return contract_from_data(yamlsafe.load_shipped(source, code="QR301"), source, schema_checked=True)


def _file_name(country: str, year: str) -> str:
    return f"{country}-{year.replace('/', '-')}.yaml"


def available() -> list[tuple[str, str]]:
    """(country, year) of every shipped contract year, oldest first."""
    return list(_available())


@functools.lru_cache(maxsize=None)
def _available() -> tuple[tuple[str, str], ...]:
    found = []
    for entry in _package_dir().joinpath("data").iterdir():
        name = entry.name
        if name.endswith(".yaml"):
            stem = name[: -len(".yaml")]
            country, start, end = stem.rsplit("-", 2)
            found.append((country, f"{start}/{end}"))
    return tuple(sorted(found, key=lambda cy: (cy[1], cy[0])))


COUNTRIES = ("england", "wales", "scotland", "northern-ireland")  # contract.schema.json's country enum


def years_of(country: str) -> list[str]:
    """The years shipped for ``country``, oldest first."""
    return [y for c, y in available() if c == country]


def _well_formed(year: str) -> bool:
    """'2016/17' is; '2061/17' and '2013/15' are not (the second half is not the next year)."""
    return len(year) == 7 and year[4] == "/" and year[:4].isdigit() and year[5:].isdigit() \
        and (int(year[:4]) + 1) % 100 == int(year[5:])


def year_hint(country: str, year: str) -> str:
    """What to say about a year ``country`` does not ship: a real year gets the shipped years
    nearest to it first; a mistyped one ('2061/17') gets the spellings closest to it."""
    shipped = years_of(country)
    if not shipped:
        return f"no {country} contract year ships with qofrules"
    if not _well_formed(year):
        close = did_you_mean(year, shipped)
        if close:
            return close
    start = int(year[:4]) if year[:4].isdigit() else 0
    nearest = sorted(shipped, key=lambda y: (abs(int(y[:4]) - start), y))
    return (f"{country} years that ship, nearest first: " + ", ".join(nearest[:4])
            + (f" (all {len(shipped)}: qofrules contracts {country})" if len(shipped) > 4 else ""))


def country_error(country: str) -> QofError:
    """QR210: a country qofrules has no contracts for, with a did-you-mean."""
    return QofError([error("QR210", f"'{country}' is not a country qofrules has contract years for",
                           hint=did_you_mean(country, COUNTRIES) or "countries: " + ", ".join(COUNTRIES))])


def load(country: str, year: str) -> ContractYear:
    """The shipped contract year, or a :class:`QofError`: QR210 for an unknown country, QR211 for
    a year the country does not ship (the hint names that country's years, nearest first)."""
    if country not in COUNTRIES:
        raise country_error(country)
    if (country, year) not in available():
        raise QofError([error("QR211", f"no contract year '{country} {year}' ships with qofrules",
                              hint=year_hint(country, year))])
    return _load_file(_file_name(country, year))


def load_all() -> list[ContractYear]:
    return [load(c, y) for c, y in available()]


# ------------------------------------------------------------------ overrides

def load_overrides(path: str) -> tuple[dict, Source]:
    source = read_text(path, max_bytes=MAX_OVERRIDES_BYTES, what="contract overrides file")
    try:
        data, positions = yamlsafe.load_located(source, code="QR311")
    except ValueError:  # a whole number of more than 4,300 digits: Python will not convert it
        from ..data import _huge_number
        raise _huge_number(source, "QR314", "every figure is bounded (docs/limits.md, \"National figures\")") from None
    if not isinstance(data, dict):
        raise QofError([error("QR311", "a contract overrides file must be a YAML mapping", source=source)])
    validate(data, "overrides.schema.json", source, "QR311", positions)
    return data, source


def overrides_for_another_year(overrides_key: str, contract_key: str, source: Source):
    """QR312: an overrides file for one contract year given to a scheme of another (run refuses it;
    ``validate --data`` reports it of a data set's own file)."""
    return error("QR312", f"these overrides are for '{overrides_key}', but the scheme's contract year is "
                 f"'{contract_key}'", source=source)


def apply_overrides(contract: ContractYear, data: dict, source: Source) -> ContractYear:
    """A copy of ``contract`` with the user's figures in place, each marked ``supplied``."""
    if data["overrides"] != contract.key:
        raise QofError([overrides_for_another_year(data["overrides"], contract.key, source)])
    origin = f"{source.name}: {data['label']}"
    supplied = lambda v: Figure(value=v, status=SUPPLIED, source=origin)  # noqa: E731
    changes: dict = {"overridden_by": contract.overridden_by + (source.name,)}
    try:
        if "point_value" in data:
            changes["point_value"] = supplied(figure(data["point_value"], POINT_VALUE, source, ("point_value",),
                                                     "QR314"))
        if "average_list_size" in data:
            changes["average_list_size"] = supplied(figure(data["average_list_size"], AVERAGE_LIST_SIZE, source,
                                                           ("average_list_size",), "QR314"))
        if "zero_denominator" in data:
            changes["zero_denominator"] = supplied(data["zero_denominator"])
        groups = dict(contract.groups)
        for code, raw in data.get("groups", {}).items():
            span = functools.partial(_locate, source, ("groups", code))  # found only for an error
            prevalence = lambda code=code, raw=raw: supplied(figure(  # noqa: E731
                raw["national_prevalence"], PREVALENCE, source, ("groups", code, "national_prevalence"), "QR314"))
            if code not in groups:
                if contract.complete or not any(k in raw for k in supplied_facts.NEW_ONLY_GROUP_KEYS):
                    raise QofError([error("QR313", f"group {code} is not in {contract.key}", source=source,
                                          span=span(), hint=did_you_mean(code, groups))])
                groups[code] = supplied_facts.new_group(code, raw, source, span, supplied, prevalence)
                continue
            if "prevalence_adjusted" in raw and not groups[code].adjustment_known:  # not sourced: the user's word
                adjusted = raw["prevalence_adjusted"]
                groups[code] = _replace(groups[code], prevalence_adjusted=adjusted, adjustment_known=True,
                                        national_prevalence=groups[code].national_prevalence if adjusted else None)
                raw = {k: v for k, v in raw.items() if k != "prevalence_adjusted"}
            supplied_facts.refuse_new("group", code, contract.key, supplied_facts.NEW_ONLY_GROUP_KEYS, raw,
                                      source, span)
            if "national_prevalence" in raw:
                groups[code] = _replace(groups[code], national_prevalence=prevalence())
        indicators = dict(contract.indicators)
        for code, raw in data.get("indicators", {}).items():
            span = functools.partial(_locate, source, ("indicators", code))
            if code not in indicators:
                if contract.complete or not any(k in raw for k in supplied_facts.NEW_ONLY_INDICATOR_KEYS):
                    raise QofError([error("QR313", f"indicator {code} is not in {contract.key}", source=source,
                                          span=span(), hint=did_you_mean(code, indicators))])
                indicators[code] = supplied_facts.new_indicator(
                    code, raw, groups, source, span, supplied,
                    points=lambda code=code, raw=raw: supplied(figure(
                        raw["points"], POINTS, source, ("indicators", code, "points"), "QR314")),
                    thresholds=lambda code=code, raw=raw: _supplied_thresholds(code, raw, source, supplied),
                    retires=lambda code=code, raw=raw: supplied(_retirement(code, raw, source)))
                continue
            supplied_facts.refuse_new("indicator", code, contract.key, supplied_facts.NEW_ONLY_INDICATOR_KEYS, raw,
                                      source, span)
            ind = indicators[code]
            updates = {}
            if "kind" in raw:
                if ind.kind_known and raw["kind"] != ind.kind:
                    raise QofError([error("QR313", f"{code} is a {ind.kind} indicator in the national data; an "
                                          "overrides file supplies a kind only where it is unknown", source=source)])
                if not ind.kind_known:
                    updates["kind"], updates["kind_figure"] = raw["kind"], supplied(raw["kind"])
                    if raw["kind"] == "fraction":  # its thresholds are now needed: unknown until supplied
                        updates["lower"] = updates["upper"] = Figure(value=None, status=UNKNOWN)
            kind = updates.get("kind", ind.kind)
            if "points" in raw:
                updates["points"] = supplied(figure(raw["points"], POINTS, source, ("indicators", code, "points"),
                                                    "QR314"))
            if "thresholds" in raw:
                if kind == "unknown":
                    raise QofError([error("QR313", f"{code}: its kind (register or fraction) is unknown; give "
                                          "'kind: fraction' with its thresholds", source=source)])
                if kind == "register":
                    raise QofError([error("QR313", f"{code} is a register indicator; it has no thresholds",
                                          source=source)])
                updates["lower"], updates["upper"] = _supplied_thresholds(code, raw, source, supplied)
            if "retires" in raw:
                updates["retires"] = supplied(_retirement(code, raw, source))
            indicators[code] = _replace(ind, **updates)
    except InvalidOperation:
        raise QofError([error("QR311", "a number in the overrides file is not a number", source=source)]) from None
    changes["groups"], changes["indicators"] = groups, indicators
    changes["supplied_indicators"] = contract.supplied_indicators + tuple(
        code for code in indicators if code not in contract.indicators)
    updated = contract.with_changes(**changes)
    before = dict(contract.figures())
    replaced = [f"{label}: national {before[label].value} ({before[label].status}) replaced by {figure.value}"
                for label, figure in updated.figures()
                if label in before and before[label].status in (CHECKED, UNCHECKED)
                and figure.status == SUPPLIED and figure.value != before[label].value]
    return updated.with_changes(replaced_national=contract.replaced_national + tuple(replaced))


def _supplied_thresholds(code: str, raw: dict, source: Source, supplied) -> tuple[Figure, Figure]:
    """An overrides file's lower and upper thresholds for ``code``, bounded, in order, as supplied figures."""
    lower, upper = (figure(raw["thresholds"][end], THRESHOLD, source, ("indicators", code, "thresholds", end),
                           "QR314") for end in ("lower", "upper"))
    if not lower < upper:
        raise QofError([error("QR313", f"{code}: the lower threshold ({lower}) must be below the "
                              f"upper ({upper})", source=source)])
    return supplied(lower), supplied(upper)


def _retirement(code: str, raw: dict, source: Source) -> str:
    """An overrides file's retirement date for ``code``: a real date, or ``none``."""
    if raw["retires"] != NOT_RETIRING:
        try:
            parse_date(raw["retires"])
        except ValueError:
            raise QofError([error("QR313", f"{code}: retires {raw['retires']} is not a real date: "
                                  f"{why_not_a_date(raw['retires'])}", source=source,
                                  span=_locate(source, ("indicators", code, "retires")))]) from None
    return raw["retires"]


def _replace(obj, **changes):
    from dataclasses import replace
    return replace(obj, **changes)
