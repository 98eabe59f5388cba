"""Where in a scheme a position is: the words the grammar accepts there, and what a name there names.

A scheme is one statement per line, so a line can be understood on its own: it is parsed after a
stand-in for what comes before it (a scheme line, and the line that opens the block it lies in: a
rule, a local indicator, a top-up or a floor),
with Lark's interactive parser. That works while the rest of the file is broken, as it is while
someone types, and it asks the grammar, not a second list, which keywords may follow.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lark import Token
from lark.exceptions import LarkError

from .. import syntax
from ..editors import vocabulary

_HEADER_PRELUDE = 'scheme x "x"\n'
#: A line that opens a block of fields: a rule, a local indicator, a top-up, a floor (a keyword,
#: perhaps a code, a quoted title, a colon at the end).
_OPENER = re.compile(r'^[ \t]*[a-z][^"#]*"(?:[^"\\]|\\.)*"[ \t]*:[ \t]*$')
_LOCAL_INDICATOR = re.compile(r'^[ \t]*local[ \t]+indicator[ \t]+([A-Za-z][A-Za-z0-9_-]*)[ \t]+"((?:[^"\\]|\\.)*)"', re.M)
_SCHEME_LINE = re.compile(r"^[ \t]*scheme(?![A-Za-z0-9_-])")
_CONTRACT_LINE = re.compile(r"^[ \t]*contract[ \t]*:[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]+([0-9]{4}/[0-9]{2})", re.M)
#: The header fields whose values are lists of bodies.
BODY_FIELDS = {"area", "approved", "consulted"}

# What a name at a position names.
INDICATOR, GROUP, DOMAIN, RULE_CODE, BODY_KIND, BODY_LEVEL, COUNTRY = (
    "indicator", "group", "domain", "rule-code", "body-kind", "body-level", "country")


@dataclass(frozen=True)
class Place:
    """A position in a line: the tokens before it, and what the grammar accepts next."""

    tokens: tuple[Token, ...]      # the line's tokens before the position (the stand-in left out)
    accepts: frozenset[str]        # terminal names the parser would take next
    parser: object                 # the interactive parser there, for looking further ahead

    @property
    def words(self) -> list[str]:
        """The keywords that may come next."""
        literal = vocabulary.terminal_words()
        return sorted(literal[t] for t in self.accepts if t in literal and literal[t][:1].isalpha())


def block_opener(lines: list[str], line: int) -> str | None:
    """The line that opens the block ``line`` (0-based) lies in (a rule, a local indicator, a
    top-up, a floor), if any: the nearest such line above it."""
    for text in reversed(lines[:line]):
        if _OPENER.match(text):
            return text.strip()
    return None


def place(lines: list[str], line: int, column: int) -> Place | None:
    """The place at ``column`` (0-based, in characters) of ``line``; None if the line does not lex
    or parse up to there (a quoted text left open, a word that cannot stand there)."""
    prefix = lines[line][:column] if line < len(lines) else ""
    prefix = prefix.rstrip("\r\n")
    if prefix.lstrip().startswith("#"):
        return None
    if _SCHEME_LINE.match(prefix) or not any(_SCHEME_LINE.match(text) for text in lines[:line]):
        prelude = ""
    else:
        opener = block_opener(lines, line)
        prelude = _HEADER_PRELUDE + (opener + "\n" if opener else "")
    try:
        interactive = syntax.parser().parse_interactive(prelude + prefix)
        tokens = interactive.exhaust_lexer()
        accepts = frozenset(interactive.accepts())
    except LarkError:
        return None
    own = tuple(t for t in tokens if t.start_pos >= len(prelude) and t.type != "_NL")
    return Place(tokens=own, accepts=accepts, parser=interactive)


def name_role(tokens: tuple[Token, ...]) -> str | None:
    """What a name standing after ``tokens`` (a line's tokens before it) names, if qofrules knows
    such names: an indicator code, a group, a domain, a validation rule, a body's kind or level, or
    a country."""
    values = [t.value for t in tokens]
    if not values:
        return None
    j = len(values) - 1
    while j >= 0 and tokens[j].type in ("NAME", "COMMA"):
        j -= 1
    if j >= 0 and values[j] in vocabulary.LIST_WORDS and (j == len(values) - 1 or tokens[-1].type == "COMMA"):
        return vocabulary.LIST_WORDS[values[j]]
    if values[-2:] == [vocabulary.WAIVER_WORD, ":"] and len(values) == 2:
        return RULE_CODE
    if values[-2:] == ["contract", ":"]:
        return COUNTRY
    if _body_starts_here(values):
        return BODY_KIND
    if tokens[-1].type == "NAME" and _body_starts_here(values[:-1]):
        return BODY_LEVEL
    return None


def _body_starts_here(values: list[str]) -> bool:
    """True when a body's kind may stand after ``values``: at the start of a list of bodies."""
    if not values:
        return False
    first, last = values[0], values[-1]
    if first in BODY_FIELDS and last in (":", ","):
        return ":" in values[:2]
    if values[-2:] == ["granted", "by"]:
        return True
    if first == vocabulary.WAIVER_WORD and last == "," and "by" in values and "on" not in values:
        return True
    return values[-2:] == ["practice", "in"]


def token_at(lines: list[str], line: int, column: int) -> tuple[Token, Place] | None:
    """The token of ``line`` that holds ``column`` (0-based) and the place just before it."""
    if line >= len(lines):
        return None
    text = lines[line].rstrip("\r\n")
    whole = place(lines, line, len(text))
    if whole is None:  # the line is broken after the position, perhaps: read it up to the word's end
        whole = place(lines, line, column + re.match(r"[^ \t,:()]*", text[column:]).end())
    if whole is None:
        return None
    for token in whole.tokens:
        start = token.column - 1  # the line's own tokens: Lark counts columns from 1 on each line
        if start <= column < start + len(token.value):
            before = place(lines, line, start)
            return (token, before) if before is not None else None
    return None


def contract_named(text: str) -> tuple[str, str] | None:
    """(country, year) of the scheme's ``contract:`` line, read from the text even where the rest
    of the scheme does not parse."""
    found = _CONTRACT_LINE.search(text)
    return (found.group(1), found.group(2)) if found else None


def local_indicators(text: str) -> dict[str, tuple[str, int]]:
    """The scheme's own indicators, read from its text: code → (title, 0-based line)."""
    return {m.group(1): (m.group(2), text.count("\n", 0, m.start())) for m in _LOCAL_INDICATOR.finditer(text)}
