"""Dates as the sources give them: "June 2014" with no day, "2014" with no month.

A date may be given to the month or the year where that keeps the meaning defined (approval,
consultation, an instrument, a waiver's grant, a running period that decides no payment), and is a
located error where the missing day would decide something (an opt-in deadline, a retirement
date, a waiver's end, the months a scheme pays for). Every rule that compares dates answers when
the answer is the same for every day the date could be, and otherwise says that it depends on the
missing day: never a silent guess."""
from __future__ import annotations

import datetime as dt

import pytest

from conftest import ROOT
from qofrules import api
from qofrules.dates import DAY, MONTH, YEAR, When, in_window, is_before, is_on_or_before, parse_when
from qofrules.differ import diff_schemes
from qofrules.rules.authorities import UNSURE, from_data, load
from qofrules.rules.judgement import LOCAL_BODY, NATIONAL_AMENDMENT, NO_AUTHORITY
from qofrules.source import Source
from validate_helpers import codes, messages, validate_text


def _check(text: str):
    return api.check_source(Source("case.qof", text))


def _codes(text: str) -> list[str]:
    return [d.code for d in _check(text).diagnostics]


AREA_TEAM = '''scheme spqs "A local variation agreed by an area team"
  contract: england 2014/15
  approved: nhs-england area-team "Somerset" {approved}
  consulted: lmc "Somerset"
  runs: {runs}
  eligible when: practice opted in

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
'''


def area_team(approved="on 2014-03-01", runs="2014-04-01 to 2015-03-31") -> str:
    return AREA_TEAM.format(approved=approved, runs=runs)


def ccg(approved: str, runs="2016-04-01 to 2017-03-31", year="2016/17") -> str:
    return f'''scheme ccg "A CCG's local alternative"
  contract: england {year}
  approved: ccg "NHS Example CCG" {approved}
  consulted: lmc "Example"
  runs: {runs}
  eligible when: practice opted in

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
'''


# ------------------------------------------------------------------ the meaning of a date

def test_a_date_is_every_day_it_could_be():
    assert parse_when("2014-06-17") == When(earliest=dt.date(2014, 6, 17), latest=dt.date(2014, 6, 17), precision=DAY)
    assert parse_when("2014-06") == When(earliest=dt.date(2014, 6, 1), latest=dt.date(2014, 6, 30), precision=MONTH)
    assert parse_when("2016-02").latest == dt.date(2016, 2, 29)
    assert parse_when("2014") == When(earliest=dt.date(2014, 1, 1), latest=dt.date(2014, 12, 31), precision=YEAR)
    for bad in ("2014-13", "2014-02-30", "0000", "14-06", "2014-6", "June 2014"):
        with pytest.raises(ValueError):
            parse_when(bad)


def test_comparisons_have_three_answers():
    june, july_1 = parse_when("2014-06"), parse_when("2014-07-01")
    assert is_before(june, july_1) is True and is_before(july_1, june) is False
    assert is_on_or_before(june, parse_when("2014-06-01")) is None  # the 1st, or later in June
    assert is_on_or_before(parse_when("2014-05-31"), june) is True
    assert in_window(june, parse_when("2013-04-01"), parse_when("2015-03-31")) is True
    assert in_window(june, parse_when("2014-06-10"), None) is None
    assert in_window(parse_when("2014-05"), parse_when("2014-06-10"), None) is False
    # a window whose own start is known only to the month
    assert in_window(parse_when("2014-06-05"), parse_when("2014-06"), None) is None
    assert in_window(parse_when("2014-07-01"), parse_when("2014-06"), None) is True


def test_the_ast_keeps_the_precision_and_the_days():
    scheme = api.parse(area_team(approved="in 2014-06"))
    date = scheme.approved.date
    assert (date.text, date.precision, date.value) == ("2014-06", MONTH, None)
    assert date.when == parse_when("2014-06")
    year = api.parse(area_team(approved="in 2014")).approved.date
    assert (year.precision, year.when.earliest, year.when.latest) == (YEAR, dt.date(2014, 1, 1), dt.date(2014, 12, 31))
    day = api.parse(area_team()).approved.date
    assert (day.precision, day.value, day.when) == (DAY, dt.date(2014, 3, 1), When.day(dt.date(2014, 3, 1)))


