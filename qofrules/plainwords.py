"""Scheme constructs in plain English, for readers who do not read the scheme language.

:mod:`qofrules.printer` writes a construct back in the language's own words (``lmc "Leeds"``,
``higher of (achievement in 2015/16, achievement)``), which is what a scheme author, the formatter
and the diff need. A commissioner reading a report needs sentences instead: "Leeds LMC", "the
higher of 2015/16 achievement and this year's". This module says each construct that way; the
report (HTML and markdown) uses it wherever it would otherwise print scheme syntax.

Nothing here parses back; it is for reading only.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from . import ast
from .printer import number_text

#: How each kind of body reads with a name (``{name}`` is the name as written) and without one.
#: A name that already says what it is ("NHS Mid Essex CCG") is not given the word twice.
_BODY_WORDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # kind: (with a name, without a name, words that show a name already says its kind)
    "lmc": ("{name} LMC", "the local medical committee", ("LMC", "Local Medical Committee")),
    "ccg": ("{name} CCG", "the CCG", ("CCG", "Clinical Commissioning Group")),
    "icb": ("{name} ICB", "the ICB", ("ICB", "Integrated Care Board")),
    "pct": ("{name} PCT", "the primary care trust", ("PCT", "Primary Care Trust")),
    "pcn": ("{name} PCN", "the primary care network", ("PCN", "Primary Care Network")),
    "stp": ("{name} STP", "the sustainability and transformation partnership", ("STP",)),
    "region": ("the {name} region", "the NHS England region", ("region", "Region")),
    "area-team": ("the {name} area team", "the NHS England area team", ("area team", "Area Team")),
    "health-board": ("{name} health board", "the health board", ("Board", "board")),
    "practice": ("practice {name}", "the practice", ()),
    "secretary-of-state": ("the Secretary of State ({name})", "the Secretary of State", ()),
    "welsh-government": ("the Welsh Government ({name})", "the Welsh Government", ()),
    "scottish-government": ("the Scottish Government ({name})", "the Scottish Government", ()),
    "department-of-health-ni": ("the Department of Health, Northern Ireland ({name})",
                                "the Department of Health, Northern Ireland", ()),
    "hscb": ("the Health and Social Care Board ({name})", "the Health and Social Care Board", ()),
    "gpc": ("{name}", "the BMA's GP committee (GPC)", ("GPC", "GP Committee", "Committee")),
    "bma": ("{name}", "the BMA", ("BMA", "British Medical Association")),
}

_NHS_ENGLAND_LEVELS = {
    "area-team": ("NHS England's {name} area team", "an NHS England area team"),
    "region": ("NHS England's {name} region", "an NHS England region"),
    "national": ("NHS England ({name})", "NHS England"),
}


#: The contract's country key (contract.schema.json) as a reader writes it.
COUNTRY_NAMES = {"england": "England", "wales": "Wales", "scotland": "Scotland", "northern-ireland": "Northern Ireland"}


def kind_words(kind: str) -> str:
    """A body's kind as a reader writes it: ``pct`` → "PCT"; a longer or hyphenated kind as written."""
    return kind.upper() if kind.isalpha() and len(kind) <= 5 else kind


def body_words(body: ast.Body) -> str:
    """``lmc "Leeds"`` → "Leeds LMC"; ``nhs-england area-team "X"`` → "NHS England's X area team"."""
    kind = body.kind.text
    name = body.name.value if body.name else None
    if kind == "nhs-england":
        level = body.level.text if body.level else "national"
        named, unnamed = _NHS_ENGLAND_LEVELS.get(level, ("NHS England {name}", "NHS England"))
        return named.format(name=name) if name else unnamed
    named, unnamed, says = _BODY_WORDS.get(kind, ("{name} (" + kind + ")", kind, ()))
    if name is None:
        return unnamed
    if any(word in name for word in says):
        return name
    return named.format(name=name)


def bodies_words(bodies) -> str:
    return and_list([body_words(b) for b in bodies])


