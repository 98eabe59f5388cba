"""`qofrules explain`: the trace is the evaluation's own, complete, and agrees with `run` to the penny.

Golden files under tests/cases/explain/ pin what a user reads; QOFRULES_UPDATE_GOLDEN=1 rewrites
them (read the diff before committing)."""
from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from click.testing import CliRunner

from conftest import CASES, ROOT, assert_golden
from qofrules import api
from qofrules.cli import cli
from qofrules.diagnostics import QofError
from qofrules.explain import explain, explain_text

RUNS = {
    "lincs": ("schemes/2014-lincolnshire-llr.qof", "examples/lincolnshire-2014"),
    "devon": ("schemes/2014-devon-cornwall.qof", "examples/south-west-2014"),
    "somerset": ("schemes/2014-somerset.qof", "examples/south-west-2014"),
    "leeds": ("schemes/2017-leeds.qof", "examples/leeds-2017"),
}
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def prepared():
    return {name: api.prepared(str(ROOT / s), str(ROOT / d)) for name, (s, d) in RUNS.items()}


@pytest.fixture(scope="module")
def runs():
    return {name: api.run(str(ROOT / s), str(ROOT / d), trace=True) for name, (s, d) in RUNS.items()}


def _invoke(args, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize("name", RUNS)
def test_explained_totals_equal_evaluated_totals_for_every_practice(prepared, runs, name):
    tree, dataset = prepared[name]
    run_practices = {p["practice"]: p for p in runs[name]["practices"]}
    assert len(run_practices) == len(dataset.practices) > 0
    for practice in dataset.practices:
        plain = explain(tree, dataset, practice.code)
        ran = run_practices[practice.code]
        totals = plain["totals"]
        for key in ("scheme_points", "scheme_payment", "national_points", "national_payment", "difference"):
            assert totals[key] == ran[key], (practice.code, key)
        assert plain["eligibility"]["eligible"] == ran["eligible"]
        # The parts the explanation shows add up to the totals it shows.
        # (unknown, None, when any part is: e.g. an indicator new since the earlier year paid on)
        for side in ("scheme", "national"):
            parts = [i[side]["payment"] for i in plain["indicators"]]
            shown = None if None in parts else str(sum(Decimal(p) for p in parts))
            assert (shown is None) == (totals[f"{side}_payment"] is None)
            if shown is not None:
                assert Decimal(shown) == Decimal(totals[f"{side}_payment"])
        # Indicator by indicator, the trace is run's trace (the same evaluation), labelled.
        for shown, item in zip(plain["indicators"], ran["indicators"]):
            assert shown["indicator"] == item["indicator"]
            assert shown["scheme"]["payment"] == item["scheme"]["payment"]
            assert shown["national"]["payment"] == item["national"]["payment"]
            assert shown["scheme"]["trace"]["points"] == item["scheme"]["trace"]["points"]
            assert shown["scheme"]["trace"]["account"] == item["scheme"]["trace"]["account"]


@pytest.mark.parametrize("name", RUNS)
def test_the_pound_formula_shown_reproduces_the_payment(prepared, name):
    """points × £/point × CPI × APDF, with the factors the explanation prints, gives its £ amount."""
    tree, dataset = prepared[name]
    for practice in dataset.practices[:40]:
        plain = explain(tree, dataset, practice.code)
        factors = plain["factors"]
        for item in plain["indicators"]:
            for side in ("scheme", "national"):
                shown = item[side]
                factor = Decimal(factors["point_value"]) * Decimal(factors["cpi"])
                if item["apdf"]["applies"]:
                    factor *= Decimal(item["apdf"]["value"])
                amount = (Decimal(shown["points"]) * factor).quantize(CENT, rounding=ROUND_HALF_UP)
                assert amount == Decimal(shown["payment"]), (practice.code, item["indicator"], side)
                assert shown["formula"].endswith(f"£{Decimal(shown['payment']):,.2f}")


def test_each_indicator_names_its_rule_title_and_scheme_lines(prepared):
    tree, dataset = prepared["lincs"]
    lines = (ROOT / RUNS["lincs"][0]).read_text(encoding="utf-8").splitlines()
    eligible = next(p for p in dataset.practices if p.opted_in)
    plain = explain(tree, dataset, eligible.code)
    titles = set()
    for item in plain["indicators"]:
        rule = item["rule"]
        titles.add(rule["title"])
        assert lines[rule["line"] - 1].strip() == f'rule "{rule["title"]}":'
        assert lines[rule["pay_line"]["line"] - 1].strip() == rule["pay_line"]["text"]
        assert rule["pay_line"]["text"] == f"pay: {item['basis']}"
        assert lines[rule["applies_line"]["line"] - 1].strip().startswith("applies to:")
    assert titles == {"Retiring points paid in full", "Everything else as usual"}


def test_higher_of_shows_every_candidate_and_which_won(prepared):
    tree, dataset = prepared["leeds"]
    seen_prior_win = seen_current_win = False
    for practice in dataset.practices:
        for item in explain(tree, dataset, practice.code)["indicators"]:
            trace = item["scheme"]["trace"]
            candidates = trace["children"]
            assert [c["basis"] for c in candidates] == ["achievement in 2015/16", "achievement"]
            if trace["points"] is None:
                continue
            chosen = [c for c in candidates if c["chosen"]]
            assert len(chosen) == 1 and chosen[0]["points"] == trace["points"]
            others = [Decimal(c["points"]) for c in candidates if c["points"] is not None]
            assert Decimal(trace["points"]) == max(others)
            seen_prior_win |= candidates[0]["chosen"] and Decimal(candidates[0]["points"]) > Decimal(candidates[1]["points"] or 0)
            seen_current_win |= candidates[1]["chosen"]
    assert seen_prior_win and seen_current_win, "the example data should exercise both outcomes"


def test_months_run_and_on_request_are_explained(prepared):
    tree, dataset = prepared["somerset"]
    practice = next(p for p in dataset.practices if p.requested_alternative and p.opted_in
                    and p.areas.get("LMC") == "Somerset")
    plain = explain(tree, dataset, practice.code, "HYP003")
    item = plain["indicators"][0]
    assert item["rule"]["on_request"] and item["rule"]["pay_line"]["text"] == "on request: achievement"
    blend = item["scheme"]["trace"]
    assert blend["details"]["months_run"] == 3
    assert [c["basis"] for c in blend["children"]] == ["achievement", "national rules"]
    text = explain_text(plain)
    assert "paid on its 'on request' basis" in text and "months run: (9 × national" in text


def test_ineligible_practice_is_still_explained(prepared, monkeypatch):
    tree, dataset = prepared["lincs"]
    practice = next(p for p in dataset.practices if not p.opted_in)
    plain = explain(tree, dataset, practice.code)
    assert plain["eligibility"]["eligible"] is False
    assert plain["eligibility"]["condition"]["answer"] == {"value": False, "reason": "did not opt in"}
    assert all(i["rule"] is None and i["basis"] == "national rules" for i in plain["indicators"])
    assert plain["totals"]["difference"] == "0.00"
    result = _invoke(["explain", RUNS["lincs"][0], "--data", RUNS["lincs"][1], "--practice", practice.code], monkeypatch)
    assert result.exit_code == 0
    assert "Eligible: no" in result.output and "did not opt in: no" in result.output
    assert "national rules pay every indicator" in result.output
    assert f"national rules: {plain['totals']['national_points']} points" in result.output


def test_unknown_practice_gets_close_matches(monkeypatch):
    result = _invoke(["explain", RUNS["lincs"][0], "--data", RUNS["lincs"][1], "--practice", "C82O01"], monkeypatch)
    assert result.exit_code == 1
    assert result.output.startswith("examples/lincolnshire-2014: error[QE020] no practice 'C82O01' in the data set "
                                    "lincolnshire-2014-example (215 practices)")
    assert "hint: did you mean C82001?" in result.output  # one character away (O for 0), not C82091 (two)
    nothing_close = _invoke(["explain", RUNS["lincs"][0], "--data", RUNS["lincs"][1], "--practice", "ZZZ"], monkeypatch)
    assert nothing_close.exit_code == 1 and "practice codes run C82001 … Y05412" in nothing_close.output


def test_practice_can_be_found_by_lower_case_code_and_name_fragment(prepared):
    tree, dataset = prepared["lincs"]
    assert explain(tree, dataset, "c82001")["practice"]["code"] == "C82001"
    with pytest.raises(QofError) as caught:
        explain(tree, dataset, "countesthorpe")
    assert "practices whose name contains 'countesthorpe': C82002" in caught.value.diagnostics[0].hint


def test_indicator_narrows_and_unknown_indicator_is_an_error(monkeypatch):
    base = ["explain", RUNS["lincs"][0], "--data", RUNS["lincs"][1], "--practice", "C82001", "--format", "json"]
    result = _invoke(base + ["--indicator", "pe001"], monkeypatch)
    assert result.exit_code == 0
    plain = json.loads(result.output)
    assert [i["indicator"] for i in plain["indicators"]] == ["PE001"]
    assert plain["indicator_filter"] == "PE001"
    bad = _invoke(base + ["--indicator", "PE01"], monkeypatch)
    assert bad.exit_code == 1 and "error[QE021] no indicator 'PE01'" in bad.output and "did you mean PE001" in bad.output


def test_bad_scheme_path_exits_2(monkeypatch):
    result = _invoke(["explain", "no-such.qof", "--data", RUNS["lincs"][1], "--practice", "C82001"], monkeypatch)
    assert result.exit_code == 2 and "Traceback" not in result.output


GOLDEN = [
    ("lincs-C82001-QP001", ["explain", RUNS["lincs"][0], "--data", RUNS["lincs"][1], "--practice", "C82001",
                            "--indicator", "QP001"]),
    ("leeds-B86001", ["explain", RUNS["leeds"][0], "--data", RUNS["leeds"][1], "--practice", "B86001"]),
    ("somerset-outside-area-HYP002", ["explain", RUNS["somerset"][0], "--data", RUNS["somerset"][1],
                                      "--practice", "L82001", "--indicator", "HYP002"]),
]


@pytest.mark.parametrize("name,args", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_explain_text_is_golden(name, args, monkeypatch):
    result = _invoke(args, monkeypatch)
    got = f"# exit {result.exit_code}\n{result.output}"
    expected = CASES / "explain" / f"{name}.expected"
    assert_golden(got, expected)


def test_output_file_is_written(tmp_path, monkeypatch):
    target = tmp_path / "trace.json"
    result = _invoke(["explain", str(ROOT / RUNS["leeds"][0]), "--data", str(ROOT / RUNS["leeds"][1]),
                      "--practice", "B86001", "--format", "json", "-o", str(target)], monkeypatch)
    assert result.exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["practice"]["code"] == "B86001"
