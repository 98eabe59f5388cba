"""The authority facts as a reviewer meets them: bodies of another country or era, facts qofrules
lacks (cannot judge, never a false error), partial indicator lists, figures a user supplied."""
from __future__ import annotations

import json

from click.testing import CliRunner

from conftest import ROOT
from qofrules.cli import cli
from qofrules.rules.judgement import NATIONAL_AMENDMENT, NO_AUTHORITY
from validate_helpers import codes, messages, validate_text

SCOTLAND = '''
scheme scotland "Scottish change"
  contract: scotland 2015/16
  approved: scottish-government on 2015-03-01
  consulted: {consulted}
  runs: 2015-04-01 to 2016-03-31
  eligible when: every practice

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
'''


def test_a_body_not_sourced_in_a_country_cannot_be_judged_there_it_is_not_an_error():
    report = validate_text(SCOTLAND.format(consulted='lmc "Lothian"'))
    assert codes(report, "error") == [] and codes(report, "cannot-judge") == ["QV115"]
    assert report.verdict == "cannot judge" and report.judgement.kind == NATIONAL_AMENDMENT
    # a kind that belongs to another country is an error, with a hint naming the country's own bodies
    ccg = validate_text(SCOTLAND.format(consulted='ccg "NHS Lothian CCG"'))
    (finding,) = [f for f in ccg.findings if f.diagnostic.code == "QV115"]
    assert finding.severity == "error" and "CCG belongs to England, not to Scotland" in finding.diagnostic.message
    assert "changed by scottish-government" in finding.diagnostic.hint


AREA_TEAM_2016 = '''
scheme late-area-team "An area team after area teams ended"
  contract: england 2016/17
  area: ccg "NHS Example CCG"
  approved: nhs-england area-team "Bath, Gloucestershire, Swindon and Wiltshire" on 2016-03-01
  consulted: lmc "Example"
  runs: 2016-04-01 to 2017-03-31
  eligible when: practice opted in

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
'''


def test_a_body_that_no_longer_existed_is_named_as_such_and_decides_nothing():
    report = validate_text(AREA_TEAM_2016)
    (message,) = messages(report, "QV115")
    assert "no nhs-england area-team existed in England after 31 March 2015" in message
    assert report.judgement.kind == NO_AUTHORITY and "did not exist there then" in report.judgement.reason
    (finding,) = [f for f in report.findings if f.diagnostic.code == "QV115"]
    assert finding.diagnostic.hint.endswith("that power was held by nhs-england region")


PARTIAL = '''
scheme partial "A code a partial year does not list"
  contract: england 2016/17
  approved: nhs-england region "North" on 2016-03-01
  consulted: lmc "Example"
  runs: 2016-04-01 to 2017-03-31
  eligible when: practice opted in

  rule "CHD004 in full":
    applies to: indicator CHD004
    reporting: not required
    pay: {pay}

  rule "Everything else as usual":
    applies to: all other indicators
    pay: achievement
'''


def test_a_code_a_partial_year_does_not_list_is_a_warning_and_the_rules_about_it_cannot_judge():
    for pay, rule in (("full points", "QV107"), ("3 points", "QV110")):
        report = validate_text(PARTIAL.format(pay=pay))
        assert report.validated and codes(report, "error") == []
        (qr212,) = [f for f in report.findings if f.diagnostic.code == "QR212"]
        assert qr212.severity == "warning" and "whose list is incomplete" in qr212.diagnostic.message
        assert rule in codes(report, "cannot-judge"), [f.render() for f in report.findings]
        assert "CHD004" in messages(report, rule)[0]
    # in a year whose list is complete, an unknown code is still an error
    complete = validate_text(PARTIAL.format(pay="full points").replace("2016/17", "2023/24")
                             .replace("2016-03-01", "2023-03-01").replace("2016-04-01 to 2017-03-31",
                                                                          "2023-04-01 to 2024-03-31"))
    assert not complete.validated and "QR212" in codes(complete, "error")


NATIONAL = '''
scheme national "A national change"
  contract: england 2021/22
  approved: nhs-england on {approved}
  runs: 2021-12-01 to 2022-03-31
  eligible when: every practice

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
'''


def test_qv114_asks_for_the_instrument_without_inventing_one_and_flags_a_date_after_the_year():
    report = validate_text(NATIONAL.format(approved="2021-12-07"))
    (hint,) = [f.diagnostic.hint for f in report.findings if f.diagnostic.code == "QV114"]
    assert 'instrument: "TITLE OF THE DIRECTIONS OR LETTER" on YYYY-MM-DD' in hint
    late = validate_text(NATIONAL.format(approved="2026-01-01"))
    assert any("after 2021/22 ended on 31 March 2022" in m for m in messages(late, "QV114"))