@pytest.mark.parametrize("line", [
    'approved: nhs-england area-team "Somerset" in 2014-06',
    'approved: nhs-england area-team "Somerset" in 2014',
    'consulted: lmc "Somerset" in 2014-05',
    'instrument: "Directions" in 2014-03',
    "runs: 2014-06 to 2015-03-31",
    "runs: 2014 to 2015-03",
    'waiver: QV103 granted by nhs-england in 2014-06 until 2015-03-31 because "late"',
])
def test_fmt_prints_it_as_written_and_it_parses_back_the_same(line):
    text = f'scheme x "X"\n  contract: england 2014/15\n  {line}\n\n  rule "All":\n    applies to: all indicators\n' \
           "    pay: achievement\n"
    formatted = api.format_text(text)
    assert f"  {line}\n" in formatted
    assert api.format_text(formatted) == formatted
    assert api.parse(formatted) == api.parse(text)


def test_numbers_years_and_days_elsewhere_read_as_before():
    text = '''scheme x "Numbers stay numbers"
  contract: england 2013/14
  eligible when: practice attribute list_size >= 2014 and practice attribute opened < 2010-01-01 and practice opted in by 2014-02-01
  rule "Fixed":
    applies to: indicators retiring 2014-04-01
    pay: 2014 points
  rule "Rest":
    applies to: all other indicators
    pay: higher of (achievement in 2012/13, achievement)
'''
    scheme = api.parse(text)
    test = scheme.eligibility.items[0]
    assert str(test.value) == "2014" and scheme.eligibility.items[1].value == dt.date(2010, 1, 1)
    assert str(scheme.rules[0].pay.basis.points) == "2014"
    assert scheme.rules[1].pay.basis.items[0].year.text == "2012/13"


# ------------------------------------------------------------------ where a date must be a day

@pytest.mark.parametrize("line,code,where", [
    ('approved: nhs-england area-team "Somerset" on 2014-06', "QR103", "'on' takes a day, but 2014-06 is a month"),
    ('approved: nhs-england area-team "Somerset" on 2014', "QR103", "'on' takes a day, but 2014 is a year"),
    ('consulted: lmc "Somerset" in 2014-06-17', "QR103", "'in' takes a month or a year, but 2014-06-17 is a day"),
    ('eligible when: practice opted in by 2014-06', "QR104", "'practice opted in by' needs a day, not a month"),
    ('waiver: QV103 granted by nhs-england on 2014-06-01 until 2015-03 because "late"', "QR104",
     "a waiver's 'until' needs a day, not a month"),
    ("runs: 2014-06 to 2015-13", "QR101", "2015-13 is not a real date"),
    ('approved: nhs-england area-team "Somerset" in 0000', "QR101", "0000 is not a real date"),
])
def test_a_date_of_the_wrong_precision_is_a_located_error_with_a_hint(line, code, where):
    text = f'scheme x "X"\n  contract: england 2014/15\n  {line}\n\n  rule "All":\n    applies to: all indicators\n' \
           "    pay: achievement\n"
    report = _check(text)
    (problem,) = [d for d in report.diagnostics if d.code == code]
    assert problem.severity == "error" and problem.message.startswith(where)
    assert problem.span.line == 3 and problem.hint


def test_a_retirement_date_must_be_a_day():
    text = '''scheme x "X"
  contract: england 2013/14
  rule "Retiring":
    applies to: indicators retiring 2014-04
    pay: full points
  rule "Rest":
    applies to: all other indicators
    pay: achievement
'''
    (problem,) = [d for d in _check(text).diagnostics if d.code == "QR104"]
    assert "'indicators retiring' needs a day" in problem.message and "2014-04-01" in problem.hint


def test_months_run_needs_the_days_and_whole_year_does_not():
    months = area_team(runs="2014-06 to 2015-03-31").replace("  eligible when:", "  pays for: months run\n  eligible when:")
    (problem,) = [d for d in _check(months).diagnostics if d.code == "QR250"]
    assert problem.severity == "error" and "2014-06 is a month, not a day" in problem.message
    assert (problem.span.line, problem.span.column) == (5, 9) and "pays for: whole year" in problem.hint
    assert _codes(area_team(runs="2014-06 to 2015-03-31")) == []


def test_a_running_period_that_may_end_before_it_starts_is_a_warning_and_one_that_does_is_an_error():
    (maybe,) = _check(area_team(runs="2014-06 to 2014-06-20")).diagnostics
    assert (maybe.code, maybe.severity) == ("QR251", "warning")
    assert "starts in June 2014 and ends on 20 June 2014" in maybe.message
    assert _codes(area_team(runs="2014-07 to 2014-06-20")) == ["QR231"]
    assert _codes(area_team(runs="2014-06 to 2014-07")) == []


# ------------------------------------------------------------------ the validator: three answers

