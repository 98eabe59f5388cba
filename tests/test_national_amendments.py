"""Who may change what: a national amendment is judged by the rules for national amendments, a
local scheme by the rules for local schemes. Each local-scheme rule is shown firing for a local
body and silent for a national one (the lawful national income protections of 2019/20-2024/25
were rejected when every scheme was judged as if a CCG wrote it)."""
from __future__ import annotations

import json

import pytest

from conftest import ROOT
from qofrules import api
from qofrules.rules import find_rule
from qofrules.rules.judgement import LOCAL_BODY, LOCAL_SCHEMES, NATIONAL_AMENDMENT, NATIONAL_COMMISSIONER
from validate_helpers import codes, messages, validate_text

TEMPLATE = '''
scheme t "A change to 2023/24"
  contract: england 2023/24
  {area}approved: {approved}
  consulted: {consulted}
  runs: {runs}
  eligible when: {eligible}

  rule "The change":
    applies to: {applies}
    reporting: {reporting}
    pay: {pay}

  rule "Everything else as usual":
    applies to: all other indicators
    pay: achievement
'''

NATIONAL = "nhs-england on 2023-03-06"
ICB = 'icb "NHS Example ICB" on 2023-03-06'
REGION = 'nhs-england region "North East and Yorkshire" on 2023-03-06'


def scheme(approved=NATIONAL, consulted='lmc "Example"', runs="2023-04-01 to 2024-03-31", eligible="practice opted in",
           applies="indicators AF001", reporting="as usual", pay="achievement", area="") -> str:
    return TEMPLATE.format(approved=approved, consulted=consulted, runs=runs, eligible=eligible, applies=applies,
                           reporting=reporting, pay=pay, area=f"area: {area}\n  " if area else "")


#: For each local-scheme rule, the change that breaks it once a local body (or NHS England's region,
#: for the rules that bind every local scheme) makes it; the same change made nationally is lawful.
#: ``approved_on``: the approval date, where the rule is about it.
LOCAL_RULE_CASES = {
    "QV103": dict(approved_on="2023-05-01"),
    "QV104": dict(eligible="every practice"),
    "QV105": dict(runs="2023-07-01 to 2024-03-31"),
    "QV106": dict(eligible="every practice", pay="achievement in 2022/23"),
    "QV107": dict(applies="indicators QI013", pay="full points"),
    "QV109": dict(reporting="as usual", pay="achievement in 2022/23"),
    "QV111": dict(consulted="none"),
}


def _case(code: str, who: str) -> str:
    case = dict(LOCAL_RULE_CASES[code])
    on = case.pop("approved_on", None)
    return scheme(approved=who.replace("2023-03-06", on) if on else who, **case)


@pytest.mark.parametrize("code", sorted(LOCAL_RULE_CASES))
def test_a_local_scheme_rule_fires_for_a_local_body_and_not_for_a_national_one(code):
    rule = find_rule(code)
    assert rule.judges <= LOCAL_SCHEMES and NATIONAL_AMENDMENT not in rule.judges
    local_body = REGION if rule.judges != {LOCAL_BODY} else ICB
    local = validate_text(_case(code, local_body))
    assert code in codes(local, "error") + codes(local, "warning"), [f.render() for f in local.findings]
    assert local.judgement.kind in LOCAL_SCHEMES
    assert all(f.judged_as == local.judgement.kind for f in local.findings if f.rule is not None)
    national = validate_text(_case(code, NATIONAL))
    assert national.judgement.kind == NATIONAL_AMENDMENT
    assert code not in codes(national), [f.render() for f in national.findings]
    assert national.verdict in ("accepted", "accepted with warnings"), [f.render() for f in national.findings]


def test_the_secretary_of_state_and_nhs_england_nationally_both_amend_the_contract():
    for who in ("secretary-of-state on 2023-03-31", "nhs-england national on 2023-03-06"):
        report = validate_text(scheme(approved=who, eligible="every practice", pay="achievement in 2022/23"))
        assert report.judgement.kind == NATIONAL_AMENDMENT and codes(report, "error") == [], who


def test_a_national_change_may_take_effect_before_its_letter():
    # December 2021: letters of 3 and 7 December, with effect from 1 December
    late = scheme(approved="nhs-england on 2023-12-07", runs="2023-12-01 to 2024-03-31", eligible="every practice",
                  reporting="as usual", pay="achievement in 2022/23")
    report = validate_text(late)
    assert codes(report, "error") == [] and "QV103" not in codes(report)
    assert "QV103" in codes(validate_text(late.replace("nhs-england on", 'nhs-england region "London" on')), "error")


def test_nhs_england_agreeing_a_scheme_for_an_area_is_a_local_variation_not_an_amendment():
    report = validate_text(scheme(approved=NATIONAL, area='icb "NHS Example ICB"', eligible="every practice",
                                  pay="achievement in 2022/23"))
    assert report.judgement.kind == NATIONAL_COMMISSIONER
    assert "QV106" in codes(report, "error"), "a local variation that can pay less must be opt-in"


def test_an_instrument_claims_a_national_amendment_which_a_local_body_cannot_make():
    text = scheme(approved=ICB, eligible="every practice").replace(
        "  consulted:", '  instrument: "A local amendment of the SFE"\n  consulted:')
    report = validate_text(text)
    assert report.judgement.kind == NATIONAL_AMENDMENT and report.judgement.claimed
    assert codes(report, "error") == ["QV112"]
    assert "none of its approvers (NHS Example ICB) had national power" in messages(report, "QV112")[0]


