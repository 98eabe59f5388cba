"""The four real schemes, evaluated on the worked examples, behave as their stories say."""
from __future__ import annotations

import csv
import itertools
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from conftest import ROOT
from qofrules import api
from qofrules.cli import cli

RUNS = {
    "lincs": ("schemes/2014-lincolnshire-llr.qof", "examples/lincolnshire-2014"),
    "devon": ("schemes/2014-devon-cornwall.qof", "examples/south-west-2014"),
    "somerset": ("schemes/2014-somerset.qof", "examples/south-west-2014"),
    "leeds": ("schemes/2017-leeds.qof", "examples/leeds-2017"),
}


@pytest.fixture(scope="module")
def results():
    return {name: api.run_result(str(ROOT / s), str(ROOT / d)) for name, (s, d) in RUNS.items()}


def practices_table(data_dir: str) -> dict[str, dict]:
    with open(ROOT / data_dir / "practices.csv", encoding="utf-8", newline="") as handle:
        return {row["PRACTICE_CODE"]: row for row in csv.DictReader(handle)}


def _sum_or_unknown(parts):
    """A total as the run makes it: the sum of its parts, unknown (None) if any part is."""
    parts = list(parts)
    return None if any(p is None for p in parts) else sum(parts)


@pytest.mark.parametrize("name", RUNS)
def test_totals_are_sums_of_their_printed_parts(results, name):
    result = results[name]
    assert result.supplied_figures, "the examples' illustrative overrides must be declared"
    for practice in result.practices:
        assert practice.scheme_payment == _sum_or_unknown(i.scheme.payment for i in practice.indicators)
        assert practice.national_payment == _sum_or_unknown(i.national.payment for i in practice.indicators)
        if practice.scheme_payment is not None and practice.national_payment is not None:
            assert practice.difference == practice.scheme_payment - practice.national_payment
        if not practice.eligible:
            assert practice.difference == 0
    totals = result.totals
    known = [p for p in result.practices if p.scheme_payment is not None and p.national_payment is not None]
    assert totals["scheme_payment"] == sum(p.scheme_payment for p in result.practices if p.scheme_payment is not None)
    assert totals["difference"] == sum(p.difference for p in known)
    if len(known) == len(result.practices):
        assert totals["difference"] == totals["scheme_payment"] - totals["national_payment"]


def test_lincolnshire_eligibility_is_opting_in(results):
    table = practices_table(RUNS["lincs"][1])
    eligible = {p.code for p in results["lincs"].practices if p.eligible}
    assert eligible == {code for code, row in table.items() if row["OPTED_IN"]}
    assert 0 < len(eligible) < len(table)


def test_lincolnshire_pays_retiring_indicators_in_full_and_nobody_loses(results):
    contract = api.load_contract("england", "2013/14",
                                 [str(ROOT / RUNS["lincs"][1] / "contract-overrides.yaml")])
    retiring = {c for c, i in contract.indicators.items() if i.retirement_date and str(i.retirement_date) == "2014-04-01"}
    assert retiring
    for practice in results["lincs"].practices:
        assert practice.difference >= 0
        for ind in practice.indicators:
            if practice.eligible and ind.code in retiring:
                assert ind.rule == "Retiring points paid in full"
                assert ind.scheme.points == Decimal(contract.indicators[ind.code].points.value)
            else:
                assert ind.scheme.payment == ind.national.payment


def test_somerset_is_only_somerset_and_honours_requests(results):
    table = practices_table(RUNS["somerset"][1])
    result = results["somerset"]
    assert result.months_run == 3
    for practice in result.practices:
        row = table[practice.code]
        assert practice.eligible == (row["LMC"] == "Somerset" and bool(row["OPTED_IN"]))
        if practice.eligible and row["REQUESTED_ALTERNATIVE"] == "yes":
            assert all(i.on_request for i in practice.indicators)
            assert practice.difference == 0  # actual achievement on request: the national payment
    assert any(p.eligible and p.difference != 0 for p in result.practices)


def test_leeds_pays_every_practice_at_least_its_national_amount(results):
    result = results["leeds"]
    assert result.eligible_count == len(result.practices) == len(practices_table(RUNS["leeds"][1]))
    assert all(p.difference >= 0 for p in result.practices)
    assert any(p.difference > 0 for p in result.practices)


def test_run_formats_agree(results):
    scheme, data = (str(ROOT / p) for p in RUNS["lincs"])
    runner = CliRunner()
    as_json = json.loads(runner.invoke(cli, ["run", scheme, "--data", data, "--format", "json"]).output)
    total = results["lincs"].totals["scheme_payment"]
    assert as_json["totals"]["scheme_payment"] == str(total)
    assert as_json["synthetic"] is True and as_json["supplied_figures"]
    csv_lines = runner.invoke(cli, ["run", scheme, "--data", data, "--format", "csv"]).output.splitlines()
    assert "# SYNTHETIC DATA" in "\n".join(csv_lines) and "NOT national figures" in csv_lines[3]
    as_csv = list(csv.DictReader(itertools.dropwhile(lambda line: line.startswith("#"), csv_lines)))
    assert len(as_csv) == len(results["lincs"].practices)
    assert sum(Decimal(r["scheme_payment"]) for r in as_csv) == total
    text = runner.invoke(cli, ["run", scheme, "--data", data]).output
    assert f"£{total:,.2f}" in text.splitlines()[-2] or f"£{total:,.2f}" in text
    assert "SYNTHETIC" in text and "NOT national figures" in text


def test_run_writes_output_atomically(tmp_path):
    scheme, data = (str(ROOT / p) for p in RUNS["leeds"])
    out = tmp_path / "results.csv"
    result = CliRunner().invoke(cli, ["run", scheme, "--data", data, "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert next(line for line in lines if not line.startswith("#")).startswith("practice,name,list_size,eligible")
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]


def test_written_files_get_ordinary_permissions(tmp_path):
    """An atomic write goes through a private temporary file; the result must not stay private."""
    import os
    import stat
    from qofrules.writing import write_atomic
    new = tmp_path / "new.txt"
    write_atomic(new, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask
    existing = tmp_path / "existing.txt"
    existing.write_text("old")
    existing.chmod(0o640)
    write_atomic(existing, "new")
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640 and existing.read_text() == "new"


def test_overriding_a_national_figure_is_said_aloud(tmp_path):
    data = ROOT / "examples" / "lincolnshire-2014"
    overrides = tmp_path / "o.yaml"
    overrides.write_text("overrides: england 2013/14\nlabel: test\nindicators:\n  HYP002: {points: 999}\n")
    result = api.run_result(str(ROOT / RUNS["lincs"][0]), str(data), [str(overrides)])
    assert any("replace national figures: HYP002 points: national 10 (unchecked) replaced by 999" in n
               for n in result.notes)


def test_unknown_indicator_codes_in_the_data_are_named(tmp_path):
    import shutil
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "examples" / "lincolnshire-2014", copy)
    achievement = copy / "achievement-2013-14.csv"
    achievement.write_text(achievement.read_text().replace("C82001,HYP002,", "C82001,HYP02,"))
    result = api.run_result(str(ROOT / RUNS["lincs"][0]), str(copy))
    assert any("HYP02 (did you mean HYP002" in n for n in result.notes)