def test_qv103_approval_before_the_start_answered_when_every_day_agrees():
    before = validate_text(area_team(approved="in 2014-03", runs="2014-04-01 to 2015-03-31"))
    assert "QV103" not in codes(before)
    late = validate_text(area_team(approved="in 2014-06", runs="2014-04-01 to 2015-03-31"))
    assert codes(late, "error") == ["QV103"]
    assert "approved in June 2014, at least 61 day(s) after it started on 1 April 2014" in messages(late, "QV103")[0]


def test_qv103_says_it_depends_on_the_day_instead_of_guessing():
    report = validate_text(area_team(approved="in 2014-06", runs="2014-06-01 to 2015-03-31"))
    (finding,) = [f for f in report.findings if f.diagnostic.code == "QV103"]
    assert finding.severity == "warning"
    assert "depends on the day, which the scheme does not record" in finding.diagnostic.message
    assert finding.diagnostic.hint == "record the day, if a source gives it: approved: ... on YYYY-MM-DD"
    # never a better verdict than giving no date at all
    undated = validate_text(area_team(approved="", runs="2014-06-01 to 2015-03-31"))
    assert undated.verdict == report.verdict == "accepted with warnings"


def test_qv103_with_a_start_known_only_to_the_month():
    report = validate_text(area_team(approved="on 2014-06-10", runs="2014-06 to 2015-03-31"))
    (finding,) = [f for f in report.findings if f.diagnostic.code == "QV103"]
    assert finding.severity == "warning" and "started in June 2014" in finding.diagnostic.message
    assert finding.diagnostic.hint.endswith("runs: YYYY-MM-DD to ...")


def test_qv105_a_local_body_from_the_year_start():
    assert "QV105" not in codes(validate_text(ccg("on 2016-03-01")))
    depends = validate_text(ccg("on 2016-03-01", runs="2016-04 to 2017-03-31"))
    (finding,) = [f for f in depends.findings if f.diagnostic.code == "QV105"]
    assert finding.severity == "warning" and "whether that is 1 April 2016 or later" in finding.diagnostic.message
    late = validate_text(ccg("on 2016-12-01", runs="2017-02 to 2017-03-31"))
    assert codes(late, "error") == ["QV105"]
    assert "starts in February 2017, ten months into 2016/17" in messages(late, "QV105")[0]


def test_qv101_within_the_contract_year():
    assert "QV101" not in codes(validate_text(area_team(runs="2014-06 to 2015-03")))
    depends = validate_text(area_team(runs="2014 to 2015-03-31"))
    (finding,) = [f for f in depends.findings if f.diagnostic.code == "QV101"]
    assert finding.severity == "warning" and "2013/14, 2014/15" in finding.diagnostic.message
    outside = validate_text(area_team(runs="2015-06 to 2016-03-31"))
    assert "QV101" in codes(outside, "error") and "qofrules ships" not in messages(outside, "QV101")[0]
    across = validate_text(area_team(runs="2014-06 to 2015-05"))
    assert "across 2 financial years (2014/15, 2015/16)" in messages(across, "QV101")[0]


def test_qv108_an_earlier_year_complete_before_the_start():
    text = area_team(runs="2014-04 to 2015-03-31").replace("pay: achievement", "pay: achievement in 2013/14")
    assert "QV108" not in codes(validate_text(text, data_years=("2013/14",)), "error")


def test_powers_over_a_month_or_a_year():
    auth = load()
    from qofrules.ast import Body, Name
    nhse = Body(kind=Name(text="nhs-england"))
    assert auth.power(nhse, "england", parse_when("2013-06")) == "national"
    assert auth.power(nhse, "england", parse_when("2013")) == UNSURE  # from 1 April 2013
    ccg_body = Body(kind=Name(text="ccg"))
    assert auth.power(ccg_body, "england", parse_when("2015")) == UNSURE
    assert auth.power(ccg_body, "england", parse_when("2016")) == "local"
    assert auth.power(ccg_body, "england", parse_when("2012-06")) is None


def test_an_approver_whose_power_depends_on_the_day_is_a_warning_and_decides_nothing():
    text = '''scheme x "NHS England, some day in 2013"
  contract: england 2013/14
  approved: nhs-england in 2013
  instrument: "Directions" in 2013
  runs: 2013-04-01 to 2014-03-31
  eligible when: every practice

  rule "As usual":
    applies to: all indicators
    pay: achievement
'''
    report = validate_text(text)
    (finding,) = report.findings  # one finding for one missing day: QV102 leaves it to QV115
    assert (finding.diagnostic.code, finding.severity) == ("QV115", "warning")
    assert ("nhs-england existed in England only from 1 April 2013, so whether it existed in 2013 depends on the "
            "day") in finding.diagnostic.message
    assert "QV112" not in codes(report), "QV112 would guess that it had no national power"
    assert report.judgement.kind == NATIONAL_AMENDMENT and report.judgement.claimed  # by its instrument
    known = validate_text(text.replace("in 2013\n  instrument", "in 2013-06\n  instrument"))
    assert known.findings == ()