def and_list(items: list[str], word: str = "and") -> str:
    """"A", "A and B", "A, B and C"."""
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def date_words(date: ast.Date | None) -> str | None:
    """``2014-01-01`` → "1 January 2014"; ``2014-06`` → "June 2014"; as written if not a real date."""
    if date is None:
        return None
    when = date.when
    return when.text if when is not None else date.text


def dated_words(date: ast.Date) -> str:
    """The date after a verb: "on 1 January 2014", "in June 2014"."""
    when = date.when
    return when.phrase if when is not None else f"on {date.text}"


# ------------------------------------------------------------------ what a rule pays

_THIS_YEAR = "this year's achievement"


def basis_words(basis) -> str:
    """``achievement`` → "this year's achievement"; ``achievement in 2015/16`` → "2015/16 achievement";
    ``higher of (achievement in 2015/16, achievement)`` → "the higher of 2015/16 achievement and this year's"."""
    if isinstance(basis, ast.Achievement):
        return f"{basis.year.text} achievement" if basis.year else _THIS_YEAR
    if isinstance(basis, ast.FullPoints):
        return "full points"
    if isinstance(basis, ast.NoPoints):
        return "no points"
    if isinstance(basis, ast.FixedPoints):
        return _points(basis.points)
    if isinstance(basis, (ast.HigherOf, ast.LowerOf, ast.AverageOf, ast.SumOf)):
        word = {ast.HigherOf: "the higher of", ast.LowerOf: "the lower of", ast.AverageOf: "the average of",
                ast.SumOf: "the sum of"}[type(basis)]
        return f"{word} {_items(basis.items)}"
    if isinstance(basis, ast.OnceLowerPassed):
        return f"{_points(basis.points)} once the lower threshold is passed"
    if isinstance(basis, ast.PracticeChoice):
        return (f"whichever the practice chooses of {_items(basis.items, 'or')} "
                f"(its {basis.attribute.text} column)")
    if isinstance(basis, ast.PercentOf):
        return f"{number_text(basis.percent)}% of {basis_words(basis.basis)}"
    raise TypeError(basis)


def _points(points: Decimal) -> str:
    return f"{number_text(points)} point{'' if points == 1 else 's'}"


def _items(items, word: str = "and") -> str:
    """The candidates of a higher/lower/average/sum: "2015/16 achievement and this year's" (a
    last "this year's achievement" after another year's achievement does not repeat the noun)."""
    words = [basis_words(b) for b in items]
    years = [b.year.text for b in items if isinstance(b, ast.Achievement) and b.year]
    if len(years) == len(words) > 1:  # "2014/15 and 2015/16 achievement"
        return and_list(years, word) + " achievement"
    if len(words) > 1 and words[-1] == _THIS_YEAR and any(w.endswith(" achievement") for w in words[:-1]):
        words[-1] = "this year's"
    return and_list(words, word)


def reporting_words(requirement: str) -> str:
    return {ast.AS_USUAL: "as usual", ast.NOT_REQUIRED: "not required: practices need not report",
            ast.MONITORING_ONLY: "for monitoring only, not for payment"}.get(requirement, requirement)


def pays_for_words(mode: str, months_run: int | None) -> str:
    if mode == ast.MONTHS_RUN:
        months = "" if months_run is None else f" ({months_run} of 12)"
        return f"the months the scheme runs{months}; the rest of the year is paid under the national rules"
    return "the whole year"


# ------------------------------------------------------------------ which indicators, which practices

def selector_words(selector: ast.Selector, group_name: Callable[[str], str] = lambda code: code) -> str:
    """``all other indicators`` → "every other indicator"; ``group PE`` → "the Palliative care (PE) group"."""
    text = " and ".join(_term_words(t, group_name) for t in selector.include)
    if selector.exclude:
        text += ", except " + " and ".join(_term_words(t, group_name) for t in selector.exclude)
    return text


