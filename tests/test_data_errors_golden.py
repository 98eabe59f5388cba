"""What a user sees when a row of a data set's CSV files is refused: golden files
(tests/cases/data-errors/NAME.expected: exit code and output of ``qofrules run``), one per kind of
bad row, each made here from a recipe applied to a small copy of examples/lincolnshire-2014.

Every case is run twice, by the default (columnar) path and with ``--exact``, and both must print
exactly the golden text: the same code, line, column, caret and words, whichever reader judged the
row. The caret stands under the field that is wrong, not under the whole line.
QOFRULES_UPDATE_GOLDEN=1 rewrites the files; read the diff before committing.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CASES, ROOT
from qofrules.cli import cli

GOLDEN = CASES / "data-errors"
SCHEME = ROOT / "schemes" / "2014-lincolnshire-llr.qof"
EXAMPLE = ROOT / "examples" / "lincolnshire-2014"
PRACTICES = 3  # the first three practices of the example, with all their rows


def _small_copy(folder: Path) -> Path:
    """The example's first PRACTICES practices, every file cut to their rows."""
    shutil.copytree(EXAMPLE, folder)
    lines = (folder / "practices.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = lines[: PRACTICES + 1]
    (folder / "practices.csv").write_text("".join(kept), encoding="utf-8")
    codes = {line.split(",", 1)[0] for line in kept[1:]}
    for name in ("achievement-2013-14.csv", "achievement-2012-13.csv", "prevalence-2013-14.csv"):
        rows = (folder / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (folder / name).write_text("".join([rows[0]] + [r for r in rows[1:] if r.split(",", 1)[0] in codes]),
                                   encoding="utf-8")
    return folder


def _edit(name: str, change):
    """A recipe: ``change(lines)`` of file ``name`` (lines without their endings; [0] is the header)."""
    def apply(folder: Path) -> None:
        path = folder / name
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(change(lines)) + "\n", encoding="utf-8")
    return apply


def _set(index: int, column: int, value: str):
    """Set field ``column`` of line ``index`` (fields without quotes: achievement and prevalence)."""
    def change(lines):
        fields = lines[index].split(",")
        fields[column] = value
        lines[index] = ",".join(fields)
        return lines
    return change


def _append(*rows: str):
    return lambda lines: lines + list(rows)


def _practice(index: int, **fields):
    """Change named fields of practices.csv line ``index`` (it has quoted fields: go through csv)."""
    def change(lines):
        import csv
        import io
        header = next(csv.reader([lines[0]]))
        row = next(csv.reader([lines[index]]))
        for name, value in fields.items():
            row[header.index(name)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(row)
        lines[index] = out.getvalue()
        return lines
    return change


ACHIEVEMENT = "achievement-2013-14.csv"
PREVALENCE = "prevalence-2013-14.csv"
RECIPES = {
    "value-not-a-number": _edit(ACHIEVEMENT, _set(2, 3, "3x7")),
    "value-beyond-its-bound": _edit(ACHIEVEMENT, _set(2, 3, "10000000")),
    "value-in-the-last-row": _edit(ACHIEVEMENT, _append("C82001,AF002,EXCEPTIONS,1E999999999")),
    "unknown-practice-in-the-last-row": _edit(ACHIEVEMENT, _append("C82999,AF002,NUMERATOR,1")),
    "repeated-measure-in-the-last-row": _edit(ACHIEVEMENT, lambda lines: lines + [lines[1]]),
    "short-last-row": _edit(ACHIEVEMENT, _append("C82001,AF002,NUMERATOR")),
    "numerator-above-denominator": _edit(ACHIEVEMENT, _set(1, 3, "99999")),
    "list-size-not-a-number": _edit("practices.csv", _practice(2, LIST_SIZE="many")),
    "opted-in-not-a-date": _edit("practices.csv", _practice(3, OPTED_IN="2014-02-30")),
    "practice-without-a-code": _edit("practices.csv", _practice(3, PRACTICE_CODE="")),
    # a row refused for its list size still names its practice: a later row of that code is a
    # repeat, not the practice's first appearance (the later row is not quietly accepted instead)
    "practice-listed-again-after-a-refused-row": _edit(
        "practices.csv", lambda lines: _practice(1, LIST_SIZE="0")(list(lines)) + [lines[1]]),
    "prevalence-register-not-a-number": _edit(PREVALENCE, _set(1, 2, "lots")),
    "prevalence-register-above-list-size": _edit(PREVALENCE, _set(2, 2, "99999")),
    "prevalence-group-repeated": _edit(PREVALENCE, lambda lines: lines + [lines[3]]),
}


def _run(folder: Path, *extra: str) -> str:
    result = CliRunner().invoke(cli, ["run", str(SCHEME), "--data", str(folder), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return f"# exit {result.exit_code}\n" + result.output.replace(str(folder.resolve()), "DATA")


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_a_bad_row_is_reported_the_same_by_both_readers_at_its_field(name, tmp_path):
    folder = _small_copy(tmp_path / "data")
    RECIPES[name](folder)
    default, exact = _run(folder), _run(folder, "--exact")
    golden = GOLDEN / f"{name}.expected"
    if os.environ.get("QOFRULES_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(default, encoding="utf-8")
    assert default == exact, "the default and the exact reader say different things"
    assert default == golden.read_text(encoding="utf-8")
    assert "Traceback" not in default and "# exit 0" not in default


def test_every_golden_file_has_its_recipe():
    assert sorted(p.stem for p in GOLDEN.glob("*.expected")) == sorted(RECIPES)
