"""The typed AST of a scheme: frozen, keyword-only dataclasses, every node with its span.

The AST says what the author wrote, not whether it makes sense: references are names, not yet
resolved against a contract year (that is :mod:`qofrules.checks` and :mod:`qofrules.compiler`).
Values that failed to parse (an impossible date) are kept as ``None`` beside their text so that
later passes can skip them while the builder's diagnostic explains why.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import MISSING, FrozenInstanceError, dataclass, field, fields, is_dataclass
from decimal import Decimal
from typing import Any, Union

from .dates import When, parse_when
from .source import Span

_NO_SPAN = Span(line=0, column=0, end_line=0, end_column=0)


def node_class(cls: type) -> type:
    """Make ``cls`` a node class: a keyword-only dataclass that takes its ``__init__``,
    ``__eq__``, ``__hash__``, ``__repr__`` and its immutability from :class:`Node`, written once
    below, rather than having dataclasses generate each method for each class. dataclasses makes
    every generated method by compiling its source text with ``exec``: for the sixty-odd node
    classes, six methods each were a third of a cold ``qofrules check``. Each class is still a
    dataclass (``fields``, ``replace``, ``asdict``), frozen as ``dataclass(frozen=True)`` would make
    it; tests/test_ast.py holds every class to what the generated methods would do."""
    cls = dataclass(kw_only=True, init=False, eq=False, repr=False)(cls)
    made = [f for f in fields(cls) if f.init]
    # What Node's methods need of the class, worked out once here (attributes, not fields).
    cls._init_order = tuple(f.name for f in made)
    cls._init_names = frozenset(cls._init_order)
    cls._init_defaults = {f.name: f.default for f in made if f.default is not MISSING}
    cls._compared = tuple(f.name for f in fields(cls) if f.compare)
    return cls


def _names(names: list[str]) -> str:
    """Names as Python's own argument errors list them: 'a', 'a' and 'b', 'a', 'b', and 'c'."""
    quoted = [repr(name) for name in names]
    if len(quoted) < 3:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


@node_class
class Node:
    """The base of every node: where in the scheme file it was written (never compared)."""

    span: Span = field(default=_NO_SPAN, compare=False)

    # What dataclass(frozen=True, kw_only=True) would generate for each class, said once.
    def __init__(self, **values: Any) -> None:
        if values.keys() != self._init_names:  # not every field given: defaults, or Python's TypeError
            made = self.__class__.__qualname__ + ".__init__()"
            unexpected = [name for name in values if name not in self._init_names]
            if unexpected:
                raise TypeError(f"{made} got an unexpected keyword argument {unexpected[0]!r}")
            defaults = self._init_defaults
            missing = [name for name in self._init_order if name not in values and name not in defaults]
            if missing:
                many = "s" if len(missing) > 1 else ""
                raise TypeError(f"{made} missing {len(missing)} required keyword-only argument{many}: "
                                f"{_names(missing)}")
            values = {**{name: defaults[name] for name in self._init_order if name not in values}, **values}
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def _key(self) -> tuple:
        """The compared fields' values, as a tuple: compared and hashed as the generated methods
        compare them (a tuple's ``==`` takes an item that is itself as equal, a NaN included)."""
        return tuple(getattr(self, name) for name in self._compared)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)
        return f"{self.__class__.__qualname__}({shown})"


# ------------------------------------------------------------------ leaves

@node_class
class Name(Node):
    """An identifier as written: a scheme id, a body kind, an indicator code, a group."""

    text: str


@node_class
class Text(Node):
    """A quoted text, unquoted and unescaped."""

    value: str


