"""Scheme constructs back to the language's own words.

One printer serves reports, traces, the semantic diff and the formatter (:mod:`qofrules.formatter`),
so a construct reads the same everywhere and everything printed here parses back to the same AST.
"""
from __future__ import annotations

from decimal import Decimal

from . import ast


def number_text(value: Decimal) -> str:
    """A scheme number as the language writes it: plain digits, never an exponent ('1E-7' does
    not parse); trailing zeros kept as written ('5.50 points')."""
    return format(value, "f")


def quote(value: str) -> str:
    """A text as the language writes it: in double quotes, with \\ and \" escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def body_text(body: ast.Body) -> str:
    parts = [body.kind.text]
    if body.level:
        parts.append(body.level.text)
    if body.name:
        parts.append(quote(body.name.value))
    return " ".join(parts)


def bodies_text(bodies) -> str:
    return ", ".join(body_text(b) for b in bodies)


def dated_text(date: ast.Date) -> str:
    """A date after a verb, as the language writes it: 'on 2014-06-17' for a day, 'in 2014-06' for
    a month, 'in 2014' for a year."""
    return ("on " if date.precision == "day" else "in ") + date.text


def basis_text(basis) -> str:
    if isinstance(basis, ast.Achievement):
        return f"achievement in {basis.year.text}" if basis.year else "achievement"
    if isinstance(basis, ast.FullPoints):
        return "full points"
    if isinstance(basis, ast.NoPoints):
        return "no points"
    if isinstance(basis, ast.FixedPoints):
        return f"{number_text(basis.points)} points"
    if isinstance(basis, (ast.HigherOf, ast.LowerOf, ast.AverageOf)):
        word = {ast.HigherOf: "higher", ast.LowerOf: "lower", ast.AverageOf: "average"}[type(basis)]
        return f"{word} of (" + ", ".join(basis_text(b) for b in basis.items) + ")"
    if isinstance(basis, ast.SumOf):
        return "sum of (" + ", ".join(basis_text(b) for b in basis.items) + ")"
    if isinstance(basis, ast.OnceLowerPassed):
        return f"{number_text(basis.points)} points once lower threshold passed"
    if isinstance(basis, ast.PracticeChoice):
        return f"practice choice {basis.attribute.text} of (" + ", ".join(basis_text(b) for b in basis.items) + ")"
    if isinstance(basis, ast.PercentOf):
        inner = basis_text(basis.basis)
        if isinstance(basis.basis, ast.PercentOf):
            inner = f"({inner})"
        return f"{number_text(basis.percent)}% of {inner}"
    raise TypeError(basis)


def term_text(term) -> str:
    if isinstance(term, ast.Codes):
        word = "indicator" if len(term.codes) == 1 else "indicators"
        return f"{word} " + ", ".join(c.text for c in term.codes)
    if isinstance(term, ast.Groups):
        word = "group" if len(term.groups) == 1 else "groups"
        return f"{word} " + ", ".join(g.text for g in term.groups)
    if isinstance(term, ast.Domains):
        word = "domain" if len(term.domains) == 1 else "domains"
        return f"{word} " + ", ".join(d.text for d in term.domains)
    if isinstance(term, ast.Retiring):
        return f"indicators retiring {term.date.text}"
    if isinstance(term, ast.AllIndicators):
        return "all indicators"
    if isinstance(term, ast.AllOtherIndicators):
        return "all other indicators"
    raise TypeError(term)


def selector_text(selector: ast.Selector) -> str:
    text = " and ".join(term_text(t) for t in selector.include)
    if selector.exclude:
        text += " except " + " and ".join(term_text(t) for t in selector.exclude)
    return text


def _value_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, Decimal):
        return number_text(value)
    return str(value)


def condition_text(condition, *, nested: bool = False) -> str:
    if isinstance(condition, (ast.AnyOf, ast.AllOf)):
        word = " or " if isinstance(condition, ast.AnyOf) else " and "
        text = word.join(condition_text(c, nested=True) for c in condition.items)
        return f"({text})" if nested else text
    if isinstance(condition, ast.Not):
        return "not " + condition_text(condition.item, nested=True)
    if isinstance(condition, ast.OptedIn):
        return f"practice opted in by {condition.by.text}" if condition.by else "practice opted in"
    if isinstance(condition, ast.InPilot):
        return f"practice in pilot {quote(condition.pilot.value)}"
    if isinstance(condition, ast.InArea):
        return f"practice in {body_text(condition.area)}"
    if isinstance(condition, ast.AttributeTest):
        return f"practice attribute {condition.attribute.text} {condition.comparison} {_value_text(condition.value)}"
    if isinstance(condition, ast.EveryPractice):
        return "every practice"
    raise TypeError(condition)


# ------------------------------------------------------------------ whole statements (the formatter's lines)

def header_field_text(field) -> str:
    """One header field as its canonical line, without indentation."""
    keyword = ast.HEADER_KEYWORDS[type(field)]
    if isinstance(field, ast.ContractField):
        value = f"{field.country.text} {field.year.text}"
    elif isinstance(field, ast.AreaField):
        value = bodies_text(field.bodies)
    elif isinstance(field, (ast.ApprovedField, ast.ConsultedField)):
        value = bodies_text(field.bodies) if field.bodies else "none"
        if field.date is not None:
            value += f" {dated_text(field.date)}"
    elif isinstance(field, ast.RunsField):
        value = f"{field.start.text} to {field.end.text}"
    elif isinstance(field, ast.PaysForField):
        value = field.mode
    elif isinstance(field, ast.SourceField):
        value = quote(field.text.value)
    elif isinstance(field, ast.InstrumentField):
        value = quote(field.title.value) + (f" {dated_text(field.date)}" if field.date is not None else "")
    elif isinstance(field, ast.EligibleField):
        value = condition_text(field.condition)
    elif isinstance(field, ast.WaiverField):
        value = f"{field.rule.text} granted by {bodies_text(field.granted_by)} {dated_text(field.granted_on)}"
        if field.until is not None:
            value += f" until {field.until.text}"
        value += f" because {quote(field.reason.value)}"
    else:
        raise TypeError(field)
    return f"{keyword}: {value}"


def rule_field_text(field) -> str:
    """One rule field as its canonical line, without indentation."""
    keyword = ast.RULE_KEYWORDS[type(field)]
    if isinstance(field, ast.AppliesField):
        value = selector_text(field.selector)
    elif isinstance(field, ast.ReportingField):
        value = field.requirement
    elif isinstance(field, (ast.PayField, ast.OnRequestField)):
        value = basis_text(field.basis)
    elif isinstance(field, ast.OnlyWhenField):
        value = condition_text(field.condition)
    elif isinstance(field, ast.PointsField):
        value = number_text(field.points)
    else:
        raise TypeError(field)
    return f"{keyword}: {value}"


def percent_text(value: Decimal) -> str:
    return f"{number_text(value)}%"


def price_text(field: ast.PriceField) -> str:
    if field.kind == ast.NATIONAL_PRICE:
        return "as a QOF point"
    return f"{field.text} {field.kind}"


def adjusted_text(field: ast.AdjustedField) -> str:
    items = (["list size"] if field.list_size else []) + \
        ([f"prevalence of group {field.prevalence_group.text}"] if field.prevalence_group else [])
    return " and ".join(items) if items else "nothing"


def local_field_text(field) -> str:
    """One field of a local indicator as its canonical line, without indentation."""
    keyword = ast.LOCAL_KEYWORDS[type(field)]
    if isinstance(field, ast.MeasureField):
        value = field.measure
    elif isinstance(field, ast.ThresholdsField):
        value = f"{percent_text(field.lower)} to {percent_text(field.upper)}"
    elif isinstance(field, ast.TargetField):
        value = percent_text(field.target)
    elif isinstance(field, ast.LocalPointsField):
        value = number_text(field.points)
    elif isinstance(field, ast.PriceField):
        value = price_text(field)
    elif isinstance(field, ast.AdjustedField):
        value = adjusted_text(field)
    else:
        raise TypeError(field)
    return f"{keyword}: {value}"


def local_indicator_line(local: ast.LocalIndicator) -> str:
    return f"local indicator {local.code.text} {quote(local.title.value)}:"


def adjustment_field_text(field) -> str:
    """One field of a top-up or floor as its canonical line, without indentation."""
    keyword = ast.ADJUSTMENT_KEYWORDS[type(field)]
    if isinstance(field, ast.AmountField) and field.unit == ast.FROM_ATTRIBUTE:
        value = f"£ {field.unit} {field.attribute.text}"
    elif isinstance(field, ast.AmountField):
        value = f"{field.text} {field.unit}"
    elif isinstance(field, ast.AtLeastField) and field.attribute is not None:
        value = f"£ {ast.FROM_ATTRIBUTE} {field.attribute.text}"
    elif isinstance(field, ast.AtLeastField):
        value = basis_text(field.basis)
    elif isinstance(field, ast.OnlyWhenField):
        value = condition_text(field.condition)
    else:
        raise TypeError(field)
    return f"{keyword}: {value}"


def adjustment_line(adjustment) -> str:
    word = "top up" if isinstance(adjustment, ast.TopUp) else "floor"
    return f"{word} {quote(adjustment.title.value)}:"


def rule_line(rule: ast.Rule) -> str:
    return f"rule {quote(rule.title.value)}:"


def scheme_line(scheme: ast.Scheme) -> str:
    return f"scheme {scheme.id.text} {quote(scheme.title.value)}"


def part_text(part) -> str:
    """How a message names the part of a scheme that states a basis: 'rule "T"' or 'floor "T"'."""
    word = "floor" if isinstance(part, ast.Floor) else "top up" if isinstance(part, ast.TopUp) else "rule"
    return f"{word} {quote(part.title.value)}"
