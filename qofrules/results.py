"""What evaluation returns: per indicator, per practice, and totals — as objects and plain data."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from decimal import Decimal, localcontext

from .jsontext import Written, dumps
from .money import SUMS, decimal_text, minus, total
from .engine.nodes import Outcome


def _s(value) -> str | None:
    return decimal_text(value) if isinstance(value, Decimal) else None if value is None else str(value)


class KnownOutcome:
    """The outcome of a cell of a whole run with every figure known: nothing is missing (as in a
    practice's full result, where a known outcome never carries a missing item). It holds no
    trace: a practice's trace is the evaluation of that practice in full
    (:meth:`SummaryPracticeResult.to_plain` with ``trace``, and ``explain``)."""

    __slots__ = ()
    missing = ()

    def to_plain(self) -> dict:
        raise AssertionError("internal error: a trace was asked of a whole run's figures; traces come "
                             "from the practice in full (SummaryPracticeResult.full)")


known_outcome = KnownOutcome()


# Results are plain slotted dataclasses, not frozen ones: a national run makes about a million
# of them, and a frozen dataclass's __init__ costs several times as much.
@dataclass(slots=True)
class Side:
    """One way of paying one indicator: under the scheme, or under the national rules alone."""

    outcome: Outcome
    points: Decimal | None   # rounded to 2 dp; None when not computable
    payment: Decimal | None  # rounded to the penny; None when not computable

    def to_plain(self, trace: bool) -> dict:
        out = side_plain(_s(self.points), _s(self.payment))
        if self.outcome.missing:
            out["missing"] = list(self.outcome.missing)
        if trace:
            out["trace"] = self.outcome.to_plain()
        return out


def side_plain(points: str | None, payment: str | None) -> dict:
    """One side of an indicator as plain data, its figures already text: the one shape, made from
    a :class:`Side` or from the columnar path's whole numbers."""
    return {"points": points, "payment": payment}


@dataclass(slots=True)
class IndicatorResult:
    code: str
    group: str
    rule: str | None       # the rule that paid it (None: the practice is not eligible)
    basis: str             # the basis as written ("achievement in 2012/13"), or "national rules"
    on_request: bool       # paid on the rule's `on request` basis because the practice asked
    apdf: Decimal | None   # None where the group is not prevalence-adjusted (factor 1) or unknown
    apdf_applies: bool
    scheme: Side
    national: Side

    def to_plain(self, trace: bool = False) -> dict:
        return indicator_plain(self.code, self.group, self.rule, self.basis, self.on_request,
                               _s(self.apdf) if self.apdf_applies else None,
                               self.scheme.to_plain(trace), self.national.to_plain(trace))


def indicator_plain(code: str, group: str, rule: str | None, basis: str, on_request: bool, apdf: str | None,
                    scheme: dict, national: dict) -> dict:
    """An indicator's result as plain data (``apdf`` the text shown, None where it does not
    apply): the one shape, made from an :class:`IndicatorResult` or from the columnar path's
    whole numbers (:meth:`~qofrules.engine.fastpath.CellDetail.plain_indicators`)."""
    return {"indicator": code, "group": group, "rule": rule, "basis": basis, "on_request": on_request,
            "apdf": apdf, "scheme": scheme, "national": national}


def _sum(values) -> Decimal | None:
    """A practice's total, or None if any part is unknown; nothing at all is £0.00 (a year with no
    QOF indicators), written to the penny as every other total is."""
    values = list(values)
    if any(v is None for v in values):
        return None
    return total(values) if values else Decimal("0.00")


@dataclass(slots=True)
class PracticeResult:
    code: str
    name: str
    list_size: int
    eligible: bool
    reason: str
    cpi: Decimal
    indicators: tuple[IndicatorResult, ...]
    #: top-ups and floors (adjustments.py), paid beside the indicators under the scheme
    adjustments: tuple = ()
    # Sums of the indicators' rounded parts, made once here: run totals, CSV, reports and diffs
    # all read them, and summing 76 indicators anew on each read showed up at national scale.
    scheme_points: Decimal | None = field(init=False)
    scheme_payment: Decimal | None = field(init=False)
    national_points: Decimal | None = field(init=False)
    national_payment: Decimal | None = field(init=False)
    difference: Decimal | None = field(init=False)

    def __post_init__(self) -> None:
        self.scheme_points = _sum(i.scheme.points for i in self.indicators)
        self.scheme_payment = _sum([i.scheme.payment for i in self.indicators] + [a.payment for a in self.adjustments])
        self.national_points = _sum(i.national.points for i in self.indicators)
        self.national_payment = _sum(i.national.payment for i in self.indicators)
        self.difference = (None if self.scheme_payment is None or self.national_payment is None
                           else minus(self.scheme_payment, self.national_payment))

    @property
    def missing(self) -> list[str]:
        return _missing(self.indicators, self.adjustments)

    def pence(self) -> dict[str, tuple[int | None, int | None, str | None]]:
        return pence_of(self.indicators)

    def to_plain(self, indicators: bool = True, trace: bool = False) -> dict:
        return practice_plain(self, indicators, trace)


def pence_of(indicators) -> dict[str, tuple[int | None, int | None, str | None]]:
    """Per indicator code: its national and its scheme payment in whole pence (None: unknown) and
    the rule that paid it (None: national rules). What ``diff --impact`` compares between two
    versions of a scheme and what the report sums per group: whole numbers, read on the columnar
    path without making indicator results (:meth:`SummaryPracticeResult.pence`)."""
    return {i.code: (_whole_pence(i.national.payment), _whole_pence(i.scheme.payment), i.rule) for i in indicators}


def _whole_pence(payment: Decimal | None) -> int | None:
    return None if payment is None else int(payment.scaleb(2))


def _missing(indicators, adjustments) -> list[str]:
    """What a practice's results lack, each item once, in the order found."""
    seen: dict[str, None] = {}
    for ind in indicators:
        for item in ind.scheme.outcome.missing + ind.national.outcome.missing:
            seen.setdefault(item, None)
    for adjustment in adjustments:
        for item in adjustment.missing:
            seen.setdefault(item, None)
    return list(seen)


def practice_plain(result, indicators: bool, trace: bool, written: bool = False) -> dict:
    """A practice's result as plain data — one shape, whichever path computed it. ``written``:
    its indicators as :class:`~qofrules.jsontext.Written` JSON text where the result can write it
    (``indicators_json``), for :func:`~qofrules.jsontext.dumps` alone."""
    out = {
        "practice": result.code, "name": result.name, "list_size": result.list_size,
        "eligible": result.eligible, "reason": result.reason, "cpi": None if result.cpi is None else str(result.cpi),
        "scheme_points": _s(result.scheme_points), "scheme_payment": _s(result.scheme_payment),
        "national_points": _s(result.national_points), "national_payment": _s(result.national_payment),
        "difference": _s(result.difference),
    }
    missing = result.missing
    if missing:
        out["missing"] = missing
    if indicators:
        if written and not trace and hasattr(result, "indicators_json"):
            out["indicators"] = Written(result.indicators_json)
        else:
            plain = None if trace else getattr(result, "plain_indicators", None)
            out["indicators"] = plain() if plain is not None else [i.to_plain(trace) for i in result.indicators]
    adjustments = result.adjustments
    if adjustments:
        out["adjustments"] = [a.to_plain() for a in adjustments]
    return out


def _hundredths(value: int | None) -> Decimal | None:
    """Whole hundredths (of a point; pence, as hundredths of a pound) as a Decimal to 2 places,
    exactly at any size: 12345 -> Decimal("123.45")."""
    if value is None:
        return None
    with localcontext(SUMS):
        return Decimal(value).scaleb(-2)


@dataclass(frozen=True, eq=False)
class RunTotals:
    """Each practice's totals in a whole run, as whole hundredths of a point (points) and whole
    pence (payments), None where unknown: what the engine added up in whole numbers.

    A practice's Decimal figures (:class:`SummaryPracticeResult`) and the run's sums
    (:attr:`RunResult.totals`) are both read from these lists, so the two cannot disagree, and
    no Decimal is made for a practice until something shows it (6,410 practices × five figures
    cost a third of a national run's evaluation when they were made up front)."""

    eligible: list[bool]
    scheme_points: list[int | None]
    scheme_payment: list[int | None]
    national_points: list[int | None]
    national_payment: list[int | None]

    def difference(self, i: int) -> int | None:
        scheme, national = self.scheme_payment[i], self.national_payment[i]
        return None if scheme is None or national is None else scheme - national

    def sums(self) -> dict:
        """The run's totals (:attr:`RunResult.totals`): the sums of the known figures, and how many
        practices each leaves out. A sum of no known figure is 0, as a sum of no Decimals is."""
        differences = [self.difference(i) for i in range(len(self.eligible))]

        def summed(values: list) -> Decimal:
            known = [v for v in values if v is not None]
            return _hundredths(sum(known)) if known else Decimal(0)

        return {
            "practices": len(self.eligible),
            "eligible": sum(self.eligible),
            "scheme_points": summed(self.scheme_points),
            "scheme_payment": summed(self.scheme_payment),
            "national_points": summed(self.national_points),
            "national_payment": summed(self.national_payment),
            "difference": summed(differences),
            "scheme_payment_unknown": self.scheme_payment.count(None),
            "national_payment_unknown": self.national_payment.count(None),
            "difference_unknown": differences.count(None),
        }


class SummaryPracticeResult:
    """A practice's result from the engine's whole run (:mod:`qofrules.engine.fastpath`), read at
    its row of the run's columns (``cells``, the run's :class:`~qofrules.engine.fastpath.CellDetail`):
    its totals from the run's whole numbers (:class:`RunTotals`), made Decimals when read; its
    indicator results from the cells the run computed (``indicators``, made afresh on each read,
    so that streaming a national run's results keeps none of them); and, for a trace or its
    top-ups and floors, the practice's own full :class:`PracticeResult` (``full``), made on
    demand. When that is made, its totals are compared with these, and a difference is an
    internal error said aloud, never a quiet choice of one figure over the other."""

    __slots__ = ("_cells", "_index", "_full")

    def __init__(self, cells, index: int):
        self._cells, self._index, self._full = cells, index, None

    @property
    def code(self) -> str:
        return self._cells.data.practices[self._index].code

    @property
    def name(self) -> str:
        return self._cells.data.practices[self._index].name

    @property
    def list_size(self) -> int:
        return self._cells.data.practices[self._index].list_size

    @property
    def eligible(self) -> bool:
        return self._cells.answers[self._index][0]

    @property
    def reason(self) -> str:
        return self._cells.answers[self._index][1]

    @property
    def cpi(self) -> Decimal | None:
        return self._cells.cpi(self._index)

    @property
    def scheme_points(self) -> Decimal | None:
        return _hundredths(self._cells.totals.scheme_points[self._index])

    @property
    def scheme_payment(self) -> Decimal | None:
        return _hundredths(self._cells.totals.scheme_payment[self._index])

    @property
    def national_points(self) -> Decimal | None:
        return _hundredths(self._cells.totals.national_points[self._index])

    @property
    def national_payment(self) -> Decimal | None:
        return _hundredths(self._cells.totals.national_payment[self._index])

    @property
    def difference(self) -> Decimal | None:
        return _hundredths(self._cells.totals.difference(self._index))

    def full(self) -> PracticeResult:
        if self._full is None:
            full = self._cells.practice_result(self._index)
            mine = (self.eligible, self.scheme_points, self.scheme_payment, self.national_points, self.national_payment)
            theirs = (full.eligible, full.scheme_points, full.scheme_payment, full.national_points,
                      full.national_payment)
            if mine != theirs:
                raise AssertionError(f"internal error: the whole run and the practice computed alone disagree for practice "
                                     f"{self.code}: {mine} != {theirs}; please report it")
            self._full = full
        return self._full

    @property
    def indicators(self) -> tuple[IndicatorResult, ...]:
        if self._full is not None:
            return self._full.indicators
        return self._cells.indicators(self._index)

    def pence(self) -> dict[str, tuple[int | None, int | None, str | None]]:
        """As :meth:`PracticeResult.pence`, read from the cells as whole numbers: no indicator
        results are made (a national ``diff --impact`` compares 13,000 practices, a report sums
        half a million cells)."""
        if self._full is not None:
            return pence_of(self._full.indicators)
        return self._cells.pence(self._index)

    def plain_indicators(self) -> list[dict]:
        """``[i.to_plain() for i in self.indicators]``, made from the cells' whole numbers."""
        if self._full is not None:
            return [i.to_plain() for i in self._full.indicators]
        return self._cells.plain_indicators(self._index)

    def indicators_json(self, prefix: str) -> str:
        """``jsontext.dumps(self.plain_indicators(), prefix)``, written from the cells' whole numbers."""
        if self._full is not None:
            return dumps(self.plain_indicators(), prefix)
        return self._cells.indicators_json(self._index, prefix)

    @property
    def adjustments(self) -> tuple:
        """Its top-ups and floors: the run's own where it made them with nothing missing, else the
        practice's in full (which says what is missing)."""
        if not (self._cells.has_adjustments and self.eligible):
            return ()
        made = self._cells.adjustments[self._index]
        return made if made is not None else self.full().adjustments

    @property
    def missing(self) -> list[str]:
        if not self._cells.has_missing(self._index):
            return []
        return _missing(self.indicators, self.adjustments)

    def to_plain(self, indicators: bool = True, trace: bool = False) -> dict:
        return practice_plain(self.full() if trace else self, indicators, trace)


@dataclass(frozen=True)
class RunResult:
    scheme_id: str
    scheme_title: str
    contract: str
    dataset: str
    synthetic: bool
    notice: str
    months_run: int | None
    supplied_figures: tuple[str, ...]   # overrides files used, with their labels
    practices: tuple[SummaryPracticeResult, ...]
    #: each practice's totals as the run added them up, which ``practices`` read
    sums: RunTotals
    notes: tuple[str, ...] = field(default=())

    @property
    def eligible_count(self) -> int:
        return self.totals["eligible"]

    @cached_property
    def totals(self) -> dict:
        """Sums of the per-practice figures that are known, and how many practices each leaves out
        (:meth:`RunTotals.sums`)."""
        return self.sums.sums()

    def to_plain(self, indicators: bool = True, trace: bool = False) -> dict:
        out = self._head()
        out["practices"] = [p.to_plain(indicators, trace) for p in self.practices]
        return out

    def _head(self) -> dict:
        totals = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.totals.items()}
        return {
            "scheme": self.scheme_id, "title": self.scheme_title, "contract": self.contract,
            "dataset": self.dataset, "synthetic": self.synthetic, "notice": self.notice,
            "months_run": self.months_run, "supplied_figures": list(self.supplied_figures),
            "notes": list(self.notes), "totals": totals,
        }

    def json_pieces(self, indicators: bool = True):
        """``json.dumps(self.to_plain(indicators), indent=2) + "\\n"``, character for character, as
        pieces of one practice each: written one by one, a national run's 200 MB of JSON is never
        held in memory (nor are the practices' indicator results, made afresh for each)."""
        import json

        head = json.dumps({**self._head(), "practices": []}, indent=2)
        assert head.endswith('"practices": []\n}')
        if not self.practices:
            yield head + "\n"
            return
        yield head[:-len("[]\n}")] + "["
        separator = "\n    "
        from .progress import each
        for number, practice in enumerate(each(self.practices, what="writing JSON")):
            text = dumps(practice_plain(practice, indicators, False, written=True), "    ")
            yield ("," if number else "") + separator + text
        yield "\n  ]\n}\n"