@node_class
class Date(Node):
    """A date as written: a day (``2014-06-17``), or, where the language allows a date the sources
    give less precisely, a month (``2014-06``) or a year (``2014``).

    ``value`` is the day, and only for a day: None for a month or a year (which is not a day), and
    for a text that is not a real date (2014-02-30, 2014-13). ``when`` is every day the date could
    be, for comparing dates honestly (:mod:`qofrules.dates`); None for an impossible date."""

    text: str
    value: _dt.date | None
    precision: str = "day"  # "day", "month" or "year" (qofrules.dates.PRECISIONS)

    @property
    def when(self):
        """The days the date could be (a :class:`qofrules.dates.When`), or None if it is not a real date."""
        if self.value is not None:
            return When.day(self.value)
        if self.precision == "day":
            return None
        try:
            return parse_when(self.text)
        except ValueError:
            return None

    @property
    def exact(self) -> bool:
        """True for a real day; False for a month, a year or an impossible date."""
        return self.value is not None


@node_class
class Year(Node):
    """A financial year, ``2013/14``; ``start`` is the calendar year it begins (None if invalid)."""

    text: str
    start: int | None


@node_class
class Body(Node):
    """An organisation: kind (``ccg``), optional level (``area-team``) and name."""

    kind: Name
    level: Name | None = None
    name: Text | None = None


# ------------------------------------------------------------------ header fields

@node_class
class ContractField(Node):
    """``contract: england 2016/17``: the country and national contract year the scheme varies."""

    country: Name
    year: Year


@node_class
class AreaField(Node):
    """``area: BODY, ...``: the bodies whose practices the scheme covers."""

    bodies: tuple[Body, ...]


@node_class
class ApprovedField(Node):
    """Who approved the scheme and when; ``bodies`` is empty for ``approved: none``."""

    bodies: tuple[Body, ...]
    date: Date | None = None


@node_class
class ConsultedField(Node):
    """``consulted: BODY, ... on DATE`` (or ``none``): who was consulted, such as the LMC, and when."""

    bodies: tuple[Body, ...]
    date: Date | None = None


@node_class
class RunsField(Node):
    """``runs: DATE to DATE``: the period the scheme is in force."""

    start: Date
    end: Date


WHOLE_YEAR = "whole year"
MONTHS_RUN = "months run"


@node_class
class PaysForField(Node):
    """``pays for: whole year | months run``: whether the scheme's bases decide the whole year's points
    or only the months it runs (national rules the rest)."""

    mode: str  # WHOLE_YEAR or MONTHS_RUN


@node_class
class SourceField(Node):
    """``source: "..."``: where the scheme's facts come from (a paper, a letter, a web page)."""

    text: Text


@node_class
class InstrumentField(Node):
    """The instrument that made a national amendment (SFE Directions, a contract letter), and the
    day it was made. Recording one claims that the scheme changes the national contract itself, so
    the validator judges it by the rules for national amendments (docs/rules.md)."""

    title: Text
    date: Date | None = None


@node_class
class EligibleField(Node):
    """``eligible when: CONDITION``: which practices the scheme applies to."""

    condition: "Condition"


@node_class
class WaiverField(Node):
    """A waiver of one validation rule (``qofrules rules`` lists them), as granted by a body."""

    rule: Name
    granted_by: tuple[Body, ...]
    granted_on: Date
    until: Date | None
    reason: Text


HeaderField = Union[ContractField, AreaField, ApprovedField, ConsultedField, RunsField,
                    PaysForField, SourceField, InstrumentField, EligibleField, WaiverField]

#: The header fields, by keyword, in the canonical order the formatter prints them.
HEADER_KEYWORDS: dict[type, str] = {
    ContractField: "contract",
    AreaField: "area",
    ApprovedField: "approved",
    InstrumentField: "instrument",
    ConsultedField: "consulted",
    RunsField: "runs",
    PaysForField: "pays for",
    SourceField: "source",
    EligibleField: "eligible when",
    WaiverField: "waiver",
}
#: Header fields that may be given more than once.
REPEATABLE_HEADER = {SourceField, InstrumentField, WaiverField}


# ------------------------------------------------------------------ eligibility

@node_class
class AnyOf(Node):
    """``A or B or ...``: met when any item is."""

    items: tuple["Condition", ...]


