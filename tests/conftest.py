"""Shared helpers for the tests: the fixture contract year and a way to evaluate scheme text."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from qofrules import api
from qofrules.contracts import contract_from_data
from qofrules.source import Source

TESTS = Path(__file__).parent
ROOT = TESTS.parent
CASES = TESTS / "cases"

#: Every scheme the shipped examples run (examples/README.md), by a short name: (scheme file,
#: example data set), both relative to the checkout. One table: the both-paths, report, browser,
#: generator and real-scheme tests each take what they need from it.
EXAMPLE_RUNS = {
    "lincs": ("schemes/2014-lincolnshire-llr.qof", "examples/lincolnshire-2014"),
    "devon-cornwall": ("schemes/2014-devon-cornwall.qof", "examples/south-west-2014"),
    "somerset": ("schemes/2014-somerset.qof", "examples/south-west-2014"),
    "leeds": ("schemes/2017-leeds.qof", "examples/leeds-2017"),
    "mid-south-essex": ("schemes/2020-21-mid-and-south-essex-top-up.qof", "examples/mid-south-essex-2021"),
    "local-indicator": ("examples/local-indicator-on-top-2021.qof", "examples/mid-south-essex-2021"),
    "england-covid": ("schemes/2020-21-england-covid.qof", "examples/mid-south-essex-2021"),
    "covid-floor": ("schemes/2019-20-england-covid-floor.qof", "examples/cornwall-2020"),
    "hammersmith-fulham": ("schemes/2008-09-hammersmith-fulham-qof-plus.qof", "examples/hammersmith-fulham-2009"),
    "northern-ireland": ("schemes/2016-17-northern-ireland.qof", "examples/northern-ireland-2017"),
    "scotland": ("schemes/2016-17-scotland-core-funding.qof", "examples/scotland-2016"),
}
#: The real schemes of schemes/ that run over an example, by file stem: {stem: example directory name}
SCHEME_EXAMPLES = {Path(scheme).stem: Path(data).name for scheme, data in EXAMPLE_RUNS.values()
                   if scheme.startswith("schemes/")}



def assert_golden(got: str, expected: Path) -> None:
    """``got`` is the golden file ``expected``, character for character. With
    QOFRULES_UPDATE_GOLDEN=1 the file is written from ``got`` instead: read the diff before
    committing it."""
    if os.environ.get("QOFRULES_UPDATE_GOLDEN"):
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(got, encoding="utf-8")
    assert got == expected.read_text(encoding="utf-8")

def fixture_contract():
    path = CASES / "evaluation" / "fixture-contract.yaml"
    text = path.read_text(encoding="utf-8")
    return contract_from_data(yaml.safe_load(text), Source(str(path), text))


def evaluate_text(scheme_text: str, data: dict, tmp_path: Path, contract=None, code_changes=None):
    """Check and evaluate scheme text over a compact data set, against the fixture contract
    (and ``code_changes``, a CodeChanges for the fixture's codes, else none recorded)."""
    from qofrules.contracts.codechanges import CodeChanges
    contract = contract or fixture_contract()
    source = Source("case.qof", scheme_text)
    report = api.check_source(source, contract=contract)
    assert report.ok, "\n".join(d.render() for d in report.diagnostics)
    data_file = tmp_path / "data.yaml"
    data_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    dataset = api.load_data(str(data_file))
    tree = api.compile(report.scheme, contract, source, code_changes or CodeChanges())
    return api.evaluate(tree, dataset)


def write_directory(data: dict, folder: Path) -> Path:
    """The compact data set ``data`` written as a directory data set (a manifest and CSV files),
    so the columnar reader and the vectorised path can read what the exact reader reads."""
    import csv
    folder.mkdir(parents=True, exist_ok=True)
    practices = data["practices"]
    area_keys = {"pcn": "PCN", "ccg": "CCG", "icb": "ICB", "region": "REGION", "lmc": "LMC", "area_team": "AREA_TEAM"}
    areas = sorted({area_keys[k] for p in practices for k in p.get("area", {})})
    attributes = sorted({k for p in practices for k in p.get("attributes", {})})
    header = ["PRACTICE_CODE", "PRACTICE_NAME", "LIST_SIZE", *areas, "OPTED_IN", "PILOTS", "REQUESTED_ALTERNATIVE",
              *attributes]

    def text(value):
        return ("yes" if value else "no") if isinstance(value, bool) else str(value)

    with open(folder / "practices.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for p in practices:
            area = {area_keys[k]: v for k, v in p.get("area", {}).items()}
            writer.writerow([p["code"], p["name"], p["list_size"], *(area.get(a, "") for a in areas),
                             p.get("opted_in", ""), ";".join(p.get("pilots", [])),
                             "yes" if p.get("requested_alternative") else "no",
                             *(text(p.get("attributes", {}).get(a, "")) for a in attributes)])
    years = sorted({y for p in practices for y in p.get("achievement", {})})
    manifest = {"dataset": data["dataset"], "synthetic": data["synthetic"], "notice": data.get("notice", ""),
                "practices": "practices.csv", "achievement": {}, "prevalence": {}}
    names = {"register": "REGISTER", "numerator": "NUMERATOR", "denominator": "DENOMINATOR",
             "exceptions": "EXCEPTIONS", "points": "ACHIEVED_POINTS"}
    for year in years:
        name = f"achievement-{year.replace('/', '-')}.csv"
        manifest["achievement"][year] = name
        with open(folder / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["PRACTICE_CODE", "INDICATOR_CODE", "MEASURE", "VALUE"])
            for p in practices:
                for code, measures in p.get("achievement", {}).get(year, {}).items():
                    for key, value in measures.items():
                        writer.writerow([p["code"], code, names[key], value])
    for year in sorted({y for p in practices for y in p.get("prevalence", {})}):
        name = f"prevalence-{year.replace('/', '-')}.csv"
        manifest["prevalence"][year] = name
        with open(folder / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PATIENT_LIST_TYPE", "PRACTICE_LIST_SIZE"])
            for p in practices:
                for group, figures in p.get("prevalence", {}).get(year, {}).items():
                    writer.writerow([p["code"], group, figures["register"], "TOTAL",
                                     figures.get("list_size", p["list_size"])])
    if not manifest["prevalence"]:
        del manifest["prevalence"]
    (folder / "dataset.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    return folder


def evaluate_columnar(scheme_text: str, data: dict, tmp_path: Path, contract=None, code_changes=None):
    """As :func:`evaluate_text`, on the vectorised path: the data written as a directory, read by
    the columnar reader, evaluated for every practice at once."""
    from qofrules.engine import fastpath
    from qofrules.contracts.codechanges import CodeChanges
    from qofrules.data import columnar
    contract = contract or fixture_contract()
    source = Source("case.qof", scheme_text)
    report = api.check_source(source, contract=contract)
    assert report.ok, "\n".join(d.render() for d in report.diagnostics)
    columns = columnar.load(str(write_directory(data, tmp_path / "as-directory")))
    assert columns is not None, "the columnar reader handed the data set to the exact reader"
    tree = api.compile(report.scheme, contract, source, code_changes or CodeChanges())
    return fastpath.evaluate_columns(tree, columns)


@pytest.fixture
def contract():
    return fixture_contract()
