"""`reporting: monitoring only`: still recorded and reported, but not for payment purposes.

What a user sees for it: it parses and prints back, `check` warns when the rule pays on what it
says is not for payment, the validator judges it as relief from paying on achievement (not from
reporting), `diff` reports a change to or from it, `explain` shows the line, and it changes no
payment on either way of computing."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import ROOT
from qofrules import api, ast
from qofrules.cli import cli
from qofrules.differ import diff_schemes
from qofrules.explain import explain, explain_text
from validate_helpers import codes, validate_text

SOMERSET = (ROOT / "schemes" / "2014-somerset.qof").read_text(encoding="utf-8")


def _check(text: str):
    from qofrules.source import Source
    return api.check_source(Source("case.qof", text))


def _scheme(reporting: str, pay: str, on_request: str | None = None) -> str:
    extra = f"\n    on request: {on_request}" if on_request else ""
    return f'''scheme protected "Registers protected"
  contract: england 2023/24
  approved: nhs-england region "North East and Yorkshire" on 2023-03-01
  runs: 2023-04-01 to 2024-03-31
  eligible when: practice opted in

  rule "Registers on last year":
    applies to: indicators AF001, AST005
    reporting: {reporting}
    pay: {pay}{extra}

  rule "Everything else as usual":
    applies to: all other indicators
    pay: achievement
'''


def test_it_parses_to_its_own_state_and_prints_back_unchanged():
    text = _scheme("monitoring only", "achievement in 2022/23")
    scheme = api.parse(text)
    assert scheme.rules[0].reporting == ast.MONITORING_ONLY == "monitoring only"
    assert api.format_text(text) == text


def test_a_misspelling_is_a_syntax_error_that_names_the_three_states():
    report = _check(_scheme("monitoring", "achievement in 2022/23"))
    (problem,) = report.diagnostics
    assert problem.code == "QR001" and "'only'" in problem.message


@pytest.mark.parametrize("pay", ["achievement", "higher of (achievement in 2022/23, achievement)",
                                 "50% of achievement"])
def test_paying_on_this_years_achievement_is_a_warning_with_a_way_out(pay):
    report = _check(_scheme("monitoring only", pay))
    (warning,) = [d for d in report.diagnostics if d.code == "QR252"]
    assert warning.severity == "warning" and report.ok
    assert "monitoring only" in warning.message and "this year's achievement" in warning.message
    assert warning.span.line == 10  # the pay: line, at the plain 'achievement'
    assert "reporting: as usual" in warning.hint


@pytest.mark.parametrize("pay", ["achievement in 2022/23", "full points", "3 points",
                                 "higher of (achievement in 2022/23, full points)"])
def test_a_basis_that_does_not_read_this_years_achievement_is_clean(pay):
    assert _check(_scheme("monitoring only", pay)).diagnostics == ()


def test_on_request_may_use_this_years_achievement_as_the_practice_reports_it():
    report = _check(_scheme("monitoring only", "achievement in 2022/23", on_request="achievement"))
    assert report.diagnostics == ()


def test_not_required_stays_an_error_and_as_usual_stays_silent():
    assert [d.code for d in _check(_scheme("not required", "achievement")).diagnostics] == ["QR233"]
    assert _check(_scheme("as usual", "achievement")).diagnostics == ()


def test_the_validator_treats_it_as_relief_from_paying_on_achievement():
    # QV109: indicators still reported as usual must be paid on achievement in a local scheme;
    # monitoring only says in terms that they are not, as not required does.
    as_usual = validate_text(_scheme("as usual", "achievement in 2022/23"))
    assert "QV109" in codes(as_usual, "error")
    for reporting in ("monitoring only", "not required"):
        report = validate_text(_scheme(reporting, "achievement in 2022/23"))
        assert "QV109" not in codes(report), reporting


def test_a_qv109_hint_names_monitoring_only_for_indicators_still_reported():
    report = validate_text(_scheme("as usual", "full points"))
    (qv109,) = [f for f in report.findings if f.diagnostic.code == "QV109"]
    assert "reporting: monitoring only" in qv109.diagnostic.hint
    assert "reporting: not required" in qv109.diagnostic.hint


def test_the_shipped_protections_say_monitoring_only_on_their_protected_rules():
    for name, protected in (("2023-24-register-protection.qof", 1), ("2024-25-income-protection.qof", 3)):
        scheme = api.parse((ROOT / "schemes" / name).read_text(encoding="utf-8"))
        states = [rule.reporting for rule in scheme.rules]
        assert states == [ast.MONITORING_ONLY] * protected + [ast.AS_USUAL], name
        for rule in scheme.rules[:protected]:
            assert isinstance(rule.pay.basis, ast.Achievement) and rule.pay.basis.year is not None


def test_diff_reports_a_change_of_reporting_state_under_payment():
    old = api.parse(_scheme("not required", "achievement in 2022/23"))
    new = api.parse(_scheme("monitoring only", "achievement in 2022/23"))
    diff = diff_schemes(old, new)
    (change,) = diff.changes
    assert change.group == "payment" and change.rule == "Registers on last year"
    assert change.message == ('rule "Registers on last year": reporting changed from not required to '
                              "monitoring only")
    assert (change.old, change.new) == ("not required", "monitoring only")
    assert diff_schemes(new, new).changes == ()


def test_diff_of_a_rule_added_with_it_says_so():
    old = api.parse(_scheme("as usual", "achievement").replace(
        "    applies to: indicators AF001, AST005\n", "    applies to: indicators AF001, AST005, CAN001\n"))
    text = _scheme("as usual", "achievement").replace(
        '  rule "Everything else as usual":',
        '  rule "Cancer register on last year":\n    applies to: indicator CAN001\n    reporting: monitoring only\n'
        '    pay: achievement in 2022/23\n\n  rule "Everything else as usual":')
    diff = diff_schemes(old, api.parse(text))
    assert any(c.message.startswith('rule "Cancer register on last year" added:')
               and "reporting monitoring only" in c.message for c in diff.changes)


@pytest.fixture(scope="module")
def somerset_both(tmp_path_factory):
    """Somerset 2014 as shipped (its indicators stood down) and with the same basis for monitoring only."""
    folder = tmp_path_factory.mktemp("monitoring")
    stood_down = ROOT / "schemes" / "2014-somerset.qof"
    monitored = folder / "somerset-monitored.qof"
    monitored.write_text(SOMERSET.replace("reporting: not required", "reporting: monitoring only"), encoding="utf-8")
    return stood_down, monitored


@pytest.mark.parametrize("exact", [False, True], ids=["columnar", "exact"])
def test_it_changes_no_payment_on_either_way_of_computing(somerset_both, exact):
    data = str(ROOT / "examples" / "south-west-2014")
    stood_down, monitored = (api.run(str(path), data, exact=exact) for path in somerset_both)
    assert stood_down["practices"] and stood_down["practices"] == monitored["practices"]
    assert stood_down["totals"] == monitored["totals"]


def test_explain_shows_the_reporting_line_in_the_rule_excerpt(somerset_both, monkeypatch):
    _, monitored = somerset_both
    tree, dataset = api.prepared(str(monitored), str(ROOT / "examples" / "south-west-2014"))
    eligible = next(p.code for p in dataset.practices
                    if explain(tree, dataset, p.code)["eligibility"]["eligible"])
    plain = explain(tree, dataset, eligible)
    rule = next(i["rule"] for i in plain["indicators"] if i["rule"] is not None)
    assert rule["reporting"] == "monitoring only"
    assert rule["reporting_line"]["text"] == "reporting: monitoring only"
    text = explain_text(plain)
    line = rule["reporting_line"]["line"]
    assert f"    {line:>4} |   reporting: monitoring only" in text.splitlines()  # indented, as written
    # and the command prints the same excerpt
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["explain", str(monitored), "--data", "examples/south-west-2014",
                                      "--practice", eligible])
    assert f"    {line:>4} |   reporting: monitoring only" in result.output.splitlines()
