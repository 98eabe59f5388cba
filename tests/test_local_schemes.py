"""Local indicators, top-ups and floors, rule conditions and choices, as a policy lead and a
reviewer meet them: the validator's judgement, explain's account, the refusal of data that lacks a
local measure on both paths, and the shipped real schemes' verdicts."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import CASES, ROOT, SCHEME_EXAMPLES, evaluate_columnar, evaluate_text
from qofrules import api
from qofrules.cli import cli
from qofrules.diagnostics import QofError
from qofrules.rules.judgement import LOCAL_BODY, NATIONAL_AMENDMENT, ON_TOP
from validate_helpers import codes, validate_text

IMPACT = CASES / "diff" / "impact-local"
OVERRIDES = str(ROOT / "examples" / "lincolnshire-2014" / "contract-overrides.yaml")

LOCAL = '''
  local indicator LOC-BP "Blood pressure 150/90 or less":
    measure: percentage
    target: 90%
    points: 29
    price: £125 per point
    adjusted for: nothing
'''


def _scheme(rules: str, header: str = "", local: str = LOCAL, after: str = "") -> str:
    return ('scheme s "A local scheme"\n  contract: england 2023/24\n'
            '  approved: icb "NHS Example ICB" on 2023-03-01\n  consulted: lmc "Example"\n'
            f'  runs: 2023-04-01 to 2024-03-31\n{header}  eligible when: practice opted in\n{local}\n{rules}{after}')


AS_USUAL = '  rule "As usual":\n    applies to: all indicators\n    pay: achievement\n'


def test_local_indicators_on_top_of_qof_are_not_a_contract_change():
    report = validate_text(_scheme(AS_USUAL))
    assert report.judgement.kind == ON_TOP
    assert "does not change the national contract" in report.judgement.reason
    assert codes(report, "error") == []


def test_a_top_up_alone_is_not_a_contract_change_even_mid_year_and_for_every_practice():
    text = _scheme(AS_USUAL, local="", after='\n  top up "Per patient":\n    amount: £0.50 per patient\n')
    report = validate_text(text.replace("2023-04-01 to", "2023-10-01 to").replace("practice opted in", "every practice"))
    assert report.judgement.kind == ON_TOP
    assert "QV104" not in codes(report, "error") and "QV105" not in codes(report, "error")


def test_a_local_alternative_that_replaces_qof_with_its_own_indicators_must_be_opt_in_from_the_year_start():
    rules = ('  rule "Local framework":\n    applies to: indicator LOC-BP\n    pay: achievement\n\n'
             '  rule "National QOF replaced":\n    applies to: all other indicators\n    pay: no points\n')
    lawful = validate_text(_scheme(rules))
    assert lawful.judgement.kind == LOCAL_BODY
    assert "QV104" not in codes(lawful, "error") and "QV105" not in codes(lawful, "error")
    unlawful = validate_text(_scheme(rules).replace("practice opted in", "every practice")
                             .replace("2023-04-01 to", "2023-07-01 to"))
    assert {"QV104", "QV105"} <= set(codes(unlawful, "error"))


def test_a_rule_condition_that_changes_payment_is_a_variation_not_a_top_up():
    rules = ('  rule "Protected where agreed":\n    applies to: group DM\n    only when: practice attribute AGREED = yes\n'
             '    pay: achievement in 2022/23\n\n' + AS_USUAL.replace("all indicators", "all other indicators"))
    assert validate_text(_scheme(rules, local="")).judgement.kind == LOCAL_BODY


SHIPPED = {
    "2020-21-england-covid": NATIONAL_AMENDMENT,
    "2016-17-northern-ireland": NATIONAL_AMENDMENT,
    "2020-21-mid-and-south-essex-top-up": ON_TOP,
    "2008-09-hammersmith-fulham-qof-plus": ON_TOP,
    "2019-20-england-covid-floor": NATIONAL_AMENDMENT,
    "2016-17-scotland-core-funding": NATIONAL_AMENDMENT,
}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_the_shipped_real_schemes_are_judged_as_what_they_were(name):
    (report,) = api.validation_reports([str(ROOT / "schemes" / f"{name}.qof")])
    assert report.judgement.kind == SHIPPED[name]
    assert report.verdict in ("accepted", "accepted with warnings")
    assert codes(report, "error") == [] and codes(report, "cannot-judge") == []


def test_explain_shows_a_local_indicator_s_own_price_and_the_top_ups(monkeypatch):
    monkeypatch.chdir(ROOT)
    args = ["explain", str((IMPACT / "new.qof").relative_to(ROOT)), "--data", str((IMPACT / "data.yaml").relative_to(ROOT)),
            "--contract-overrides", OVERRIDES, "--practice", "C83003", "--indicator", "LOC-BP"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "at or above the target 85%: full 29 points" in result.output
    assert "Scheme pays:   29.00 points × £125 = £3,625.00" in result.output
    assert "National pays: a local indicator: national rules pay nothing for it" in result.output
    assert 'top up "Per patient": £3,820.50 — £0.50 × 7,641 patients = £3,820.50' in result.output


def test_diff_impact_attributes_money_to_the_local_indicator_and_the_top_up(monkeypatch):
    monkeypatch.chdir(ROOT)
    plain = api.diff(str(IMPACT / "old.qof"), str(IMPACT / "new.qof"), str(IMPACT / "data.yaml"), [OVERRIDES])
    by_practice = {p["practice"]: p for p in plain["impact"]["practices"]}
    causes = {c["cause"]: c["amount"] for c in by_practice["C83003"]["caused_by"]}
    assert causes == {'top up "Per patient"': "3820.50", "local indicator LOC-BP": "3625.00"}
    assert by_practice["C83003"]["difference"] == "7445.50"


MISSING_LOCAL = {
    "dataset": "no-local-rows", "synthetic": True,
    "practices": [{"code": "P1", "name": "One", "list_size": 5000,
                   "achievement": {"2013/14": {"AA001": {"register": 100}, "AA002": {"numerator": 5, "denominator": 10},
                                               "BB001": {"numerator": 5, "denominator": 10}, "BB002": {"register": 3}}},
                   "prevalence": {"2013/14": {"AA": {"register": 100}}}}]}

FIXTURE_LOCAL = '''scheme s "Local"
  contract: england 2013/14
  eligible when: every practice

  local indicator LOC-REG "A local register":
    measure: register
    points: 4
    price: as a QOF point
    adjusted for: list size

  rule "As usual":
    applies to: all indicators
    pay: achievement
'''


def test_data_without_a_local_measure_is_refused_at_the_local_indicator_on_both_paths(tmp_path):
    shown = []
    for evaluate in (evaluate_text, evaluate_columnar):
        folder = tmp_path / evaluate.__name__
        folder.mkdir()
        with pytest.raises(QofError) as caught:
            evaluate(FIXTURE_LOCAL, MISSING_LOCAL, folder)
        (problem,) = caught.value.diagnostics
        assert problem.code == "QE030" and problem.span.line == 5
        shown.append(problem.render())
    assert shown[0] == shown[1]
    assert "has no 2013/14 figures for LOC-REG (no row under that code with a value)" in shown[0]


def test_the_same_scheme_text_gives_the_same_json_on_both_paths_with_every_new_construct(tmp_path):
    text = FIXTURE_LOCAL.replace('''  rule "As usual":''', '''  rule "Choice":
    applies to: indicator BB001
    only when: practice attribute AGREED = yes
    pay: practice choice BASIS of (achievement, sum of (50% of achievement, 2 points once lower threshold passed))

  rule "As usual":''') + '\n  floor "Floor":\n    at least: 90% of full points\n\n  top up "Per point":\n    amount: £1.11 per point\n'
    data = json.loads(json.dumps(MISSING_LOCAL))
    practice = data["practices"][0]
    practice["achievement"]["2013/14"]["LOC-REG"] = {"register": 7}
    practice["attributes"] = {"AGREED": "yes", "BASIS": "2"}
    exact = evaluate_text(text, data, tmp_path)
    fast = evaluate_columnar(text, data, tmp_path)
    assert json.dumps(fast.to_plain(trace=True)) == json.dumps(exact.to_plain(trace=True))
    (result,) = exact.practices
    assert [a.title for a in result.adjustments] == ["Floor", "Per point"]
    assert result.scheme_payment == sum(i.scheme.payment for i in result.indicators) + sum(a.payment for a in result.adjustments)


def test_diff_says_which_field_of_a_local_indicator_or_top_up_changed(tmp_path):
    old, new = tmp_path / "old.qof", tmp_path / "new.qof"
    base = _scheme(AS_USUAL, after='\n  top up "Per patient":\n    amount: £0.50 per patient\n')
    old.write_text(base, encoding="utf-8")
    new.write_text(base.replace("target: 90%", "target: 85%").replace("£0.50 per patient", "£0.75 per patient"),
                   encoding="utf-8")
    changes = {c.message: c.rule for c in api.diff_result(str(old), str(new)).changes}
    assert changes == {"local indicator LOC-BP: target: 90% changed to target: 85%": "local indicator LOC-BP",
                       'top up "Per patient": amount: £0.50 per patient changed to amount: £0.75 per patient':
                           'top up "Per patient"'}


# Each shipped real scheme and the generated example that carries what it needs (its year, the
# earlier years it pays on, its practice attributes and local measures).
EVALUATED = {stem: data for stem, data in SCHEME_EXAMPLES.items() if stem in SHIPPED}


@pytest.mark.parametrize("name", sorted(EVALUATED))
def test_the_shipped_real_schemes_compute_every_practice_over_their_example(name):
    """No practice's payment is unknown on either side: the example carries every earlier year,
    attribute and local measure the scheme reads (England 2020/21 protects on 2018/19, two back)."""
    result = api.run_result(str(ROOT / "schemes" / f"{name}.qof"), str(ROOT / "examples" / EVALUATED[name]))
    totals = result.totals
    assert totals["scheme_payment_unknown"] == 0 and totals["national_payment_unknown"] == 0
    assert result.eligible_count > 0 and totals["scheme_payment"] > 0


def test_england_2019_20_floor_lifts_only_the_practices_judged_affected():
    result = api.run_result(str(ROOT / "schemes" / "2019-20-england-covid-floor.qof"),
                            str(ROOT / "examples" / "cornwall-2020"), exact=True)
    data = api.load_data(str(ROOT / "examples" / "cornwall-2020"))
    affected = {p.code for p in data.practices if p.attributes.get("covid_affected") == "yes"}
    lifted = {p.code for p in result.practices if p.difference > 0}
    assert lifted and lifted <= affected
    assert all(p.difference >= 0 for p in result.practices)  # a floor never takes money away


@pytest.mark.parametrize("name", sorted(EVALUATED))
def test_the_shipped_real_schemes_give_the_same_json_on_both_paths(name, monkeypatch):
    """run --format json (streamed from the vectorised path's cells) and --exact print the same
    document for each real scheme, Scotland's year with no indicators at all included."""
    monkeypatch.chdir(ROOT)
    args = ["run", f"schemes/{name}.qof", "--data", f"examples/{EVALUATED[name]}", "--format", "json"]
    fast, slow = (CliRunner().invoke(cli, args + extra) for extra in ([], ["--exact"]))
    assert fast.exit_code == 0 and slow.exit_code == 0, fast.output[-500:]
    assert fast.output == slow.output
    assert json.loads(fast.output)["practices"]