def _term_words(term, group_name) -> str:
    if isinstance(term, ast.Codes):
        word = "indicator" if len(term.codes) == 1 else "indicators"
        return f"{word} " + and_list([c.text for c in term.codes])
    if isinstance(term, ast.Groups):
        names = [f"{group_name(g.text)} ({g.text})" if group_name(g.text) != g.text else g.text for g in term.groups]
        return "the " + and_list(names) + (" group" if len(names) == 1 else " groups")
    if isinstance(term, ast.Domains):
        return ("the domain " if len(term.domains) == 1 else "the domains ") + and_list([d.text for d in term.domains])
    if isinstance(term, ast.Retiring):
        return f"the indicators retiring {dated_words(term.date)}"
    if isinstance(term, ast.AllIndicators):
        return "every indicator"
    if isinstance(term, ast.AllOtherIndicators):
        return "every other indicator"
    raise TypeError(term)


_COMPARISONS = {"=": "is", "!=": "is not", "<": "is below", "<=": "is at most", ">": "is above", ">=": "is at least"}


def condition_words(condition, *, nested: bool = False) -> str:
    """``practice opted in`` → "the practice opted in"; ``practice in lmc "Leeds"`` → "the practice is in Leeds LMC"."""
    if isinstance(condition, (ast.AnyOf, ast.AllOf)):
        word = "or" if isinstance(condition, ast.AnyOf) else "and"
        text = and_list([condition_words(c, nested=True) for c in condition.items], word)
        return f"({text})" if nested and len(condition.items) > 1 else text
    if isinstance(condition, ast.Not):
        inner = condition_words(condition.item, nested=True)
        if inner.startswith("the practice is "):
            return "the practice is not " + inner[len("the practice is "):]
        if inner.startswith("the practice opted in"):
            return "the practice did not opt in" + inner[len("the practice opted in"):]
        return "not " + inner
    if isinstance(condition, ast.OptedIn):
        return f"the practice opted in by {date_words(condition.by)}" if condition.by else "the practice opted in"
    if isinstance(condition, ast.InPilot):
        return f"the practice is in the “{condition.pilot.value}” pilot"
    if isinstance(condition, ast.InArea):
        return f"the practice is in {body_words(condition.area)}"
    if isinstance(condition, ast.AttributeTest):
        value = condition.value
        shown = ("yes" if value else "no") if isinstance(value, bool) else (
            number_text(value) if isinstance(value, Decimal) else str(value))
        return f"the practice's {condition.attribute.text} {_COMPARISONS.get(condition.comparison, condition.comparison)} {shown}"
    if isinstance(condition, ast.EveryPractice):
        return "every practice"
    raise TypeError(condition)


# ------------------------------------------------------------------ names from the contract data

#: Notes the contract data appends to a group's description for its maintainers, not its readers:
#: where the group list came from, what the source file left open, a source tag.
_SOURCE_TAILS = (
    re.compile(r"\s*\((?:group list|source|list)\s*:[^()]*\)\s*$", re.IGNORECASE),
    re.compile(r"\s*\(the source file's [^()]*\)\s*$", re.IGNORECASE),
    re.compile(r"\s*\[(?:wording|source)\s*:[^\[\]]*\]\s*$", re.IGNORECASE),
    re.compile(r"\s*\[[a-z0-9]+(?:-[a-z0-9]+)+\]\s*$"),   # [pcit-ip-2425]; not "[public health]"
)


def group_name(description: str | None, code: str) -> str:
    """A group's name for a reader: its description without the notes at its end that say where
    the list came from ("Atrial fibrillation (group list: guidance-1314 contents)" → "Atrial
    fibrillation"), or its code when the contract data has no description."""
    if not description:
        return code
    name, before = description.strip(), None
    while name != before:
        before = name
        for tail in _SOURCE_TAILS:
            name = tail.sub("", name).strip()
    return name or code


def amount_words(amount: ast.AmountField | None) -> str:
    if amount is None:
        return "no amount given"
    if amount.unit == ast.FROM_ATTRIBUTE:
        return f"each practice's own sum, from its {amount.attribute.text} column"
    return f"{amount.text} {amount.unit}"
