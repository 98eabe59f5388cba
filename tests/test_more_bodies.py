"""More kinds of body: PCTs (until 31 March 2013), health boards (Wales, Scotland), the HSCB
(Northern Ireland, until 31 March 2022), the GPC and the BMA (negotiators and consultees), STPs
(no commissioning power). Each is judged by the one authority model (authorities.yaml, the
judgement, QV102 and QV115): a body that did not exist on the date, or whose power is unknown or
none for what the scheme does, is a finding with its source; a misspelt kind gets a suggestion."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import ROOT
from qofrules import api
from qofrules import bodies as vocabulary
from qofrules.cli import cli
from qofrules.rules.authorities import load
from qofrules.rules.judgement import LOCAL_BODY, NATIONAL_AMENDMENT, NO_AUTHORITY
from qofrules.source import Source
from validate_helpers import codes, messages, validate_text


def scheme(approved: str, contract="england 2013/14", runs="2013-04-01 to 2014-03-31", consulted='lmc "Example"',
           eligible="practice opted in", instrument="") -> str:
    lines = [f'scheme s "A scheme"', f"  contract: {contract}", f"  approved: {approved}"]
    if instrument:
        lines.append(f"  instrument: {instrument}")
    lines += [f"  consulted: {consulted}", f"  runs: {runs}", f"  eligible when: {eligible}", "",
              '  rule "Everything as usual":', "    applies to: all indicators", "    pay: achievement", ""]
    return "\n".join(lines)


def _body_error(kind: str):
    text = scheme(f'{kind} "Somewhere" on 2013-03-01')
    (problem,) = [d for d in api.check_source(Source("case.qof", text)).diagnostics if d.code == "QR215"]
    return problem


# ------------------------------------------------------------------ the vocabulary

@pytest.mark.parametrize("written,meant", [
    ("primary-care-trust", "pct"), ("lhb", "health-board"), ("local-health-board", "health-board"),
    ("nhs-board", "health-board"), ("health-and-social-care-board", "hscb"), ("gpc-england", "gpc"),
    ("british-medical-association", "bma"), ("sustainability-and-transformation-partnership", "stp"),
    ("clinical-commissioning-group", "ccg"), ("integrated-care-board", "icb"),
])
def test_a_kind_written_out_in_full_or_by_another_name_is_told_the_kind_to_write(written, meant):
    problem = _body_error(written)
    assert problem.message == f"unknown kind of body '{written}'"
    assert problem.hint.startswith(f"write '{meant}'")


@pytest.mark.parametrize("written,meant", [("PCT", "pct"), ("helth-board", "health-board"), ("hcsb", "hscb"),
                                           ("gcp", "gpc"), ("stps", "stp")])
def test_a_misspelt_kind_gets_did_you_mean(written, meant):
    assert f"'{meant}'" in _body_error(written).hint


def test_every_kind_has_a_description_and_the_new_ones_are_there():
    kinds = vocabulary.kinds()
    assert {"pct", "health-board", "hscb", "gpc", "bma", "stp"} <= set(kinds)
    assert all(spec.get("description") for spec in kinds.values())
    assert set(vocabulary.aliases().values()) <= set(kinds)
    assert not set(vocabulary.aliases()) & set(kinds), "an alias must not shadow a kind"


def test_every_new_fact_has_a_source_and_a_status():
    auth = load()
    for kind in ("pct", "health-board", "hscb", "gpc", "bma", "stp"):
        rows = [e for e in auth.existence if e.kind == kind]
        assert rows, kind
        for row in rows:
            assert row.source and row.status in {"checked", "unchecked", "unsourced"}, kind
            if row.status == "unsourced":
                assert row.note, kind
    assert {"gpc", "bma"} <= set(auth.consult_only) and "stp" in auth.no_power
    assert "health-board" in auth.unknown_power


# ------------------------------------------------------------------ PCTs

def test_a_pct_could_run_a_local_scheme_before_april_2013():
    text = scheme('pct "Hammersmith and Fulham" in 2008', contract="england 2008/09",
                  runs="2008-04-01 to 2009-03-31")
    report = validate_text(text)
    assert report.judgement.kind == LOCAL_BODY
    assert "QV115" not in codes(report) and "QV102" not in codes(report, "error")
    assert report.verdict == "accepted with warnings"  # england 2008/09 ships, its indicator list unknown


def test_a_pct_named_after_31_march_2013_did_not_exist():
    report = validate_text(scheme('pct "Somerset" on 2013-06-01', runs="2013-07-01 to 2014-03-31"))
    (finding,) = [f for f in report.findings if f.diagnostic.code == "QV115"]
    assert finding.severity == "error"
    assert "no PCT existed in England after 31 March 2013" in finding.diagnostic.message
    assert report.judgement.kind == NO_AUTHORITY


def test_a_pct_had_no_power_over_qof_before_qof_began():
    report = validate_text(scheme('pct "Somerset" on 2003-06-01', contract="england 2003/04",
                                  runs="2003-07-01 to 2004-03-31"))
    assert "had no power to approve a variation of England's QOF on 1 June 2003: it has local power from " \
           "2004-04-01 until 2013-03-31" in messages(report, "QV102")[0]


def test_no_pct_existed_before_april_2000():
    report = validate_text(scheme('pct "Somerset" in 1999', contract="england 1999/00", runs="1999-04-01 to 2000-03-31"))
    assert "no PCT existed in England before April 2000" in messages(report, "QV115")[0]
    # in April 2000 itself: the first PCTs began that month, on a day the sources read do not give
    depends = validate_text(scheme('pct "Somerset" on 2000-04-10', contract="england 2000/01",
                                   runs="2000-05-01 to 2001-03-31"))
    (finding,) = [f for f in depends.findings if f.diagnostic.code == "QV115"]
    assert finding.severity == "cannot-judge" and "depends on the day" in finding.diagnostic.message


# ------------------------------------------------------------------ health boards

def test_a_welsh_health_board_existed_and_its_power_over_qof_cannot_be_judged():
    report = validate_text(scheme('health-board "Aneurin Bevan University Health Board" on 2016-03-01',
                                  contract="wales 2016/17", runs="2016-04-01 to 2017-03-31",
                                  consulted='lmc "Gwent"'))
    assert "QV115" not in codes(report)
    (finding,) = [f for f in report.findings if f.diagnostic.code == "QV102"]
    assert finding.severity == "cannot-judge" and "is not known" in finding.diagnostic.message
    assert report.verdict == "cannot judge"


def test_welsh_local_health_boards_began_on_1_april_2003():
    report = validate_text(scheme('health-board "Gwent" on 2002-06-01', contract="wales 2002/03",
                                  runs="2002-07-01 to 2003-03-31", consulted='lmc "Gwent"'))
    assert "no health-board existed in Wales before 1 April 2003" in messages(report, "QV115")[0]


def test_a_scottish_health_board_is_known_to_exist_and_its_power_is_not():
    report = validate_text(scheme('health-board "NHS Lothian" on 2015-03-01', contract="scotland 2015/16",
                                  runs="2015-04-01 to 2016-03-31", consulted="none"))
    assert not [f for f in report.findings if f.diagnostic.code == "QV115"]
    assert "QV102" in codes(report, "cannot-judge")


def test_a_health_board_in_england_belongs_to_another_country():
    report = validate_text(scheme('health-board "NHS Lothian" on 2013-03-01'))
    assert "health-board belongs to Scotland and Wales, not to England" in messages(report, "QV115")[0]


# ------------------------------------------------------------------ the HSCB

def test_the_hscb_suspending_qof_in_northern_ireland_is_a_national_change():
    text = scheme("hscb on 2017-02-10", contract="northern-ireland 2016/17", runs="2017-02-10 to 2017-03-31",
                  eligible="every practice", consulted="none")
    report = validate_text(text)
    assert report.judgement.kind == NATIONAL_AMENDMENT
    assert codes(report, "error") == []


def test_the_hscb_closed_on_31_march_2022():
    text = scheme("hscb on 2022-06-01", contract="northern-ireland 2016/17", runs="2017-02-10 to 2017-03-31",
                  eligible="every practice", consulted="none")
    report = validate_text(text)
    (finding,) = [f for f in report.findings if f.diagnostic.code == "QV115"]
    assert "no HSCB existed in Northern Ireland after 31 March 2022" in finding.diagnostic.message
    assert "department-of-health-ni" in finding.diagnostic.hint


def test_the_hscb_began_in_april_2009_a_day_the_sources_do_not_give():
    auth = load()
    (row,) = [e for e in auth.existence if e.kind == "hscb"]
    assert row.start.precision == "month" and row.start.text == "April 2009"
    text = scheme("hscb in 2009", contract="northern-ireland 2016/17", runs="2017-02-10 to 2017-03-31",
                  eligible="every practice", consulted="none")
    (finding,) = [f for f in validate_text(text).findings if f.diagnostic.code == "QV115"]
    assert finding.severity == "warning" and "only from April 2009 until 31 March 2022" in finding.diagnostic.message


# ------------------------------------------------------------------ GPC and BMA

@pytest.mark.parametrize("body", ['gpc "GPC England"', 'bma "BMA"'])
def test_the_gpc_or_bma_approving_alone_is_an_error(body):
    report = validate_text(scheme(f"{body} on 2013-03-01"))
    (finding,) = [f for f in report.findings if f.diagnostic.code == "QV102"]
    assert finding.severity == "error" and "cannot approve a scheme" in finding.diagnostic.message
    assert "record it under 'consulted:'" in finding.diagnostic.hint
    assert report.verdict == "rejected"


def test_the_gpc_beside_nhs_england_is_a_warning_to_record_it_as_consulted():
    text = scheme('nhs-england, gpc "GPC England" on 2023-03-06', contract="england 2023/24",
                  runs="2023-04-01 to 2024-03-31", eligible="every practice", consulted="none",
                  instrument='"The GMS SFE Directions 2023" on 2023-03-31')
    report = validate_text(text)
    (finding,) = [f for f in report.findings if f.diagnostic.code == "QV102"]
    assert finding.severity == "warning"
    assert finding.diagnostic.message.startswith("GPC England is recorded as approving beside NHS England")
    assert '(consulted: gpc "GPC England")' in finding.diagnostic.hint, "the hint still says what to write"
    assert report.judgement.kind == NATIONAL_AMENDMENT and report.verdict == "accepted with warnings"
    consulted = validate_text(text.replace('nhs-england, gpc "GPC England" on', "nhs-england on")
                              .replace("consulted: none", 'consulted: gpc "GPC England"'))
    assert consulted.findings == ()


@pytest.mark.parametrize("contract,name", [("wales 2016/17", "GPC Wales"), ("scotland 2016/17", "Scottish GP Committee"),
                                           ("northern-ireland 2016/17", "NIGPC"), ("england 2016/17", "GPC England")])
def test_the_gpc_exists_in_every_country_as_a_consultee(contract, name):
    text = scheme(f"{contract.split()[0].replace('england', 'nhs-england')} on 2016-03-01", contract=contract,
                  runs="2016-04-01 to 2017-03-31", consulted=f'gpc "{name}"', eligible="every practice")
    text = text.replace("approved: wales", "approved: welsh-government").replace(
        "approved: scotland", "approved: scottish-government").replace(
        "approved: northern-ireland", "approved: department-of-health-ni")
    report = validate_text(text)
    assert not [f for f in report.findings if f.diagnostic.code == "QV115"], [f.render() for f in report.findings]


# ------------------------------------------------------------------ STPs

def test_an_stp_has_no_power_to_approve():
    report = validate_text(scheme('stp "Somerset STP" on 2017-03-01', contract="england 2017/18",
                                  runs="2017-04-01 to 2018-03-31"))
    (finding,) = [f for f in report.findings if f.diagnostic.code == "QV102"]
    assert finding.severity == "error" and "has no power to approve a variation of QOF" in finding.diagnostic.message
    assert "without statutory powers" in finding.diagnostic.message


def test_no_stp_existed_before_the_planning_guidance_of_december_2015():
    report = validate_text(scheme('stp "Somerset STP" on 2015-03-01', contract="england 2015/16",
                                  runs="2015-04-01 to 2016-03-31"))
    assert "no STP existed in England before 22 December 2015" in messages(report, "QV115")[0]


# ------------------------------------------------------------------ as a user sees it

def test_validate_prints_the_source_of_a_body_that_had_gone(monkeypatch, tmp_path):
    path = tmp_path / "pct-late.qof"
    path.write_text(scheme('pct "Somerset" on 2013-06-01', runs="2013-07-01 to 2014-03-31"), encoding="utf-8")
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "error[QV115] Somerset PCT is named for 1 June 2013, but no PCT existed in England after " \
           "31 March 2013" in result.output
    assert "replace the 152 primary care trusts" in result.output


def test_an_stp_named_while_the_footprints_were_forming_cannot_be_judged():
    text = scheme('nhs-england region "South" on 2016-01-10', contract="england 2015/16",
                  runs="2016-02-01 to 2016-03-31", consulted='stp "Somerset" on 2016-01-10')
    (finding,) = [f for f in validate_text(text).findings if f.diagnostic.code == "QV115"]
    assert finding.severity == "cannot-judge"
    assert ("STP existed in England only from a day between 22 December 2015 and 15 March 2016, so whether it "
            "existed on 10 January 2016 depends on the day") in finding.diagnostic.message
    later = validate_text(text.replace('stp "Somerset" on 2016-01-10', 'stp "Somerset" on 2016-03-15'))
    assert "QV115" not in codes(later)