def test_a_verdict_that_rests_on_supplied_figures_says_so(tmp_path):
    scheme = tmp_path / "fixed.qof"
    scheme.write_text(PARTIAL.format(pay="3 points").replace("indicator CHD004", "indicator CHD002"), encoding="utf-8")
    overrides = tmp_path / "points.yaml"
    overrides.write_text("overrides: england 2016/17\nlabel: 'test figures, not national'\n"
                         "indicators:\n  CHD002: {points: 7}\n", encoding="utf-8")
    runner = CliRunner()
    text = runner.invoke(cli, ["validate", "--contract-overrides", str(overrides), str(scheme)]).output
    assert "judged with figures you supplied, NOT national figures:" in text and "test figures, not national" in text
    (report,) = json.loads(runner.invoke(cli, ["validate", "--format", "json", "--contract-overrides", str(overrides),
                                                str(scheme)]).output)
    assert report["supplied_figures"] and "test figures, not national" in report["supplied_figures"][0]
    plain = json.loads(runner.invoke(cli, ["validate", "--format", "json", str(scheme)]).output)[0]
    assert plain["supplied_figures"] == []


def test_a_rules_source_is_printed_once_per_scheme(tmp_path):
    scheme = tmp_path / "two-years.qof"
    scheme.write_text(PARTIAL.format(pay="average of (achievement in 2014/15, achievement in 2015/16)")
                      .replace("indicator CHD004", "indicator CHD002"), encoding="utf-8")
    text = CliRunner().invoke(cli, ["validate", str(scheme)]).output
    assert text.count("warning[QV108]") == 2
    assert sum(line.startswith("  source: The Somerset 2014 scheme") for line in text.splitlines()) == 1
    assert text.count("  source: as above (QV108)") == 1


def test_a_rules_source_is_printed_once_per_run_however_many_schemes(tmp_path):
    """validate schemes/ printed the same source paragraph again for every scheme with a finding
    of that rule; it is printed once, and later findings point back to it."""
    for name in ("a.qof", "b.qof", "c.qof"):
        (tmp_path / name).write_text((ROOT / "schemes" / "2014-lincolnshire-llr.qof").read_text(encoding="utf-8"),
                                     encoding="utf-8")
    text = CliRunner().invoke(cli, ["validate", str(tmp_path)]).output
    assert text.count("warning[QV103]") == 3
    assert sum(line.startswith("  source: Pulse, 'QOF opt-out for Leeds GPs") for line in text.splitlines()) == 1
    assert text.count("  source: as above (QV103)") == 2


HYP002_IN_FULL = '''scheme hyp002 "HYP002 paid in full"
  contract: england 2013/14
  area: lmc "Lincolnshire"
  approved: nhs-england area-team "Leicestershire and Lincolnshire" on 2014-01-20
  consulted: lmc "Lincolnshire"
  runs: 2014-02-01 to 2014-03-31
  eligible when: practice opted in

  rule "HYP002 in full":
    applies to: indicator HYP002
    reporting: not required
    pay: full points

  rule "Everything else as usual":
    applies to: all other indicators
    pay: achievement
'''


def test_overrides_can_say_an_indicator_does_not_retire_so_a_breach_can_be_judged(tmp_path):
    scheme = tmp_path / "hyp002.qof"
    scheme.write_text(HYP002_IN_FULL, encoding="utf-8")
    runner = CliRunner()

    def verdict(retires):
        args = ["validate", "--format", "json", str(scheme)]
        if retires is not None:
            overrides = tmp_path / f"retires-{retires}.yaml"
            overrides.write_text(f"overrides: england 2013/14\nlabel: 'a reviewer reading, not national'\n"
                                 f"indicators:\n  HYP002: {{retires: '{retires}'}}\n", encoding="utf-8")
            args[1:1] = ["--contract-overrides", str(overrides)]
        result = runner.invoke(cli, args)
        (report,) = json.loads(result.output)
        return result.exit_code, report["verdict"], [f["severity"] for f in report["findings"] if f["code"] == "QV107"]

    assert verdict(None) == (3, "cannot judge", ["cannot-judge"])
    assert verdict("none") == (1, "rejected", ["error"])
    assert verdict("2014-04-01")[1:] == ("accepted", [])