@node_class
class AllOf(Node):
    """``A and B and ...``: met when every item is."""

    items: tuple["Condition", ...]


@node_class
class Not(Node):
    """``not A``: met when the item is not."""

    item: "Condition"


@node_class
class OptedIn(Node):
    """``practice opted in`` (``by DATE``): the practice's recorded opt-in, on time if a date is given."""

    by: Date | None = None


@node_class
class InPilot(Node):
    """``practice in pilot "NAME"``: the practice takes part in the named pilot."""

    pilot: Text


@node_class
class InArea(Node):
    """``practice in BODY``: the practice lies in the body's area."""

    area: Body


@node_class
class AttributeTest(Node):
    """``practice attribute NAME OP VALUE``: a test of a column the practice data holds."""

    attribute: Name
    comparison: str  # one of = != < <= > >=
    value: Any  # str, Decimal, date or bool


@node_class
class EveryPractice(Node):
    """``every practice``: met by all practices."""


Condition = Union[AnyOf, AllOf, Not, OptedIn, InPilot, InArea, AttributeTest, EveryPractice]


def condition_leaves(condition):
    """Every plain test inside ``condition`` (none for None), in the order written: what the
    checks, the data requirements and the run's warnings look at, whatever ``or``/``not`` hold them."""
    if isinstance(condition, (AnyOf, AllOf)):
        for item in condition.items:
            yield from condition_leaves(item)
    elif isinstance(condition, Not):
        yield from condition_leaves(condition.item)
    elif condition is not None:
        yield condition


# ------------------------------------------------------------------ selectors

@node_class
class Codes(Node):
    """``indicators DM012, DM014``: indicators named by their codes."""

    codes: tuple[Name, ...]


@node_class
class Groups(Node):
    """``groups DM, AST``: every indicator of the named groups."""

    groups: tuple[Name, ...]


@node_class
class Domains(Node):
    """``domains clinical``: every indicator of the named domains."""

    domains: tuple[Name, ...]


@node_class
class Retiring(Node):
    """``indicators retiring on DATE``: the indicators the contract year retires then."""

    date: Date


@node_class
class AllIndicators(Node):
    """``all indicators``: every indicator of the contract year."""


@node_class
class AllOtherIndicators(Node):
    """``all other indicators``: every indicator no earlier rule selects."""


SelectorTerm = Union[Codes, Groups, Domains, Retiring, AllIndicators, AllOtherIndicators]


@node_class
class Selector(Node):
    """``include`` terms (a union) minus ``exclude`` terms (a union)."""

    include: tuple[SelectorTerm, ...]
    exclude: tuple[SelectorTerm, ...] = ()

    @property
    def is_all_other(self) -> bool:
        return any(isinstance(t, AllOtherIndicators) for t in self.include)


# ------------------------------------------------------------------ payment bases

@node_class
class Achievement(Node):
    """Actual achievement: of the contract year, or (``year``) points achieved in an earlier one."""

    year: Year | None = None


@node_class
class FullPoints(Node):
    """``full points``: each indicator's maximum points, whatever was achieved."""


@node_class
class NoPoints(Node):
    """``no points``: nothing for the indicator."""


@node_class
class FixedPoints(Node):
    """``N points``: the same number of points for each indicator, capped at its maximum."""

    points: Decimal


@node_class
class HigherOf(Node):
    """``higher of (A, B, ...)``: the candidate worth the most points."""

    items: tuple["Basis", ...]


@node_class
class LowerOf(Node):
    """``lower of (A, B, ...)``: the candidate worth the fewest points."""

    items: tuple["Basis", ...]


@node_class
class AverageOf(Node):
    """``average of (A, B, ...)``: the mean of the candidates' points."""

    items: tuple["Basis", ...]


@node_class
class PercentOf(Node):
    """``N% of BASIS``: that share of the basis's points."""

    percent: Decimal
    basis: "Basis"


