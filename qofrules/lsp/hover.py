"""Hover: what the name under the cursor stands for (:mod:`.describe`), found by where it stands
(:mod:`.context`), so it works on a line while other lines are broken."""
from __future__ import annotations

from ..contracts.model import ContractYear
from . import context, describe


def hover_text(lines: list[str], line: int, column: int, contract: ContractYear | None,
               local: dict | None = None) -> tuple[str, tuple] | None:
    """(markdown, (line, start column, end column)) for the token at ``column`` (0-based, in
    characters) of ``line``, or None where there is nothing to say. ``local``: the scheme's own
    indicators (:func:`.context.local_indicators`)."""
    found = context.token_at(lines, line, column)
    if found is None:
        return None
    token, before = found
    span = (line, token.column - 1, token.column - 1 + len(token.value))
    values = [t.value for t in before.tokens]
    if token.type == "YEAR" and values[:2] == ["contract", ":"]:
        text = describe.contract_year(describe.load_contract(values[2], token.value)) if len(values) == 3 else None
        return (text, span) if text else None
    if token.type != "NAME":
        return None
    role = context.name_role(before.tokens)
    name = token.value
    if role == context.INDICATOR:
        text = describe.indicator(contract, name, local)
    elif role == context.GROUP:
        text = describe.group(contract, name)
    elif role == context.DOMAIN:
        text = describe.domain(contract, name)
    elif role == context.RULE_CODE:
        text = describe.rule(name)
    elif role == context.BODY_KIND:
        text = describe.body_kind(name)
    elif role == context.BODY_LEVEL:
        text = describe.body_level(before.tokens[-1].value, name)
    else:
        text = None
    return (text, span) if text else None
