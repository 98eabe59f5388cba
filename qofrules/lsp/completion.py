"""Completion: the keywords the grammar accepts at the cursor, and the names qofrules knows there
(the contract year's indicator codes, groups and domains, body kinds and levels, validation
rules, countries and years).

Keywords that can only go one way are offered whole: at the start of a header line ``pays`` can
only continue ``pays for:``, and then ``whole year`` or ``months run``, so the list says
``pays for: whole year`` and ``pays for: months run``. The grammar decides that, by feeding the
interactive parser each word and asking what it accepts next.
"""
from __future__ import annotations

import re

from lark import Token
from lark.exceptions import LarkError
from lsprotocol import types

from .. import bodies
from .. import contracts as contract_data
from ..contracts.model import ContractYear
from ..editors import vocabulary
from ..rules import all_rules
from . import context, describe

#: A keyword phrase is followed while it has at most this many ways on, and this many words.
MAX_BRANCHES = 3
MAX_WORDS = 6
_WORD_BEFORE = re.compile(r"[A-Za-z0-9_-]*$")


def _phrases(place: context.Place) -> list[str]:
    literal = vocabulary.terminal_words()
    found: list[str] = []

    def follow(parser, words: list[str]) -> None:
        accepts = parser.accepts()
        onward = [t for t in sorted(accepts) if t in literal]
        if (len(words) < MAX_WORDS and accepts and len(onward) == len(accepts) and len(onward) <= MAX_BRANCHES):
            for terminal in onward:
                step = parser.copy()
                try:
                    step.feed_token(Token(terminal, literal[terminal]))
                except LarkError:
                    continue
                follow(step, words + [literal[terminal]])
        else:
            found.append(_join(words))

    for terminal in sorted(place.accepts):
        word = literal.get(terminal)
        if word is None or not word[:1].isalpha():
            continue
        step = place.parser.copy()
        try:
            step.feed_token(Token(terminal, word))
        except LarkError:
            continue
        follow(step, [word])
    return sorted(set(found))


def _join(words: list[str]) -> str:
    out = ""
    for word in words:
        out += word if (not out or word in (":", ",", ")")) else " " + word
    return out


def _item(label: str, kind: types.CompletionItemKind, replace: types.Range, detail: str | None = None,
          documentation: str | None = None, sort: str = "1") -> types.CompletionItem:
    return types.CompletionItem(
        label=label, kind=kind, detail=detail,
        documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=documentation) if documentation else None,
        text_edit=types.TextEdit(range=replace, new_text=label), sort_text=f"{sort}{label}")


def _names(role: str, place: context.Place, contract: ContractYear | None, replace: types.Range,
           local: dict) -> list:
    K = types.CompletionItemKind
    if role == context.INDICATOR:
        own = [_item(code, K.Constant, replace, title, describe.indicator(contract, code, local), "0")
               for code, (title, _) in local.items()]
        national = [] if contract is None else [
            _item(code, K.Constant, replace, ind.description, describe.indicator(contract, code), "0")
            for code, ind in contract.indicators.items() if code not in local]
        return own + national
    if role == context.GROUP and contract is not None:
        return [_item(code, K.Enum, replace, g.description, describe.group(contract, code), "0")
                for code, g in contract.groups.items()]
    if role == context.DOMAIN and contract is not None:
        return [_item(name, K.Folder, replace, None, describe.domain(contract, name), "0") for name in contract.domains]
    if role == context.RULE_CODE:
        return [_item(r.code, K.Reference, replace, r.title, describe.rule(r.code), "0") for r in all_rules()]
    if role == context.BODY_KIND:
        return [_item(kind, K.Class, replace, spec["description"], describe.body_kind(kind), "0")
                for kind, spec in bodies.kinds().items()]
    if role == context.BODY_LEVEL:
        kind = place.tokens[-1].value
        return [_item(level, K.EnumMember, replace, f"a level of {kind}", None, "0") for level in bodies.levels(kind)]
    if role == context.COUNTRY:
        return [_item(country, K.Value, replace, ", ".join(contract_data.years_of(country)) or None, None, "0")
                for country in contract_data.COUNTRIES]
    return []


def _years(place: context.Place, contract: ContractYear | None, replace: types.Range) -> list:
    values = [t.value for t in place.tokens]
    K = types.CompletionItemKind
    if values[:2] == ["contract", ":"] and len(values) == 3:
        country = values[2]
        return [_item(year, K.Value, replace, None, describe.contract_year(describe.load_contract(country, year)), "0")
                for year in contract_data.years_of(country)]
    if values[-2:] == ["achievement", "in"] and contract is not None:  # an earlier year's achievement
        earlier = [y for y in contract_data.years_of(contract.country) if y < contract.year]
        return [_item(year, K.Value, replace, "an earlier year's achievement", None, "0") for year in reversed(earlier)]
    return []


def complete(lines: list[str], line: int, column: int, contract: ContractYear | None,
             to_client, local: dict | None = None) -> list[types.CompletionItem]:
    """Completion items at ``column`` (0-based, in characters) of ``line``; ``to_client`` turns a
    (line, column) range into the client's units; ``local``: the scheme's own indicators."""
    text = lines[line] if line < len(lines) else ""
    typed = _WORD_BEFORE.search(text[:column]).group(0)
    start = column - len(typed)
    where = context.place(lines, line, start)
    if where is None:
        return []
    replace = to_client(line, start, line, column)
    items = [_item(phrase, types.CompletionItemKind.Keyword, replace) for phrase in _phrases(where)]
    if "NAME" in where.accepts:
        role = context.name_role(where.tokens)
        if role is not None:
            items += _names(role, where, contract, replace, local or {})
    if "YEAR" in where.accepts:
        items += _years(where, contract, replace)
    return items
