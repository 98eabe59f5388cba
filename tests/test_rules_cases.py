"""Each rule beyond its documented examples: the edges a reviewer relies on."""
from __future__ import annotations

from qofrules.rules.authorities import from_data, load
from qofrules.rules.base import months_into_year
from validate_helpers import clean, codes, messages, validate_text

import datetime as dt

ICB = '''
scheme icb "Local alternative"
  contract: england 2023/24
  approved: {approved}
  consulted: {consulted}
  runs: {runs}
  eligible when: {eligible}

  rule "Everything as usual":
    applies to: all indicators
    pay: {pay}
'''


#: NHS England acting through a region: a local variation agreed by the national commissioner, which
#: the local-scheme rules bind (NHS England acting nationally for every practice makes a national
#: amendment instead; see test_national_amendments.py).
REGION = 'nhs-england region "North East and Yorkshire" on 2023-02-01'


def icb(approved='icb "NHS Example ICB" on 2023-02-01', consulted='lmc "Example"', runs="2023-04-01 to 2024-03-31",
        eligible="practice opted in", pay="achievement"):
    return ICB.format(approved=approved, consulted=consulted, runs=runs, eligible=eligible, pay=pay)


# QV101
def test_qv101_missing_running_period_is_a_warning_taking_the_whole_year():
    report = validate_text(clean().replace("  runs: 2014-02-01 to 2014-03-31\n", ""))
    assert sorted(codes(report)) == ["QV101", "QV103"] and codes(report, "error") == []
    assert "1 April 2013 to 31 March 2014" in messages(report, "QV101")[0]
    assert "the running period is not recorded" in messages(report, "QV103")[0]


def test_qv101_straddling_two_years_is_an_error():
    report = validate_text(clean().replace("runs: 2014-02-01 to 2014-03-31", "runs: 2014-02-01 to 2014-04-30"))
    assert codes(report, "error") == ["QV101"] and "(2013/14, 2014/15)" in messages(report, "QV101")[0]


# QV102
def test_qv102_approval_by_none_or_nobody():
    assert "QV102" in codes(validate_text(clean().replace(
        'approved: nhs-england area-team "Leicestershire and Lincolnshire" on 2014-01-20', "approved: none"), ), "error")
    assert codes(validate_text(clean().replace(
        '  approved: nhs-england area-team "Leicestershire and Lincolnshire" on 2014-01-20\n', "")), "error") == ["QV102"]


def test_qv102_ccg_powers_follow_the_dates_in_the_data():
    before = validate_text(icb(approved='ccg "NHS A CCG" on 2014-03-01').replace("2023/24", "2013/14")
                           .replace("2023-04-01 to 2024-03-31", "2014-04-01 to 2015-03-31"))
    assert "from 2015-04-01 until 2022-06-30" in messages(before, "QV102")[0]
    unborn = validate_text(icb(approved='ccg "NHS A CCG" on 2013-03-01').replace("2023/24", "2013/14")
                           .replace("2023-04-01 to 2024-03-31", "2013-04-01 to 2014-03-31"))
    assert "no CCG existed in England before 1 April 2013" in messages(unborn, "QV115")[0]
    assert "QV102" not in codes(unborn), "one finding for a body that did not exist, not two"
    after = validate_text(icb(approved='ccg "NHS A CCG" on 2023-02-01'))
    assert "no CCG existed in England after 30 June 2022" in messages(after, "QV115")[0]
    during = validate_text(icb(approved='ccg "NHS A CCG" on 2016-03-01').replace("2023/24", "2016/17")
                           .replace("2023-04-01 to 2024-03-31", "2016-04-01 to 2017-03-31"))
    assert codes(during, "error") == [] and "delegated commissioning" in messages(during, "QV102")[0]


def test_qv115_icb_before_july_2022_did_not_exist():
    report = validate_text(icb(approved='icb "NHS Example ICB" on 2022-06-30'))
    assert codes(report, "error") == ["QV115"]
    (finding,) = [f for f in report.findings if f.diagnostic.code == "QV115"]
    assert "no ICB existed in England before 1 July 2022" in finding.diagnostic.message
    assert "SI 2022/634" in finding.diagnostic.message and finding.diagnostic.span.line == 3
    assert finding.diagnostic.hint.endswith("on 30 June 2022 that power was held by ccg")


