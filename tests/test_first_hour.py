"""What a newcomer sees in their first hour (issue 15, "A newcomer's first hour"): each
tests/cases/first-hour/NAME.args is one command line (run from the repository's top, as a user in
a clone would; files it names sit beside it), and NAME.expected is exactly what it prints, both
streams, after its exit code. QOFRULES_UPDATE_GOLDEN=1 rewrites them; read the diff before committing."""
from __future__ import annotations

import os
import shlex

import pytest
from click.testing import CliRunner

from conftest import CASES, ROOT
from qofrules.cli import cli

FIRST_HOUR = sorted((CASES / "first-hour").glob("*.args"))


def _run(path, monkeypatch) -> str:
    monkeypatch.chdir(ROOT)
    args = shlex.split(path.read_text(encoding="utf-8"), comments=True)
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return f"# qofrules {shlex.join(args)}\n# exit {result.exit_code}\n{result.output}"


@pytest.mark.parametrize("path", FIRST_HOUR, ids=lambda p: p.stem)
def test_first_hour_output_is_golden(path, monkeypatch):
    got = _run(path, monkeypatch)
    expected = path.with_suffix(".expected")
    if os.environ.get("QOFRULES_UPDATE_GOLDEN"):
        expected.write_text(got, encoding="utf-8")
    assert got == expected.read_text(encoding="utf-8")
    assert "Traceback" not in got and "<input>" not in got