@node_class
class SumOf(Node):
    """The sum of the candidates' points (capped at the indicator's maximum); every one is needed."""

    items: tuple["Basis", ...]


@node_class
class OnceLowerPassed(Node):
    """``N points once lower threshold passed``: N points as soon as this year's achievement is
    above the indicator's lower threshold, none at or below it (England 2020/21)."""

    points: Decimal


@node_class
class PracticeChoice(Node):
    """``practice choice NAME of (A, B, ...)``: the basis the practice chose, read from its
    attribute NAME (1 for the first candidate, 2 for the second, ...). There is no default: a
    practice whose choice is not recorded has its payment unknown (Northern Ireland 2016/17)."""

    attribute: Name
    items: tuple["Basis", ...]


Basis = Union[Achievement, FullPoints, NoPoints, FixedPoints, HigherOf, LowerOf, AverageOf, PercentOf, SumOf,
              OnceLowerPassed, PracticeChoice]


def walk_basis(basis):
    """Every basis node inside ``basis``, itself first (checks and validation rules look inside)."""
    yield basis
    if isinstance(basis, (HigherOf, LowerOf, AverageOf, SumOf, PracticeChoice)):
        for item in basis.items:
            yield from walk_basis(item)
    elif isinstance(basis, PercentOf):
        yield from walk_basis(basis.basis)


# ------------------------------------------------------------------ rules

AS_USUAL = "as usual"
NOT_REQUIRED = "not required"
#: Still recorded and reported, but not for payment purposes: the rule's basis pays (England
#: 2020/21's protected indicators; the 2023/24 and 2024/25 registers).
MONITORING_ONLY = "monitoring only"
REPORTING_STATES = (AS_USUAL, NOT_REQUIRED, MONITORING_ONLY)


@node_class
class AppliesField(Node):
    """``applies to: SELECTOR``: the indicators a rule pays."""

    selector: Selector


@node_class
class ReportingField(Node):
    """``reporting: as usual | not required | monitoring only``: what practices must still record."""

    requirement: str  # one of REPORTING_STATES


@node_class
class PayField(Node):
    """``pay: BASIS``: how the rule pays each indicator it applies to."""

    basis: Basis


@node_class
class OnRequestField(Node):
    """The basis a practice may ask to be paid on instead (Somerset 2014)."""

    basis: Basis


@node_class
class OnlyWhenField(Node):
    """A condition on one rule (or one top-up or floor) alone. A practice that does not meet it
    is paid by the next rule that covers the indicator, or else on national rules."""

    condition: "Condition"


@node_class
class PointsField(Node):
    """New maximum points for each indicator the rule pays, in place of the contract year's."""

    points: Decimal


RuleField = Union[AppliesField, OnlyWhenField, ReportingField, PointsField, PayField, OnRequestField]

RULE_KEYWORDS: dict[type, str] = {
    AppliesField: "applies to",
    OnlyWhenField: "only when",
    ReportingField: "reporting",
    PointsField: "points",
    PayField: "pay",
    OnRequestField: "on request",
}


def _first(items, kind):
    for item in items:
        if isinstance(item, kind):
            return item
    return None


@node_class
class Rule(Node):
    """``rule "TITLE":`` and its fields: how the indicators it selects are paid."""

    title: Text
    fields: tuple[RuleField, ...]

    @property
    def applies(self) -> AppliesField | None:
        return _first(self.fields, AppliesField)

    @property
    def pay(self) -> PayField | None:
        return _first(self.fields, PayField)

    @property
    def reporting(self) -> str:
        found = _first(self.fields, ReportingField)
        return found.requirement if found else AS_USUAL

    @property
    def on_request(self) -> OnRequestField | None:
        return _first(self.fields, OnRequestField)

    @property
    def only_when(self) -> "Condition | None":
        found = _first(self.fields, OnlyWhenField)
        return found.condition if found else None

    @property
    def points(self) -> PointsField | None:
        return _first(self.fields, PointsField)


