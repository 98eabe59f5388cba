"""Eligibility: is a practice in the scheme's area, and does it meet the scheme's conditions?

Each test returns its answer and a sentence saying why, with the values it looked at, so that
``run`` can say "opted in on 2014-01-27, by 2014-02-01: yes" and not just "eligible".
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from . import ast
from .bodies import area_column
from .printer import body_text as describe
from .data.model import Practice
from .dates import parse_date
from .diagnostics import QofError, Related, error
from .source import Source


@dataclass(frozen=True)
class Answer:
    value: bool
    reason: str
    parts: tuple["Answer", ...] = ()


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def in_area(practice: Practice, body: ast.Body) -> Answer:
    column = area_column(body)
    if column is None:
        return Answer(True, f"every practice is in {describe(body)}")
    have = practice.areas.get(column, "")
    wanted = body.name.value if body.name else ""
    found = _normal(have) == _normal(wanted)
    return Answer(found, f"{column} is '{have or 'blank'}'{'' if found else ', not ' + repr(wanted)}: "
                         f"{'in' if found else 'not in'} {describe(body)}")


def in_scope(practice: Practice, areas: tuple[ast.Body, ...]) -> Answer:
    if not areas:
        return Answer(True, "the scheme names no area, so every practice is in scope")
    answers = [in_area(practice, body) for body in areas]
    for answer in answers:
        if answer.value:
            return Answer(True, answer.reason, tuple(answers))
    return Answer(False, "outside the scheme's area (" + "; ".join(a.reason for a in answers) + ")", tuple(answers))


def evaluate(condition, practice: Practice) -> Answer:
    if isinstance(condition, ast.AllOf):
        parts = tuple(evaluate(c, practice) for c in condition.items)
        value = all(p.value for p in parts)
        return Answer(value, " and ".join(p.reason for p in parts), parts)
    if isinstance(condition, ast.AnyOf):
        parts = tuple(evaluate(c, practice) for c in condition.items)
        value = any(p.value for p in parts)
        return Answer(value, " or ".join(p.reason for p in parts), parts)
    if isinstance(condition, ast.Not):
        inner = evaluate(condition.item, practice)
        return Answer(not inner.value, f"not ({inner.reason})", (inner,))
    if isinstance(condition, ast.OptedIn):
        when = practice.opted_in
        if when is None:
            return Answer(False, "did not opt in")
        if condition.by is None or condition.by.value is None:
            return Answer(True, f"opted in on {when}")
        ok = when <= condition.by.value
        return Answer(ok, f"opted in on {when}, {'by' if ok else 'after'} {condition.by.value}")
    if isinstance(condition, ast.InPilot):
        ok = condition.pilot.value in practice.pilots
        return Answer(ok, f"{'in' if ok else 'not in'} pilot \"{condition.pilot.value}\"")
    if isinstance(condition, ast.InArea):
        return in_area(practice, condition.area)
    if isinstance(condition, ast.AttributeTest):
        return _attribute(condition, practice)
    if isinstance(condition, ast.EveryPractice):
        return Answer(True, "every practice")
    raise TypeError(condition)


_COMPARE = {
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def _attribute(test: ast.AttributeTest, practice: Practice) -> Answer:
    name = test.attribute.text.lower()
    raw = practice.attributes.get(name, "")
    wanted = test.value
    try:
        if isinstance(wanted, bool):
            have = raw.strip().lower() in {"yes", "y", "true", "1"}
        elif isinstance(wanted, Decimal):
            have = Decimal(raw)
            if not have.is_finite():  # 'NaN' would raise on comparing; 'inf' is not a count
                raise InvalidOperation
        elif isinstance(wanted, dt.date):
            have = parse_date(raw)
        else:
            have, wanted = _normal(raw), _normal(wanted)
    except (InvalidOperation, ValueError):
        return Answer(False, f"attribute {name} is '{raw}', which cannot be compared with {test.value}")
    ok = _COMPARE[test.comparison](have, wanted)
    return Answer(ok, f"attribute {name} is '{raw}' ({'' if ok else 'not '}{test.comparison} {test.value})")


def required_columns(scheme: ast.Scheme) -> tuple[dict[str, list[ast.Node]], dict[str, list[ast.Node]]]:
    """Area columns and attribute names the scheme's area and conditions read, each with the nodes
    that read it (in the order written), so that a missing one is reported where it is asked for."""
    columns: dict[str, list[ast.Node]] = {}
    attributes: dict[str, list[ast.Node]] = {}
    for body in scheme.areas:
        if area_column(body):
            columns.setdefault(area_column(body), []).append(body)

    def visit(condition):
        for leaf in ast.condition_leaves(condition):
            if isinstance(leaf, ast.InArea) and area_column(leaf.area):
                columns.setdefault(area_column(leaf.area), []).append(leaf.area)
            elif isinstance(leaf, ast.AttributeTest):
                attributes.setdefault(leaf.attribute.text.lower(), []).append(leaf.attribute)

    if scheme.eligibility is not None:
        visit(scheme.eligibility)
    for part in scheme.rules + scheme.adjustments:
        if part.only_when is not None:
            visit(part.only_when)
        # a top-up paying, or a floor at, each practice's own sum
        amount = getattr(part, "amount", None) or getattr(part, "at_least", None)
        if amount is not None and amount.attribute is not None:
            attributes.setdefault(amount.attribute.text.lower(), []).append(amount.attribute)
    for _, line in scheme.basis_lines():
        for node in ast.walk_basis(line.basis):
            if isinstance(node, ast.PracticeChoice):
                attributes.setdefault(node.attribute.text.lower(), []).append(node.attribute)
    return columns, attributes



def _elsewhere(nodes: list[ast.Node]) -> tuple[Related, ...]:
    return tuple(Related(message="also asked for here", span=n.span) for n in nodes[1:])


def check_data_has(scheme: ast.Scheme, area_columns, attribute_names, data_name: str,
                   source: Source | None = None) -> None:
    """Refuse, before evaluating anyone, data that lacks a column the scheme needs; each problem is
    located at the first place in the scheme (``source``) that asks for the column."""
    problems = columns_lacking(scheme, area_columns, attribute_names, data_name, source)
    if problems:
        raise QofError(problems)


def columns_lacking(scheme: ast.Scheme, area_columns, attribute_names, data_name: str,
                    source: Source | None = None) -> list:
    """QE002 and QE003, one per column the scheme tests that the data lacks: what ``run`` refuses
    and ``validate --data`` reports."""
    columns, attributes = required_columns(scheme)
    problems = []
    for column in sorted(set(columns) - set(area_columns)):
        nodes = columns[column]
        problems.append(error("QE002", f"the scheme places practices by {column}, but the data set {data_name} "
                              f"has no {column} column", source=source, span=nodes[0].span,
                              related=_elsewhere(nodes), hint="add the column to the practices table"))
    for name in sorted(set(attributes) - set(attribute_names)):
        nodes = attributes[name]
        known = ", ".join(sorted(attribute_names)) or "none"
        problems.append(error("QE003", f"the scheme tests practice attribute '{name}', which the data set "
                              f"{data_name} does not have (its attributes: {known})", source=source,
                              span=nodes[0].span, related=_elsewhere(nodes)))
    return problems


#: How many of the data's names an unmatched area's note lists when none is close.
NAMES_LISTED = 8


def unmatched_area_notes(scheme: ast.Scheme, practices) -> list[str]:
    """A warning for each area the scheme names that no practice of the data is in (``lmc
    "Lincs"`` where the data says "Lincolnshire"): the scheme would check clean and pay nobody
    there, silently. Each names the line, and the data's closest names (or some of them)."""
    from .diagnostics import did_you_mean
    columns, _ = required_columns(scheme)
    notes = []
    for column, nodes in columns.items():
        names: dict[str, str] = {}
        for practice in practices:
            value = practice.areas.get(column, "")
            if value.strip():
                names.setdefault(_normal(value), " ".join(value.split()))
        seen = set()
        for body in nodes:
            wanted = body.name.value if body.name else ""
            if not wanted or _normal(wanted) in names or _normal(wanted) in seen:
                continue
            seen.add(_normal(wanted))
            close = did_you_mean(wanted, names.values(), quote=True)
            if close:
                suggestion = close
            elif names:
                shown = sorted(names.values())
                suggestion = ("the data's names are " + ", ".join(f"'{n}'" for n in shown[:NAMES_LISTED])
                              + (f" and {len(shown) - NAMES_LISTED} more" if len(shown) > NAMES_LISTED else ""))
            else:
                suggestion = f"every practice's {column} is blank"
            notes.append(f"WARNING: no practice in the data has {column} '{wanted}' ({describe(body)}, line "
                         f"{body.span.line}), so the scheme pays no practice there: {suggestion}")
    return notes


