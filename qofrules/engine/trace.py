"""One practice's trace: what each node of a rule's basis computed for it, and how, in words.

The trace is read from the columns the evaluation made (:mod:`.vectorised`): each node's
:class:`~.nodes.Outcome` takes its points, which candidate won and what was missing from the
node's column at the practice's row, and writes its account from those figures. Nothing is
computed here that the columns did not compute, so a trace can never disagree with the payment.
"""
from __future__ import annotations

from fractions import Fraction

from ..money import CENT, decimal_text
from .nodes import (TEN_THOUSANDTH, ZERO, AchievementNode, AverageNode, ChoiceNode, FixedPointsNode, FullPointsNode,
                    NoPointsNode, OnceLowerPassedNode, Outcome, PercentNode, PracticeChoiceNode, SumNode, as_decimal,
                    shown_value)
from .vectorised import Col, Columns


class Row:
    """What the accounts of one practice's trace read: its row ``i`` in ``columns``, the
    indicator, the contract year."""

    __slots__ = ("columns", "i", "indicator", "year", "zero_denominator")

    def __init__(self, columns: Columns, i: int, year: str):
        self.columns, self.i, self.year = columns, i, year
        self.indicator = columns.indicator
        self.zero_denominator = columns.zero_denominator

    @property
    def maximum(self) -> Fraction:
        return self.columns.exact_maximum

    @property
    def maximum_text(self) -> str:
        """The maximum as a reader writes it (12, 7.25), not as a fraction (29/4)."""
        return decimal_text(as_decimal(self.columns.exact_maximum))

    @property
    def whose_maximum(self) -> str:
        """Whose maximum caps the points: the year's, or a rule's own ``points:``."""
        return "this year's" if self.maximum == Fraction(self.indicator.points.value) else "the rule's"

    def points(self, col: Col) -> Fraction | None:
        return col.value.at(self.i) if col.known[self.i] else None

    def measure(self, year: str, name: str):
        return self.columns.at(year, name, self.i)


def outcome(node, col: Col, row: Row) -> Outcome:
    """``node``'s outcome for the practice at ``row``, from its column ``col``."""
    return _FORMS[type(node)](node, col, row)


def national_outcome(col: Col, row: Row) -> Outcome:
    """The national formula's outcome: register indicators score in full; fraction indicators by
    their thresholds (vectorised.national_column computed it)."""
    indicator, year, maximum = row.indicator, row.year, row.maximum_text
    code = indicator.code
    points = row.points(col)
    if indicator.is_register:
        register = row.measure(year, "register")
        if points is None:
            return Outcome(None, lambda: f"register of {code} not reported for {year}",
                           missing=(f"{year} REGISTER of {code}",))
        patients = "patient" if register == 1 else "patients"
        return Outcome(points, lambda: f"register kept ({register} {patients}): full {maximum} points",
                       details={"register": register})
    if points is None:
        return Outcome(None, lambda: f"{code} achievement not reported for {year}",
                       missing=(f"{year} NUMERATOR/DENOMINATOR of {code}",))
    n, d = row.measure(year, "numerator"), row.measure(year, "denominator")
    lower, upper = indicator.lower.value, indicator.upper.value
    details = {"numerator": n, "denominator": d, "exceptions": row.measure(year, "exceptions"),
               "lower": lower, "upper": upper, "maximum": as_decimal(row.maximum)}
    if d == 0:
        rule = row.zero_denominator
        return Outcome(points, lambda: f"denominator 0: the year's rule gives {rule.replace('-', ' ')}", details=details)
    exact_percent = Fraction(n * 100, d)
    details["achievement_percent"] = exact_percent

    def shown() -> str:
        return f"{n}/{d} = {as_decimal(exact_percent).quantize(CENT)}%"

    if exact_percent >= upper:
        word = "target" if lower == upper else "upper threshold"
        return Outcome(points, lambda: f"{shown()}, at or above the {word} {upper}%: full {maximum} points",
                       details=details)
    if exact_percent <= lower:
        if lower == upper:
            return Outcome(points, lambda: f"{shown()}, below the target {lower}%: 0 points", details=details)
        return Outcome(points, lambda: f"{shown()}, at or below the lower threshold {lower}%: 0 points",
                       details=details)
    return Outcome(points, lambda: f"{shown()}: {maximum} × ({as_decimal(exact_percent).quantize(CENT)} − {lower}) / "
                           f"({upper} − {lower}) = {as_decimal(points).quantize(TEN_THOUSANDTH)} points", details=details)