# ------------------------------------------------------------------ local indicators

REGISTER = "register"
PERCENTAGE = "percentage"


@node_class
class MeasureField(Node):
    """``measure: register | percentage``: what the local indicator's data column holds."""

    measure: str  # REGISTER or PERCENTAGE


@node_class
class ThresholdsField(Node):
    """``thresholds: L% to U%``: no points at or below L, full points at U or above, pro rata between."""

    lower: Decimal
    upper: Decimal


@node_class
class TargetField(Node):
    """One threshold: full points at or above it, none below."""

    target: Decimal


@node_class
class LocalPointsField(Node):
    """``points: N``: the local indicator's maximum points."""

    points: Decimal


NATIONAL_PRICE = "national"
PER_POINT = "per point"
FOR_FULL_POINTS = "for full points"


@node_class
class PriceField(Node):
    """What a point of a local indicator is worth: the year's national £ per point, £N a point,
    or £N for full points (so £N × points / maximum)."""

    kind: str  # NATIONAL_PRICE, PER_POINT or FOR_FULL_POINTS
    pounds: Decimal | None = None
    text: str = ""  # the amount as written ("£1,250")


@node_class
class AdjustedField(Node):
    """What the payment is adjusted for: the practice's list size (CPI), and the prevalence of a
    group of the contract year (APDF); both empty for ``adjusted for: nothing``."""

    list_size: bool = False
    prevalence_group: Name | None = None


LocalField = Union[MeasureField, ThresholdsField, TargetField, LocalPointsField, PriceField, AdjustedField]

LOCAL_KEYWORDS: dict[type, str] = {
    MeasureField: "measure",
    ThresholdsField: "thresholds",
    TargetField: "target",
    LocalPointsField: "points",
    PriceField: "price",
    AdjustedField: "adjusted for",
}


@node_class
class LocalIndicator(Node):
    """An indicator of the scheme's own, read from the data under its own code."""

    code: Name
    title: Text
    fields: tuple[LocalField, ...]

    def _field(self, kind):
        return _first(self.fields, kind)

    @property
    def measure(self) -> str | None:
        found = self._field(MeasureField)
        return found.measure if found else None

    @property
    def thresholds(self) -> tuple[Decimal, Decimal] | None:
        """(lower, upper) percentages; a target is both."""
        found = self._field(ThresholdsField)
        if found is not None:
            return found.lower, found.upper
        target = self._field(TargetField)
        return (target.target, target.target) if target is not None else None

    @property
    def points(self) -> Decimal | None:
        found = self._field(LocalPointsField)
        return found.points if found else None

    @property
    def price(self) -> PriceField | None:
        return self._field(PriceField)

    @property
    def adjusted(self) -> AdjustedField | None:
        return self._field(AdjustedField)


# ------------------------------------------------------------------ payments beside the indicators

PER_PATIENT = "per patient"
PER_PRACTICE = "per practice"
FROM_ATTRIBUTE = "from practice attribute"


@node_class
class AmountField(Node):
    """A top-up's amount: £N per patient, per practice or per point; or (``unit`` FROM_ATTRIBUTE)
    each practice's own sum of money, which the data holds in a practice attribute (a cash sum
    set from history, such as Scotland's 2016/17 transfer of QOF money into core funding)."""

    pounds: Decimal | None   # None for FROM_ATTRIBUTE
    unit: str  # PER_PATIENT, PER_PRACTICE, PER_POINT or FROM_ATTRIBUTE
    text: str = ""
    attribute: Name | None = None   # for FROM_ATTRIBUTE


@node_class
class AtLeastField(Node):
    """What a floor is at least: a basis over the year's national indicators, at this year's
    prices; or (``attribute``) each practice's own sum of money from the data, such as its QOF
    income of an earlier year (Mid and South Essex 2020/21 topped up to the 2019/20 level)."""

    basis: Basis | None
    attribute: Name | None = None


