"""Every rule, as data: complete text, a scheme that breaks it and one that passes, both of which
`check` accepts; the authorities data covers every kind of body."""
from __future__ import annotations

import pytest

from qofrules import bodies
from qofrules.diagnostics import ERROR, WARNING
from qofrules.rules import all_rules, find_rule
from qofrules.rules.authorities import load as load_authorities
from qofrules.rules.registry import RULE_MODULES
from validate_helpers import validate_text

RULES = all_rules()


def test_every_rule_module_is_registered_once_with_a_unique_code():
    assert len(RULES) == len(RULE_MODULES) == len({r.code for r in RULES}) == len({r.name for r in RULES})
    assert all(r.code.startswith("QV1") for r in RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_text_is_complete(rule):
    assert rule.severity in (ERROR, WARNING)
    for field in ("title", "severity_reason", "source", "explanation"):
        assert len(getattr(rule, field)) > 30, f"{rule.code} {field} is too thin"
    assert find_rule(rule.code) is rule and find_rule(rule.name) is rule and find_rule(rule.code.lower()) is rule


def test_severities_are_judged_not_all_errors():
    assert {r.severity for r in RULES} == {ERROR, WARNING}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_breaking_example_breaks_the_rule(rule):
    report = validate_text(rule.breaking_example, data_years=rule.example_data_years)
    assert report.validated, [f.render() for f in report.findings]
    fired = [f for f in report.findings if f.diagnostic.code == rule.code]
    assert fired, f"{rule.code}'s breaking example does not break it"
    assert any(f.severity == rule.severity for f in fired), "the example should show a breach, not a missing fact"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_passing_example_passes_the_rule(rule):
    report = validate_text(rule.passing_example, data_years=rule.example_data_years)
    assert report.validated, [f.render() for f in report.findings]
    assert rule.code not in [f.diagnostic.code for f in report.findings], [f.render() for f in report.findings]


def test_authorities_cover_every_kind_of_body_exactly_once():
    auth = load_authorities()
    powered = {p.kind for p in auth.powers}
    places = [powered, set(auth.consult_only), set(auth.no_power), set(auth.unknown_power)]
    for kind in bodies.kinds():
        assert sum(kind in place for place in places) == 1, kind


def test_every_power_cites_a_known_source_and_says_its_status():
    auth = load_authorities()
    for power in auth.powers:
        assert power.source and power.status in {"checked", "unchecked", "unsourced"}
        if power.status == "unsourced":
            assert power.note, f"{power.kind}: an unsourced date must say what is assumed"
