"""NHS Digital's QOF publication as published (a zip or a folder, no manifest): read as the same
data set on both paths; described; national figures recovered from it exactly; reconciled with its
own ACHIEVED_POINTS; results written as CSV, Excel and Parquet and read back with real readers.

The data is made by examples/generate_publication.py (real layout and practices, synthetic values),
once per module: a national one (every practice in England) and a small one (120 practices, with two
indicators left with too few practices between their thresholds).
"""
from __future__ import annotations

import csv
import importlib.util
import io
import itertools
import json
import shutil
import sys
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from qofrules import contracts
from qofrules.cli import cli
from qofrules.data import columnar, load as load_exact, publication

ROOT = Path(__file__).resolve().parent.parent
SCHEME = str(ROOT / "schemes" / "2023-24-register-protection.qof")


def _generator():
    spec = importlib.util.spec_from_file_location("qofrules_generate_publication",
                                                  ROOT / "examples" / "generate_publication.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _generator()


def _invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small")
    return gen.generate(out, limit=120, few_between=True)


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("national")
    return gen.generate(out)


@pytest.fixture(scope="module")
def national_overrides(national) -> Path:
    out = national.parent / "inferred.yaml"
    result = _invoke("contracts", "infer", national, "-o", out)
    assert result.exit_code == 0, result.stderr
    return out


def _figures(zip_path: Path) -> dict:
    return yaml.safe_load((zip_path.parent / "generator-figures.yaml").read_text(encoding="utf-8"))


def _prevalence_overrides(path: Path) -> Path:
    """Synthetic national prevalences for a data set that is not national (so that run can price
    it); labelled as what they are."""
    groups = {g: {"national_prevalence": "2.5"} for g, raw in contracts.load("england", "2023/24").groups.items()
              if raw.prevalence_adjusted}
    path.write_text(yaml.safe_dump({"overrides": "england 2023/24",
                                    "label": "Synthetic prevalences for a test: NOT national figures",
                                    "groups": groups}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def priced(small, tmp_path_factory):
    out = tmp_path_factory.mktemp("priced")
    inferred = out / "inferred.yaml"
    _invoke("contracts", "infer", small, "-o", inferred)
    figures = _figures(small)["thresholds"]
    extra = out / "few.yaml"
    text = inferred.read_text(encoding="utf-8")
    extra.write_text(yaml.safe_dump({"overrides": "england 2023/24", "label": "Generator's synthetic thresholds: NOT national",
                                     "indicators": {c: {"thresholds": figures[c]} for c in figures
                                                    if f"  {c}: " not in text and c != "DEM004"}}), encoding="utf-8")
    return ["--contract-overrides", inferred, "--contract-overrides", extra,
            "--contract-overrides", _prevalence_overrides(out / "prevalence.yaml")]


# ------------------------------------------------------------------ reading: one meaning

def test_zip_and_folder_give_the_same_data_set_on_both_paths(small, tmp_path):
    folder = tmp_path / "unpacked"
    import zipfile
    with zipfile.ZipFile(small) as archive:
        archive.extractall(folder)
    exact = load_exact(str(small))
    columns = columnar.load(str(small))
    from_folder = load_exact(str(folder))
    assert exact.synthetic and "SYNTHETIC DATA" in exact.notice
    assert exact.years == ("2022/23", "2023/24") == columns.years
    assert len(exact.practices) == 120
    assert [p for p in from_folder.practices] == list(exact.practices)
    assert all(columns.practice_in_full(i) == p for i, p in enumerate(exact.practices))
    first = exact.practices[0]
    assert first.code == "A81001" and first.areas["ICB"] == "NHS North East and North Cumbria Integrated Care Board"
    assert first.attributes["sub_icb_ods_code"] == "16C" and first.areas["CCG"].endswith("16C")
    assert first.list_size == first.prevalence["2023/24"]["AF"].list_size  # AF is measured on the TOTAL list
    assert first.achievement["2023/24"]["AF006"].exceptions is not None  # PCAS read as exceptions


def test_run_on_a_publication_zip_gives_equal_pennies_on_both_paths(small, priced):
    args = ["run", SCHEME, "--data", small, *priced, "--format", "csv"]
    fast, slow = _invoke(*args), _invoke(*args, "--exact")
    assert fast.exit_code == 0, fast.stderr
    body = lambda out: [line for line in out.splitlines() if not line.startswith("# Note: the data set was read")]
    assert body(fast.stdout) == body(slow.stdout)
    rows = list(csv.DictReader(itertools.dropwhile(lambda line: line.startswith("#"), fast.stdout.splitlines())))
    assert len(rows) == 120 and all(r["national_payment"] for r in rows)
    assert rows[0]["icb"] == "NHS North East and North Cumbria Integrated Care Board" and rows[0]["icb_code"] == "QHM"
    assert "# Data: NHS Digital QOF publication" in fast.stdout and "(SYNTHETIC)" in fast.stdout
    assert "NOT published national figures" in fast.stdout


def test_a_hand_written_manifest_still_wins(small, tmp_path):
    folder = tmp_path / "both"
    import zipfile
    with zipfile.ZipFile(small) as archive:
        archive.extractall(folder)
    shutil.copytree(ROOT / "examples" / "leeds-2017", folder, dirs_exist_ok=True)
    data = load_exact(str(folder))
    assert data.name == "leeds-2017-example" and data.years == ("2015/16", "2016/17")


def test_describe_says_what_it_found_and_what_it_could_not_use(small):
    result = _invoke("data", "describe", small)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "NHS Digital QOF publication, zip" in text and "SYNTHETIC DATA" in text
    assert "practices: 120 (from qof-2324-synthetic/MAPPING_NHS_GEOGRAPHIES_2324.csv" in text
    assert "2023/24:\n    achievement: 76 indicators, 30,480 rows; measures REGISTER, NUMERATOR, DENOMINATOR" in text
    assert "MAPPING_INDICATORS_2324.csv: indicator mapping (codes, points, groups): not used" in text
    assert "ORGANISATION_REFERENCE_2324.csv: not a layout qofrules reads" in text
    plain = json.loads(_invoke("data", "describe", small, "--format", "json").stdout)
    assert plain["practices"] == 120 and [y["year"] for y in plain["years"]] == ["2023/24", "2022/23"]
    assert set(plain["geography"]) == {"PCN", "CCG", "ICB", "REGION"}


# ------------------------------------------------------------------ national figures from data

def test_infer_recovers_every_threshold_and_national_prevalence_exactly(national, national_overrides):
    figures = _figures(national)
    data = yaml.safe_load(national_overrides.read_text(encoding="utf-8"))
    text = national_overrides.read_text(encoding="utf-8")
    assert data["overrides"] == "england 2023/24" and "NOT published national figures" in data["label"]
    assert data["zero_denominator"] == figures["zero_denominator"]
    got = {code: {k: Decimal(str(v)) for k, v in entry["thresholds"].items()} for code, entry in data["indicators"].items()}
    want = {code: {k: Decimal(str(v)) for k, v in entry.items()} for code, entry in figures["thresholds"].items()
            if code != "DEM004"}  # DEM004's thresholds are the contract year's own: checked, not written
    assert got == want
    assert any(v["lower"] != v["lower"].to_integral_value() for v in got.values()), "decimals are recovered too"
    assert "DEM004 thresholds 35/70 (unchecked): every one of" in text
    for group, totals in figures["national"].items():
        exact = Fraction(totals["register"] * 100, totals["list"])
        rounded = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        assert Decimal(data["groups"][group]["national_prevalence"]) == rounded
        assert f"national register {totals['register']:,} over national {totals['patient_list']} list {totals['list']:,}" in text
    contract = contracts.load("england", "2023/24")
    loaded, source = contracts.load_overrides(str(national_overrides))
    applied = contracts.apply_overrides(contract, loaded, source)
    assert not applied.replaced_national
    assert {f.status for label, f in applied.figures() if label.startswith("national prevalence")} == {"supplied"}


def test_infer_says_which_thresholds_too_few_practices_fix(small):
    result = _invoke("contracts", "infer", small, "--format", "json")
    findings = {f["figure"]: f for f in json.loads(result.stdout)["findings"]}
    assert findings["CS006 thresholds"] == {"figure": "CS006 thresholds", "recovered": False, "value": None,
                                            "provenance": "only 1 practice between the thresholds (two with different "
                                                          "achievement are needed)"}
    assert findings["VI004 thresholds"]["provenance"].startswith("only 0 practices between the thresholds")
    assert findings["AST008 thresholds"]["value"] == {"lower": "42.25", "upper": "85.75"}
    refused = findings["group AF national prevalence"]
    assert not refused["recovered"] and "the data lacks 6,290 of England's 6,410 practices of 2023/24" in refused["provenance"]


def test_reconcile_agrees_everywhere_on_the_national_data(national, national_overrides):
    result = _invoke("reconcile", "2023/24", "--data", national, "--contract-overrides", national_overrides)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "agree: 487,160   differ: 0   published but not computable: 0" in result.stdout


def test_reconcile_names_the_cells_a_wrong_threshold_changes(national, national_overrides, tmp_path):
    wrong = tmp_path / "wrong.yaml"
    text = national_overrides.read_text(encoding="utf-8")
    line = next(l for l in text.splitlines() if l.startswith("  AF006:"))
    wrong.write_text(text.replace(line, "  AF006: {thresholds: {lower: 31, upper: \"60.25\"}}"), encoding="utf-8")
    result = _invoke("reconcile", "2023/24", "--data", national, "--contract-overrides", wrong, "--format", "json")
    assert result.exit_code == 1
    plain = json.loads(result.stdout)
    assert plain["differ"] > 0 and {d["indicator"] for d in plain["differences"]} == {"AF006"}
    assert plain["by_indicator"]["AF006"]["differ"] == plain["differ"]
    first = plain["differences"][0]
    assert first["practice"] == "A81001" and "(60.25 − 31)" in first["why"]
    assert Decimal(first["qofrules"]) - Decimal(first["published"]) == Decimal(first["difference"])


def test_reconcile_is_the_same_on_both_paths(small, priced):
    thresholds_only = priced[:4]  # no national prevalence: reconcile needs none
    fast = json.loads(_invoke("reconcile", SCHEME, "--data", small, *thresholds_only, "--format", "json").stdout)
    slow = json.loads(_invoke("reconcile", SCHEME, "--data", small, *thresholds_only, "--format", "json",
                              "--exact").stdout)
    assert fast == slow and fast["differ"] == 0
    assert "Not needed for points, so not asked for: national prevalence of AF" in "\n".join(fast["notices"])


# ------------------------------------------------------------------ results for analysts

def test_excel_has_the_notices_first_and_a_frozen_sheet_per_view(small, priced, tmp_path):
    import openpyxl
    out = tmp_path / "results.xlsx"
    result = _invoke("run", SCHEME, "--data", small, *priced, "-o", out, "--indicators")
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Notices", "practices", "indicators", "totals"]
    notices = [row[0] for row in book["Notices"].iter_rows(values_only=True)]
    assert any("SYNTHETIC DATA" in n for n in notices) and any("NOT published national figures" in n for n in notices)
    practices = book["practices"]
    assert practices.freeze_panes == "A2"
    header = [c.value for c in practices[1]]
    assert header[:4] == ["practice", "name", "list_size", "eligible"] and "icb_code" in header
    assert practices.max_row == 121 and book["indicators"].max_row == 120 * 76 + 1
    csv_rows = list(csv.DictReader(itertools.dropwhile(
        lambda line: line.startswith("#"), _invoke("run", SCHEME, "--data", small, *priced, "--format", "csv").stdout.splitlines())))
    column = header.index("national_payment")
    assert [Decimal(str(row[column].value)).quantize(Decimal("0.01")) for row in practices.iter_rows(min_row=2)] == \
        [Decimal(r["national_payment"]) for r in csv_rows]


def test_parquet_keeps_pennies_exact_and_carries_the_notices(small, priced, tmp_path):
    import pandas
    import pyarrow.parquet as pq
    out = tmp_path / "results.parquet"
    assert _invoke("run", SCHEME, "--data", small, *priced, "-o", out).exit_code == 0
    table = pq.read_table(out)
    notices = json.loads(table.schema.metadata[b"qofrules.notices"])
    assert any("SYNTHETIC DATA" in n for n in notices)
    frame = pandas.read_parquet(out)
    assert "SYNTHETIC DATA" in frame["notices"].iloc[0] and frame["notices"].nunique() == 1
    csv_text = _invoke("run", SCHEME, "--data", small, *priced, "--format", "csv").stdout
    rows = list(csv.DictReader(itertools.dropwhile(lambda line: line.startswith("#"), csv_text.splitlines())))
    assert [str(v) for v in frame["national_payment"]] == [r["national_payment"] for r in rows]
    assert list(frame["region"].unique()) == sorted({r["region"] for r in rows}, key=[r["region"] for r in rows].index)


def test_format_follows_the_suffix_and_binary_needs_a_file(small, priced, tmp_path):
    assert _invoke("run", SCHEME, "--data", small, *priced, "--format", "xlsx").exit_code == 2
    assert _invoke("run", SCHEME, "--data", small, *priced, "--indicators").exit_code == 2  # text has no such view
    clash = _invoke("run", SCHEME, "--data", small, *priced, "--format", "csv", "-o", tmp_path / "r.xlsx")
    assert clash.exit_code == 2 and "names a xlsx file, but --format csv was given" in clash.stderr
    out = tmp_path / "r.csv"
    assert _invoke("run", SCHEME, "--data", small, *priced, "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# Scheme england-2023-24-register-protection")


def test_reconcile_differences_as_excel(small, priced, tmp_path):
    import openpyxl
    text = Path(priced[1]).read_text(encoding="utf-8")
    line = next(l for l in text.splitlines() if l.startswith("  DM006:"))
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(text.replace(line, "  DM006: {thresholds: {lower: 51, upper: 90}}"), encoding="utf-8")
    out = tmp_path / "differences.xlsx"
    result = _invoke("reconcile", "2023/24", "--data", small, "--contract-overrides", wrong, *priced[2:4], "-o", out)
    assert result.exit_code == 1, result.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Notices", "differences", "by indicator"]
    rows = list(book["differences"].iter_rows(min_row=2, values_only=True))
    assert rows and {r[2] for r in rows} == {"DM006"}


def test_report_views_as_excel_sheets_with_the_notices_first(tmp_path):
    import openpyxl
    out = tmp_path / "report.xlsx"
    scheme, data = ROOT / "schemes" / "2014-lincolnshire-llr.qof", ROOT / "examples" / "lincolnshire-2014"
    result = _invoke("report", scheme, "--data", data, "-o", out)
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "Notices" and {"summary", "by LMC", "by group", "practices"} <= set(book.sheetnames)
    assert any("NOT national figures" in (row[0] or "") for row in book["Notices"].iter_rows(values_only=True))
    html = _invoke("report", scheme, "--data", data, "--format", "markdown").stdout
    summary = [c.value for c in book["summary"][2]]
    header = [c.value for c in book["summary"][1]]
    total = Decimal(str(summary[header.index("scheme_payment")])).quantize(Decimal("0.01"))
    assert f"£{total:,.2f}" in html
    assert all(sheet.freeze_panes == "A2" for sheet in book.worksheets[1:])


def test_diff_impact_as_parquet_with_geography(tmp_path):
    import pyarrow.parquet as pq
    out = tmp_path / "impact.parquet"
    old, new = ROOT / "schemes" / "2014-lincolnshire-llr.qof", ROOT / "schemes" / "2014-devon-cornwall.qof"
    data = ROOT / "examples" / "lincolnshire-2014"
    result = _invoke("diff", old, new, "--impact", data, "-o", out)
    assert result.exit_code == 1  # the versions differ in meaning
    table = pq.read_table(out).to_pylist()
    plain = json.loads(_invoke("diff", old, new, "--impact", data, "--format", "json").stdout)
    assert [(r["practice"], format(r["difference"], "f")) for r in table] == \
        [(p["practice"], p["difference"]) for p in plain["impact"]["practices"]]
    assert table[0]["lmc"] == "Leicester, Leicestershire and Rutland" and "SYNTHETIC" in table[0]["notices"]
    assert _invoke("diff", old, new, "-o", tmp_path / "x.csv").exit_code == 2  # tables need --impact


def test_the_shipped_reference_copies_are_what_their_sources_say():
    import hashlib
    sources = (ROOT / "examples" / "reference" / "SOURCES.md").read_text(encoding="utf-8")
    control = ROOT / "examples" / "reference" / "INDICATOR_REFERENCE_CONTROL.csv"
    assert hashlib.sha256(control.read_bytes()).hexdigest() in sources
    mappings = {row["PRACTICE_CODE"] for row in gen.read_csv(gen.MAPPINGS)}
    from qofrules.infer import england_practices
    assert england_practices("2023/24") == mappings and len(mappings) == 6410
    assert england_practices("2022/23") is None
