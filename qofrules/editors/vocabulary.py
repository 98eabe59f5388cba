"""The scheme language's words and token shapes, read from grammar/qof.lark through the parser.

Highlighters (the Pygments lexer, the TextMate grammar) and the language server's completion take
their keywords and token patterns from here, and this module takes them from the grammar that
parses schemes: a keyword added to the grammar is highlighted and offered without a second list to
keep in step. Only the *kind* of a few words (``scheme`` declares, ``and`` joins) is said here, and
a test fails if any of those words leaves the grammar.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from lark.lexer import PatternRE, PatternStr

from .. import syntax

#: Words that open a declaration: a scheme, a rule.
DECLARATION_WORDS = frozenset({"scheme", "rule"})
#: Words that combine conditions or selections.
OPERATOR_WORDS = frozenset({"and", "or", "not", "except"})
#: Words after which a list of codes follows (indicator codes, group codes, domain names).
LIST_WORDS = {"indicator": "indicator", "indicators": "indicator", "group": "group", "groups": "group",
              "domain": "domain", "domains": "domain"}
#: The header field whose first name is a validation rule's code.
WAIVER_WORD = "waiver"

#: A character that may continue a name (the grammar's NAME: letters, digits, _ and inner hyphens).
NAME_CHAR = "A-Za-z0-9_"


@dataclass(frozen=True)
class TokenShapes:
    """The grammar's own regular expressions for each kind of token (Python ``re`` syntax, which
    is also what Oniguruma, the TextMate engine, reads for these patterns)."""

    name: str
    string: str
    date: str
    month: str          # a date given to the month (2014-06)
    calendar_year: str  # a date given to the year (2014)
    year: str
    percent: str
    money: str
    number: str
    comparison: str
    comment: str


@functools.lru_cache(maxsize=1)
def _terminals() -> tuple:
    return tuple(syntax.parser().terminals)


@functools.lru_cache(maxsize=1)
def keywords() -> tuple[str, ...]:
    """Every word the grammar spells out (``scheme``, ``applies``, ``retiring`` ...), sorted."""
    return tuple(sorted({t.pattern.value for t in _terminals()
                         if isinstance(t.pattern, PatternStr) and t.pattern.value[:1].isalpha()}))


@functools.lru_cache(maxsize=1)
def punctuation() -> tuple[str, ...]:
    """Every non-word literal of the grammar (``:``, ``,``, ``(``, ``)``)."""
    return tuple(sorted({t.pattern.value for t in _terminals()
                         if isinstance(t.pattern, PatternStr) and not t.pattern.value[:1].isalpha()}))


@functools.lru_cache(maxsize=1)
def terminal_words() -> dict[str, str]:
    """Terminal name → the literal it stands for (``FOR`` → ``for``, ``COLON`` → ``:``)."""
    return {t.name: t.pattern.value for t in _terminals() if isinstance(t.pattern, PatternStr)}


@functools.lru_cache(maxsize=1)
def shapes() -> TokenShapes:
    patterns = {t.name: t.pattern.value for t in _terminals() if isinstance(t.pattern, PatternRE)}
    return TokenShapes(name=patterns["NAME"], string=patterns["STRING"], date=patterns["DATE"],
                       month=patterns["MONTH"], calendar_year=patterns["CALENDAR_YEAR"],
                       year=patterns["YEAR"], percent=patterns["PERCENT"], money=patterns["MONEY"],
                       number=patterns["NUMBER"],
                       comparison=patterns["COMPARISON"], comment=patterns["COMMENT"])


def word_pattern(words) -> str:
    """A regular expression for any of ``words`` standing alone: not inside a longer name, where
    hyphens join parts (``in`` is not a word of ``lincs-in``; ``indicators`` is not one of
    ``indicators-x``)."""
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    return f"(?<![{NAME_CHAR}-])(?:{alternatives})(?![{NAME_CHAR}]|-[{NAME_CHAR}])"


def keyword_pattern() -> str:
    return word_pattern(keywords())


def code_pattern() -> str:
    """A name in a list of codes: the grammar's NAME, but never a keyword (``indicators retiring``
    starts no list: ``retiring`` is a keyword there), and all of a name, so that a list of them
    cannot be split two ways (which would make a regular-expression engine backtrack)."""
    return f"(?!{keyword_pattern()}){shapes().name}(?![{NAME_CHAR}-])"


def kind_of(word: str) -> str:
    """'declaration', 'operator' or 'keyword': how a highlighter colours a grammar word."""
    if word in DECLARATION_WORDS:
        return "declaration"
    if word in OPERATOR_WORDS:
        return "operator"
    return "keyword"
