"""Contract years as data: shipped files are valid, honest about completeness, and add up."""
from __future__ import annotations

import csv
from pathlib import Path
from decimal import Decimal

import pytest

from conftest import TESTS
from qofrules import api, contracts
from qofrules.compiler import refuse_unknown_figures
from qofrules.diagnostics import QofError

PUBLISHED_TOTALS = {("england", "2013/14"): 900, ("england", "2016/17"): 559, ("england", "2023/24"): 635}
YEARS = contracts.available()


def test_the_required_years_ship():
    assert {("england", "2013/14"), ("england", "2016/17"), ("england", "2023/24")} <= set(YEARS)


@pytest.mark.parametrize("country,year", YEARS)
def test_complete_means_every_point_is_sourced(country, year):
    contract = contracts.load(country, year)
    all_sourced = all(i.points.known for i in contract.indicators.values())
    assert contract.complete == all_sourced


@pytest.mark.parametrize("country,year", YEARS)
def test_complete_years_add_up_to_the_published_total(country, year):
    contract = contracts.load(country, year)
    assert contract.published_total_points.value == PUBLISHED_TOTALS[(country, year)]
    if contract.complete:
        assert contract.total_points == PUBLISHED_TOTALS[(country, year)]
    else:  # an incomplete year must not claim more than the published total
        known = sum(i.points.value for i in contract.indicators.values() if i.points.known)
        assert known <= PUBLISHED_TOTALS[(country, year)]


def test_2013_14_retiring_points_if_complete():
    contract = contracts.load("england", "2013/14")
    retiring = [i for i in contract.indicators.values() if str(i.retirement_date) == "2014-04-01"]
    if contract.complete and all(i.retires is not None for i in contract.indicators.values()):
        assert sum(i.points.value for i in retiring) == 351
    else:
        known = sum(i.points.value for i in retiring if i.points.known)
        assert known <= 351


@pytest.mark.parametrize("country,year", YEARS)
def test_every_known_figure_has_a_source(country, year):
    contract = contracts.load(country, year)
    for label, figure in contract.figures():
        assert figure.status in {"checked", "unchecked", "unknown"}, label
        if figure.status == "unknown":
            assert figure.value is None, label
        else:
            assert figure.value is not None and figure.source, label


def test_2023_24_points_match_nhs_digital_reference():
    with (TESTS / "reference" / "INDICATOR_REFERENCE_CONTROL.csv").open(encoding="utf-8") as handle:
        reference = {row["INDICATOR_CODE"]: row for row in csv.DictReader(handle)}
    contract = contracts.load("england", "2023/24")
    assert set(contract.indicators) == set(reference)
    for code, indicator in contract.indicators.items():
        row = reference[code]
        assert indicator.points.value == int(row["INDICATOR_POINT_VALUE"]), code
        assert indicator.group == row["GROUP_CODE"], code
        # APDF applies to groups with a disease register: not those NHS Digital flags NO_PREVALENCE,
        # nor the quality-improvement groups, which have no register at all
        adjusted = row["NO_PREVALENCE_FLAG"] != "1" and row["DOMAIN_CODE"] != "QI"
        assert contract.groups[indicator.group].prevalence_adjusted == adjusted, code


def test_unknown_contract_year_suggests_shipped_ones():
    with pytest.raises(QofError) as caught:
        contracts.load("england", "2015/16")
    assert caught.value.diagnostics[0].code == "QR211"
    assert "england 2016/17" in caught.value.diagnostics[0].hint


def test_unknown_figures_are_refused_by_name():
    contract = contracts.load("england", "2023/24")
    unknown_threshold = next(i.code for i in contract.indicators.values()
                             if not i.is_register and not i.lower.known)
    with pytest.raises(QofError) as caught:
        refuse_unknown_figures(contract)
    message = caught.value.diagnostics[0].message
    assert caught.value.diagnostics[0].code == "QE001"
    assert unknown_threshold in message and "thresholds" in message
    assert "--contract-overrides" in caught.value.diagnostics[0].hint


def _overrides(tmp_path, text):
    path = tmp_path / "overrides.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_overrides_supply_figures_marked_supplied(tmp_path):
    path = _overrides(tmp_path, 'overrides: england 2023/24\nlabel: "Illustrative"\nzero_denominator: no-points\n'
                                'indicators:\n  DM012: {thresholds: {lower: 40, upper: "75.5"}}\n'
                                'groups:\n  DM: {national_prevalence: "7.5"}\n')
    contract = api.load_contract("england", "2023/24", [path])
    dm012 = contract.indicators["DM012"]
    assert (dm012.lower.value, dm012.upper.value) == (Decimal("40"), Decimal("75.5"))
    assert dm012.lower.status == "supplied" and "Illustrative" in dm012.lower.source
    assert contract.groups["DM"].national_prevalence.value == Decimal("7.5")
    assert contract.status_counts()["supplied"] == 4
    # the shipped year itself is untouched
    assert contracts.load("england", "2023/24").indicators["DM012"].lower.value is None


@pytest.mark.parametrize("text,code,fragment", [
    ('overrides: england 2013/14\nlabel: x\n', "QR312", "'england 2013/14'"),
    ('overrides: england 2023/24\nlabel: x\nindicators: {DM013: {points: 3}}\n', "QR313", "DM013"),
    ('overrides: england 2023/24\nlabel: x\nindicators: {DM012: {thresholds: {lower: 90, upper: 40}}}\n',
     "QR313", "must be below"),
    ('overrides: england 2023/24\nlabel: x\nindicators: {AF001: {thresholds: {lower: 40, upper: 90}}}\n',
     "QR313", "register indicator"),
    ('overrides: england 2023/24\nlabel: x\npoint_value: lots\n', "QR311", "point_value"),
    ('overrides: england 2023/24\n', "QR311", "label"),
])
def test_bad_overrides_are_explained(tmp_path, text, code, fragment):
    with pytest.raises(QofError) as caught:
        api.load_contract("england", "2023/24", [_overrides(tmp_path, text)])
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == code and fragment in diagnostic.message + (diagnostic.hint or "")


def test_zero_national_prevalence_is_refused_not_a_crash(tmp_path):
    path = _overrides(tmp_path, 'overrides: england 2023/24\nlabel: x\ngroups:\n  DM: {national_prevalence: 0}\n')
    with pytest.raises(QofError) as caught:
        api.load_contract("england", "2023/24", [path])
    assert caught.value.diagnostics[0].code == "QR313" and "above 0" in caught.value.diagnostics[0].message


@pytest.mark.parametrize("country,year", contracts.available())
def test_every_shipped_contract_year_passes_its_schema(country, year):
    """Runs read the shipped files without checking them against contract.schema.json (it cost a
    fifth of a national run); this is where they are checked, with the reader users' files get."""
    from qofrules import yamlsafe
    from qofrules.contracts import validate
    from qofrules.source import Source
    path = Path(contracts.__file__).parent / "data" / f"{country}-{year.replace('/', '-')}.yaml"
    source = Source(str(path), path.read_text(encoding="utf-8"))
    data = yamlsafe.load(source, code="QR301")
    validate(data, "contract.schema.json", source, "QR301")  # raises QofError on any problem
    assert data == yamlsafe.load_shipped(source, code="QR301")  # libyaml reads it the same
