"""The national-contract rules the validator applies: one module per rule, listed in ``registry``.

``qofrules rules`` prints them; ``docs/rules.md`` is generated from them (:mod:`.docs`);
:mod:`qofrules.validate` runs them.
"""
from __future__ import annotations

from .base import Rule, RuleContext
from .registry import RULE_MODULES, all_rules, find_rule

__all__ = ["Rule", "RuleContext", "RULE_MODULES", "all_rules", "find_rule"]
