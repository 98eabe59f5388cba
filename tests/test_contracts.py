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

# The published totals each shipped year must carry (domain.md "Totals"; HSCIC 2013/14; NHS Digital 2016/17
# and 2023/24; the Scottish Government for Scotland 2016/17, which had no QOF); None: not sourced
# (England 2008/09 ships for the primary care trusts' schemes, with its list and total unknown).
ENGLAND_TOTALS = {"2013/14": 900, "2014/15": 559, "2015/16": 559, "2016/17": 559, "2017/18": 559, "2018/19": 559,
                  "2019/20": 559, "2020/21": 567, "2021/22": 635, "2022/23": 635, "2023/24": 635, "2024/25": 635}
PUBLISHED_TOTALS = {**{("england", y): t for y, t in ENGLAND_TOTALS.items()},
                    ("wales", "2016/17"): None, ("scotland", "2015/16"): 659, ("scotland", "2016/17"): 0,
                    ("northern-ireland", "2016/17"): None, ("england", "2008/09"): None}
YEARS = contracts.available()


def test_the_required_years_ship():
    assert set(PUBLISHED_TOTALS) == set(YEARS)


@pytest.mark.parametrize("country,year", YEARS)
def test_complete_means_every_indicator_listed_and_every_point_sourced(country, year):
    contract = contracts.load(country, year)
    all_sourced = all(i.points.known for i in contract.indicators.values())
    published = contract.published_indicator_count.value
    assert contract.complete == (all_sourced and published is not None and len(contract.indicators) == published)


@pytest.mark.parametrize("country,year", YEARS)
def test_complete_years_add_up_to_the_published_total(country, year):
    contract = contracts.load(country, year)
    assert contract.published_total_points.value == PUBLISHED_TOTALS[(country, year)]
    if contract.complete:
        assert contract.total_points == PUBLISHED_TOTALS[(country, year)]
    elif PUBLISHED_TOTALS[(country, year)] is not None:  # an incomplete year must not claim more than the total
        known = sum(i.points.value for i in contract.indicators.values() if i.points.known)
        assert known <= PUBLISHED_TOTALS[(country, year)]


@pytest.mark.parametrize("year,total,count", [("2019/20", 559, 68), ("2020/21", 567, 68), ("2021/22", 635, 72),
                                              ("2022/23", 635, 76)])
def test_nhs_digital_years_sum_to_their_published_totals(year, total, count):
    """2019/20-2022/23 come from NHS Digital's indicator files: every indicator, points adding up."""
    contract = contracts.load("england", year)
    assert contract.complete and len(contract.indicators) == count
    assert sum(i.points.value for i in contract.indicators.values()) == total
    # the files carry no register flag: no kind is made up
    assert {i.kind for i in contract.indicators.values()} == {"unknown"}


def test_listed_of_published_is_shown():
    assert contracts.load("england", "2013/14").listed == "35 of 121"
    assert contracts.load("england", "2016/17").listed == "7 of 77"
    assert contracts.load("england", "2023/24").listed == "76 of 76"
    assert contracts.load("england", "2018/19").listed == "0 of ?"


def test_2013_14_has_every_sourced_indicator():
    contract = contracts.load("england", "2013/14")
    assert len(contract.indicators) == 35
    assert sum(i.points.value for i in contract.indicators.values() if i.points.known) == 107
    assert sum(1 for i in contract.indicators.values() if i.lower is not None and i.lower.known) == 16
    retiring = {c for c, i in contract.indicators.items() if str(i.retirement_date) == "2014-04-01"}
    assert retiring == {"DM005", "HYP003", "HYP004", "HYP005", "LD002", "PE001", "QP001", "QP002"}
    assert contract.indicators["RA001"].is_register and contract.indicators["SMOK001"].kind == "unknown"


def test_2023_24_one_sided_thresholds():
    contract = contracts.load("england", "2023/24")
    for code, upper in [("CHOL001", 95), ("MH002", 90), ("MH003", 90), ("MH006", 90)]:
        ind = contract.indicators[code]
        assert ind.upper.value == upper and ind.lower.value is None and ind.lower.status == "unknown"
    assert (contract.indicators["DEM004"].lower.value, contract.indicators["DEM004"].upper.value) == (35, 70)


def test_devolved_years_do_not_borrow_england():
    for country, year in [("wales", "2016/17"), ("scotland", "2015/16"), ("northern-ireland", "2016/17")]:
        contract = contracts.load(country, year)
        assert not contract.indicators and contract.point_value.value is None
        assert contract.indicator_list_unknown
    scotland = contracts.load("scotland", "2016/17")
    assert scotland.published_indicator_count.value == 0 and not scotland.indicator_list_unknown


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


def test_unknown_contract_year_suggests_the_countrys_nearest_years():
    with pytest.raises(QofError) as caught:
        contracts.load("england", "2012/13")
    assert caught.value.diagnostics[0].code == "QR211"
    assert "england years that ship, nearest first: 2013/14, 2014/15" in caught.value.diagnostics[0].hint


def test_misspelt_year_gets_a_did_you_mean_of_the_same_country():
    with pytest.raises(QofError) as caught:
        contracts.load("england", "2061/17")
    assert caught.value.diagnostics[0].hint.startswith("did you mean 2016/17")  # closest first
    with pytest.raises(QofError) as caught:
        contracts.load("wales", "2017/18")
    assert caught.value.diagnostics[0].hint == "wales years that ship, nearest first: 2016/17"


def test_unknown_country_is_its_own_error():
    with pytest.raises(QofError) as caught:
        contracts.load("englnd", "2016/17")
    assert caught.value.diagnostics[0].code == "QR210"
    assert caught.value.diagnostics[0].hint == "did you mean england?"