def _condition_leaves(scheme: ast.Scheme):
    """Every plain condition the scheme tests (eligibility, rules' and adjustments' ``only when``)."""
    yield from ast.condition_leaves(scheme.eligibility)
    for part in scheme.rules + scheme.adjustments:
        yield from ast.condition_leaves(part.only_when)


def unrecorded_fact_notes(scheme: ast.Scheme, practices) -> list[str]:
    """A warning where the scheme asks a fact no practice of the data records: 'practice opted in'
    with no opt-in date anywhere (an OPTED_IN column missing or empty), or a pilot no practice is
    in. Each condition would quietly be false for everyone, and the scheme pay no one through it."""
    from .printer import condition_text
    leaves = list(_condition_leaves(scheme))
    notes = []
    opted = next((c for c in leaves if isinstance(c, ast.OptedIn)), None)
    if opted is not None and not any(p.opted_in for p in practices):
        notes.append(f"WARNING: no practice in the data has an opt-in date (OPTED_IN), so '{condition_text(opted)}' "
                     f"(line {opted.span.line}) holds for none: is the column missing or empty?")
    pilots = {pilot for p in practices for pilot in p.pilots}
    for condition in leaves:
        if isinstance(condition, ast.InPilot) and condition.pilot.value not in pilots:
            known = ", ".join(f"'{name}'" for name in sorted(pilots)[:NAMES_LISTED]) or "none"
            notes.append(f"WARNING: no practice in the data is in pilot '{condition.pilot.value}' (line "
                         f"{condition.span.line}), so the condition holds for none: the data's pilots are {known}")
    return notes
