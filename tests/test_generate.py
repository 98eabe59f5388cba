"""examples/generate.py: reproducible, exactly shaped, labelled synthetic, and the shipped examples match it.

The shipped examples are regenerated once per test session into a temporary directory (well under
a second); every other check reads that fresh output, so the checks hold for what the generator
writes now, and the drift test ties the shipped files to it.
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import importlib.util
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import SCHEME_EXAMPLES
from qofrules import api
from qofrules.compiler import complete_list, unless_absent
from qofrules.contracts import codechanges

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _load_generator():
    spec = importlib.util.spec_from_file_location("qofrules_examples_generate", EXAMPLES / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module   # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module


gen = _load_generator()
SHIPPED = [name for name, s in gen.SCENARIOS.items() if s.shipped]
#: a year with no QOF (Scotland 2016/17): practices.csv and dataset.yaml only
NO_QOF = [name for name in SHIPPED if not gen.SCENARIOS[name].stand_ins
          and not gen.load_contract(gen.SCENARIOS[name].year, gen.SCENARIOS[name].country).indicators]
WITH_QOF = [name for name in SHIPPED if name not in NO_QOF]
#: the schemes of schemes/ each shipped example is for (conftest.SCHEME_EXAMPLES, grouped)
SCHEMES: dict[str, list[str]] = {}
for _stem, _example in SCHEME_EXAMPLES.items():
    SCHEMES.setdefault(_example, []).append(_stem)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> dict[str, Path]:
    """Every shipped scenario, regenerated now with its own seed."""
    base = tmp_path_factory.mktemp("regenerated")
    out = {}
    for name in SHIPPED:
        gen.generate(gen.SCENARIOS[name], base / name)
        out[name] = base / name
    return out


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _manifest(directory: Path) -> dict:
    return yaml.safe_load((directory / "dataset.yaml").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ reproducibility and drift

def test_same_seed_gives_identical_bytes(tmp_path):
    scenario = gen.SCENARIOS["south-west-2014"]
    gen.generate(scenario, tmp_path / "a", seed=7, limit=25)
    gen.generate(scenario, tmp_path / "b", seed=7, limit=25)
    gen.generate(scenario, tmp_path / "c", seed=8, limit=25)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert (tmp_path / "a" / "practices.csv").read_bytes() != (tmp_path / "c" / "practices.csv").read_bytes()


def test_no_temporary_files_left_behind(fresh):
    for directory in fresh.values():
        assert not [p.name for p in directory.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_example_equals_fresh_regeneration(fresh, name):
    shipped, regenerated = _files(EXAMPLES / name), _files(fresh[name])
    hint = "run `python examples/generate.py --all` and commit the result"
    assert sorted(shipped) == sorted(regenerated), f"examples/{name} has other files than the generator writes; {hint}"
    for file_name, content in regenerated.items():
        assert shipped[file_name] == content, f"examples/{name}/{file_name} differs from a fresh regeneration; {hint}"


def test_shipped_examples_are_small():
    """A clone stays small: six MiB for every shipped example (5.25 MiB for the five shipped in December 2026)."""
    total = sum(p.stat().st_size for name in SHIPPED for p in (EXAMPLES / name).iterdir())
    assert total < 6 * 1024 * 1024


# ------------------------------------------------------------------ shape

@pytest.mark.parametrize("name", SHIPPED)
def test_exact_headers_and_no_comment_lines(fresh, name):
    directory = fresh[name]
    scenario = gen.SCENARIOS[name]
    manifest = _manifest(directory)
    expected = {manifest["practices"]: ",".join(gen.PRACTICES_HEADER + scenario.columns)}
    expected.update({f: ",".join(gen.LONG_HEADER) for f in manifest.get("achievement", {}).values()})
    expected.update({f: ",".join(gen.PREVALENCE_HEADER) for f in manifest.get("prevalence", {}).values()})
    assert ("achievement" in manifest) == (name not in NO_QOF)
    assert sorted(expected) == sorted(p.name for p in directory.glob("*.csv"))
    for file_name, header in expected.items():
        lines = (directory / file_name).read_text(encoding="utf-8").split("\n")
        assert lines[0] == header
        assert lines[-1] == ""  # ends with a newline
        assert not any(line.startswith("#") for line in lines)
        assert len(lines) > 2


def test_manifest_names_the_years(fresh):
    for name, directory in fresh.items():
        if name in NO_QOF:
            assert {"achievement", "prevalence", "contract_overrides"}.isdisjoint(_manifest(directory))
            continue
        scenario = gen.SCENARIOS[name]
        manifest = _manifest(directory)
        assert list(manifest["achievement"]) == [scenario.year, *scenario.prior_years]
        assert list(manifest["prevalence"]) == [scenario.year]
        assert manifest["contract_overrides"] == "contract-overrides.yaml"


def test_prior_year_has_only_achieved_points_under_that_years_codes(fresh):
    """Earlier-year files look like NHS Digital's: the earlier year's codes, as qofrules records
    them (2012/13 BP05 for 2013/14 HYP002), and nothing for an indicator new since then."""
    changes = codechanges.load("england")
    for name, directory in fresh.items():
        if name in NO_QOF:
            continue
        scenario = gen.SCENARIOS[name]
        manifest = _manifest(directory)
        current = _csv(directory / manifest["achievement"][scenario.year])
        for prior_year in scenario.prior_years:
            prior = _csv(directory / manifest["achievement"][prior_year])
            assert {r["MEASURE"] for r in prior} == {"ACHIEVED_POINTS"}
            local = {code for code, _, _ in scenario.local_indicators}  # a local indicator has no earlier year
            listed = complete_list(scenario.country, prior_year)  # a code the earlier year lacks: no rows
            read = {code: unless_absent(changes.lookup(scenario.year, code, prior_year), listed).earlier_code
                    for code in {r["INDICATOR_CODE"] for r in current} - local}
            assert {r["INDICATOR_CODE"] for r in prior} == {c for c in read.values() if c is not None}
    if "lincolnshire-2014" in fresh:
        prior = _csv(fresh["lincolnshire-2014"] / "achievement-2012-13.csv")
        codes = {r["INDICATOR_CODE"] for r in prior}
        assert "BP05" in codes and not codes & {"HYP002", "HYP003", "HYP004", "HYP005"}
        exceptions = "PCAS" if scenario.year >= "2019/20" else "EXCEPTIONS"
        assert {r["MEASURE"] for r in current} <= {"REGISTER", "NUMERATOR", "DENOMINATOR", exceptions,
                                                   "ACHIEVED_POINTS"}


# ------------------------------------------------------------------ labelled synthetic

@pytest.mark.parametrize("name", SHIPPED)
def test_labelled_synthetic_with_real_and_synthetic_columns_named(fresh, name):
    directory = fresh[name]
    manifest = _manifest(directory)
    assert manifest["synthetic"] is True
    notice, description = manifest["notice"], manifest["description"]
    assert notice.startswith("SYNTHETIC DATA")
    assert "REAL columns" in description and "SYNTHETIC columns" in description
    real = ("PRACTICE_CODE", "PRACTICE_NAME", "PCN", "CCG", "ICB", "REGION")
    synthetic = ("LIST_SIZE",) + gen.SCENARIOS[name].synthetic_columns
    if gen.SCENARIOS[name].made_up_practices:  # nothing real: a country the mappings file does not cover
        assert "REAL columns: none" in description and "MADE UP" in notice
        practices = _csv(directory / "practices.csv")
        assert all(p["PRACTICE_CODE"].startswith("ZZ9") and p["PRACTICE_NAME"].startswith("MADE-UP")
                   and not (p["PCN"] or p["CCG"] or p["ICB"] or p["REGION"]) for p in practices)
        made_up, real = real, ()
    else:
        made_up = ()
    header = next(csv.reader((directory / "practices.csv").open(encoding="utf-8")))
    for column in header:
        assert column in notice, f"the notice does not say whether {column} is real"
        assert (column in real) + (column in synthetic) + (column in made_up) + (column == "LMC") == 1
    for column in synthetic:
        assert re.search(rf"Synthetic:[^.]*\b{column}\b", notice)
    if "LMC" in header:
        assert "LMC is derived from the 2023/24" in notice
    if name in NO_QOF:
        assert not (directory / "contract-overrides.yaml").exists()
        return
    overrides = yaml.safe_load((directory / "contract-overrides.yaml").read_text(encoding="utf-8"))
    assert overrides["label"] == "Illustrative values for the worked example: NOT national figures"


# ------------------------------------------------------------------ values

@pytest.mark.parametrize("name", WITH_QOF)
def test_values_are_plausible_and_within_bounds(fresh, name):
    directory = fresh[name]
    scenario = gen.SCENARIOS[name]
    manifest = _manifest(directory)
    practices = _csv(directory / "practices.csv")
    assert len({p["PRACTICE_CODE"] for p in practices}) == len(practices)
    for p in practices:
        assert re.fullmatch(r"[1-9][0-9]*", p["LIST_SIZE"]) and 2000 <= int(p["LIST_SIZE"]) <= 20000
    contract = gen.load_contract(scenario.year, scenario.country)
    if scenario.stand_ins:
        contract = gen.with_stand_ins(contract)
    figures = gen.effective_figures(contract, yaml.safe_load((directory / "contract-overrides.yaml").read_text()))
    # the earlier year's codes, back to the scheme year's, whose points cap them
    changes = codechanges.load("england")
    scheme_code = {year: {changes.lookup(scenario.year, i.code, year).earlier_code: i.code for i in contract.indicators}
                   for year in scenario.prior_years}
    for year in (scenario.year, *scenario.prior_years):
        cells: dict[tuple[str, str], dict[str, str]] = {}
        for row in _csv(directory / manifest["achievement"][year]):
            cells.setdefault((row["PRACTICE_CODE"], row["INDICATOR_CODE"]), {})[row["MEASURE"]] = row["VALUE"]
        local = {code for code, _, _ in scenario.local_indicators}
        for (_, code), measures in cells.items():
            if code in local:  # a local indicator's measure: counts only, no national points
                assert set(measures) == {"NUMERATOR", "DENOMINATOR"}
                assert 0 <= int(measures["NUMERATOR"]) <= int(measures["DENOMINATOR"])
                continue
            points = Decimal(measures["ACHIEVED_POINTS"])
            assert re.fullmatch(r"[0-9]+\.[0-9]{2}", measures["ACHIEVED_POINTS"])
            assert 0 <= points <= figures.points[code if year == scenario.year else scheme_code[year][code]]
            if "NUMERATOR" in measures:
                assert 0 <= int(measures["NUMERATOR"]) <= int(measures["DENOMINATOR"])
    for row in _csv(directory / manifest["prevalence"][scenario.year]):
        assert 0 <= int(row["REGISTER"]) <= int(row["PRACTICE_LIST_SIZE"])


def test_scheme_columns_have_the_intended_shares(fresh):
    lincs = _csv(fresh["lincolnshire-2014"] / "practices.csv")
    opted = [p["OPTED_IN"] for p in lincs if p["OPTED_IN"]]
    assert 0.45 < len(opted) / len(lincs) < 0.75
    assert min(opted) >= "2014-01-06" and max(opted) <= "2014-02-14"
    assert any(d > "2014-02-01" for d in opted) and any(d < "2014-02-01" for d in opted)
    assert {p["LMC"] for p in lincs} == {"Lincolnshire", "Leicester, Leicestershire and Rutland"}
    south_west = _csv(fresh["south-west-2014"] / "practices.csv")
    somerset = [p for p in south_west if p["LMC"] == "Somerset"]
    assert somerset and {p["LMC"] for p in south_west} == {"Devon", "Cornwall and Isles of Scilly", "Somerset"}
    assert 0.3 < sum(p["PILOTS"] == "somerset-practice-quality-scheme" for p in somerset) / len(somerset) < 0.7
    assert not any(p["PILOTS"] or p["REQUESTED_ALTERNATIVE"] == "yes" for p in south_west if p["LMC"] != "Somerset")
    assert all(p["OPTED_IN"] == "" for p in _csv(fresh["leeds-2017"] / "practices.csv"))


def test_scale_copies_practices_with_suffixed_codes(tmp_path):
    gen.generate(gen.SCENARIOS["national-2023"], tmp_path, limit=2, scale=3)
    codes = [p["PRACTICE_CODE"] for p in _csv(tmp_path / "practices.csv")]
    assert len(codes) == len(set(codes)) == 6
    assert codes[2:4] == [codes[0] + "-2", codes[1] + "-2"]
    assert "--scale 3" in _manifest(tmp_path)["notice"]


def test_relative_out_inside_the_repository_is_reported_relative(tmp_path, monkeypatch, capsys):
    """--out given relative to a working directory inside the repository (e.g. benchmarks/out/x).

    The report used to test the resolved path but shorten the unresolved one, and crashed with
    ValueError after writing everything. ROOT is pointed at a temporary directory so the test
    writes nothing into the checkout.
    """
    monkeypatch.setattr(gen, "ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)
    assert gen.main(["--out", "out/x", "--scenario", "national-2023", "--limit", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[-1] for line in lines] == [
        "out/x/practices.csv", "out/x/achievement-2023-24.csv", "out/x/achievement-2022-23.csv",
        "out/x/prevalence-2023-24.csv", "out/x/contract-overrides.yaml", "out/x/dataset.yaml"]
    assert lines[0].split()[:2] == ["2", "rows"]


def test_out_outside_the_repository_is_reported_as_given(tmp_path, capsys):
    out = tmp_path / "elsewhere"
    assert gen.main(["--out", str(out), "--scenario", "national-2023", "--limit", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith(f"  {out / 'practices.csv'}")


# ------------------------------------------------------------------ national scenarios for the seeds

NATIONAL_SEEDS = {"national-2014": ["2014-lincolnshire-llr", "2014-devon-cornwall", "2014-somerset"],
                  "national-2017": ["2017-leeds"]}


def test_national_lmc_agrees_with_every_regional_example():
    """A seed finds the same practices in the national data as in its own example."""
    mappings = {r["PRACTICE_CODE"]: r for r in gen.read_mappings()}
    for name in [n for n in SHIPPED if gen.SCENARIOS[n].lmc is not None]:  # examples with an LMC column
        for practice in _csv(EXAMPLES / name / "practices.csv"):
            assert gen.national_lmc(mappings[practice["PRACTICE_CODE"]]) == practice["LMC"]
    others = {gen.national_lmc(r) for r in mappings.values()}
    assert "West Yorkshire" in others and "Norfolk and Waveney" in others
    assert not [lmc for lmc in others if "NHS" in lmc or "Integrated Care Board" in lmc or lmc != lmc.strip()]


@pytest.mark.parametrize("name", sorted(NATIONAL_SEEDS))
def test_national_scenarios_run_each_seed_on_its_own_practices_only(tmp_path, name):
    """A few practices from each seed's area and from elsewhere, written as the national scenario writes them."""
    scenario = gen.SCENARIOS[name]
    assert not scenario.shipped and "every practice" in scenario.selection
    by_lmc: dict[str, list[str]] = {}
    for row in gen.read_mappings():
        by_lmc.setdefault(gen.national_lmc(row), []).append(row["PRACTICE_CODE"])
    wanted = {code for codes in by_lmc.values() for code in codes[:4]}
    gen.generate(dataclasses.replace(scenario, select=lambda row: row["PRACTICE_CODE"] in wanted), tmp_path)
    manifest = _manifest(tmp_path)
    assert manifest["synthetic"] is True and manifest["notice"].startswith("SYNTHETIC DATA")
    assert "not the name of a real LMC" in manifest["notice"]
    practices = {p["PRACTICE_CODE"]: p for p in _csv(tmp_path / "practices.csv")}
    assert list(next(iter(practices.values()))) == list(gen.PRACTICES_HEADER + scenario.columns)
    for scheme in NATIONAL_SEEDS[name]:
        result = api.run_result(str(ROOT / "schemes" / f"{scheme}.qof"), str(tmp_path))
        assert len(result.practices) == len(wanted)
        lmcs = {practices[p.code]["LMC"] for p in result.practices if p.eligible}
        assert lmcs, f"{scheme} found no eligible practice"
        in_area = {"2014-lincolnshire-llr": {"Lincolnshire", "Leicester, Leicestershire and Rutland"},
                   "2014-devon-cornwall": {"Devon", "Cornwall and Isles of Scilly"},
                   "2014-somerset": {"Somerset"}, "2017-leeds": {"Leeds"}}[scheme]
        assert lmcs <= in_area


