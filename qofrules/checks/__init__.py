"""Semantic checks of a parsed scheme, one module per concern, run in the order of ``CHECKS``.

Each check is a plain function ``check(context) -> iterable of Diagnostic``. Checks that need
the national contract year (indicator codes, coverage) are skipped when the scheme's contract
year cannot be loaded; that failure is itself reported, with suggestions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from .. import ast
from ..contracts.model import ContractYear
from ..diagnostics import Diagnostic
from ..source import Source


@dataclass(frozen=True)
class CheckContext:
    source: Source
    scheme: ast.Scheme
    contract: ContractYear | None  # None when the scheme names no loadable contract year


Check = Callable[[CheckContext], Iterable[Diagnostic]]


def _checks() -> list[tuple[Check, bool]]:
    from . import bases, bodies, coverage, dates, local, references, structure
    # (check, needs the contract year)
    return [
        (structure.check, False),
        (dates.check, False),
        (bodies.check, False),
        (bases.check, False),
        (local.check, False),
        (references.check, True),
        (coverage.check, True),
    ]


def run_checks(context: CheckContext) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for check, needs_contract in _checks():
        if needs_contract and context.contract is None:
            continue
        found.extend(check(context))
    return found
