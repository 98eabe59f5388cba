"""Hostile data set files (issue: files, paths, YAML and CSV structure): each through the real
command, on the default (columnar) path and on ``--exact``, which must say the same thing."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from qofrules.cli import cli

SCHEME = ROOT / "schemes" / "2014-lincolnshire-llr.qof"
EXAMPLE = ROOT / "examples" / "lincolnshire-2014"


def _run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result


def _both(data: Path):
    """``run`` on the default path and on --exact: the same output and exit code, returned once."""
    fast = _run("run", SCHEME, "--data", data)
    exact = _run("run", SCHEME, "--data", data, "--exact")
    assert (fast.exit_code, fast.output) == (exact.exit_code, exact.output)
    return fast


@pytest.fixture
def data(tmp_path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(EXAMPLE, copy)
    return copy


def _manifest(data: Path, old: str, new: str) -> None:
    path = data / "dataset.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# ------------------------------------------------------------------ 1. paths a manifest names

@pytest.mark.parametrize("field, old", [("practices", "practices: practices.csv"),
                                        ("achievement.2013/14", "2013/14: achievement-2013-14.csv")])
def test_a_symbolic_link_to_itself_is_a_located_error(data, field, old):
    os.symlink("loop.csv", data / "loop.csv")
    _manifest(data, old, old.split(":")[0] + ": loop.csv")
    result = _both(data)
    assert result.exit_code == 1
    assert f"dataset.yaml:{_line(data, 'loop.csv')}:" in result.output
    assert (f"error[QD005] {field}: 'loop.csv' is a symbolic link that leads back to itself (a loop)"
            in result.output)


def _line(data: Path, text: str) -> int:
    lines = (data / "dataset.yaml").read_text(encoding="utf-8").splitlines()
    return [i for i, line in enumerate(lines, 1) if text in line][-1]  # the fields follow the description


def test_a_nul_in_a_manifest_path_is_a_located_error(data):
    _manifest(data, "practices: practices.csv", 'practices: "prac\\0tices.csv"')
    result = _both(data)
    assert result.exit_code == 1
    assert (f"dataset.yaml:{_line(data, 'tices.csv')}:12: error[QD004] practices: 'prac\\x00tices.csv' is not a file "
            "name (it holds a NUL character)") in result.output


@pytest.mark.parametrize("old, field, what", [
    ("2013/14: achievement-2013-14.csv", "achievement.2013/14", "an achievement file"),
    ("2013/14: prevalence-2013-14.csv", "prevalence.2013/14", "a prevalence file"),
    ("practices: practices.csv", "practices", "a practices table")])
def test_a_directory_where_a_file_should_be_is_the_same_error_on_both_paths(data, old, field, what):
    (data / "folder.csv").mkdir()
    _manifest(data, old, old.split(":")[0] + ": folder.csv")
    result = _both(data)
    assert result.exit_code == 2
    assert (f"dataset.yaml:{_line(data, 'folder.csv')}:" in result.output
            and f"error[QR002] {field}: 'folder.csv' is a directory, not {what}" in result.output)


def test_a_missing_file_is_located_at_the_manifest_line(data):
    _manifest(data, "2013/14: achievement-2013-14.csv", "2013/14: nowhere.csv")
    result = _both(data)
    assert result.exit_code == 2
    assert (f"dataset.yaml:{_line(data, 'nowhere')}:" in result.output and "error[QR002] achievement.2013/14: "
            "'nowhere.csv' is not there (no such file in the data set's directory)" in result.output)


# ------------------------------------------------------------------ 2. a YAML key given twice

def test_a_second_achievement_key_in_the_manifest_is_refused(data):
    first = _line(data, "achievement:")
    with (data / "dataset.yaml").open("a", encoding="utf-8") as out:
        out.write("achievement: {2013/14: achievement-2012-13.csv}\n")
    result = _both(data)
    assert result.exit_code == 1
    second = len((data / "dataset.yaml").read_text(encoding="utf-8").splitlines())
    assert (f"dataset.yaml:{second}:1: error[QD001] not valid YAML: the key 'achievement' is given twice "
            f"(first on line {first})") in result.output
    assert f"note: 'achievement' is first given here (line {first})" in result.output


def test_a_second_indicator_in_an_overrides_file_is_refused(data, tmp_path):
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("overrides: england 2013/14\nlabel: test\nindicators:\n  HYP005: {points: 10}\n"
                         "  HYP005: {points: 20}\n", encoding="utf-8")
    result = _run("run", SCHEME, "--data", data, "--contract-overrides", overrides)
    assert result.exit_code == 1
    assert (f"{overrides}:5:3: error[QR311] not valid YAML: the key 'HYP005' is given twice (first on line 4)"
            in result.output)


def test_a_key_given_twice_in_a_compact_file_is_refused(tmp_path):
    text = (ROOT / "examples" / "tiny.yaml").read_text(encoding="utf-8")
    compact = tmp_path / "tiny.yaml"
    compact.write_text(text + "synthetic: false\n", encoding="utf-8")
    result = _run("run", ROOT / "schemes" / "2014-lincolnshire-llr.qof", "--data", compact)
    assert "error[QD001] not valid YAML: the key 'synthetic' is given twice" in result.output
    assert result.exit_code == 1


# ------------------------------------------------------------------ 3. a CSV column named twice

@pytest.mark.parametrize("name, column, what", [
    ("practices.csv", "LIST_SIZE", "practices table"),
    ("achievement-2013-14.csv", "VALUE", "achievement file"),
    ("achievement-2012-13.csv", "indicator_code", "achievement file"),
    ("prevalence-2013-14.csv", "REGISTER", "prevalence file")])
def test_a_header_naming_a_column_twice_is_refused_on_both_paths(data, name, column, what):
    path = data / name
    lines = path.read_text(encoding="utf-8").splitlines()
    width = len(lines[0]) + 2
    path.write_text("\n".join([lines[0] + "," + column] + [line + ",1" for line in lines[1:]]) + "\n",
                    encoding="utf-8")
    result = _both(data)
    assert result.exit_code == 1
    count = lines[0].count(",") + 2
    first = [c.upper() for c in lines[0].split(",")].index(column.upper()) + 1
    assert (f"{name}:1:{width}: error[QD019] the {what} names column {column.upper()} twice "
            f"(fields {first} and {count})") in result.output


# ------------------------------------------------------------------ 4. dates are YYYY-MM-DD only

@pytest.mark.parametrize("written", ["20140118", "2014-W03-6", "2014-018", "2014-01-18T00:00", "٢٠١٤-٠١-١٨"])
def test_opted_in_is_read_only_as_yyyy_mm_dd(data, written):
    path = data / "practices.csv"
    text = path.read_text(encoding="utf-8")
    assert ",2014-01-18\n" in text.splitlines(keepends=True)[1]
    path.write_text(text.replace(",2014-01-18\n", f",{written}\n", 1), encoding="utf-8")
    result = _both(data)
    assert result.exit_code == 1
    at = len(path.read_text(encoding="utf-8").splitlines()[1]) - len(written) + 1  # OPTED_IN is the last column
    assert f"practices.csv:2:{at}: error[QD017] practice C82001: OPTED_IN '{written}' is not a date: a date is " \
        "written YYYY-MM-DD, e.g. 2014-02-01" in result.output


def test_one_date_reader_for_every_file():
    from qofrules.dates import parse_date
    assert str(parse_date("2014-02-01")) == "2014-02-01"
    for text in ("20140201", "2014-W05-6", "2014-032", "2014-02-01 ", "2014-2-1", "2014-02-30"):
        with pytest.raises(ValueError):
            parse_date(text)
    import qofrules
    package = Path(qofrules.__file__).parent
    users = [p for p in package.rglob("*.py")
             if "fromisoformat(" in p.read_text(encoding="utf-8") and p.name != "dates.py"]
    assert users == [], "every date is read by qofrules.dates.parse_date"


# ------------------------------------------------------------------ 5. made-up indicator codes

def test_a_file_of_made_up_indicator_codes_is_refused_on_both_paths_before_it_costs_memory(data):
    """400,000 made-up codes once took 5 GB on the default path: each code had a row per practice.
    Past a documented bound the file is refused, at the line of the first code too many."""
    practice = (data / "practices.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    path = data / "achievement-2013-14.csv"
    rows = [f"{practice},MADEUP{n:05d},ACHIEVED_POINTS,1" for n in range(1500)]
    path.write_text(path.read_text(encoding="utf-8") + "\n".join(rows) + "\n", encoding="utf-8")
    result = _both(data)
    assert result.exit_code == 1
    assert "error[QD026]" in result.output and "more than 1,000 different indicator codes" in result.output
    first_made_up = len(path.read_text(encoding="utf-8").splitlines()) - 1500
    real = len({line.split(",")[1] for line in path.read_text(encoding="utf-8").splitlines()[1:first_made_up]})
    assert f"achievement-2013-14.csv:{first_made_up + 1000 - real + 1}:" in result.output


def test_a_file_of_made_up_prevalence_groups_is_refused_on_both_paths_at_the_first_too_many(data, monkeypatch):
    """As for indicator codes: each group costs a column per practice in the columnar reader, and
    a QOF year has had about 20, so past 1,000 the file is refused (QD050), at the first group too
    many, without holding a matrix of them (the columnar reader hands the file to the streamed
    check before making one)."""
    practice = (data / "practices.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    path = data / "prevalence-2013-14.csv"
    rows = [f"{practice},MADEUP{n:05d},1,TOTAL,4000" for n in range(1500)]
    path.write_text(path.read_text(encoding="utf-8") + "\n".join(rows) + "\n", encoding="utf-8")
    result = _both(data)
    assert result.exit_code == 1
    lines = path.read_text(encoding="utf-8").splitlines()
    first_made_up = len(lines) - 1500
    real = len({line.split(",")[1] for line in lines[1:first_made_up]})
    line = first_made_up + 1000 - real + 1
    at = len(practice) + 2
    assert (f"prevalence-2013-14.csv:{line}:{at}: error[QD050] line {line}: the file names more than 1,000 "
            f"different prevalence group codes (MADEUP{1000 - real:05d} is one more); a QOF year has fewer than "
            "50, so the file is refused (docs/limits.md)") in result.output
    assert result.output.count("error[") == 1


def test_a_yaml_number_of_thousands_of_digits_in_a_manifest_is_an_error_not_a_crash(data):
    # found by tests/test_fuzz_datasets.py: a 5,000-digit value in the manifest was an internal error
    _manifest(data, "contract_overrides: contract-overrides.yaml", f"contract_overrides: {'9' * 5000}")
    result = _both(data)
    assert result.exit_code == 1
    line = (data / "dataset.yaml").read_text(encoding="utf-8").split("\n").index(f"contract_overrides: {'9' * 5000}") + 1
    assert f"dataset.yaml:{line}:21: error[QD025] a number has thousands of digits" in result.output
