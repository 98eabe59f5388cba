"""AST + contract year → evaluation tree.

Compiling resolves everything that does not depend on a practice: which rule pays each
indicator (docs/language.md, "Which rule applies"), the basis nodes, how many months a
``pays for: months run`` scheme runs, and whether the contract year has every figure the
calculation needs. A missing figure stops compilation with a message naming each one; we never
compute with a number we do not have.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from . import ast
from .contracts import codechanges
from .contracts.codechanges import Lookup
from .contracts.model import ContractYear
from .diagnostics import QofError, error
from .localindicators import with_local_indicators
from .engine.nodes import (AchievementNode, AverageNode, ChoiceNode, FixedPointsNode, FullPointsNode, Node,
                    NoPointsNode, OnceLowerPassedNode, PercentNode, PracticeChoiceNode, SumNode)
from .pricing import Pricing, pricing
from .printer import basis_text
from .selection import coverage
from .source import Source


@dataclass(frozen=True)
class RulePlan:
    """One rule, compiled: the indicators it pays and the nodes that pay them."""

    rule: ast.Rule
    codes: tuple[str, ...]
    pay: Node
    on_request: Node | None
    pay_text: str
    request_text: str | None
    #: ``only when:``: the condition a practice must meet to be paid by this rule (None: every one)
    condition: ast.Condition | None = None
    #: ``points:``: the new maximum of each indicator the rule pays (None: the year's own)
    maximum: Fraction | None = None

    @property
    def title(self) -> str:
        return self.rule.title.value


@dataclass(frozen=True)
class FloorPlan:
    """A ``floor``, compiled: its basis as a node, evaluated over every national indicator."""

    floor: ast.Floor
    node: Node
    text: str

    @property
    def title(self) -> str:
        return self.floor.title.value


@dataclass(frozen=True)
class EvaluationTree:
    scheme: ast.Scheme
    source: Source
    contract: ContractYear
    rules: tuple[RulePlan, ...]
    #: per indicator, the rules that may pay it, in the order a practice is tried against them
    #: (a rule with ``only when:`` pays only the practices that meet its condition)
    by_indicator: dict[str, tuple[RulePlan, ...]]
    months_run: int | None  # set for `pays for: months run`: months of the contract year the scheme runs
    maxima: dict[str, Fraction]  # each indicator's maximum points, exact, made once
    #: per earlier year a basis names, per indicator: which code that year's data is read under
    earlier: dict[str, dict[str, Lookup]] = field(default_factory=dict)
    #: what a point of each indicator is worth (pricing.py), national and local alike
    pricing: dict[str, Pricing] = field(default_factory=dict)
    floors: tuple[FloorPlan, ...] = ()

    @property
    def local_codes(self) -> tuple[str, ...]:
        return tuple(code for code, i in self.contract.indicators.items() if i.is_local)

    def plan_for(self, code: str, practice) -> RulePlan | None:
        """The rule that pays ``code`` for an eligible ``practice``: the first that covers it whose
        condition the practice meets; None when none does (then national rules pay it)."""
        from .eligibility import evaluate
        for plan in self.by_indicator.get(code, ()):
            if plan.condition is None or evaluate(plan.condition, practice).value:
                return plan
        return None

    @property
    def prior_years(self) -> set[str]:
        years: set[str] = set()
        for plan in self.rules:
            years |= plan.pay.prior_years()
            if plan.on_request:
                years |= plan.on_request.prior_years()
        return years

    def codes_read(self, code: str) -> dict[str, str | None]:
        """{earlier year: the code indicator ``code`` is read under there, None if it is new since}:
        what the columnar path reads, from the same lookups the exact nodes use."""
        return {year: found[code].earlier_code for year, found in self.earlier.items()}


def earlier_lookups(scheme: ast.Scheme, contract: ContractYear,
                    changes: codechanges.CodeChanges | None = None) -> dict[str, dict[str, Lookup]]:
    """For each earlier year the scheme's bases name, each indicator's code in that year
    (contracts/codechanges.py; ``changes``, if given, replaces the shipped file, for tests on a
    fixture year): decided once here, read by both evaluation paths."""
    changes = changes if changes is not None else codechanges.load(contract.country)
    years = set()
    for _, line in scheme.basis_lines():
        years |= _years_named(line.basis)
    out = {}
    for year in sorted(years):
        listed = complete_list(contract.country, year)
        out[year] = {code: unless_absent(changes.lookup(contract.year, code, year), listed)
                     for code in contract.indicators}
    return out


def complete_list(country: str, year: str) -> frozenset[str] | None:
    """The codes of an earlier year qofrules ships whole (``complete: true``), or None: a code
    read there only because no change is recorded must be one of them."""
    from .contracts import load
    try:
        earlier = load(country, year)
    except QofError:  # not shipped: nothing to compare with
        return None
    return frozenset(earlier.national_indicators) if earlier.complete and earlier.national_indicators else None


def unless_absent(found: Lookup, listed: frozenset[str] | None) -> Lookup:
    """``found``, or, where nothing is recorded and the earlier year's complete list lacks the code,
    the same lookup reading nothing (COPD015 is not a 2022/23 code: its 2022/23 points are unknown)."""
    if listed is None or found.steps or found.earlier_code in listed:
        return found
    from dataclasses import replace
    return replace(found, earlier_code=None, absent=True)


def _years_named(basis) -> set[str]:
    if isinstance(basis, ast.Achievement):
        return {basis.year.text} if basis.year else set()
    if isinstance(basis, (ast.HigherOf, ast.LowerOf, ast.AverageOf, ast.SumOf, ast.PracticeChoice)):
        return set().union(*(_years_named(b) for b in basis.items))
    if isinstance(basis, ast.PercentOf):
        return _years_named(basis.basis)
    return set()


def basis_node(basis, earlier: dict[str, dict[str, Lookup]] | None = None) -> Node:
    """The evaluation node of a basis; ``earlier`` gives ``achievement in YEAR`` its lookups."""
    if isinstance(basis, ast.Achievement):
        year = basis.year.text if basis.year else None
        return AchievementNode(year, (earlier or {}).get(year) if year else None)
    if isinstance(basis, ast.FullPoints):
        return FullPointsNode()
    if isinstance(basis, ast.NoPoints):
        return NoPointsNode()
    if isinstance(basis, ast.FixedPoints):
        return FixedPointsNode(basis.points)
    if isinstance(basis, ast.HigherOf):
        return ChoiceNode([basis_node(b, earlier) for b in basis.items], highest=True)
    if isinstance(basis, ast.LowerOf):
        return ChoiceNode([basis_node(b, earlier) for b in basis.items], highest=False)
    if isinstance(basis, ast.AverageOf):
        return AverageNode([basis_node(b, earlier) for b in basis.items])
    if isinstance(basis, ast.PercentOf):
        return PercentNode(basis.percent, basis_node(basis.basis, earlier))
    if isinstance(basis, ast.SumOf):
        return SumNode([basis_node(b, earlier) for b in basis.items])
    if isinstance(basis, ast.OnceLowerPassed):
        return OnceLowerPassedNode(basis.points)
    if isinstance(basis, ast.PracticeChoice):
        return PracticeChoiceNode(basis.attribute.text, [basis_node(b, earlier) for b in basis.items])
    raise TypeError(basis)


def months_run(scheme: ast.Scheme, contract: ContractYear) -> int | None:
    if scheme.pays_for != ast.MONTHS_RUN or scheme.runs is None:
        return None
    start = max(scheme.runs.start.value, contract.first_day)
    end = min(scheme.runs.end.value, contract.last_day)
    if end < start:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def missing_figures(contract: ContractYear) -> list[str]:
    """Every figure the calculation needs that the contract year (with any overrides) lacks."""
    missing = []
    if not contract.point_value.known:
        missing.append("£ per point")
    if not contract.average_list_size.known:
        missing.append("national average list size (for CPI)")
    if contract.indicator_list_unknown:
        missing.append("its indicator list (no indicator is listed)")
    fraction = [i for i in contract.indicators.values() if i.is_fraction]
    no_kind = [i.code for i in contract.indicators.values() if not i.kind_known]
    if (fraction or no_kind) and not contract.zero_denominator.known:
        missing.append("what a zero denominator scores (zero_denominator)")
    if no_kind:
        missing.append(f"the kind (register or fraction) of {_some(no_kind, 'indicator')}")
    no_points = [i.code for i in contract.indicators.values() if not i.points.known]
    if no_points:
        missing.append(f"points of {_some(no_points, 'indicator')}")
    no_thresholds = [i.code for i in fraction if not (i.lower.known and i.upper.known)]
    if no_thresholds:
        missing.append(f"lower/upper thresholds of {_some(no_thresholds, 'indicator')}")
    used_groups = {i.group for i in contract.indicators.values()}
    unsourced = sorted(g.code for g in contract.groups.values() if not g.adjustment_known and g.code in used_groups)
    if unsourced:
        missing.append(f"whether prevalence adjustment (APDF) applies to {_some(unsourced, 'group')} "
                       "(prevalence_adjusted)")
    no_prevalence = [g.code for g in contract.groups.values()
                     if g.prevalence_adjusted and g.code in used_groups
                     and (g.national_prevalence is None or not g.national_prevalence.known)]
    if no_prevalence:
        missing.append(f"national prevalence of {_some(no_prevalence, 'group')}")
    return missing


def _some(codes: list[str], noun: str, limit: int = 12) -> str:
    """'indicator DM012' or '51 indicators (AF006, ... and 39 more)'."""
    if len(codes) == 1:
        return f"{noun} {codes[0]}"
    shown = ", ".join(codes[:limit])
    more = f" and {len(codes) - limit} more" if len(codes) > limit else ""
    return f"{len(codes)} {noun}s ({shown}{more})"


def refuse_unknown_indicator_list(contract: ContractYear) -> None:
    """QE004: a year listing no indicators must not be 'computed' as paying nothing. Said on its own,
    before the figures: the list is the first thing such a year lacks (an overrides file can supply
    it, docs/contracts.md "Supplying a year's indicators", where the year has QOF at all)."""
    if not contract.indicators:
        if contract.published_indicator_count.value == 0:
            message = (f"cannot compute payments: contract year {contract.key} has no QOF indicators "
                       f"({contract.published_indicator_count.note or 'published indicator count 0'})")
        else:
            count = contract.published_indicator_count.value
            message = (f"cannot compute payments: the indicator list of contract year {contract.key} is "
                       f"unknown (qofrules lists none of its "
                       + ("indicators, and how many it has is not known)" if count is None else f"{count} indicators)"))
        supply = ("" if contract.published_indicator_count.value == 0 else
                  "; a user who holds the year's indicator table can supply it with --contract-overrides "
                  "(docs/contracts.md, \"Supplying a year's indicators\")")
        raise QofError([error("QE004", message, hint="'qofrules contracts " + contract.key + "' shows what is "
                              "known about the year; qofrules/contracts/data/SOURCES.md says what was looked for. "
                              "Schemes on it can still be checked and validated" + supply)])


def pays_only_beside_abolished_qof(scheme: ast.Scheme, contract: ContractYear) -> bool:
    """A year with no QOF at all (Scotland 2016/17: published indicator count 0, a checked fact)
    whose scheme pays only top-ups: national QOF truly pays £0.00 there, and the top-ups need none of
    the year's QOF figures, so the scheme is computed. Anything else on such a year is refused
    (QE004) rather than reported as paying nothing."""
    return (not contract.national_indicators and contract.published_indicator_count.value == 0
            and not scheme.local_indicators and bool(scheme.adjustments)
            and all(isinstance(a, ast.TopUp) and a.amount is not None and a.amount.unit != ast.PER_POINT
                    for a in scheme.adjustments))


def refuse_unknown_figures(contract: ContractYear) -> None:
    refuse_unknown_indicator_list(contract)
    missing = missing_figures(contract)
    if missing:
        raise QofError([error(
            "QE001", f"cannot compute payments: contract year {contract.key} has no value for "
            + "; ".join(missing),
            hint="qofrules never computes with a figure it does not have. Supply the missing figures in a "
                 "file of your own and pass it with --contract-overrides FILE (see docs/contracts.md); "
                 "'qofrules contracts' shows what each year lacks")])


def compile_scheme(scheme: ast.Scheme, contract: ContractYear, source: Source,
                   code_changes: codechanges.CodeChanges | None = None) -> EvaluationTree:
    """Compile a *checked* scheme (no check errors) against its contract year (and, for
    ``achievement in YEAR``, the shipped code changes, or ``code_changes``)."""
    try:
        if not pays_only_beside_abolished_qof(scheme, contract):
            refuse_unknown_figures(contract)
    except QofError as exc:  # said at the scheme's 'contract:' line, the choice that needs the figures
        from dataclasses import replace
        span = scheme.contract.span if scheme.contract is not None else None
        raise QofError([replace(d, source=source, span=span) if d.source is None else d
                        for d in exc.diagnostics]) from None
    contract = with_local_indicators(contract, scheme)
    covered = coverage(scheme.rules, contract)
    earlier = earlier_lookups(scheme, contract, code_changes)
    plans = []
    by_indicator: dict[str, list[RulePlan]] = {}
    for index, rule in enumerate(scheme.rules):
        plan = RulePlan(rule=rule, codes=tuple(covered.get(index, ())), pay=basis_node(rule.pay.basis, earlier),
                        on_request=basis_node(rule.on_request.basis, earlier) if rule.on_request else None,
                        pay_text=basis_text(rule.pay.basis),
                        request_text=basis_text(rule.on_request.basis) + " (on request)" if rule.on_request else None,
                        condition=rule.only_when,
                        maximum=Fraction(rule.points.points) if rule.points is not None else None)
        plans.append(plan)
    # A rule with a condition is tried first where it shares an indicator with one without: coverage
    # allows the overlap only so (checks/coverage.py), and the unconditional rule pays the rest.
    for plan in sorted(plans, key=lambda p: p.condition is None):
        for code in plan.codes:
            by_indicator.setdefault(code, []).append(plan)
    floors = tuple(FloorPlan(floor=f, node=basis_node(f.at_least.basis, earlier), text=basis_text(f.at_least.basis))
                   for f in scheme.adjustments if isinstance(f, ast.Floor) and f.at_least.basis is not None)
    return EvaluationTree(scheme=scheme, source=source, contract=contract, rules=tuple(plans),
                          by_indicator={code: tuple(found) for code, found in by_indicator.items()},
                          months_run=months_run(scheme, contract),
                          maxima={code: Fraction(i.points.value) for code, i in contract.indicators.items()},
                          earlier=earlier,
                          pricing={code: pricing(contract, i) for code, i in contract.indicators.items()},
                          floors=floors)