def test_the_judgement_says_when_a_power_depends_on_the_day():
    text = area_team(approved="in 2013", runs="2013-04-01 to 2014-03-31").replace("2014/15", "2013/14")
    report = validate_text(text)
    assert report.judgement.kind == NO_AUTHORITY
    assert "depends on the day: QV102" in report.judgement.reason
    local = validate_text(ccg("in 2015", runs="2015-04-01 to 2016-03-31", year="2015/16"))
    assert local.judgement.kind == LOCAL_BODY
    (qv102,) = [f for f in local.findings if f.diagnostic.code == "QV102"]
    assert qv102.severity == "warning" and "local power from 2015-04-01 until 2022-06-30" in qv102.diagnostic.message


def test_qv115_a_body_that_existed_on_some_of_the_days():
    depends = validate_text(ccg("in 2022", runs="2022-04-01 to 2023-03-31", year="2022/23"))
    (finding,) = [f for f in depends.findings if f.diagnostic.code == "QV115"]
    assert finding.severity == "warning"
    assert ("CCG existed in England only from 1 April 2013 until 30 June 2022, so whether it existed in 2022 "
            "depends on the day") in finding.diagnostic.message
    assert "QV115" not in codes(validate_text(ccg("in 2022-03", runs="2022-04-01 to 2023-03-31", year="2022/23")))
    icb = validate_text(ccg("in 2022-06", runs="2022-07-01 to 2023-03-31", year="2022/23").replace('ccg "', 'icb "'))
    assert "no ICB existed in England before 1 July 2022" in messages(icb, "QV115")[0]
    assert "QV115" in codes(icb, "error")


def _authorities_with_existence(start: str):
    data = {"sources": {"s": {"title": "A source"}}, "consult_only": {}, "no_power": {}, "unknown_power": {},
            "powers": [{"kind": "nhs-england", "countries": ["england"], "power": "national", "status": "checked",
                        "source": {"ref": "s"}}],
            "existence": [{"kind": "nhs-england", "countries": ["england"], "from": start, "status": "checked",
                           "source": {"ref": "s"}}]}
    return from_data(data)


def test_a_date_in_the_authorities_data_known_only_to_the_month_cannot_be_judged_on_a_day_inside_it():
    auth = _authorities_with_existence("2013-04")
    text = area_team(approved="on 2013-04-10", runs="2013-05-01 to 2014-03-31").replace("2014/15", "2013/14")
    report = validate_text(text, authorities=auth)
    (finding,) = [f for f in report.findings if f.diagnostic.code == "QV115" and "area-team" in f.diagnostic.message]
    assert finding.severity == "cannot-judge" and report.verdict == "cannot judge"
    assert "only from April 2013, so whether it existed on 10 April 2013 depends on the day" in finding.diagnostic.message
    assert "authorities data" in finding.diagnostic.hint
    after = validate_text(text.replace("on 2013-04-10", "on 2013-05-01"), authorities=auth)
    assert not any("area-team" in m for m in messages(after, "QV115"))
    before = validate_text(text.replace("on 2013-04-10", "on 2013-03-20"), authorities=auth)
    assert "no nhs-england area-team existed in England before April 2013" in messages(before, "QV115")[0]


def test_authorities_yaml_dates_may_be_months_or_years():
    auth = _authorities_with_existence("2013")
    assert auth.existence[0].start == parse_when("2013")
    assert auth.powers[0].window() == "with no recorded start"


def test_qv114_a_national_change_dated_to_a_month_or_year_that_may_be_after_the_year():
    text = '''scheme x "A national change"
  contract: england 2023/24
  approved: nhs-england on 2023-03-06
  instrument: "Directions" in 2024
  runs: 2023-04-01 to 2024-03-31
  eligible when: every practice

  rule "As usual":
    applies to: all indicators
    pay: achievement
'''
    report = validate_text(text)
    assert messages(report, "QV114") == [
        "the instrument \"Directions\" was made in 2024, perhaps after 2023/24 ended on 31 March 2024 (that depends "
        "on the day): a change made after the year it changes would need a second look"]
    assert codes(validate_text(text.replace("in 2024", "in 2023-03"))) == []
    assert "after 2023/24 ended" in messages(validate_text(text.replace("in 2024", "in 2024-05")), "QV114")[0]