# ------------------------------------------------------------------ benchmarks/scale.py

def _load_scale():
    spec = importlib.util.spec_from_file_location("qofrules_benchmarks_scale", ROOT / "benchmarks" / "scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scale_copies_every_practice_with_the_originals_values(tmp_path, capsys):
    gen.generate(gen.SCENARIOS["national-2014"], tmp_path / "src", limit=4)
    scale = _load_scale()
    assert scale.main([str(tmp_path / "src"), str(tmp_path / "x3"), "--times", "3"]) == 0
    assert "total: " in capsys.readouterr().out
    original = api.load_data(str(tmp_path / "src"))
    copied = api.load_data(str(tmp_path / "x3"))
    assert copied.synthetic and len(copied.practices) == 3 * len(original.practices) == 12
    assert "x3 copy" in copied.notice and "SYNTHETIC COPIES" in copied.notice
    by_code = {p.code: p for p in copied.practices}
    for practice in original.practices:
        for k in (1, 2, 3):
            copy = by_code[practice.code if k == 1 else f"{practice.code}-{k}"]
            assert copy.name == (practice.name if k == 1 else f"{practice.name} (SYNTHETIC COPY {k})")
            areas = {column: (practice.code if column == "PRACTICE_CODE" else value)
                     for column, value in copy.areas.items()}   # the code is also an area column
            assert dataclasses.replace(copy, code=practice.code, name=practice.name, areas=areas) == practice
    # the generator's layout: same files, headers and row order as `generate.py --scale 3`
    gen.generate(gen.SCENARIOS["national-2014"], tmp_path / "gen3", limit=4, scale=3)
    for name in sorted(p.name for p in (tmp_path / "gen3").glob("*.csv")):
        made, expected = _csv(tmp_path / "x3" / name), _csv(tmp_path / "gen3" / name)
        assert list(made[0]) == list(expected[0])
        assert [r["PRACTICE_CODE"] for r in made] == [r["PRACTICE_CODE"] for r in expected]
    assert (tmp_path / "x3" / "contract-overrides.yaml").read_bytes() == \
        (tmp_path / "src" / "contract-overrides.yaml").read_bytes()
    assert not [p.name for p in (tmp_path / "x3").iterdir() if p.name.startswith(".")]


def test_scale_refuses_a_file_it_cannot_copy_faithfully(tmp_path, capsys):
    gen.generate(gen.SCENARIOS["national-2023"], tmp_path / "src", limit=2)
    path = tmp_path / "src" / "prevalence-2023-24.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert _load_scale().main([str(tmp_path / "src"), str(tmp_path / "out"), "--times", "2"]) == 1
    assert "prevalence-2023-24.csv: CRLF" in capsys.readouterr().err
    assert not (tmp_path / "out" / "dataset.yaml").exists()


# ------------------------------------------------------------------ overrides and the engine

@pytest.mark.parametrize("name", WITH_QOF)
def test_overrides_supply_exactly_the_unknown_figures(fresh, name):
    scenario = gen.SCENARIOS[name]
    raw = yaml.safe_load(gen.contract_path(scenario.year, scenario.country).read_text(encoding="utf-8"))
    overrides = yaml.safe_load((fresh[name] / "contract-overrides.yaml").read_text(encoding="utf-8"))
    for key in ("point_value", "average_list_size", "zero_denominator"):
        assert (key in overrides) == (raw[key]["value"] is None)
    for code, group in raw["groups"].items():
        unknown = group["prevalence_adjusted"] and group["national_prevalence"]["value"] is None
        assert (code in overrides.get("groups", {})) == unknown
    for indicator in raw["indicators"]:
        supplied = overrides.get("indicators", {}).get(indicator["code"], {})
        assert ("points" in supplied) == (indicator["points"]["value"] is None)
        assert ("kind" in supplied) == (indicator["kind"] == "unknown")  # illustrative kinds only where unknown
        kind = supplied.get("kind", indicator["kind"])
        thresholds = indicator.get("thresholds")
        unknown = kind == "fraction" and (not thresholds
                                          or None in (thresholds["lower"]["value"], thresholds["upper"]["value"]))
        assert ("thresholds" in supplied) == unknown
    contract = api.load_contract(scenario.country, scenario.year, [str(fresh[name] / "contract-overrides.yaml")])
    unknown = [label for label, figure in contract.figures() if figure.status == "unknown"]
    if scenario.stand_ins:  # a year that lists none: every stand-in supplied whole; only its published counts unknown
        assert set(contract.supplied_indicators) == {code for code, *_ in gen.STAND_IN_INDICATORS}
        assert set(contract.groups) == set(gen.STAND_IN_GROUPS)
        assert unknown == ["published total points", "published indicator count"]
    else:
        assert unknown == []
        assert contract.supplied_indicators == ()


def test_stand_ins_are_only_for_a_year_that_lists_no_indicators():
    with pytest.raises(SystemExit, match="stand-ins are only for a year that lists none"):
        gen.with_stand_ins(gen.load_contract("2023/24"))


@pytest.mark.parametrize("name", WITH_QOF)
def test_engine_national_points_equal_the_files_achieved_points(name):
    """The shipped data loads, its schemes run, and the scored ACHIEVED_POINTS agree with qofrules."""
    scenario = gen.SCENARIOS[name]
    achieved = {}
    for row in _csv(EXAMPLES / name / f"achievement-{gen.file_year(scenario.year)}.csv"):
        if row["MEASURE"] == "ACHIEVED_POINTS":
            achieved[row["PRACTICE_CODE"], row["INDICATOR_CODE"]] = Decimal(row["VALUE"])
    for scheme in SCHEMES[name]:
        result = api.run_result(str(ROOT / "schemes" / f"{scheme}.qof"), str(EXAMPLES / name))
        assert result.synthetic
        local = {code for code, _, _ in scenario.local_indicators}  # no national points: the scheme's own
        for practice in result.practices:
            for indicator in practice.indicators:
                if indicator.code not in local:
                    assert indicator.national.points == achieved[practice.code, indicator.code]


def test_tiny_example_loads():
    data = api.load_data(str(EXAMPLES / "tiny.yaml"))
    assert data.synthetic and len(data.practices) == 3
    mappings = {r["PRACTICE_CODE"]: r for r in gen.read_mappings()}
    for practice in data.practices:
        row = mappings[practice.code]
        assert practice.name == row["PRACTICE_NAME"]
        assert practice.areas["ICB"] == row["STP_NAME"] and practice.areas["CCG"] == row["CCG_NAME"]


# ------------------------------------------------------------------ the reference copy

def test_reference_mappings_copy_matches_its_recorded_checksum():
    sources = (EXAMPLES / "reference" / "SOURCES.md").read_text(encoding="utf-8")
    recorded = re.search(r"`([0-9a-f]{64})`", sources).group(1)
    assert hashlib.sha256(gen.MAPPINGS.read_bytes()).hexdigest() == recorded
    assert len(gen.read_mappings()) == 6410


def test_achieved_points_round_an_exact_half_up_as_qofrules_does():
    """82/144 with thresholds 40% and 80%, 18 points, is exactly 7.625 points: 7.63, not 7.62
    (the 34-digit decimal arithmetic both once used stored 56.94...% short and rounded down)."""
    assert gen.score(82, 144, 18, Decimal(40), Decimal(80), "no-points") == Decimal("7.63")
    assert gen.score(1, 3, 10, Decimal(0), Decimal(100), "no-points") == Decimal("3.33")


@pytest.mark.parametrize("name", NO_QOF)
def test_a_year_without_qof_pays_each_practices_recorded_sum(name):
    """Scotland 2016/17: no QOF, so national pays £0.00 and the scheme pays QOF_TRANSFER, to the penny."""
    practices = _csv(EXAMPLES / name / "practices.csv")
    sums = {p["PRACTICE_CODE"]: Decimal(p["QOF_TRANSFER"]) for p in practices}
    assert all(re.fullmatch(r"[0-9]+\.[0-9]{2}", p["QOF_TRANSFER"]) for p in practices)
    for scheme in SCHEMES[name]:
        result = api.run_result(str(ROOT / "schemes" / f"{scheme}.qof"), str(EXAMPLES / name))
        assert {p.code: p.scheme_payment for p in result.practices} == sums
        assert result.totals["national_payment"] == 0 and result.totals["scheme_payment"] == sum(sums.values())