def _achievement(node: AchievementNode, col: Col, row: Row) -> Outcome:
    if node.year is None:
        return national_outcome(col, row)
    code, year = row.indicator.code, node.year
    found = node.lookup(code, row.year)
    if found.is_new:
        return Outcome(None, lambda: f"achievement in {year}: {found.account()}", missing=(found.new_message(),),
                       details={"year": year, "new_since": found.steps[-1].year if found.steps else None})
    read = found.earlier_code
    details = {"year": year, "code_read": read}
    written = row.columns.written_points(year, row.i)
    if written is None:
        return Outcome(None, lambda: f"achievement in {year}: no achieved points for {read} in the data "
                                     f"({found.account()})", missing=(found.missing_points(),), details=details)
    capped = row.points(col)
    note = f", capped at {row.whose_maximum} maximum {row.maximum_text}" if capped != written else ""
    details["achieved_points"] = written
    return Outcome(capped, lambda: f"achievement in {year}: {decimal_text(written)} points achieved{note} "
                                   f"({found.account()})",
                   details=details, shown=written if capped == written else None)


def _full(node, col: Col, row: Row) -> Outcome:
    return Outcome(row.maximum, lambda: f"full points: {row.maximum_text}")


def _none(node, col: Col, row: Row) -> Outcome:
    return Outcome(ZERO, "no points")


def _fixed(node: FixedPointsNode, col: Col, row: Row) -> Outcome:
    capped = row.points(col)
    note = f", capped at the maximum {row.maximum_text}" if capped != node.points else ""
    return Outcome(capped, lambda: f"{decimal_text(node.points)} points{note}",
                   shown=node.points if capped == node.points else None)


def _parts(node, col: Col, row: Row) -> tuple:
    return tuple(outcome(item, part, row) for item, part in zip(node.items, col.parts))


def _missing(outcomes) -> tuple:
    return tuple(m for o in outcomes for m in o.missing)


def _choice(node: ChoiceNode, col: Col, row: Row) -> Outcome:
    """``higher of`` / ``lower of``: the candidate the column chose, and those left out."""
    outcomes = _parts(node, col, row)
    word = "higher" if node.highest else "lower"
    index = int(col.chosen[row.i])
    if index == 0:
        return Outcome(None, lambda: f"{word} of: no candidate could be computed", outcomes, _missing(outcomes))
    skipped = [number for number, o in enumerate(outcomes, start=1) if o.exact is None]
    shown = outcomes[index - 1].points

    def account() -> str:
        note = f"; candidate(s) {', '.join(map(str, skipped))} left out for missing data" if skipped else ""
        return f"{word} of {len(outcomes)}: candidate {index} ({shown} points){note}"

    return Outcome(row.points(col), account, outcomes, details={"chosen": index, "left_out": skipped}, shown=shown)


def _average(node: AverageNode, col: Col, row: Row) -> Outcome:
    outcomes = _parts(node, col, row)
    points = row.points(col)
    if points is None:
        return Outcome(None, "average of: every candidate is needed and some could not be computed",
                       outcomes, _missing(outcomes))
    return Outcome(points, lambda: f"average of {len(outcomes)}: {as_decimal(points).quantize(TEN_THOUSANDTH)} points",
                   outcomes)


def _percent(node: PercentNode, col: Col, row: Row) -> Outcome:
    inner = outcome(node.item, col.parts[0], row)
    points = row.points(col)
    if points is None:
        return Outcome(None, lambda: f"{decimal_text(node.percent)}% of: not computable", (inner,), inner.missing)
    capped = inner.exact * Fraction(node.percent) / 100 > points
    note = f", capped at the maximum {row.maximum_text}" if capped else ""
    return Outcome(points, lambda: f"{decimal_text(node.percent)}% of {shown_value(inner.points)} = "
                                   f"{decimal_text(as_decimal(points))} points{note}", (inner,))


