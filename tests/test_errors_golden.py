"""Golden files for what a user sees: each tests/cases/errors/*.qof beside the exact `qofrules check`
output and exit code it must give (NAME.expected). QOFRULES_UPDATE_GOLDEN=1 rewrites them; read
the diff before committing."""
from __future__ import annotations


import pytest
from click.testing import CliRunner

from conftest import CASES, ROOT, assert_golden
from qofrules.cli import cli

ERROR_CASES = sorted((CASES / "errors").glob("*.qof"))


def _run_check(path, monkeypatch) -> str:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["check", str(path.relative_to(ROOT))])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return f"# exit {result.exit_code}\n{result.output}"


@pytest.mark.parametrize("path", ERROR_CASES, ids=lambda p: p.stem)
def test_error_output_is_golden(path, monkeypatch):
    got = _run_check(path, monkeypatch)
    expected_file = path.with_suffix(".expected")
    assert_golden(got, expected_file)


@pytest.mark.parametrize("path", ERROR_CASES, ids=lambda p: p.stem)
def test_errors_never_show_parser_internals(path, monkeypatch):
    got = _run_check(path, monkeypatch)
    for internal in ("__ANON", "_NL", "$END", "Token(", "Traceback", "lark"):
        assert internal not in got
    assert "exit 0" not in got.splitlines()[0]
