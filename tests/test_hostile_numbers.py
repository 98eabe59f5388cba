"""Hostile numbers: every number a user's file gives is bounded, read the same on every path, and
printed without an exponent (docs/limits.md, "Numbers").

Each test is what a user meets through the CLI: before these bounds, a LIST_SIZE of
``1E999999999`` (14 characters) made the exact reader build a billion-digit whole number, and
``run``, ``validate --data``, ``explain`` and ``report`` never finished."""
from __future__ import annotations

import json
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
    assert done.returncode == (2 if command == "validate --data" else 1), output  # validate: data unreadable
    assert (f"{data / 'practices.csv'}:2:1: error[QD016] practice {PRACTICE}: LIST_SIZE '1E999999999' is not "
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
    assert f"{data / 'practices.csv'}:2:1: error[{code}] practice {PRACTICE}: {said}" in result.output


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
    assert f"{path}:{row + 1}:1: error[{code}] line {row + 1}: {measure} of {practice} {indicator} {said}" \
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
    assert (f"{path}:{row + 1}:1: error[QD025] line {row + 1}: ACHIEVED_POINTS of {practice} {indicator} is "
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
    if said is None:
        assert f"{path}:2:1: error[QD021] line 2: REGISTER must be a whole, non-negative number and " \
               "PRACTICE_LIST_SIZE a positive one" in result.output
    else:
        assert f"{path}:2:1: error[QD025] line 2: {said}" in result.output


def _compact(tmp_path: Path, practice: dict, suffix: str = ".yaml", text: str | None = None) -> Path:
    path = tmp_path / f"data{suffix}"
    data = {"dataset": "hostile", "synthetic": True,
            "practices": [{"code": "A00001", "name": "First", "list_size": 5000, **practice}]}
    path.write_text(text if text is not None else (json.dumps(data) if suffix == ".json" else yaml.safe_dump(data)),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("practice, said", [
    ({"list_size": 2_000_000}, "practices[0].list_size: 2000000 is greater than the maximum of 1000000"),
    ({"achievement": {"2013/14": {"DM002": {"denominator": 10 ** 400}}}},
     "practices[0].achievement.2013/14.DM002.denominator: 1000"),
    ({"achievement": {"2012/13": {"DM26": {"points": 1500}}}},
     "practices[0].achievement.2012/13.DM26.points: 1500 is greater than the maximum of 1000"),
    ({"prevalence": {"2013/14": {"DM": {"register": 10, "list_size": 10 ** 7}}}},
     "practices[0].prevalence.2013/14.DM.list_size: 10000000 is greater than the maximum of 1000000"),
])
def test_compact_data_sets_have_the_same_bounds(tmp_path, practice, said):
    path = _compact(tmp_path, practice)
    result = _invoke("run", SCHEME, "--data", path)
    assert result.exit_code == 1
    assert f"{path}: error[QD004] {said}" in result.output


def test_a_json_number_of_thousands_of_digits_is_located(tmp_path):
    """Before: an internal error (Python refuses to convert more than 4,300 digits)."""
    text = ('{"dataset": "hostile", "synthetic": true, "practices": [\n'
            '  {"code": "A00001", "name": "First", "list_size": ' + "9" * 5000 + "}]}\n")
    path = _compact(tmp_path, {}, ".json", text)
    result = _invoke("run", SCHEME, "--data", path)
    assert result.exit_code == 1
    assert f"{path}:2:52: error[QD025] a number has thousands of digits; no number in a data set may be more " \
           "than 1,000,000" in result.output