ADJUSTMENT_KEYWORDS: dict[type, str] = {
    AmountField: "amount",
    AtLeastField: "at least",
    OnlyWhenField: "only when",
}


@node_class
class TopUp(Node):
    """Money on top of what the indicators pay: per patient (list size), per practice, or per
    point the practice is paid under the scheme."""

    title: Text
    fields: tuple[Union[AmountField, OnlyWhenField], ...]

    @property
    def amount(self) -> AmountField | None:
        return _first(self.fields, AmountField)

    @property
    def only_when(self) -> "Condition | None":
        found = _first(self.fields, OnlyWhenField)
        return found.condition if found else None


@node_class
class Floor(Node):
    """A floor under the practice's total: it is paid at least what ``at least``'s basis pays,
    over every indicator, at this year's prices; the difference is paid on top."""

    title: Text
    fields: tuple[Union[AtLeastField, OnlyWhenField], ...]

    @property
    def at_least(self) -> AtLeastField | None:
        return _first(self.fields, AtLeastField)

    @property
    def only_when(self) -> "Condition | None":
        found = _first(self.fields, OnlyWhenField)
        return found.condition if found else None


Adjustment = Union[TopUp, Floor]


# ------------------------------------------------------------------ the scheme

@node_class
class Scheme(Node):
    """A whole scheme file. ``header`` keeps the fields in source order (checks report duplicates)."""

    id: Name
    title: Text
    header: tuple[HeaderField, ...]
    rules: tuple[Rule, ...]
    local_indicators: tuple[LocalIndicator, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()

    def field(self, kind: type):
        return _first(self.header, kind)

    def basis_lines(self):
        """(owner, line) for every line that states a basis: each rule's ``pay`` and ``on request``,
        each floor's ``at least``. Checks and validation rules look inside every one."""
        for rule in self.rules:
            for line in (rule.pay, rule.on_request):
                if line is not None:
                    yield rule, line
        for adjustment in self.adjustments:
            if isinstance(adjustment, Floor) and adjustment.at_least is not None \
                    and adjustment.at_least.basis is not None:
                yield adjustment, adjustment.at_least

    @property
    def contract(self) -> ContractField | None:
        return self.field(ContractField)

    @property
    def areas(self) -> tuple[Body, ...]:
        found = self.field(AreaField)
        return found.bodies if found else ()

    @property
    def approved(self) -> ApprovedField | None:
        return self.field(ApprovedField)

    @property
    def consulted(self) -> ConsultedField | None:
        return self.field(ConsultedField)

    @property
    def runs(self) -> RunsField | None:
        return self.field(RunsField)

    @property
    def pays_for(self) -> str:
        found = self.field(PaysForField)
        return found.mode if found else WHOLE_YEAR

    @property
    def sources(self) -> tuple[Text, ...]:
        return tuple(f.text for f in self.header if isinstance(f, SourceField))

    @property
    def instruments(self) -> tuple[InstrumentField, ...]:
        return tuple(f for f in self.header if isinstance(f, InstrumentField))

    @property
    def waivers(self) -> tuple[WaiverField, ...]:
        return tuple(f for f in self.header if isinstance(f, WaiverField))

    @property
    def eligibility(self) -> Condition | None:
        found = self.field(EligibleField)
        return found.condition if found else None


def to_plain(node: Any, *, spans: bool = False) -> Any:
    """The AST as plain data (dicts, lists, strings), for JSON output and position-free comparison."""
    if is_dataclass(node) and not isinstance(node, type):
        out: dict[str, Any] = {"node": type(node).__name__}
        for f in fields(node):
            if f.name == "span" and not spans:
                continue
            out[f.name] = to_plain(getattr(node, f.name), spans=spans)
        return out
    if isinstance(node, (tuple, list)):
        return [to_plain(item, spans=spans) for item in node]
    if isinstance(node, (_dt.date, Decimal)):
        return str(node)
    return node
