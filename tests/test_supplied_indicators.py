"""A year whose indicator list qofrules does not have (Northern Ireland 2016/17, England 2008/09)
can be computed once a user supplies its indicators, whole, in an overrides file: every fact
given, each figure marked supplied, and said aloud in every result. A complete year takes none."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qofrules import api
from qofrules.cli import cli
from qofrules.diagnostics import QofError

NI = '''overrides: northern-ireland 2016/17
label: "Figures from the HSCB's table, typed in by a user"
point_value: "150.00"
average_list_size: 6000
zero_denominator: no-points
groups:
  HYP: {description: "Hypertension", prevalence_adjusted: true, national_prevalence: "12.5"}
indicators:
  HYP001: {description: "Hypertension register", group: HYP, domain: clinical, kind: register, points: 6}
  HYP002: {description: "Blood pressure 150/90 or less", group: HYP, domain: clinical, kind: fraction,
           points: 20, thresholds: {lower: 40, upper: 80}}
'''

DATA = '''dataset: ni-test
description: two made-up practices
synthetic: true
notice: "SYNTHETIC: every value made up for this test"
contract_overrides: overrides.yaml
practices:
''' + "".join(f'''  - code: Z0000{n}
    name: PRACTICE {n}
    list_size: {list_size}
    attributes: {{NI_BASIS: "{choice}"}}
    achievement:
      2016/17:
        HYP001: {{register: 600}}
        HYP002: {{numerator: {numerator}, denominator: 500, exceptions: 10}}
      2015/16: {{HYP001: {{points: 6}}, HYP002: {{points: 15}}}}
      2014/15: {{HYP001: {{points: 6}}, HYP002: {{points: 17}}}}
    prevalence:
      2016/17: {{HYP: {{register: 600, list_size: {list_size}}}}}
''' for n, list_size, choice, numerator in ((1, 6000, 1, 300), (2, 6000, 2, 210)))


def _write(tmp_path, text, name="overrides.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_year_with_no_list_takes_supplied_indicators_marked_supplied(tmp_path):
    contract = api.load_contract("northern-ireland", "2016/17", [_write(tmp_path, NI)])
    assert not contract.indicator_list_unknown
    assert contract.supplied_indicators == ("HYP001", "HYP002")
    hyp002 = contract.indicators["HYP002"]
    assert (hyp002.group, hyp002.kind, hyp002.points.value) == ("HYP", "fraction", 20)
    assert {hyp002.points.status, hyp002.lower.status, hyp002.kind_figure.status} == {"supplied"}
    assert contract.groups["HYP"].national_prevalence.status == "supplied"
    assert contract.total_points == 26


def test_the_northern_ireland_choice_computes_on_supplied_indicators_and_says_so(tmp_path, monkeypatch):
    """Practice 1 chose actual 2016/17 achievement; practice 2 the average of 2014/15 and 2015/16."""
    _write(tmp_path, NI)
    _write(tmp_path, DATA, "data.yaml")
    monkeypatch.chdir(tmp_path)
    scheme = str(Path(__file__).resolve().parent.parent / "schemes" / "2016-17-northern-ireland.qof")
    result = CliRunner().invoke(cli, ["run", scheme, "--data", "data.yaml", "--format", "json"])
    assert result.exit_code == 0, result.output
    plain = json.loads(result.output)
    practices = {p["practice"]: p for p in plain["practices"]}
    assert practices["Z00001"]["scheme_points"] == practices["Z00001"]["national_points"]
    # practice 2: 6 register points + the average of 17 and 15 = 16 points, 22 in all
    assert practices["Z00002"]["scheme_points"] == "22.00"
    assert any("2 of the indicators supplied whole by" in note for note in plain["notes"])


@pytest.mark.parametrize("entry,fragment", [
    ("HYP003: {description: x, group: HYP, kind: register, points: 6}", "give its domain"),
    ("HYP003: {description: x, group: HYP, domain: clinical, kind: fraction, points: 6}", "give its thresholds"),
    ("HYP003: {description: x, group: BP, domain: clinical, kind: register, points: 6}",
     "group BP is neither in the contract year nor supplied"),
    ("HYP003: {description: x, group: HYP, domain: clinicle, kind: register, points: 6}", "domain 'clinicle'"),
    ("HYP003: {description: x, group: HYP, domain: clinical, kind: register, points: 6, "
     "thresholds: {lower: 40, upper: 80}}", "register indicator; it has no thresholds"),
    ("hyp3: {description: x, group: HYP, domain: clinical, kind: register, points: 6}",
     "an indicator code is capital letters then digits"),
    ("HYP003: {description: x, group: HYP, domain: clinical, kind: register, points: 6000}", "points"),
])
def test_a_supplied_indicator_missing_a_fact_is_refused_at_its_line(tmp_path, entry, fragment):
    text = NI + f"  {entry}\n"
    with pytest.raises(QofError) as caught:
        api.load_contract("northern-ireland", "2016/17", [_write(tmp_path, text)])
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code in ("QR313", "QR314") and fragment in diagnostic.message
    assert diagnostic.span is not None and diagnostic.span.line == text.count("\n")


def test_a_supplied_group_needs_its_facts(tmp_path):
    text = NI.replace('HYP: {description: "Hypertension", prevalence_adjusted: true, national_prevalence: "12.5"}',
                      'HYP: {description: "Hypertension"}')
    with pytest.raises(QofError) as caught:
        api.load_contract("northern-ireland", "2016/17", [_write(tmp_path, text)])
    assert "group HYP is not in the contract year; to supply it, give its prevalence_adjusted" in \
        caught.value.diagnostics[0].message


def test_a_complete_year_takes_no_new_indicator_an_unknown_code_is_a_misspelling(tmp_path):
    text = ('overrides: england 2023/24\nlabel: x\nindicators:\n'
            '  DM013: {description: x, group: DM, domain: clinical, kind: register, points: 3}\n')
    with pytest.raises(QofError) as caught:
        api.load_contract("england", "2023/24", [_write(tmp_path, text)])
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.message == "indicator DM013 is not in england 2023/24"
    assert diagnostic.span.line == 4 and "did you mean" in (diagnostic.hint or "")


def test_a_listed_indicator_keeps_its_national_facts(tmp_path):
    text = 'overrides: england 2023/24\nlabel: x\nindicators:\n  DM012: {group: HYP, points: 3}\n'
    with pytest.raises(QofError) as caught:
        api.load_contract("england", "2023/24", [_write(tmp_path, text)])
    assert caught.value.diagnostics[0].message == ("indicator DM012 is in england 2023/24: its group is a national "
                                                   "fact, not figures an overrides file replaces")


def test_whether_apdf_applies_may_be_supplied_only_where_no_source_says(tmp_path):
    """2024/25 sets SMOK and CHOL prevalence-adjusted only so that nothing is computed (no source
    says whether APDF applies to them that year): a user may say, and nothing else may change it."""
    from qofrules.compiler import missing_figures
    shipped = api.load_contract("england", "2024/25")
    assert not shipped.groups["SMOK"].adjustment_known
    assert any("whether prevalence adjustment (APDF) applies to 2 groups (CHOL, SMOK)" in m
               for m in missing_figures(shipped))
    said = api.load_contract("england", "2024/25", [_write(tmp_path, (
        'overrides: england 2024/25\nlabel: "From the 2024/25 guidance, read by a user"\n'
        'groups:\n  SMOK: {prevalence_adjusted: false}\n  CHOL: {prevalence_adjusted: true, national_prevalence: "9.5"}\n'))])
    smok, chol = said.groups["SMOK"], said.groups["CHOL"]
    assert (smok.prevalence_adjusted, smok.adjustment_known, smok.national_prevalence) == (False, True, None)
    assert chol.prevalence_adjusted and chol.national_prevalence.status == "supplied"
    assert not any("APDF" in m for m in missing_figures(said))
    with pytest.raises(QofError) as caught:  # a sourced fact is not the user's to change
        api.load_contract("england", "2024/25", [_write(tmp_path, (
            'overrides: england 2024/25\nlabel: x\ngroups:\n  AST: {prevalence_adjusted: false}\n'))])
    assert "its prevalence_adjusted is a national fact" in caught.value.diagnostics[0].message
