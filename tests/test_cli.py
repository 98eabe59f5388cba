"""The command line as a user meets it: exit codes, formats, and no tracebacks on bad input."""
from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from conftest import CASES, ROOT
from qofrules.cli import cli

SEEDS = sorted(str(p) for p in (ROOT / "schemes").glob("*.qof"))


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def test_seed_schemes_check_clean():
    result = invoke("check", *SEEDS)
    assert result.exit_code == 0, result.output
    assert f"{len(SEEDS)} file(s) checked: {len(SEEDS)} clean, 0 error(s), 0 warning(s)" in result.output


def test_check_json_reports_every_file():
    result = invoke("check", "--format", "json", SEEDS[0], str(CASES / "errors" / "unknown-indicator.qof"))
    assert result.exit_code == 1
    reports = json.loads(result.output)
    assert [r["ok"] for r in reports] == [True, False]
    assert reports[1]["diagnostics"][0]["code"] == "QR212"
    assert reports[1]["diagnostics"][0]["line"] == 4


def test_check_reads_standard_input():
    text = (ROOT / "schemes" / "2017-leeds.qof").read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "-"], input=text)
    assert result.exit_code == 0, result.output


def test_check_missing_file_is_a_clear_error():
    result = invoke("check", "no/such/file.qof")
    assert result.exit_code == 2
    assert "no/such/file.qof: error[QR002] no such file" in result.output


def test_usage_errors_exit_2():
    assert invoke("check").exit_code == 2
    assert invoke("run", SEEDS[0]).exit_code == 2  # --data is required


def test_contracts_lists_shipped_years():
    result = invoke("contracts")
    assert result.exit_code == 0
    assert "england 2023/24  76" in result.output
    assert "635 / 635" in result.output
    data = json.loads(invoke("contracts", "--format", "json").output)
    years = {d["year"]: d for d in data}
    assert years["2023/24"]["complete"] is True and years["2023/24"]["total_points"] == 635
    assert set(years["2013/14"]["figures"]) == {"checked", "unchecked", "unknown", "supplied"}


def test_run_refuses_unknown_figures_without_overrides(tmp_path):
    data = tmp_path / "d.yaml"
    data.write_text("dataset: x\nsynthetic: true\npractices:\n  - {code: A1, name: N, list_size: 10}\n")
    scheme = tmp_path / "s.qof"
    scheme.write_text('scheme s "S"\n  contract: england 2023/24\n  rule "All":\n    applies to: all indicators\n'
                      "    pay: achievement\n")
    result = invoke("run", str(scheme), "--data", str(data))
    assert result.exit_code == 1
    assert "error[QE001] cannot compute payments: contract year england 2023/24 has no value for" in result.output
    assert "--contract-overrides" in result.output


def test_run_with_a_broken_scheme_shows_the_syntax_error(tmp_path):
    scheme = tmp_path / "s.qof"
    scheme.write_text('scheme s "S"\n  contract england 2023/24\n')
    result = invoke("run", str(scheme), "--data", str(tmp_path))
    assert result.exit_code == 2
    assert "s.qof:2:12: error[QR001] unexpected 'england'; expected ':'" in result.output


def test_run_with_a_missing_data_set(tmp_path):
    result = invoke("run", SEEDS[0], "--data", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_the_installed_command_never_prints_a_traceback(tmp_path):
    """Through the real entry point, in a subprocess: hostile inputs end in messages, not tracebacks."""
    cases = {
        "binary.qof": b"\x00\x01\x02",
        "latin1.qof": "scheme x \"Caf\xe9\"\n".encode("latin-1"),
        "deep.qof": b'scheme x "x"\n  contract: england 2023/24\n  eligible when: ' + b"(" * 5000 + b"\n",
        "long.qof": b"# " + b"x" * 100_000 + b"\n",
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        done = subprocess.run([sys.executable, "-m", "qofrules.cli", "check", str(path)], capture_output=True,
                              text=True, timeout=60, cwd=ROOT)
        assert done.returncode == 2, (name, done.stdout, done.stderr)
        assert "Traceback" not in done.stdout + done.stderr, name
        assert "error[QR00" in done.stdout, name