@pytest.mark.parametrize("country,year,fragment", [
    ("england", "2018/19", "indicator list of contract year england 2018/19 is unknown"),
    ("wales", "2016/17", "indicator list of contract year wales 2016/17 is unknown"),
    ("scotland", "2016/17", "scotland 2016/17 has no QOF indicators"),
])
def test_a_year_listing_no_indicators_is_refused_not_paid_nothing(country, year, fragment):
    with pytest.raises(QofError) as caught:
        refuse_unknown_figures(contracts.load(country, year))
    assert caught.value.diagnostics[0].code == "QE004" and fragment in caught.value.diagnostics[0].message


def test_unknown_kinds_are_refused_by_name():
    with pytest.raises(QofError) as caught:
        refuse_unknown_figures(contracts.load("england", "2019/20"))
    assert "the kind (register or fraction) of 68 indicators" in caught.value.diagnostics[0].message


def test_overrides_supply_an_unknown_kind_and_only_an_unknown_one(tmp_path):
    path = _overrides(tmp_path, 'overrides: england 2019/20\nlabel: x\nindicators:\n'
                                '  AF001: {kind: register}\n  AF006: {kind: fraction, thresholds: {lower: 40, upper: 90}}\n'
                                '  AF007: {kind: fraction}\n')
    contract = api.load_contract("england", "2019/20", [path])
    assert contract.indicators["AF001"].is_register and contract.indicators["AF001"].kind_figure.status == "supplied"
    assert contract.indicators["AF006"].upper.value == Decimal("90")
    assert contract.indicators["AF007"].is_fraction and contract.indicators["AF007"].lower.status == "unknown"
    with pytest.raises(QofError) as caught:
        refuse_unknown_figures(contract)
    assert "AF007" in caught.value.diagnostics[0].message and "thresholds" in caught.value.diagnostics[0].message
    bad = _overrides(tmp_path, 'overrides: england 2023/24\nlabel: x\nindicators: {AF001: {kind: fraction}}\n')
    with pytest.raises(QofError) as caught:
        api.load_contract("england", "2023/24", [bad])
    assert caught.value.diagnostics[0].code == "QR313" and "register indicator in the national data" in caught.value.diagnostics[0].message


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
    ('overrides: england 2023/24\nlabel: x\npoint_value: lots\n', "QR314", "point_value: 'lots' is not a number"),
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
    assert caught.value.diagnostics[0].code == "QR314" and "above 0" in caught.value.diagnostics[0].message


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


def test_a_year_without_qof_says_so_rather_than_listing_figures_to_supply():
    from click.testing import CliRunner

    from qofrules.cli import cli
    result = CliRunner().invoke(cli, ["contracts", "scotland", "2016/17"])
    assert result.exit_code == 0 and "No QOF this year" in result.output
    assert "Needs before computing payments" not in result.output


# ------------------------------------------------------------------ bounds: written once, in the schema

BOUNDS = {"point_value": contracts.POINT_VALUE, "average_list_size": contracts.AVERAGE_LIST_SIZE,
          "threshold": contracts.THRESHOLD, "national_prevalence": contracts.PREVALENCE, "points": contracts.POINTS}


def test_the_bounds_on_national_figures_are_written_once_in_the_contract_schema():
    """contract.schema.json's $defs/NAME_bound hold the numbers; the Python check (which must judge
    figures given as strings of digits, which no JSON Schema keyword bounds) reads them from there
    and writes none of its own."""
    from qofrules import jsonschemas
    written = jsonschemas.schema("qofrules.contracts", "contract.schema.json")["$defs"]
    for name, bound in BOUNDS.items():
        schema = written[f"{name}_bound"]
        low = schema.get("exclusiveMinimum", schema.get("minimum"))
        assert (bound.low, bound.high, bound.places, bound.above) == \
            (Decimal(low), Decimal(schema["maximum"]), schema["x-decimal-places"], "exclusiveMinimum" in schema), name
    import re
    text = (Path(contracts.__file__)).read_text(encoding="utf-8")
    assert not re.search(r"Bound\(\s*\"[^\"]*\",\s*[0-9]", text), "a bound written in Python too"


def test_a_bound_changed_in_the_schema_changes_the_check(monkeypatch):
    from qofrules import jsonschemas
    import copy
    changed = copy.deepcopy(jsonschemas.schema("qofrules.contracts", "contract.schema.json"))
    changed["$defs"]["threshold_bound"]["maximum"] = 90
    monkeypatch.setattr(jsonschemas, "schema", lambda package, name: changed)
    bound = contracts.Bound.from_schema("threshold", "a threshold", unit="%")
    assert contracts.bounded("90", bound) == Decimal(90)
    with pytest.raises(contracts.FigureError, match="'95' is out of range; a threshold must be from 0 to 90%"):
        contracts.bounded("95", bound)


def test_the_schema_itself_refuses_a_threshold_number_beyond_its_bound():
    from qofrules.source import Source
    path = TESTS.parent / "qofrules" / "contracts" / "data" / "england-2023-24.yaml"
    import yaml
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    indicator = next(i for i in data["indicators"] if (i.get("thresholds") or {}).get("upper", {}).get("value"))
    indicator["thresholds"]["upper"]["value"] = 100
    contracts.validate(data, "contract.schema.json", Source("year.yaml", ""), "QR301")  # the bound itself is allowed
    indicator["thresholds"]["upper"]["value"] = 150
    with pytest.raises(QofError) as raised:
        contracts.validate(data, "contract.schema.json", Source("year.yaml", ""), "QR301")
    assert "thresholds.upper.value" in str(raised.value)
