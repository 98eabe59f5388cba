"""The engine's whole run gives the pennies of the contract's formula, written out here in Python
fractions (every cell of a national data set), and of each practice computed alone in full (its
trace's figures); and either reader gives the same output: on every shipped example, on random
schemes and on a national data set, practice by practice and indicator by indicator."""
from __future__ import annotations

import json
import os
from fractions import Fraction
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import EXAMPLE_RUNS
from qofrules import api, jsontext
from qofrules.engine import fastpath
from qofrules.data import columnar
from qofrules.diagnostics import QofError
from qofrules.engine.exact import evaluate_practice
from qofrules.money import exact
from qofrules.results import SummaryPracticeResult

ROOT = Path(__file__).resolve().parent.parent
SEEDS = [(str(Path("..", scheme).with_suffix("")) if not scheme.startswith("schemes/") else Path(scheme).stem,
          Path(data).name) for scheme, data in EXAMPLE_RUNS.values()]


def _generate(out: Path, scenario: str, limit: int | None = None, seed: int | None = None) -> Path:
    command = [sys.executable, str(ROOT / "examples" / "generate.py"), "--out", str(out), "--scenario", scenario]
    if limit:
        command += ["--limit", str(limit)]
    if seed is not None:
        command += ["--seed", str(seed)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return out


@pytest.mark.parametrize("scheme,data", SEEDS, ids=[s.rsplit("/", 1)[-1] for s, _ in SEEDS])
def test_every_example_gives_the_same_output_both_ways(scheme, data):
    fast = api.run_result(f"schemes/{scheme}.qof", f"examples/{data}")
    slow = api.run_result(f"schemes/{scheme}.qof", f"examples/{data}", exact=True)
    assert any(isinstance(p, SummaryPracticeResult) for p in fast.practices), "the columns were not used"
    # Everything a user can ask for, whichever reader read the data: totals, every practice, every
    # indicator, every trace.
    traced = fast.to_plain(indicators=True, trace=True)
    assert json.dumps(traced) == json.dumps(slow.to_plain(indicators=True, trace=True))
    # A trace makes each practice's exact result, which every later read would then use: what
    # follows is asked of a fresh result, so that it is read from the cells.
    fresh = api.run_result(f"schemes/{scheme}.qof", f"examples/{data}")
    # What diff --impact compares and the report sums, read from the cells as whole pence: the
    # exact path's figures, unknown cells (None) and the rule that paid each included.
    assert [p.pence() for p in fresh.practices] == [p.pence() for p in slow.practices]
    assert not any(p._full for p in fresh.practices if isinstance(p, SummaryPracticeResult)), \
        "the cells were not what was compared"
    # Without traces, the indicators are written from the whole run's cells (plain_indicators):
    # each practice computed alone in full (its trace) gives the same figures.
    assert json.dumps(fresh.to_plain(indicators=True)) == json.dumps(_without_traces(traced))
    # run --format json writes each cell into its indicator's template: the exact path's text.
    streamed = "".join(api.run_result(f"schemes/{scheme}.qof", f"examples/{data}").json_pieces())
    assert streamed == "".join(slow.json_pieces()) == json.dumps(slow.to_plain(indicators=True), indent=2) + "\n"


def _without_traces(plain):
    """A run's plain data with every trace taken out."""
    if isinstance(plain, dict):
        return {k: _without_traces(v) for k, v in plain.items() if k != "trace"}
    if isinstance(plain, list):
        return [_without_traces(v) for v in plain]
    return plain


def test_a_compact_file_is_read_by_the_exact_reader():
    assert columnar.load("examples/tiny.yaml") is None


# ------------------------------------------------------------------ random schemes

LEAVES = st.sampled_from(["achievement", "achievement in 2022/23", "full points", "no points", "3 points",
                          "2.5 points", "0.13 points", "40 points"])  # at most 2 places (QR237)


def _composites(inner):
    items = st.lists(inner, min_size=2, max_size=3)
    return st.one_of(
        st.builds(lambda xs: f"higher of ({', '.join(xs)})", items),
        st.builds(lambda xs: f"lower of ({', '.join(xs)})", items),
        st.builds(lambda xs: f"average of ({', '.join(xs)})", items),
        st.builds(lambda xs: f"sum of ({', '.join(xs)})", items),
        st.builds(lambda xs: f"practice choice BASIS of ({', '.join(xs)})", items),
        st.builds(lambda percent, x: f"{percent}% of {x}", st.sampled_from([33, 50, 80, 87.5, 100]), inner))


BASES = st.recursive(LEAVES, _composites, max_leaves=5)


def _scheme(pay: str, request: str | None, months: bool, extras: tuple = ()) -> str:
    """A scheme paying ``pay`` on every indicator of 2023/24 (only to practices with a BASIS choice
    of 1 or 2 and, with "condition", only where they chose 1), with the extras asked for: a local
    indicator paid on the same basis, a rule moving points, a floor and top-ups."""
    lines = ['scheme random "A random scheme"', "  contract: england 2023/24"]
    if months:
        lines += ["  runs: 2024-01-01 to 2024-03-31", "  pays for: months run"]
    lines += ["  eligible when: every practice"]
    if "local" in extras:
        lines += ["", '  local indicator LOC-ONE "A local percentage":', "    measure: percentage",
                  "    thresholds: 35% to 85.5%", "    points: 17", "    price: £123.45 per point",
                  "    adjusted for: list size and prevalence of group HYP"]
    if "points" in extras:
        lines += ["", '  rule "Points moved":', "    applies to: indicator HYP008", "    points: 9",
                  "    pay: achievement"]
    if "once" in extras:  # fraction indicators only (QR411)
        lines += ["", '  rule "Once passed":', "    applies to: indicators CS005, SMOK005",
                  f"    pay: sum of ({pay}, 2.5 points once lower threshold passed)"]
    lines += ["", '  rule "Random":', "    applies to: all other indicators"]
    if "condition" in extras:
        lines.append("    only when: practice attribute BASIS = 1")
    lines.append(f"    pay: {pay}")
    if request:
        lines.append(f"    on request: {request}")
    if "floor" in extras:
        lines += ["", '  floor "Last year":', "    at least: 90% of achievement in 2022/23"]
    if "top up" in extras:
        lines += ["", '  top up "Per point":', "    amount: £1.17 per point", "", '  top up "Per patient":',
                  "    amount: £0.33 per patient"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def small_national(tmp_path_factory):
    return _with_choices_and_local_rows(_generate(tmp_path_factory.mktemp("data") / "national", "national-2023",
                                                  limit=40))


def _with_choices_and_local_rows(folder: Path) -> Path:
    """The generated data with what the random schemes' extras read, drawn from a fixed seed: a
    BASIS attribute per practice (1, 2, or none recorded) and LOC-ONE's NUMERATOR/DENOMINATOR rows
    (some practices without them, some with a zero denominator). Synthetic, like the rest."""
    import csv
    import random
    rng = random.Random(2023)
    table = folder / "practices.csv"
    rows = list(csv.reader(table.read_text(encoding="utf-8").splitlines()))
    rows[0].append("BASIS")
    for row in rows[1:]:
        row.append(rng.choice(["1", "2", ""]))
    with open(table, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    achievement = folder / "achievement-2023-24.csv"
    with open(achievement, "a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for row in rows[1:]:
            if rng.random() < 0.1:
                continue
            denominator = rng.choice([0, 7, 40, 123, 999])
            writer.writerow([row[0], "LOC-ONE", "NUMERATOR", rng.randint(0, denominator)])
            writer.writerow([row[0], "LOC-ONE", "DENOMINATOR", denominator])
    return folder


# QOFRULES_EXAMPLES=N runs N random schemes instead of 15 (by hand; the suite stays a few minutes).
@settings(max_examples=int(os.environ.get("QOFRULES_EXAMPLES", 15)), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pay=BASES, request=st.none() | BASES, months=st.booleans(),
       extras=st.sets(st.sampled_from(["local", "points", "once", "condition", "floor", "top up"])))
def test_random_schemes_give_the_same_pennies_both_ways(pay, request, months, extras, small_national, tmp_path_factory):
    path = tmp_path_factory.mktemp("scheme") / "random.qof"
    path.write_text(_scheme(pay, request, months, tuple(extras)), encoding="utf-8")
    report = api.check_file(str(path))
    assert report.ok, [d.message for d in report.errors]
    fast = api.run_result(str(path), str(small_national))
    slow = api.run_result(str(path), str(small_national), exact=True)
    assert isinstance(fast.practices[0], SummaryPracticeResult), "the columns were not used"
    assert json.dumps(fast.to_plain(indicators=True)) == json.dumps(slow.to_plain(indicators=True))
    # each practice computed alone, in full, gives the whole run's figures
    data = columnar.load(str(small_national))
    contract = api.load_contract("england", "2023/24", [data.contract_overrides])
    tree = api.compile(report.scheme, contract, report.source)
    with exact():
        alone = [evaluate_practice(tree, data.practice_in_full(i)).to_plain(indicators=True)
                 for i in range(len(data.practices))]
    assert [p.to_plain(indicators=True) for p in fast.practices] == alone


# ------------------------------------------------------------------ the national data set

def _half_up(value: Fraction) -> int:
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


def _by_the_contract(contract, practice, code: str) -> dict:
    """One cell of benchmarks/schemes/higher-of-2023.qof, computed here as docs/evaluation.md and
    the contract state it, in Python fractions: {side: (hundredths, pence)}, None where unknown."""
    indicator, year = contract.indicators[code], contract.year
    maximum = Fraction(indicator.points.value)
    now, before = practice.measures(year, code), practice.measures("2022/23", code)
    national = None
    if indicator.is_register:
        national = maximum if now is not None and now.register is not None else None
    elif now is not None and now.numerator is not None and now.denominator is not None:
        low, high = Fraction(indicator.lower.value), Fraction(indicator.upper.value)
        if now.denominator == 0:
            national = maximum if contract.zero_denominator.value == "full-points" else Fraction(0)
        else:
            percent = Fraction(100 * now.numerator, now.denominator)
            national = (maximum if percent >= high else Fraction(0) if percent <= low
                        else maximum * (percent - low) / (high - low))
    prior = (None if before is None or before.achieved_points is None
             else min(max(Fraction(before.achieved_points), Fraction(0)), maximum))
    scheme = max((v for v in (national, prior) if v is not None), default=None)
    group = contract.groups[indicator.group]
    factor = Fraction(contract.point_value.value) * practice.list_size / Fraction(contract.average_list_size.value)
    if group.prevalence_adjusted:
        found = practice.prevalence.get(year, {}).get(indicator.group)
        factor = None if found is None else factor * Fraction(found.register * 100, found.list_size) / Fraction(
            group.national_prevalence.value)
    out = {}
    for side, points in (("national", national), ("scheme", scheme)):
        hundredths = None if points is None else _half_up(100 * points)
        out[side] = (hundredths, None if hundredths is None or factor is None else _half_up(hundredths * factor))
    return out


def test_national_data_set_every_cell_is_the_contracts_formula(tmp_path):
    """The issue's proof: 6,410 practices x 76 indicators, both sides, every cell compared with the
    formula written out independently above; and every 50th practice computed alone in full (its
    trace's figures, what run --format json writes) equal to the whole run's."""
    data = columnar.load(str(_generate(tmp_path / "national", "national-2023")))
    report = api.check_file(str(ROOT / "benchmarks" / "schemes" / "higher-of-2023.qof"))
    contract = api.load_contract("england", "2023/24", [data.contract_overrides])
    tree = api.compile(report.scheme, contract, report.source)
    cells: dict = {}
    fast = fastpath.evaluate_columns(tree, data, cells)
    assert len(fast.practices) == 6410 and len(cells) == 76
    differences = []
    for i in range(len(fast.practices)):
        practice = data.practice_in_full(i)
        for code in contract.indicators:
            want = _by_the_contract(contract, practice, code)
            for side in ("national", "scheme"):
                got = tuple(cells[code][side][k][i] for k in (0, 1))
                if got != want[side]:
                    differences.append((practice.code, code, side, got, want[side]))
    assert differences == []
    with exact():
        for i in range(0, len(fast.practices), 50):
            practice_result = fast.practices[i]
            alone = evaluate_practice(tree, data.practice_in_full(i))
            assert (practice_result.scheme_payment, practice_result.national_payment,
                    practice_result.scheme_points) == (alone.scheme_payment, alone.national_payment, alone.scheme_points)
            assert practice_result.to_plain(indicators=True) == alone.to_plain(indicators=True)


def test_run_exact_flag_prints_the_same_as_the_default():
    from click.testing import CliRunner
    from qofrules.cli import cli
    args = ["run", "schemes/2014-somerset.qof", "--data", "examples/south-west-2014", "--format", "csv"]
    default, exact_run = CliRunner().invoke(cli, args), CliRunner().invoke(cli, args + ["--exact"])
    assert default.exit_code == exact_run.exit_code == 0
    assert default.output == exact_run.output
    assert len(default.output.splitlines()) >= 1 + 238  # a header and every practice


# ------------------------------------------------------------------ regressions from review

LEEDS = ROOT / "examples" / "leeds-2017"


def _leeds_copy(tmp_path, replace: dict | None = None, practices: dict | None = None) -> Path:
    """A copy of the Leeds example with some VALUEs (by 'PRACTICE,INDICATOR,MEASURE') or practice
    LIST_SIZEs changed."""
    import shutil
    folder = tmp_path / "leeds"
    shutil.copytree(LEEDS, folder)
    path = folder / "achievement-2016-17.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for key, value in (replace or {}).items():
        lines = [f"{key},{value}\n" if line.startswith(key + ",") else line for line in lines]
    path.write_text("".join(lines), encoding="utf-8")
    table = folder / "practices.csv"
    rows = table.read_text(encoding="utf-8").splitlines(keepends=True)
    for code, size in (practices or {}).items():
        rows = [line.replace(line.split(",")[2], str(size), 1) if line.startswith(code + ",") else line for line in rows]
    table.write_text("".join(rows), encoding="utf-8")
    return folder


def _overrides(tmp_path, text: str) -> str:
    path = tmp_path / "overrides.yaml"
    path.write_text("overrides: england 2016/17\nlabel: test\n" + text, encoding="utf-8")
    return str(path)


def _both_ways(data, *overrides):
    scheme = str(ROOT / "schemes" / "2017-leeds.qof")
    fast = api.run_result(scheme, str(data), overrides)
    slow = api.run_result(scheme, str(data), overrides, exact=True)
    return json.dumps(fast.to_plain(indicators=False)), json.dumps(slow.to_plain(indicators=False)), fast


def _refused_alike(data, *overrides) -> str:
    """Both paths refuse the input with the same error (a figure or value beyond its bound:
    docs/limits.md); the message."""
    scheme = str(ROOT / "schemes" / "2017-leeds.qof")
    shown = []
    for exact in (False, True):
        with pytest.raises(QofError) as caught:
            api.run_result(scheme, str(data), overrides, exact=exact)
        shown.append([d.render() for d in caught.value.diagnostics])
    assert shown[0] == shown[1]
    return "\n".join(shown[0])


def test_a_threshold_a_float_would_call_whole_is_not_treated_as_whole(tmp_path):
    data = _leeds_copy(tmp_path, {"B86001,AF007,NUMERATOR": 4001, "B86001,AF007,DENOMINATOR": 8000})
    overrides = _overrides(tmp_path, "indicators:\n  AF007: {thresholds: {lower: '40.01', upper: '70'}}\n")
    fast, slow, _ = _both_ways(data, overrides)
    assert fast == slow
    # a threshold more precise than 2 places is refused alike on both paths (QR314)
    overrides = _overrides(tmp_path, "indicators:\n  AF007: {thresholds: {lower: '40.00000000000000000001', upper: '70'}}\n")
    assert "error[QR314]" in _refused_alike(data, overrides)


def test_thresholds_very_close_together_do_not_defeat_the_guard(tmp_path):
    # the closest thresholds the bounds allow (2 places), an achievement a hair from a tie
    data = _leeds_copy(tmp_path, {"B86001,AF007,NUMERATOR": 400049, "B86001,AF007,DENOMINATOR": 999999})
    overrides = _overrides(tmp_path, "indicators:\n  AF007: {points: 1000, thresholds: {lower: '40', upper: '40.01'}}\n")
    fast, slow, _ = _both_ways(data, overrides)
    assert fast == slow


@pytest.mark.parametrize("upper", ["100000000000000000", "10000000000000000000"])
def test_huge_thresholds_neither_overflow_nor_crash(tmp_path, upper):
    overrides = _overrides(tmp_path, f"indicators:\n  AF007: {{thresholds: {{lower: 40, upper: '{upper}'}}}}\n")
    assert "error[QR314] indicators.AF007.thresholds.upper" in _refused_alike(LEEDS, overrides)


@pytest.mark.parametrize("size", [10 ** 17, 10 ** 20])
def test_a_huge_list_size_is_paid_exactly_not_wrapped_around(tmp_path, size):
    data = _leeds_copy(tmp_path, practices={"B86001": size})
    assert "error[QD025] practice B86001: LIST_SIZE" in _refused_alike(data)  # beyond 1,000,000
    data = _leeds_copy(tmp_path / "largest", practices={"B86001": 1_000_000})  # the largest allowed
    fast, slow, result = _both_ways(data)
    assert fast == slow
    assert next(p for p in result.practices if p.code == "B86001").scheme_payment > 0


def test_bare_carriage_returns_are_read_alike(tmp_path):
    data = _leeds_copy(tmp_path)
    path = data / "achievement-2016-17.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    fast, slow, _ = _both_ways(data)
    assert fast == slow


def test_a_code_named_only_on_rows_not_used_makes_no_note(tmp_path):
    data = _leeds_copy(tmp_path)
    with (data / "achievement-2016-17.csv").open("a", encoding="utf-8") as handle:
        handle.write("B86001,XX999,OTHER,1\nB86001,XX998,NUMERATOR,\n")
    fast, slow, result = _both_ways(data)
    assert fast == slow and not any("XX99" in note for note in result.notes)


def test_handing_over_to_the_exact_reader_is_said_aloud(tmp_path):
    data = _leeds_copy(tmp_path, {"B86001,AF007,ACHIEVED_POINTS": " 12.00"})
    result = api.run_result(str(ROOT / "schemes" / "2017-leeds.qof"), str(data))
    said = [note for note in result.notes if "practice by practice" in note]
    assert len(said) == 1 and "achievement-2016-17.csv" in said[0] and "plain" in said[0]
    exact_run = api.run_result(str(ROOT / "schemes" / "2017-leeds.qof"), str(data), exact=True)
    assert result.totals == exact_run.totals


# ------------------------------------------------------------------ codes that changed between years

def test_an_earlier_years_changed_code_and_a_new_indicator_give_the_same_pennies_both_ways():
    """Somerset pays on 2012/13: HYP002 is read under 2012/13's BP05, HYP003 is new in 2013/14
    (no 2012/13 points). Cell by cell, the columns equal the exact path, and the cell the exact
    path is asked about (a figure unknown) carries BP05 with it."""
    from qofrules.data import load as load_exact
    report = api.check_file(str(ROOT / "schemes" / "2014-somerset.qof"))
    data = columnar.load(str(ROOT / "examples" / "south-west-2014"))
    contract = api.load_contract("england", "2013/14", [data.contract_overrides])
    tree = api.compile(report.scheme, contract, report.source)
    assert tree.codes_read("HYP002") == {"2012/13": "BP05"} and tree.codes_read("HYP003") == {"2012/13": None}
    cells: dict = {}
    fastpath.evaluate_columns(tree, data, cells)
    exact_data = load_exact(str(ROOT / "examples" / "south-west-2014"))
    with exact():
        exact_results = [evaluate_practice(tree, p) for p in exact_data.practices]
    paid_on_bp05 = 0
    for i, result in enumerate(exact_results):
        for item in result.indicators:
            want = tuple(None if v is None else int(v.scaleb(2)) for v in (item.scheme.points, item.scheme.payment))
            assert (cells[item.code]["scheme"][0][i], cells[item.code]["scheme"][1][i]) == want, (result.code, item.code)
            if item.code == "HYP003" and result.eligible and item.basis == "achievement in 2012/13":
                assert want == (None, None)
                assert any("HYP003 was new in 2013/14" in m for m in item.scheme.outcome.missing)
            if item.code == "HYP002" and result.eligible and item.basis == "achievement in 2012/13":
                paid_on_bp05 += item.scheme.points is not None
    assert paid_on_bp05 > 0
    cell = data.practice_in_full(0, "HYP002", tree.codes_read("HYP002"))
    assert "BP05" in cell.achievement["2012/13"] and "HYP002" in cell.achievement["2013/14"]


# ------------------------------------------------------------------ the commands that read the cells

def _exact_result(scheme: str, data: str):
    return api.run_result(scheme, data, exact=True)


@pytest.mark.parametrize("scheme,data", SEEDS, ids=[s.rsplit("/", 1)[-1] for s, _ in SEEDS])
def test_report_figures_are_the_same_both_ways(scheme, data):
    """report reads the vectorised path's cells (per-group totals, per-area totals, every practice):
    every figure it shows equals the exact path's."""
    from qofrules.report import build_report
    path = f"schemes/{scheme}.qof"
    tree, columns, fast = api.report_inputs(path, f"examples/{data}")
    assert any(isinstance(p, SummaryPracticeResult) for p in fast.practices), "the vectorised path was not used"
    exact_tree, dataset = api.prepared(path, f"examples/{data}")
    slow = _exact_result(path, f"examples/{data}")
    assert build_report(tree, columns, path, fast) == build_report(exact_tree, dataset, path, slow)


def test_json_streamed_from_the_cells_is_the_exact_paths_json(small_national):
    """run --format json: the pieces, joined, are the exact path's JSON, character for character."""
    scheme = str(ROOT / "benchmarks" / "schemes" / "higher-of-2023.qof")
    fast = api.run_result(scheme, str(small_national))
    assert isinstance(fast.practices[0], SummaryPracticeResult)
    slow = _exact_result(scheme, str(small_national))
    assert "".join(fast.json_pieces()) == json.dumps(slow.to_plain(indicators=True), indent=2) + "\n"


def test_a_row_with_a_figure_below_zero_is_written_by_dumps():
    """indicators_json writes figures as %d.%02d, right only for whole numbers of hundredths not
    below zero: a row with one below zero (none is made today) is left to jsontext.dumps."""
    result = api.run_result("schemes/2014-somerset.qof", "examples/south-west-2014")
    cells = result.practices[0]._cells
    values = cells._matrices()[0]
    values[0, 1] = -5  # the first indicator's national pence
    written = json.loads(cells.indicators_json(0, "      "))
    assert written[0]["national"]["payment"] == "-0.05"
    assert cells.indicators_json(0, "      ") == jsontext.dumps(cells.plain_indicators(0), "      ")


def test_diff_impact_causes_are_the_same_both_ways(small_national):
    """diff --impact's per-practice causes come from the cells of both versions: equal to the
    causes the exact path's results give."""
    from qofrules.differ import impact
    old = str(ROOT / "benchmarks" / "schemes" / "higher-of-2023.qof")
    new = str(ROOT / "benchmarks" / "schemes" / "prior-year-2023.qof")
    plain = api.diff(old, new, str(small_national))
    found = api.diff_result(old, new)
    exact_impact = impact(found, _exact_result(old, str(small_national)), _exact_result(new, str(small_national)))
    assert plain["impact"] == exact_impact
    assert sum(1 for p in exact_impact["practices"] if p["caused_by"]) > 10, "most practices should change"


@pytest.mark.parametrize("scheme,data", SEEDS, ids=[s.rsplit("/", 1)[-1] for s, _ in SEEDS])
def test_a_runs_totals_are_the_sums_of_what_each_practice_shows(scheme, data):
    """The run's totals are summed in whole hundredths and pence (results.RunTotals), apart from
    the Decimals each practice shows: summed here from those Decimals, they must be the same, and
    the counts of practices each total leaves out must be the practices showing nothing."""
    from decimal import Decimal
    result = api.run_result(f"schemes/{scheme}.qof", f"examples/{data}")
    practices = result.practices
    assert practices and isinstance(practices[0], SummaryPracticeResult)

    def summed(name: str) -> Decimal:
        return sum((v for v in (getattr(p, name) for p in practices) if v is not None), Decimal(0))

    expected = {"practices": len(practices), "eligible": sum(p.eligible for p in practices)}
    for name in ("scheme_points", "scheme_payment", "national_points", "national_payment", "difference"):
        expected[name] = summed(name)
    for name in ("scheme_payment", "national_payment", "difference"):
        expected[f"{name}_unknown"] = sum(getattr(p, name) is None for p in practices)
    assert result.totals == expected
    assert any(expected[k] for k in ("scheme_payment", "national_payment")), "nothing was paid: a test of nothing"