def test_a_national_amendment_covers_every_practice():
    text = scheme(area='icb "NHS Example ICB"', eligible="every practice").replace(
        "  consulted:", '  instrument: "The GMS SFE (Amendment) Directions 2023" on 2023-03-31\n  consulted:')
    report = validate_text(text)
    assert codes(report, "error") == ["QV113"] and "limited to NHS Example ICB:" in messages(report, "QV113")[0]


def test_a_national_amendment_without_its_instrument_is_accepted_with_a_warning_to_record_it():
    report = validate_text(scheme(eligible="every practice"))
    assert report.verdict == "accepted with warnings" and codes(report) == ["QV114"]
    recorded = validate_text(scheme(eligible="every practice").replace(
        "  consulted:", '  instrument: "The GMS SFE Directions 2023" on 2023-03-31\n  consulted:'))
    assert recorded.verdict == "accepted" and recorded.findings == ()


def test_the_shipped_national_amendments_are_accepted():
    for path in sorted((ROOT / "schemes").glob("20*-income-protection.qof")) + \
            sorted((ROOT / "schemes").glob("20*-register-protection.qof")):
        (report,) = api.validation_reports([str(path)])
        assert report.judgement.kind == NATIONAL_AMENDMENT, path.name
        assert report.verdict in ("accepted", "accepted with warnings"), [f.render() for f in report.findings]
        assert codes(report, "error") == [] and codes(report, "cannot-judge") == [], path.name


def _apply_hint(text: str, hint: str) -> str:
    """The scheme with the basis or line a hint suggests put in place of the rule's ``pay:``."""
    suggestion = hint.rsplit(" or ", 1)[-1]
    for prefix in ("let a practice ask for actual achievement instead: ", ""):
        if suggestion.startswith(prefix + "on request: "):
            line = suggestion[len(prefix):]
            return text.replace("    pay: achievement in 2022/23\n", f"    pay: achievement in 2022/23\n    {line}\n", 1)
    line = suggestion.split(" (", 1)[0].split(";", 1)[0]
    assert line.startswith("pay: "), hint
    return text.replace("    pay: achievement in 2022/23", f"    {line}", 1)


@pytest.mark.parametrize("reporting", ["as usual", "not required", "monitoring only"])
def test_hints_never_suggest_what_another_rule_or_check_rejects(reporting):
    text = scheme(approved=REGION, eligible="every practice", reporting=reporting, pay="achievement in 2022/23")
    report = validate_text(text)
    for code in ("QV106", "QV109"):
        for finding in [f for f in report.findings if f.diagnostic.code == code]:
            fixed = validate_text(_apply_hint(text, finding.diagnostic.hint))
            assert fixed.validated, [f.render() for f in fixed.findings]
            assert not {"QV106", "QV109"} & set(codes(fixed, "error")), (code, finding.diagnostic.hint)
    # Leeds's basis uses this year's achievement: standing the indicators down would be QR233
    leeds = validate_text(scheme(approved=REGION, pay="higher of (achievement in 2022/23, achievement)"))
    (qv109,) = [f for f in leeds.findings if f.diagnostic.code == "QV109"]
    assert "not required" not in qv109.diagnostic.hint


QP_SCHEME = '''scheme qp-fixed "Quality and productivity at a fixed number of points"
  contract: england 2013/14
  area: lmc "Lincolnshire"
  approved: nhs-england area-team "Leicestershire and Lincolnshire" on 2014-01-20
  consulted: lmc "Lincolnshire"
  runs: 2014-02-01 to 2014-03-31
  eligible when: practice opted in

  rule "QP001 at three points":
    applies to: indicator QP001
    reporting: not required
    pay: 3 points

  rule "Everything else as usual":
    applies to: all other indicators
    pay: achievement
'''


def test_validate_takes_contract_overrides_so_that_a_rule_can_judge(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from qofrules.cli import cli
    scheme_path = tmp_path / "qp.qof"
    scheme_path.write_text(QP_SCHEME, encoding="utf-8")
    runner = CliRunner()
    unknown = runner.invoke(cli, ["validate", "--format", "json", str(scheme_path)])
    (report,) = json.loads(unknown.output)
    assert unknown.exit_code == 3 and report["verdict"] == "cannot judge"
    (qv110,) = [f for f in report["findings"] if f["code"] == "QV110"]
    assert qv110["severity"] == "cannot-judge" and "--contract-overrides" in qv110["hint"]
    for points, verdict, exit_code in ((5, "accepted", 0), (2, "accepted with warnings", 0)):
        overrides = tmp_path / f"qp-{points}.yaml"
        overrides.write_text(f"overrides: england 2013/14\nlabel: 'test figures, not national'\n"
                             f"indicators:\n  QP001: {{points: {points}}}\n", encoding="utf-8")
        result = runner.invoke(cli, ["validate", "--format", "json", "--contract-overrides", str(overrides),
                                     str(scheme_path)])
        (report,) = json.loads(result.output)
        assert (result.exit_code, report["verdict"]) == (exit_code, verdict), result.output
        assert [f["severity"] for f in report["findings"] if f["code"] == "QV110"] == ([] if points == 5 else ["warning"])
    wrong = tmp_path / "wrong-year.yaml"
    wrong.write_text("overrides: england 2023/24\nlabel: 'x'\n", encoding="utf-8")
    result = runner.invoke(cli, ["validate", "--contract-overrides", str(wrong), str(scheme_path)])
    assert result.exit_code == 2 and "QR312" in result.output and "england 2013/14" in result.output
