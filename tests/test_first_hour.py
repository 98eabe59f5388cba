"""What a newcomer sees in their first hour (issue 15, "A newcomer's first hour"): each
tests/cases/first-hour/NAME.args is one command line (run from the repository's top, as a user in
a clone would; files it names sit beside it), and NAME.expected is exactly what it prints, both
streams, after its exit code. QOFRULES_UPDATE_GOLDEN=1 rewrites them; read the diff before committing."""
from __future__ import annotations

import os
import shlex

import pytest
from click.testing import CliRunner

from conftest import CASES, ROOT, assert_golden
from qofrules.cli import cli

FIRST_HOUR = sorted((CASES / "first-hour").glob("*.args"))


def _run(path, monkeypatch) -> str:
    monkeypatch.chdir(ROOT)
    args = shlex.split(path.read_text(encoding="utf-8"), comments=True)
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    # the data readers name a data set's files by their resolved path: the checkout's place is this machine's
    output = result.output.replace(str(ROOT.resolve()) + os.sep, "")
    return f"# qofrules {shlex.join(args)}\n# exit {result.exit_code}\n{output}"


@pytest.mark.parametrize("path", FIRST_HOUR, ids=lambda p: p.stem)
def test_first_hour_output_is_golden(path, monkeypatch):
    got = _run(path, monkeypatch)
    expected = path.with_suffix(".expected")
    assert_golden(got, expected)
    assert "Traceback" not in got and "<input>" not in got


def test_denominator_before_pcas_is_warned_of_on_both_paths(tmp_path, monkeypatch):
    """DENOMINATOR + PCAS > REGISTER: the vectorised reader and the exact one give the same warning,
    and figures that fit (here every other row of the worked example) give none."""
    import shutil
    data = tmp_path / "data"
    shutil.copytree(ROOT / "examples" / "lincolnshire-2014", data)
    achievement = data / "achievement-2013-14.csv"
    with achievement.open("a", encoding="utf-8") as handle:  # C82001 AF002: DENOMINATOR 37, EXCEPTIONS 2
        handle.write("C82001,AF002,REGISTER,38\nC82002,AF002,REGISTER,1000\n")
    monkeypatch.chdir(ROOT)
    args = ["run", "schemes/2014-lincolnshire-llr.qof", "--data", str(data)]
    said = ("Note: WARNING: in 1 2013/14 practice × indicator figure(s) DENOMINATOR plus PCAS (exceptions) is more "
            "than REGISTER (e.g. C82001 AF002: DENOMINATOR 37 + PCAS 2 > REGISTER 38).")
    outputs = []
    for extra in ([], ["--exact"]):
        result = CliRunner().invoke(cli, args + extra)
        assert result.exit_code == 0, result.output
        flat = " ".join(line.strip() for line in result.output.splitlines())
        assert said in flat
        outputs.append(result.output)
    assert outputs[0] == outputs[1]
    clean = CliRunner().invoke(cli, ["run", "schemes/2014-lincolnshire-llr.qof", "--data", "examples/lincolnshire-2014"])
    assert "DENOMINATOR plus PCAS" not in clean.output
