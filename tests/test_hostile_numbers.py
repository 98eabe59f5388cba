"""Hostile numbers: every number a user's file gives is bounded, read the same on every path, and
printed without an exponent (docs/limits.md, "Numbers").

Each test is what a user meets through the CLI: before these bounds, a LIST_SIZE of
``1E999999999`` (14 characters) made the exact reader build a billion-digit whole number, and
``run``, ``validate --data``, ``explain`` and ``report`` never finished."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT
from qofrules.cli import cli

EXAMPLE = ROOT / "examples" / "lincolnshire-2014"
SCHEME = ROOT / "schemes" / "2014-lincolnshire-llr.qof"
PRACTICE = "C82001"  # the first practice of the example


def _invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(EXAMPLE, target)
    return target


def _set(path: Path, line: int, column: str, value: str) -> None:
    """Set ``column`` of data line ``line`` (1 = the first after the header) of a CSV file whose
    fields hold no commas before ``column``."""
    lines = path.read_text(encoding="utf-8").split("\n")
    names = lines[0].split(",")
    fields = lines[line].split(",")
    fields[names.index(column)] = value
    lines[line] = ",".join(fields)
    path.write_text("\n".join(lines), encoding="utf-8")


def _column(path: Path, line: int, column: str) -> int:
    """The 1-based character column where ``column`` starts on data line ``line`` (fields before
    it hold no commas): where an error about that field must point."""
    lines = path.read_text(encoding="utf-8").split("\n")
    before = lines[line].split(",")[:lines[0].split(",").index(column)]
    return sum(len(f) + 1 for f in before) + 1


def _first_row(path: Path, measure: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines) if i and line.split(",")[2] == measure)


COMMANDS = {
    "run": ["run", SCHEME],
    "run --exact": ["run", SCHEME, "--exact"],
    "validate --data": ["validate", SCHEME],
    "explain": ["explain", SCHEME, "--practice", PRACTICE],
    "report": ["report", SCHEME],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_exponent_list_size_is_refused_at_once_by_every_command(tmp_path, command):
    """'1E999999999' in LIST_SIZE: before, the command never finished (a billion-digit integer);
    a separate process with a time limit, so a regression fails instead of hanging the suite."""
    data = _copy(tmp_path)
    _set(data / "practices.csv", 1, "LIST_SIZE", "1E999999999")
    args = [str(a) for a in COMMANDS[command]] + ["--data", str(data)]
    if command == "report":
        args += ["-o", str(tmp_path / "report.html")]
    done = subprocess.run([sys.executable, "-c", "from qofrules.cli import main; main()", *args], capture_output=True, text=True, timeout=60)
    output = done.stdout + done.stderr
    assert "Traceback" not in output and "internal error" not in output
    # validate --data reads the practices table (the columns a scheme tests), and refuses a bad
    # one as run does; its exit for data it cannot read is 2, as for a file it cannot read
    assert done.returncode == (2 if command == "validate --data" else 1), output
    at = _column(data / "practices.csv", 1, "LIST_SIZE")
    assert (f"{data / 'practices.csv'}:2:{at}: error[QD016] practice {PRACTICE}: LIST_SIZE '1E999999999' is not "
            "a positive whole number") in output


@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("value, said", [
    ("9" * 400, f"LIST_SIZE '{'9' * 20}...' (400 characters) is longer than 15 characters, the most a number "
                "may be written in"),
    ("1e400", "LIST_SIZE '1e400' is not a positive whole number"),
    ("2000000", "LIST_SIZE '2000000' is more than 1,000,000, the most a practice's list size may be"),
])
def test_a_huge_list_size_is_a_located_error_on_both_paths(tmp_path, exact, value, said):
    """Before: 400 digits or 1e400 crashed run (OverflowError, int to float) and report (float
    infinity), and run --exact printed the 400-digit list size."""
    data = _copy(tmp_path)
    _set(data / "practices.csv", 1, "LIST_SIZE", value)
    result = _invoke("run", SCHEME, "--data", data, *(["--exact"] if exact else []))
    assert result.exit_code == 1
    code = "QD016" if "not a positive" in said else "QD025"
    at = _column(data / "practices.csv", 1, "LIST_SIZE")
    assert f"{data / 'practices.csv'}:2:{at}: error[{code}] practice {PRACTICE}: {said}" in result.output


@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("measure, value, said", [
    ("NUMERATOR", "1E999999999", "is '1E999999999', not a whole, non-negative number"),
    ("DENOMINATOR", "1000001", "is '1000001', which is more than 1,000,000, the most a count may be"),
    ("NUMERATOR", "123456789012345678", "is '123456789012345678', which is longer than 15 characters, the most a "
                                        "number may be written in"),
])
def test_a_huge_count_in_an_achievement_file(tmp_path, exact, measure, value, said):
    data = _copy(tmp_path)
    path = data / "achievement-2013-14.csv"
    row = _first_row(path, measure)
    practice, indicator = path.read_text(encoding="utf-8").split("\n")[row].split(",")[:2]
    _set(path, row, "VALUE", value)
    result = _invoke("run", SCHEME, "--data", data, *(["--exact"] if exact else []))
    assert result.exit_code == 1
    code = "QD021" if "not a whole" in said else "QD025"
    at = _column(path, row, "VALUE")
    assert f"{path}:{row + 1}:{at}: error[{code}] line {row + 1}: {measure} of {practice} {indicator} {said}" \
        in result.output


@pytest.mark.parametrize("exact", [False, True])
def test_achieved_points_above_any_indicator_are_refused(tmp_path, exact):
    data = _copy(tmp_path)
    path = data / "achievement-2012-13.csv"
    row = _first_row(path, "ACHIEVED_POINTS")
    practice, indicator = path.read_text(encoding="utf-8").split("\n")[row].split(",")[:2]
    _set(path, row, "VALUE", "1000.01")
    result = _invoke("run", SCHEME, "--data", data, *(["--exact"] if exact else []))
    assert result.exit_code == 1
    at = _column(path, row, "VALUE")
    assert (f"{path}:{row + 1}:{at}: error[QD025] line {row + 1}: ACHIEVED_POINTS of {practice} {indicator} is "
            "'1000.01', which is more than 1,000, the most an indicator's achieved points may be") in result.output


@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("column, value, said", [
    ("PRACTICE_LIST_SIZE", "1E999999999", None),
    ("PRACTICE_LIST_SIZE", "1000001", "PRACTICE_LIST_SIZE of C82001 AF is '1000001', which is more than 1,000,000, "
                                      "the most a practice's list size may be"),
    ("REGISTER", "9" * 30, "REGISTER of C82001 AF is '99999999999999999999...' (30 characters), which is longer "
                           "than 15 characters, the most a number may be written in"),
])
def test_a_huge_number_in_a_prevalence_file(tmp_path, exact, column, value, said):
    data = _copy(tmp_path)
    path = data / "prevalence-2013-14.csv"
    _set(path, 1, column, value)
    result = _invoke("run", SCHEME, "--data", data, *(["--exact"] if exact else []))
    assert result.exit_code == 1
    at = _column(path, 1, column)
    if said is None:
        assert f"{path}:2:{at}: error[QD021] line 2: REGISTER must be a whole, non-negative number and " \
               "PRACTICE_LIST_SIZE a positive one" in result.output
    else:
        assert f"{path}:2:{at}: error[QD025] line 2: {said}" in result.output


def _compact(tmp_path: Path, practice: dict, suffix: str = ".yaml", text: str | None = None) -> Path:
    path = tmp_path / f"data{suffix}"
    data = {"dataset": "hostile", "synthetic": True,
            "practices": [{"code": "A00001", "name": "First", "list_size": 5000, **practice}]}
    path.write_text(text if text is not None else (json.dumps(data) if suffix == ".json" else yaml.safe_dump(data)),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("practice, said", [
    ({"list_size": 2_000_000}, "practices[0].list_size is 2000000, but must be at most 1000000"),
    ({"achievement": {"2013/14": {"DM002": {"denominator": 10 ** 400}}}},
     "practices[0].achievement.2013/14.DM002.denominator is a number of 401 digits, but must be at most 1000"),
    ({"achievement": {"2012/13": {"DM26": {"points": 1500}}}},
     "practices[0].achievement.2012/13.DM26.points is 1500, but must be at most 1000"),
    ({"prevalence": {"2013/14": {"DM": {"register": 10, "list_size": 10 ** 7}}}},
     "practices[0].prevalence.2013/14.DM.list_size is 10000000, but must be at most 1000000"),
])
def test_compact_data_sets_have_the_same_bounds(tmp_path, practice, said):
    path = _compact(tmp_path, practice)
    result = _invoke("run", SCHEME, "--data", path)
    assert result.exit_code == 1
    assert f"error[QD004] {said}" in result.output and result.output.startswith(f"{path}:")


def test_a_json_number_of_thousands_of_digits_is_located(tmp_path):
    """Before: an internal error (Python refuses to convert more than 4,300 digits)."""
    text = ('{"dataset": "hostile", "synthetic": true, "practices": [\n'
            '  {"code": "A00001", "name": "First", "list_size": ' + "9" * 5000 + "}]}\n")
    path = _compact(tmp_path, {}, ".json", text)
    result = _invoke("run", SCHEME, "--data", path)
    assert result.exit_code == 1
    assert f"{path}:2:52: error[QD025] a number has thousands of digits; no number in a data set may be more " \
           "than 1,000,000" in result.output


# ------------------------------------------------------------------ national figures (contract overrides)

def _overrides(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "overrides.yaml"  # applied after the example's own, which fill every other figure
    path.write_text(f"overrides: england 2013/14\nlabel: hostile\n{body}\n", encoding="utf-8")
    return path


def _with_overrides(tmp_path: Path, command: str, body: str):
    overrides = _overrides(tmp_path, body)
    extra = ["--practice", PRACTICE] if command == "explain" else []
    return _invoke(command, SCHEME, "--data", EXAMPLE, *extra, "--contract-overrides", overrides), overrides


@pytest.mark.parametrize("body, column, said", [
    ("groups:\n  AF: {national_prevalence: '0." + "0" * 40 + "1'}", 29,
     "groups.AF.national_prevalence: '0.00000000000000000... (45 characters) has 41 decimal places; a national "
     "prevalence must be above 0% and at most 100%, with at most 4 decimal places"),
    ("groups:\n  AF: {national_prevalence: '99999'}", 29,
     "groups.AF.national_prevalence: '99999' is out of range; a national prevalence must be above 0% and at most "
     "100%, with at most 4 decimal places"),
    ("groups:\n  AF: {national_prevalence: 0}", 29,
     "groups.AF.national_prevalence: 0 is out of range; a national prevalence must be above 0% and at most 100%"),
    ("point_value: '" + "9" * 60 + "'", 14,
     "point_value: '9999999999999999999... (62 characters) is out of range; a £ per point must be above 0 and at "
     "most 1,000, with at most 2 decimal places"),
    ("point_value: '156.925'", 14, "point_value: '156.925' has 3 decimal places; a £ per point"),
    ("average_list_size: 0.5", 20, "average_list_size: 0.5 has 1 decimal places; a national average list size "
                                   "must be a whole number above 0 and at most 1,000,000"),
    ("average_list_size: '7000'", 20, None),
])
def test_national_figures_are_bounded_and_located(tmp_path, body, column, said):
    """Before: the 41-place prevalence was an internal error (decimal InvalidOperation) in explain;
    '99999' and a 60-digit £ per point were used."""
    result, overrides = _with_overrides(tmp_path, "explain", body)
    if said is None:  # a number written as a string is as good as a number
        assert result.exit_code == 0, result.output
        assert "national average list size 7,000" in result.output
        return
    assert result.exit_code == 1
    line = body.count("\n") + 3
    assert f"{overrides}:{line}:{column}: error[QR314] {said}" in result.output


@pytest.mark.parametrize("upper", ["150", "'150'", "100.001"])
def test_a_threshold_above_100_is_refused_as_a_number_or_a_string(tmp_path, upper):
    """Before: upper: '150' was used as 150%, and upper: 150 refused as "not of type 'string'"."""
    result, overrides = _with_overrides(tmp_path, "run", f"indicators:\n  AF002: {{thresholds: {{lower: 40, upper: {upper}}}}}")
    assert result.exit_code == 1
    assert f"{overrides}:4:" in result.output
    assert f"error[QR314] indicators.AF002.thresholds.upper: {upper}" in result.output
    assert "a threshold must be from 0 to 100%, with at most 2 decimal places" in result.output
    assert "not of type" not in result.output


def test_points_in_overrides_are_bounded(tmp_path):
    result, overrides = _with_overrides(tmp_path, "run", "indicators:\n  AF002: {points: 1001}")
    assert result.exit_code == 1
    assert f"{overrides}:4:19: error[QR314] indicators.AF002.points: 1001 is out of range; an indicator's points " \
           "must be a whole number from 0 to 1,000" in result.output


def test_figures_at_their_bounds_give_the_same_pennies_on_both_paths_without_exponents(tmp_path):
    """The largest £ per point, the smallest national prevalence and average list size: the
    largest payments the bounds allow, printed in plain digits, the same on both paths."""
    body = "point_value: '1000.00'\naverage_list_size: 1\ngroups:\n  AF: {national_prevalence: '0.0001'}"
    overrides = _overrides(tmp_path, body)
    default = _invoke("run", SCHEME, "--data", EXAMPLE, "--contract-overrides", overrides, "--format", "csv")
    exact = _invoke("run", SCHEME, "--data", EXAMPLE, "--contract-overrides", overrides, "--format", "csv", "--exact")
    assert default.exit_code == exact.exit_code == 0, default.output
    assert default.output == exact.output
    assert not re.search(r"[0-9]E[+-]?[0-9]", default.output)


def test_money_text_is_never_in_exponent_form_and_sums_are_exact():
    """Where '0E+35' came from: money as str(Decimal), and sums in Python's default 28 digits, which
    rounded a 60-digit total (losing pennies) and left a zero difference as 0E+35."""
    from decimal import Decimal

    from qofrules.money import decimal_text, minus, total
    big = Decimal("9" * 40 + ".99")
    assert total([big, Decimal("0.01")]) == Decimal("1" + "0" * 40)
    assert minus(total([big, big]), big) == big  # in 28 digits: 1E+40, the pennies gone
    assert decimal_text(minus(total([big, big]), total([big, big]))) == "0.00"
    assert decimal_text(Decimal("0E+35")) == "0"
    assert decimal_text(Decimal("1E-7")) == "0.0000001"


# ------------------------------------------------------------------ numbers in a scheme

TINY_SCHEME = ('scheme tiny "Tiny"\n  contract: england 2013/14\n  eligible when: {condition}\n\n'
               '  rule "All":\n    applies to: all indicators\n    pay: {basis}\n')


def _scheme(tmp_path: Path, name: str, basis: str, condition: str = "every practice") -> Path:
    path = tmp_path / name
    path.write_text(TINY_SCHEME.format(basis=basis, condition=condition), encoding="utf-8")
    return path


@pytest.mark.parametrize("basis, said", [
    ("0.0000001 points", "0.0000001 points has 7 decimal places; a scheme's points may have at most 2"),
    ("12.345 points", "12.345 points has 3 decimal places; a scheme's points may have at most 2"),
    ("33.333333% of achievement", "33.333333% has 6 decimal places; a scheme's percentage may have at most 4"),
])
def test_a_scheme_number_more_precise_than_it_is_paid_is_a_check_error(tmp_path, basis, said):
    """Before: 'pay: 0.0000001 points' checked clean."""
    path = _scheme(tmp_path, "precise.qof", basis)
    result = _invoke("check", path)
    assert result.exit_code == 1
    assert f"{path}:7:10: error[QR237] {said}" in result.output


def test_numbers_print_without_exponents_in_fmt_and_diff(tmp_path):
    """Before: fmt refused (QR601, the printed '1E-7' did not parse) and diff printed '1E-7 points'."""
    old = _scheme(tmp_path, "old.qof", "0.0000001 points", "practice attribute weight > 0.0000001")
    new = _scheme(tmp_path, "new.qof", "5 points", "practice attribute weight > 0.00000001")
    formatted = _invoke("fmt", "--check", old)
    assert formatted.exit_code == 0, formatted.output
    assert "QR601" not in formatted.output
    diff = _invoke("diff", old, new)
    assert "pay changed from 0.0000001 points to 5 points" in diff.output
    assert "practice attribute weight > 0.0000001" in diff.output
    assert "E-" not in diff.output


@pytest.mark.parametrize("where", ["compact", "overrides"])
def test_a_yaml_number_of_thousands_of_digits_is_located(tmp_path, where):
    """Before: an internal error (Python will not convert more than 4,300 digits to a number)."""
    digits = "9" * 5000
    if where == "compact":
        path = _compact(tmp_path, {}, ".yaml", "dataset: x\nsynthetic: true\npractices:\n"
                                                f"- {{code: A1, name: n, list_size: {digits}}}\n")
        result = _invoke("run", SCHEME, "--data", path)
        said = f"{path}:4:34: error[QD025] a number has thousands of digits"
    else:
        path = _overrides(tmp_path, f"point_value: {digits}")
        result = _invoke("run", SCHEME, "--data", EXAMPLE, "--contract-overrides", path)
        said = f"{path}:3:14: error[QR314] a number has thousands of digits"
    assert result.exit_code == 1
    assert said in result.output
