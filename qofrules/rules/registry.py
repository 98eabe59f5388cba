"""The rules as data: which modules hold them, in the order they run and are documented.

Adding a rule is a new module with a ``RULE`` and one line here. Codes QV1xx are rules; codes
QV0xx are the validator's own findings about waivers (:data:`WAIVER_CODES`).
"""
from __future__ import annotations

import functools
import importlib

from .base import Rule

RULE_MODULES = (
    "period",                 # QV101
    "approver_power",         # QV102
    "approved_before_start",  # QV103
    "local_opt_in",           # QV104
    "local_from_year_start",  # QV105
    "paid_less",              # QV106
    "paid_in_full",           # QV107
    "prior_years",            # QV108
    "remaining_actual",       # QV109
    "max_points",             # QV110
    "lmc_consulted",          # QV111
    "national_power",         # QV112
    "covers_every_practice",  # QV113
    "national_recorded",      # QV114
    "bodies_existed",         # QV115
)

#: The validator's findings about waivers themselves: (code, title, why a warning).
WAIVER_CODES = {
    "QV001": "A waiver names a rule that does not exist",
    "QV002": "A waiver ended before the scheme does, so it counts as no waiver",
    "QV003": "A waiver was granted by a body without the power to waive a national rule, so it counts as "
             "no waiver",
    "QV004": "A waiver waives a rule that does not fire",
}


@functools.lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    rules = tuple(importlib.import_module(f"{__package__}.{name}").RULE for name in RULE_MODULES)
    codes = [r.code for r in rules]
    if len(set(codes)) != len(codes):
        raise RuntimeError(f"two validation rules share a code: {codes}")
    return rules


def find_rule(key: str) -> Rule | None:
    """A rule by code (``QV103``, any case) or by name (``approved-before-start``)."""
    for rule in all_rules():
        if key.upper() == rule.code or key.lower() == rule.name:
            return rule
    return None
