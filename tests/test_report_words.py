"""Plain words for the report (qofrules/plainwords.py): what a commissioner reads where the scheme
language would otherwise show, including the issue's own examples."""
from __future__ import annotations

import pytest

from qofrules import plainwords as words
from qofrules.syntax import parse_text

HEADER = '''scheme words "Words"
  contract: england 2016/17
  area: {area}
  approved: {approved}
  runs: 2017-02-01 to 2017-03-31
  eligible when: {eligible}

  rule "R":
    applies to: {applies}
    pay: {pay}
'''


def _scheme(area='lmc "Leeds"', approved='ccg "NHS Leeds West CCG" on 2017-01-20', eligible="practice opted in",
            applies="all indicators", pay="achievement"):
    return parse_text(HEADER.format(area=area, approved=approved, eligible=eligible, applies=applies, pay=pay),
                      "words.qof")


@pytest.mark.parametrize("area, said", [
    ('lmc "Leeds"', "Leeds LMC"),
    ('nhs-england area-team "Leicestershire and Lincolnshire"', "NHS England's Leicestershire and Lincolnshire area team"),
    ('ccg "NHS Leeds West CCG"', "NHS Leeds West CCG"),
    ('ccg "Leeds West"', "Leeds West CCG"),
    ('icb "NHS Somerset Integrated Care Board"', "NHS Somerset Integrated Care Board"),
    ('practice "C82001"', "practice C82001"),
    ("nhs-england", "NHS England"),
])
def test_bodies(area, said):
    assert words.body_words(_scheme(area=area).areas[0]) == said


@pytest.mark.parametrize("pay, said", [
    ("achievement", "this year's achievement"),
    ("achievement in 2015/16", "2015/16 achievement"),
    ("higher of (achievement in 2015/16, achievement)", "the higher of 2015/16 achievement and this year's"),
    ("lower of (full points, achievement in 2015/16, achievement)",
     "the lower of full points, 2015/16 achievement and this year's"),
    ("full points", "full points"),
    ("average of (achievement in 2014/15, achievement in 2015/16)", "the average of 2014/15 and 2015/16 achievement"),
    ("50% of achievement in 2015/16", "50% of 2015/16 achievement"),
])
def test_bases(pay, said):
    rule = _scheme(pay=pay).rules[0]
    assert words.basis_words(rule.pay.basis) == said


@pytest.mark.parametrize("eligible, said", [
    ("practice opted in", "the practice opted in"),
    ("practice opted in by 2014-02-14", "the practice opted in by 14 February 2014"),
    ('practice in lmc "Leeds" and not practice in pilot "x"', "the practice is in Leeds LMC and the practice is not in the “x” pilot"),
    ("not practice opted in", "the practice did not opt in"),
    ("every practice", "every practice"),
])
def test_conditions(eligible, said):
    assert words.condition_words(_scheme(eligible=eligible).eligibility) == said


def test_selectors_name_groups():
    rule = _scheme(applies="group AF and indicators DEM004, OB002").rules[0]
    name = {"AF": "Atrial fibrillation"}.get
    assert words.selector_words(rule.applies.selector, lambda c: name(c) or c) == \
        "the Atrial fibrillation (AF) group and indicators DEM004 and OB002"
    other = _scheme(applies="all other indicators except group AF").rules[0]
    assert words.selector_words(other.applies.selector) == "every other indicator, except the AF group"


def test_dates_and_group_names():
    scheme = _scheme()
    assert words.date_words(scheme.runs.start) == "1 February 2017"
    assert words.dated_words(scheme.approved.date) == "on 20 January 2017"
    assert words.group_name("Atrial fibrillation (group list: guidance-1314 contents)", "AF") == "Atrial fibrillation"
    assert words.group_name("Patient experience (PE) domain", "PE") == "Patient experience (PE) domain"
    assert words.group_name(None, "XYZ") == "XYZ"
    assert words.group_name("Asthma (the source file's indicators in this group use patient lists 06OV, TOTAL; which "
                            "one prevalence is measured against is not in the file, so qofrules' default, TOTAL, "
                            "applies)", "AST") == "Asthma"
    assert words.group_name("Cancer: register of patients (CAN001) [pcit-ip-2425]", "CAN") == \
        "Cancer: register of patients (CAN001)"
    assert words.group_name("Smoking [public health] (group list: guidance-1314 contents)", "SMOK") == \
        "Smoking [public health]"