def test_qv102_kinds_that_never_approve():
    for body in ('pcn "Example PCN"', 'practice "C82001"'):
        assert "QV102" in codes(validate_text(icb(approved=f"{body} on 2023-02-01")), "error"), body
    report = validate_text(icb(approved="scottish-government on 2023-02-01"))
    assert "scottish-government belongs to Scotland, not to England" in messages(report, "QV115")[0]


def test_qv102_a_kind_missing_from_the_authorities_is_a_finding_not_a_pass():
    data = {"sources": {}, "powers": [], "consult_only": {}, "no_power": {}}
    report = validate_text(clean(), authorities=from_data(data))
    assert "qofrules has no record of the powers of a 'nhs-england'" in messages(report, "QV102")[0]


def test_qv102_unnamed_approver_is_a_warning():
    report = validate_text(clean().replace(' area-team "Leicestershire and Lincolnshire"', " area-team"))
    assert codes(report) == ["QV102"] and codes(report, "warning") == ["QV102"]


# QV103
def test_qv103_same_day_approval_passes():
    assert "QV103" not in codes(validate_text(clean().replace("on 2014-01-20", "on 2014-02-01")))


# QV104 and QV105: national approval lifts both
def test_qv104_qv105_do_not_bind_nhs_england():
    report = validate_text(icb(approved='nhs-england region "North" on 2023-05-01', eligible="every practice",
                               runs="2023-06-01 to 2024-03-31"))
    assert not {"QV104", "QV105"} & set(codes(report))


def test_qv104_opt_in_must_hold_for_every_eligible_practice():
    assert "QV104" not in codes(validate_text(icb(eligible='practice opted in and practice in pilot "P"')))
    assert "QV104" in codes(validate_text(icb(eligible='practice opted in or practice in pilot "P"')))
    assert "QV104" in codes(validate_text(icb(eligible="not practice opted in")))


def test_qv105_counts_the_months_into_the_year():
    assert months_into_year(dt.date(2017, 2, 1)) == 10 and months_into_year(dt.date(2016, 4, 1)) == 0
    report = validate_text(icb(runs="2023-07-01 to 2024-03-31"))
    assert "three months into 2023/24" in messages(report, "QV105")[0]


# QV106
def test_qv106_bases_that_can_pay_less():
    for basis, less in (("lower of (achievement, full points)", False), ("lower of (achievement, achievement in 2021/22)", True), ("average of (achievement, full points)", False),
                        ("90% of achievement", True), ("higher of (no points, achievement)", False),
                        ("no points", True), ("3 points", True)):
        report = validate_text(icb(approved=REGION, eligible="every practice", pay=basis))
        assert ("QV106" in codes(report)) is less, basis


# QV107
def test_qv107_retiring_date_must_be_the_next_first_of_april():
    report = validate_text(clean().replace("indicators retiring 2014-04-01", "indicators retiring 2014-04-01 and "
                                           "indicator HYP002"))
    assert codes(report, "cannot-judge") == ["QV107"], "2013/14 is incomplete: HYP002's retirement cannot be confirmed"


# QV108
def test_qv108_with_data_years():
    somerset = icb(approved=REGION, pay="higher of (achievement in 2021/22, achievement)")
    assert codes(validate_text(somerset, data_years=("2021/22",))) == ["QV109"]
    missing = validate_text(somerset, data_years=("2022/23",))
    assert "holds achievement for 2022/23 only" in messages(missing, "QV108")[0]


# QV109
def test_qv109_stood_down_indicators_may_be_paid_otherwise():
    text = icb(approved=REGION, pay="full points")
    assert "QV109" in codes(validate_text(text))
    stood_down = text.replace("    pay: full points", "    reporting: not required\n    pay: full points")
    assert "QV109" not in codes(validate_text(stood_down))


# QV110
def test_qv110_percent_over_100():
    text = icb(approved=REGION, pay="120% of achievement")
    assert "more than an indicator's maximum" in messages(validate_text(text), "QV110")[0]


# QV111
def test_qv111_consultation_not_recorded_is_a_warning():
    report = validate_text(icb().replace('  consulted: lmc "Example"\n', ""))
    assert codes(report) == ["QV111"] and "does not record whether the LMC was consulted" in messages(report, "QV111")[0]


def test_shipped_authorities_load():
    assert load().power  # the shipped file parses
