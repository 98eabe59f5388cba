"""Every command that reads schemes takes files, directories and - (standard input), with
--stdin-filename naming stdin's file; the same input gives the same findings whichever way it
comes in."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import ROOT
from qofrules.cli import cli

SCHEMES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "schemes").glob("*.qof"))
LEEDS = "schemes/2017-leeds.qof"


def _invoke(monkeypatch, *args, stdin=None, cwd=ROOT):
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(cli, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize("command", ["check", "validate"])
def test_a_directory_is_its_schemes(monkeypatch, command):
    by_directory = _invoke(monkeypatch, command, "--format", "json", "schemes/")
    by_files = _invoke(monkeypatch, command, "--format", "json", *SCHEMES)
    assert by_directory.exit_code == by_files.exit_code
    assert by_directory.output == by_files.output
    assert [r["file"] for r in json.loads(by_directory.output)] == SCHEMES


def test_a_directory_is_searched_below_but_not_into_hidden_directories_or_links(monkeypatch, tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    shutil.copy(ROOT / LEEDS, tmp_path / "a" / "b" / "leeds.qof")
    shutil.copy(ROOT / LEEDS, tmp_path / ".hidden" / "leeds.qof")
    shutil.copy(ROOT / LEEDS, tmp_path / "a" / "notes.txt")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a", target_is_directory=True)
    result = _invoke(monkeypatch, "check", "--isolated", "--format", "json", ".", cwd=tmp_path)
    assert [r["file"] for r in json.loads(result.output)] == ["a/b/leeds.qof"]


@pytest.mark.parametrize("command", ["check", "validate", "fmt"])
def test_a_directory_without_schemes_is_an_error(monkeypatch, tmp_path, command):
    (tmp_path / "empty").mkdir()
    result = _invoke(monkeypatch, command, "--isolated", "empty", cwd=tmp_path)
    assert result.exit_code == 2
    assert "empty: error[QR520] the directory empty holds no .qof files" in result.output


@pytest.mark.parametrize("command", ["check", "validate"])
def test_stdin_with_a_filename_gives_the_findings_of_that_file(monkeypatch, command):
    text = (ROOT / LEEDS).read_text(encoding="utf-8")
    from_file = _invoke(monkeypatch, command, "--format", "json", LEEDS)
    from_stdin = _invoke(monkeypatch, command, "--format", "json", "--stdin-filename", LEEDS, "-", stdin=text)
    assert from_stdin.output == from_file.output and from_stdin.exit_code == from_file.exit_code
    unnamed = _invoke(monkeypatch, command, "--format", "json", "-", stdin=text)
    assert json.loads(unnamed.output)[0]["file"] == "<stdin>"


def test_stdin_syntax_errors_are_located_at_the_stdin_filename(monkeypatch):
    result = _invoke(monkeypatch, "check", "--stdin-filename", "schemes/new.qof", "-",
                     stdin='scheme x "X"\n  contract england 2023/24\n')
    assert result.exit_code == 2
    assert result.output.startswith("schemes/new.qof:2:12: error[QR001] unexpected 'england'; expected ':'")


def test_stdin_mixes_with_files_and_directories(monkeypatch):
    text = (ROOT / LEEDS).read_text(encoding="utf-8")
    result = _invoke(monkeypatch, "check", "--format", "json", "schemes/", "--stdin-filename", "x.qof", "-", stdin=text)
    assert [r["file"] for r in json.loads(result.output)] == SCHEMES + ["x.qof"]


@pytest.mark.parametrize("args, message", [
    (["--stdin-filename", "x.qof", LEEDS], "--stdin-filename names standard input: give - among the paths too"),
    (["-", "-"], "- (standard input) can be given once"),
])
def test_stdin_usage_errors(monkeypatch, args, message):
    result = _invoke(monkeypatch, "check", *args, stdin="")
    assert result.exit_code == 2 and message in result.output


def test_fmt_names_stdin_by_its_filename(monkeypatch, tmp_path):
    text = (ROOT / LEEDS).read_text(encoding="utf-8").replace("  contract:", "  contract:   ", 1)
    result = _invoke(monkeypatch, "fmt", "--check", "--stdin-filename", "schemes/leeds.qof", "-", stdin=text)
    assert result.exit_code == 1 and "would reformat schemes/leeds.qof" in result.output
    shown = _invoke(monkeypatch, "fmt", "--diff", "--stdin-filename", "schemes/leeds.qof", "-", stdin=text)
    assert "--- schemes/leeds.qof (original)" in shown.output
    broken = _invoke(monkeypatch, "fmt", "--stdin-filename", "schemes/leeds.qof", "-", stdin="scheme x\n")
    assert broken.exit_code == 2 and broken.output.startswith("schemes/leeds.qof:1:")


def test_diff_reads_one_side_from_stdin(monkeypatch):
    new = (ROOT / "schemes/2014-lincolnshire-llr.qof").read_text(encoding="utf-8").replace(
        "pay: full points", "pay: achievement")
    result = _invoke(monkeypatch, "diff", "schemes/2014-lincolnshire-llr.qof", "-", "--stdin-filename", "new.qof",
                     stdin=new)
    assert result.exit_code == 1
    assert result.output.startswith("schemes/2014-lincolnshire-llr.qof → new.qof\n")
    assert 'rule "Retiring points paid in full": pay changed from full points to achievement' in result.output


def test_diff_of_two_directories_pairs_schemes_by_path(monkeypatch, tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(ROOT / "schemes", old)
    shutil.copytree(ROOT / "schemes", new)
    assert _invoke(monkeypatch, "diff", "old", "new", cwd=tmp_path).exit_code == 0
    (new / "2017-leeds.qof").unlink()
    shutil.copy(ROOT / LEEDS, new / "leeds-renamed.qof")
    lincs = new / "2014-lincolnshire-llr.qof"
    lincs.write_text(lincs.read_text(encoding="utf-8").replace("pay: full points", "pay: achievement"), encoding="utf-8")
    result = _invoke(monkeypatch, "diff", "old", "new", cwd=tmp_path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "old/2014-lincolnshire-llr.qof → new/2014-lincolnshire-llr.qof"
    assert "scheme file removed: old/2017-leeds.qof" in lines and "scheme file added: new/leeds-renamed.qof" in lines
    plain = json.loads(_invoke(monkeypatch, "diff", "--format", "json", "old", "new", cwd=tmp_path).output)
    changed = [d for d in plain["diffs"] if d["changed"]]
    assert len(plain["diffs"]) == len(list((ROOT / "schemes").glob("*.qof"))) - 1  # Leeds is not paired
    assert len(changed) == 1 and json.dumps(changed[0]).count("2014-lincolnshire-llr.qof") >= 2
    assert plain["removed"] == ["old/2017-leeds.qof"] and plain["added"] == ["new/leeds-renamed.qof"]


def test_python_dash_m_qofrules_is_the_command():
    done = subprocess.run([sys.executable, "-m", "qofrules", "check", LEEDS], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "1 file(s) checked: 1 clean, 0 error(s), 0 warning(s)\n"
    helped = subprocess.run([sys.executable, "-m", "qofrules", "--help"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert helped.returncode == 0 and helped.stdout.startswith("Usage: python -m qofrules ")
