"""What evaluation returns: per indicator, per practice, and totals — as objects and plain data."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .nodes import Outcome


def _s(value) -> str | None:
    return None if value is None else str(value)


# Results are plain slotted dataclasses, not frozen ones: a national run makes about a million
# of them, and a frozen dataclass's __init__ costs several times as much.
@dataclass(slots=True)
class Side:
    """One way of paying one indicator: under the scheme, or under the national rules alone."""

    outcome: Outcome
    points: Decimal | None   # rounded to 2 dp; None when not computable
    payment: Decimal | None  # rounded to the penny; None when not computable

    def to_plain(self, trace: bool) -> dict:
        out = {"points": _s(self.points), "payment": _s(self.payment)}
        if self.outcome.missing:
            out["missing"] = list(self.outcome.missing)
        if trace:
            out["trace"] = self.outcome.to_plain()
        return out


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
        return {
            "indicator": self.code, "group": self.group, "rule": self.rule, "basis": self.basis,
            "on_request": self.on_request, "apdf": _s(self.apdf) if self.apdf_applies else None,
            "scheme": self.scheme.to_plain(trace), "national": self.national.to_plain(trace),
        }


def _sum(values) -> Decimal | None:
    values = list(values)
    if any(v is None for v in values):
        return None
    return sum(values, Decimal(0))


@dataclass(slots=True)
class PracticeResult:
    code: str
    name: str
    list_size: int
    eligible: bool
    reason: str
    cpi: Decimal
    indicators: tuple[IndicatorResult, ...]
    # Sums of the indicators' rounded parts, made once here: run totals, CSV, reports and diffs
    # all read them, and summing 76 indicators anew on each read showed up at national scale.
    scheme_points: Decimal | None = field(init=False)
    scheme_payment: Decimal | None = field(init=False)
    national_points: Decimal | None = field(init=False)
    national_payment: Decimal | None = field(init=False)
    difference: Decimal | None = field(init=False)

    def __post_init__(self) -> None:
        self.scheme_points = _sum(i.scheme.points for i in self.indicators)
        self.scheme_payment = _sum(i.scheme.payment for i in self.indicators)
        self.national_points = _sum(i.national.points for i in self.indicators)
        self.national_payment = _sum(i.national.payment for i in self.indicators)
        self.difference = (None if self.scheme_payment is None or self.national_payment is None
                           else self.scheme_payment - self.national_payment)

    @property
    def missing(self) -> list[str]:
        seen: dict[str, None] = {}
        for ind in self.indicators:
            for item in ind.scheme.outcome.missing + ind.national.outcome.missing:
                seen.setdefault(item, None)
        return list(seen)

    def to_plain(self, indicators: bool = True, trace: bool = False) -> dict:
        out = {
            "practice": self.code, "name": self.name, "list_size": self.list_size,
            "eligible": self.eligible, "reason": self.reason, "cpi": str(self.cpi),
            "scheme_points": _s(self.scheme_points), "scheme_payment": _s(self.scheme_payment),
            "national_points": _s(self.national_points), "national_payment": _s(self.national_payment),
            "difference": _s(self.difference),
        }
        if self.missing:
            out["missing"] = self.missing
        if indicators:
            out["indicators"] = [i.to_plain(trace) for i in self.indicators]
        return out


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
    practices: tuple[PracticeResult, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def eligible_count(self) -> int:
        return sum(1 for p in self.practices if p.eligible)

    def _total(self, attribute: str) -> Decimal:
        return sum((getattr(p, attribute) for p in self.practices if getattr(p, attribute) is not None),
                   Decimal(0))

    def _unknown(self, attribute: str) -> int:
        return sum(1 for p in self.practices if getattr(p, attribute) is None)

    @property
    def totals(self) -> dict:
        """Sums of the per-practice figures that are known, and how many practices each leaves out."""
        return {
            "practices": len(self.practices),
            "eligible": self.eligible_count,
            "scheme_points": self._total("scheme_points"),
            "scheme_payment": self._total("scheme_payment"),
            "national_points": self._total("national_points"),
            "national_payment": self._total("national_payment"),
            "difference": self._total("difference"),
            "scheme_payment_unknown": self._unknown("scheme_payment"),
            "national_payment_unknown": self._unknown("national_payment"),
            "difference_unknown": self._unknown("difference"),
        }

    def to_plain(self, indicators: bool = True, trace: bool = False) -> dict:
        totals = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.totals.items()}
        return {
            "scheme": self.scheme_id, "title": self.scheme_title, "contract": self.contract,
            "dataset": self.dataset, "synthetic": self.synthetic, "notice": self.notice,
            "months_run": self.months_run, "supplied_figures": list(self.supplied_figures),
            "notes": list(self.notes), "totals": totals,
            "practices": [p.to_plain(indicators, trace) for p in self.practices],
        }
