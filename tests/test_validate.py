"""The validator end to end: the seed schemes' verdicts, golden texts, exit codes, formats, waivers
and bad input. QOFRULES_UPDATE_GOLDEN=1 rewrites the golden files; read the diff before committing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CASES, ROOT, assert_golden
from qofrules import api
from qofrules.cli import cli
from validate_helpers import clean, codes, messages, validate_text

SEEDS = sorted((ROOT / "schemes").glob("*.qof"))
CASE_FILES = sorted((CASES / "validate").glob("*.qof"))


def _invoke(args, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# ------------------------------------------------------------------ the seed schemes

def test_seed_verdicts():
    verdicts = {p.stem: r["verdict"] for p, r in zip(SEEDS, api.validate([str(p) for p in SEEDS]))}
    assert verdicts == {"2014-devon-cornwall": "accepted with warnings", "2014-lincolnshire-llr": "accepted with warnings",
                        "2014-somerset": "accepted with warnings", "2017-leeds": "rejected",
                        "2023-24-register-protection": "accepted with warnings",
                        "2024-25-income-protection": "accepted with warnings",
                        "2016-17-northern-ireland": "accepted with warnings",
                        "2020-21-england-covid": "accepted with warnings",
                        "2020-21-mid-and-south-essex-top-up": "accepted with warnings",
                        "2008-09-hammersmith-fulham-qof-plus": "accepted",
                        "2019-20-england-covid-floor": "accepted with warnings",
                        "2016-17-scotland-core-funding": "accepted with warnings"}


def test_leeds_is_rejected_for_what_nhs_englands_legal_advice_said():
    (leeds,) = api.validate(str(ROOT / "schemes" / "2017-leeds.qof"))
    errors = {f["code"]: f for f in leeds["findings"] if f["severity"] == "error"}
    # a local body (the CCGs) cannot change the national contract mid-year: ten months into the year
    assert "QV105" in errors
    assert "cannot change the national contract part-way through a year" in errors["QV105"]["message"]
    assert "ten months into 2016/17" in errors["QV105"]["message"]
    assert "legal advice" in errors["QV105"]["source"]
    # not opt-in: every practice moved off national QOF
    assert "QV104" in errors and errors["QV104"]["line"] == 20
    # the remaining indicators were not paid on actual achievement
    assert "QV109" in errors
    assert leeds["ok"] is False


def test_accepted_seeds_have_no_errors_only_unrecorded_facts():
    for report in api.validate([str(p) for p in SEEDS if p.name.startswith("2014-")]):
        assert report["counts"]["errors"] == 0
        assert any(f["code"] == "QV103" and "approval date is not recorded" in f["message"] for f in report["findings"])


@pytest.mark.parametrize("path", SEEDS + CASE_FILES, ids=lambda p: p.stem)
def test_verdict_text_is_golden(path, monkeypatch):
    result = _invoke(["validate", str(path.relative_to(ROOT))], monkeypatch)
    got = f"# exit {result.exit_code}\n{result.output}"
    expected = CASES / "validate" / f"{path.stem}.expected"
    assert_golden(got, expected)


# ------------------------------------------------------------------ the command

def test_exit_codes(monkeypatch, tmp_path):
    accepted = [str(p.relative_to(ROOT)) for p in SEEDS if "leeds" not in p.name]
    assert _invoke(["validate", *accepted], monkeypatch).exit_code == 0
    assert _invoke(["validate", *accepted, "schemes/2017-leeds.qof"], monkeypatch).exit_code == 1
    broken = tmp_path / "broken.qof"
    broken.write_text('scheme x "X"\n  contract england 2013/14\n', encoding="utf-8")
    result = _invoke(["validate", "schemes/2014-somerset.qof", str(broken)], monkeypatch)
    assert result.exit_code == 2 and "error[QR001]" in result.output
    assert "rejected: the file could not be read or parsed" in result.output
    missing = _invoke(["validate", str(tmp_path / "nope.qof")], monkeypatch)
    assert missing.exit_code == 2


def test_a_scheme_with_check_errors_is_rejected_unvalidated():
    report = validate_text(clean(lmc_="lmx "))
    assert report.verdict == "rejected" and not report.validated
    assert codes(report) == ["QR215"], "the unknown body is reported by check, and no rule runs"
    assert "not validated, because `check` found errors" in report.summary()


def test_json_format(monkeypatch):
    result = _invoke(["validate", "--format", "json", "schemes/2017-leeds.qof"], monkeypatch)
    assert result.exit_code == 1
    (plain,) = json.loads(result.output)
    assert plain["verdict"] == "rejected" and plain["scheme"] == "leeds-2017" and plain["validated"]
    finding = next(f for f in plain["findings"] if f["code"] == "QV105")
    assert finding["rule"] == "local-change-from-year-start" and finding["line"] == 17 and finding["column"] == 3


def test_output_file_is_written_atomically(monkeypatch, tmp_path):
    target = tmp_path / "out.sarif"
    result = _invoke(["validate", "--format", "sarif", "-o", str(target), "schemes/2014-somerset.qof"], monkeypatch)
    assert result.exit_code == 0 and json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert [p.name for p in tmp_path.iterdir()] == ["out.sarif"]


def test_data_option_lets_prior_years_be_checked(monkeypatch):
    somerset = "schemes/2014-somerset.qof"
    without = _invoke(["validate", "--format", "json", somerset], monkeypatch)
    assert any(f["code"] == "QV108" for f in json.loads(without.output)[0]["findings"])
    with_data = _invoke(["validate", "--format", "json", "--data", "examples/south-west-2014", somerset], monkeypatch)
    plain = json.loads(with_data.output)[0]
    assert not any(f["code"] == "QV108" for f in plain["findings"]), plain["findings"]
    bad = _invoke(["validate", "--data", "examples/no-such-data", somerset], monkeypatch)
    assert bad.exit_code == 2


def test_data_option_reads_the_manifest_not_the_rows(monkeypatch, tmp_path):
    """validate --data needs the years a data set holds, which its manifest names, and the columns
    of its practices table: the achievement rows are not read (England's are 2 million) for a scheme
    without local indicators, so a data set whose achievement files are unreadable as CSV gives the
    same findings as the real one, and the same years as loading it whole."""
    import shutil
    somerset = "schemes/2014-somerset.qof"
    real = ROOT / "examples" / "south-west-2014"
    copy = tmp_path / "south-west-2014"
    shutil.copytree(real, copy)
    for achievement in copy.glob("achievement*.csv"):
        achievement.write_bytes(b"\xff not a CSV file\n")
    assert api.data_years(str(copy))[0] == api.data_years(str(real))[0]
    assert api.data_years(str(real))[0] == tuple(api.load_data(str(real)).years)
    assert api.data_years(str(real))[1] == api.load_data(str(real)).contract_overrides
    with_real = _invoke(["validate", "--format", "json", "--data", str(real), somerset], monkeypatch)
    with_copy = _invoke(["validate", "--format", "json", "--data", str(copy), somerset], monkeypatch)
    assert with_real.exit_code == with_copy.exit_code
    assert json.loads(with_copy.output)[0]["findings"] == json.loads(with_real.output)[0]["findings"]
    assert not any(f["code"] == "QV108" for f in json.loads(with_copy.output)[0]["findings"])


def test_api_validate_feeds_the_commissioners_report():
    from qofrules.report import validation_verdict
    verdict = validation_verdict(api.validate, str(ROOT / "schemes" / "2017-leeds.qof"))
    assert verdict["available"] and verdict["ok"] is False and verdict["summary"] == "rejected"
    assert any(f["code"] == "QV105" and f["line"] == 17 for f in verdict["findings"])


def test_rules_api_lists_every_rule_as_plain_data():
    listed = api.rules()
    assert [r["code"] for r in listed][:2] == ["QV101", "QV102"]
    assert all(r["source"] and r["breaking_example"] for r in listed)
    json.dumps(listed)


# ------------------------------------------------------------------ waivers

WAIVER = '  waiver: {rule} granted by {by} on {on}{until} because "Approval minuted but the date lost"\n'


def _waived(rule="QV103", by='nhs-england area-team "Leicestershire and Lincolnshire"', on="2014-01-10", until=""):
    text = clean(WAIVER.format(rule=rule, by=by, on=on, until=until))
    return validate_text(text.replace(" on 2014-01-20", ""))  # the approval date is not recorded: QV103 fires


def test_a_waived_finding_is_reported_as_waived_not_hidden():
    report = _waived()
    (finding,) = [f for f in report.findings if f.diagnostic.code == "QV103"]
    assert finding.severity == "waived" and finding.original_severity == "warning"
    assert report.verdict == "accepted with warnings"
    rendered = finding.render()
    assert "waived[QV103]" in rendered and "note: waived by nhs-england area-team" in rendered
    assert finding.to_json()["waiver"]["reason"] == "Approval minuted but the date lost"


def test_a_waiver_by_rule_name_counts_too():
    report = _waived(rule="approved-before-start")
    assert [f.severity for f in report.findings if f.diagnostic.code == "QV103"] == ["waived"]


def test_a_waived_error_no_longer_rejects():
    text = clean(WAIVER.format(rule="QV103", by="nhs-england", on="2014-01-10", until=""))
    late = validate_text(text.replace("on 2014-01-20", "on 2014-02-10"))
    assert late.verdict == "accepted with warnings"
    unwaived = validate_text(clean().replace("on 2014-01-20", "on 2014-02-10"))
    assert unwaived.verdict == "rejected" and codes(unwaived, "error") == ["QV103"]


def test_an_expired_waiver_counts_as_none():
    report = _waived(until=" until 2014-03-01")
    assert "QV002" in codes(report, "warning")
    assert [f.severity for f in report.findings if f.diagnostic.code == "QV103"] == ["warning"]
    assert "ended on 1 March 2014, before the scheme ends on 31 March 2014" in messages(report, "QV002")[0]
    covering = _waived(until=" until 2014-03-31")
    assert "QV002" not in codes(covering)


def test_a_waiver_from_a_body_without_national_power_counts_as_none():
    report = _waived(by='lmc "Lincolnshire"')
    assert "QV003" in codes(report) and "QV103" in codes(report, "warning")


def test_a_waiver_for_an_unknown_rule_is_a_warning():
    report = _waived(rule="QV1O3")
    (finding,) = [f for f in report.findings if f.diagnostic.code == "QV001"]
    assert finding.diagnostic.hint.startswith("did you mean") and "QV103" in finding.diagnostic.hint


def test_a_waiver_for_a_rule_that_does_not_fire_is_a_warning():
    report = validate_text(clean(WAIVER.format(rule="QV105", by="nhs-england", on="2014-01-10", until="")))
    assert codes(report) == ["QV004"] and report.verdict == "accepted with warnings"


def test_a_clean_scheme_is_accepted_outright():
    report = validate_text(clean())
    assert report.findings == () and report.verdict == "accepted" and report.ok


# ------------------------------------------------------------------ bad input

def test_an_unknown_body_type_gets_a_clear_finding(monkeypatch, tmp_path):
    path = tmp_path / "unknown-body.qof"
    path.write_text(clean().replace('approved: nhs-england area-team', 'approved: nhs-englund area-team'),
                    encoding="utf-8")
    result = _invoke(["validate", str(path)], monkeypatch)
    assert result.exit_code == 1
    assert "error[QR215] unknown kind of body 'nhs-englund'" in result.output and "did you mean 'nhs-england'" in result.output


def test_a_date_outside_any_shipped_contract_year_gets_a_clear_finding():
    report = validate_text(clean(runs_2014_02_01_to_2014_03_31="runs: 2026-05-01 to 2026-06-30")
                           .replace("runs: 2014-02-01 to 2014-03-31", "runs: 2026-05-01 to 2026-06-30"))
    (message,) = messages(report, "QV101")
    assert "outside the contract year it names, 2013/14" in message and "qofrules ships no contract year for 2026/27" in message


PCT_2011 = """
scheme pct-2011 "A PCT's local scheme of 2011/12"
  contract: england 2011/12
  approved: pct "NHS Example PCT" on 2011-02-01
  consulted: lmc "Example"
  runs: 2011-04-01 to 2012-03-31
  eligible when: practice opted in

  rule "Retiring points paid in full":
    applies to: indicators retiring 2012-04-01
    reporting: not required
    pay: full points

  rule "Everything else as usual":
    applies to: all other indicators
    pay: achievement
"""


def test_a_contract_year_we_do_not_ship_cannot_be_judged_but_who_made_it_still_is():
    report = validate_text(PCT_2011)
    assert report.validated and report.verdict == "cannot judge" and not report.ok
    assert [f.severity for f in report.findings if f.diagnostic.code == "QR211"] == ["cannot-judge"]
    assert codes(report, "error") == [] and report.judgement.kind == "local alternative by a local body"
    # the authority rules still run: the same scheme approved by a PCT after PCTs ended is rejected
    late = validate_text(PCT_2011.replace("on 2011-02-01", "on 2013-04-02"))
    assert late.verdict == "rejected" and "QV115" in codes(late, "error")
    assert "no PCT existed in England after 31 March 2013" in messages(late, "QV115")[0]


def test_cannot_judge_has_its_own_exit_code_and_sarif_kind(monkeypatch, tmp_path):
    path = tmp_path / "pct-2011.qof"
    path.write_text(PCT_2011.lstrip("\n"), encoding="utf-8")
    result = _invoke(["validate", str(path)], monkeypatch)
    assert result.exit_code == 3 and "cannot judge" in result.output
    assert "cannot-judge[QR211] no contract year 'england 2011/12' ships with qofrules" in result.output
    sarif = json.loads(_invoke(["validate", "--format", "sarif", str(path)], monkeypatch).output)
    (qr211,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "QR211"]
    assert qr211["kind"] == "open" and qr211["level"] == "none"
    assert sarif["runs"][0]["properties"]["verdicts"][0]["verdict"] == "cannot judge"


def test_a_year_without_the_data_a_rule_needs_gets_a_finding_not_a_pass():
    # 2013/14's data is incomplete: HYP002 has no recorded retirement, so paying it in full cannot be confirmed
    extra = '\n  rule "Hypertension in full":\n    applies to: indicator HYP002\n    reporting: not required\n    pay: full points\n'
    report = validate_text(clean(extra))
    (message,) = messages(report, "QV107")
    assert "incomplete" in message and "HYP002" in message
    assert [f.severity for f in report.findings if f.diagnostic.code == "QV107"] == ["cannot-judge"]
    assert report.verdict == "cannot judge"
    assert "--contract-overrides" in [f for f in report.findings if f.diagnostic.code == "QV107"][0].diagnostic.hint


def _without_column(source: Path, target: Path, column: str) -> Path:
    import csv
    import shutil
    shutil.copytree(source, target)
    with (source / "practices.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = [n for n in rows[0] if n != column]
    with (target / "practices.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, names, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return target


def _findings(result) -> dict:
    return {f["code"]: f for f in json.loads(result.output)[0]["findings"]}


def test_data_lacking_an_attribute_the_scheme_tests_is_reported_as_run_reports_it(monkeypatch, tmp_path):
    """A scheme accepted with its data must also run on it: the COVID floor tests COVID_AFFECTED,
    and validate --data on data without that column says so (QE003, at the attribute), in run's words."""
    scheme = "schemes/2019-20-england-covid-floor.qof"
    data = _without_column(ROOT / "examples" / "cornwall-2020", tmp_path / "cornwall", "COVID_AFFECTED")
    validated = _invoke(["validate", "--format", "json", "--data", str(data), scheme], monkeypatch)
    assert json.loads(validated.output)[0]["verdict"] == "rejected"
    finding = _findings(validated)["QE003"]
    ran = _invoke(["run", scheme, "--data", str(data)], monkeypatch)
    assert ran.exit_code != 0 and finding["message"] in ran.output
    with_column = _invoke(["validate", "--format", "json", "--data", "examples/cornwall-2020", scheme], monkeypatch)
    assert "QE003" not in _findings(with_column)


def test_data_not_reporting_a_local_indicator_is_reported_as_run_reports_it(monkeypatch, tmp_path):
    """QE030 needs the achievement rows, read only for a scheme with local indicators."""
    import shutil
    scheme = "examples/local-indicator-on-top-2021.qof"
    data = tmp_path / "essex"
    shutil.copytree(ROOT / "examples" / "mid-south-essex-2021", data)
    achievement = data / "achievement-2020-21.csv"
    lines = achievement.read_text().splitlines(keepends=True)
    achievement.write_text("".join(line for line in lines if ",LOC-BP150," not in line))
    assert len(achievement.read_text().splitlines()) < len(lines), "the local indicator's rows were removed"
    validated = _invoke(["validate", "--format", "json", "--data", str(data), scheme], monkeypatch)
    finding = _findings(validated)["QE030"]
    assert finding["severity"] == "error" and finding["line"] == 13
    ran = _invoke(["run", scheme, "--data", str(data)], monkeypatch)
    assert ran.exit_code != 0 and finding["message"] in ran.output
    real = _invoke(["validate", "--format", "json", "--data", "examples/mid-south-essex-2021", scheme], monkeypatch)
    assert "QE030" not in _findings(real)


def test_a_data_sets_overrides_for_another_year_are_reported_as_run_refuses_them(monkeypatch):
    """Leeds's data carries 2016/17 overrides: run refuses a 2013/14 scheme on it (QR312), and
    validate --data says the same of that scheme instead of accepting it."""
    scheme = "schemes/2014-lincolnshire-llr.qof"
    validated = _invoke(["validate", "--format", "json", "--data", "examples/leeds-2017", scheme], monkeypatch)
    (report,) = json.loads(validated.output)
    finding = _findings(validated)["QR312"]
    assert report["verdict"] == "rejected" and finding["severity"] == "error"
    ran = _invoke(["run", scheme, "--data", "examples/leeds-2017"], monkeypatch)
    assert ran.exit_code != 0 and finding["message"] in ran.output


def test_a_year_lacking_figures_with_data_cannot_be_judged_rather_than_accepted(monkeypatch):
    """tiny.yaml supplies no figures, and 2013/14 lacks some: run refuses (QE001), so validate
    --data cannot say the scheme runs on it. It is qofrules' want of national data, not a fault of
    the scheme: 'cannot judge' (exit 3), not 'rejected'."""
    scheme = "schemes/2014-lincolnshire-llr.qof"
    validated = _invoke(["validate", "--format", "json", "--data", "examples/tiny.yaml", scheme], monkeypatch)
    assert validated.exit_code == 3
    assert json.loads(validated.output)[0]["verdict"] == "cannot judge"
    assert _findings(validated)["QE001"]["severity"] == "cannot-judge"
    alone = _invoke(["validate", "--format", "json", scheme], monkeypatch)
    assert "QE001" not in _findings(alone), "without data, whether it computes is not asked"