def _sum(node: SumNode, col: Col, row: Row) -> Outcome:
    outcomes = _parts(node, col, row)
    points = row.points(col)
    if points is None:
        return Outcome(None, "sum of: every candidate is needed and some could not be computed", outcomes,
                       _missing(outcomes))
    added = sum((o.exact for o in outcomes), ZERO)
    note = f", capped at the maximum {row.maximum_text}" if points != added else ""
    return Outcome(points, lambda: f"sum of {len(outcomes)}: {as_decimal(points).quantize(TEN_THOUSANDTH)} "
                                   f"points{note}", outcomes)


def _once_lower_passed(node: OnceLowerPassedNode, col: Col, row: Row) -> Outcome:
    indicator, year = row.indicator, row.year
    points = row.points(col)
    paid = min(max(Fraction(node.points), ZERO), row.maximum)
    shown = decimal_text(as_decimal(paid))
    if not indicator.is_fraction:  # the check refuses this where the year says the kind (QR411)
        return Outcome(None, lambda: f"{indicator.code} has no lower threshold to pass",
                       missing=(f"a lower threshold of {indicator.code}, which is not a fraction indicator",))
    if points is None:
        return Outcome(None, lambda: f"{indicator.code} achievement not reported for {year}",
                       missing=(f"{year} NUMERATOR/DENOMINATOR of {indicator.code}",))
    n, d = row.measure(year, "numerator"), row.measure(year, "denominator")
    lower = indicator.lower.value
    if d == 0:
        return Outcome(points, lambda: f"denominator 0: {shown if col.chosen[row.i] else 0} points by the "
                       "year's zero-denominator rule")
    if col.chosen[row.i]:  # passed (vectorised._once_lower_passed)
        return Outcome(points, lambda: f"{n}/{d} is above the lower threshold {lower}%: {shown} points")
    return Outcome(points, lambda: f"{n}/{d} is not above the lower threshold {lower}%: 0 points")


def _practice_choice(node: PracticeChoiceNode, col: Col, row: Row) -> Outcome:
    number = int(col.chosen[row.i])
    raw = row.columns.choice_text(node.attribute, row.i)
    if number == 0:
        return Outcome(None, lambda: f"practice choice {node.attribute}: '{raw}' names none of the "
                       f"{len(node.items)} candidates", missing=(f"practice attribute {node.attribute} (its choice: "
                                                                f"1 to {len(node.items)})",))
    inner = outcome(node.items[number - 1], col.parts[number - 1], row)
    if inner.exact is None:
        return Outcome(None, lambda: f"practice choice {node.attribute}: candidate {number}, not computable",
                       (inner,), inner.missing, details={"chosen": number})
    return Outcome(inner.exact, lambda: f"practice choice {node.attribute}: candidate {number} "
                   f"({shown_value(inner.points)} points)", (inner,), details={"chosen": number}, shown=inner.points)


def blend_outcome(national: Outcome, scheme: Outcome, col: Col, row: Row, months: int) -> Outcome:
    """``pays for: months run``: the blend's outcome, with (scheme, national) as its children."""
    points = row.points(col)
    if points is None:
        return Outcome(None, lambda: f"months run: {months} of 12 need both the scheme's and the national points",
                       (scheme, national), national.missing + scheme.missing)
    def four(value: Fraction) -> str:  # unrounded, as the blend computes them (to 4 places, as shown)
        return str(as_decimal(value).quantize(TEN_THOUSANDTH))

    return Outcome(points, lambda: f"months run: ({12 - months} × national {four(national.exact)} + {months} × "
                           f"scheme {four(scheme.exact)}) / 12 = {four(points)} points",
                   (scheme, national), details={"months_run": months})


_FORMS = {AchievementNode: _achievement, FullPointsNode: _full, NoPointsNode: _none, FixedPointsNode: _fixed,
          ChoiceNode: _choice, AverageNode: _average, PercentNode: _percent, SumNode: _sum,
          OnceLowerPassedNode: _once_lower_passed, PracticeChoiceNode: _practice_choice}