def test_a_waiver_granted_in_a_month_counts_only_if_the_grantor_had_the_power_on_every_day():
    text = '''scheme x "Approved late, waived"
  contract: england 2013/14
  approved: nhs-england area-team "Leicestershire and Lincolnshire" on 2014-02-20
  runs: 2014-02-01 to 2014-03-31
  waiver: QV103 granted by nhs-england national {granted} until 2014-03-31 because "agreed nationally"
  eligible when: practice opted in

  rule "As usual":
    applies to: all indicators
    pay: achievement
'''
    counted = validate_text(text.format(granted="in 2014-02"))
    assert "QV003" not in codes(counted) and codes(counted, "waived") == ["QV103"]
    waived = next(f for f in counted.findings if f.severity == "waived")
    assert "waived by nhs-england national in 2014-02" in waived.diagnostic.related[-1].message
    unsure = validate_text(text.format(granted="in 2013"))
    assert "QV003" in codes(unsure) and "depends on the day" in messages(unsure, "QV003")[0]
    assert "QV103" in codes(unsure, "error")


def test_a_waiver_until_the_day_a_scheme_known_to_the_month_may_end():
    text = '''scheme x "Waived until a day"
  contract: england 2013/14
  approved: nhs-england area-team "Leicestershire and Lincolnshire" on 2014-02-20
  runs: 2014-02-01 to 2014-03
  waiver: QV103 granted by nhs-england national on 2014-02-20 until 2014-03-15 because "agreed"
  eligible when: practice opted in

  rule "As usual":
    applies to: all indicators
    pay: achievement
'''
    report = validate_text(text)
    assert "depends on the day, so it counts as no waiver" in messages(report, "QV002")[0]
    assert "QV002" not in codes(validate_text(text.replace("until 2014-03-15", "until 2014-03-31")))


# ------------------------------------------------------------------ diff, report, the shipped scheme

def test_diff_says_a_date_was_given_more_precisely():
    old = api.parse(area_team(approved="in 2014-03"))
    new = api.parse(area_team(approved="on 2014-03-17"))
    (change,) = diff_schemes(old, new).changes
    assert change.group == "dates"
    assert change.message == ("approved on changed from 2014-03 (some day in March 2014) to 2014-03-17, the same date "
                              "given more precisely")
    (back,) = diff_schemes(new, old).changes
    assert back.message.endswith("the same date given less precisely")
    (other,) = diff_schemes(old, api.parse(area_team(approved="in 2014-02"))).changes
    assert other.message == ("approved on changed from 2014-03 (some day in March 2014) to 2014-02 (some day in "
                             "February 2014)")
    runs = diff_schemes(api.parse(area_team(runs="2014-04 to 2015-03-31")), api.parse(area_team())).changes
    assert [c.message for c in runs] == ["runs: was 2014-04 to 2015-03-31, now 2014-04-01 to 2015-03-31, the same "
                                         "period given more precisely"]


def test_the_report_says_in_for_a_month(tmp_path):
    scheme = tmp_path / "somerset.qof"
    text = (ROOT / "schemes" / "2014-somerset.qof").read_text(encoding="utf-8")
    scheme.write_text(text.replace('and South Gloucestershire"\n', 'and South Gloucestershire" in 2013-12\n'),
                      encoding="utf-8")
    markdown = api.report(str(scheme), str(ROOT / "examples" / "south-west-2014"), fmt="markdown")
    html = api.report(str(scheme), str(ROOT / "examples" / "south-west-2014"), fmt="html")
    # in the report's plain words (qofrules/plainwords.py): "in December 2013", not "on"
    assert "South Gloucestershire area team in December 2013" in html.replace("&#39;", "'")
    assert "South Gloucestershire area team in December 2013" in markdown


def test_somerset_2014_keeps_its_verdict_and_does_not_borrow_the_2014_15_schemes_june_date():
    path = ROOT / "schemes" / "2014-somerset.qof"
    (report,) = api.validation_reports([str(path)])
    assert report.verdict == "accepted with warnings" and codes(report, "error") == []
    text = path.read_text(encoding="utf-8")
    assert "approved: nhs-england area-team \"Bristol, North Somerset, Somerset and South Gloucestershire\"\n" in text
    # Recording the Somerset Practice Quality Scheme's approval (June 2014) here would say the
    # January-March 2014 scheme was approved after it ran: the validator would reject it.
    borrowed = validate_text(text.replace('and South Gloucestershire"\n', 'and South Gloucestershire" in 2014-06\n'))
    assert codes(borrowed, "error") == ["QV103"] and "at least" in messages(borrowed, "QV103")[0]
