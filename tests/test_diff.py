"""The semantic diff: golden outputs for tests/cases/diff/CASE/{old,new}.qof (text for every case;
markdown and JSON for some), what counts as a change, the payment impact against `run`, and the
git recipe of docs/diff.md. QOFRULES_UPDATE_GOLDEN=1 rewrites the expected files."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CASES, ROOT, assert_golden
from qofrules import api
from qofrules.cli import cli

DIFF_CASES = sorted(p for p in (CASES / "diff").iterdir() if p.is_dir())
EXTRA_FORMATS = {"pay-and-eligibility": ["markdown", "json"], "impact-tiny": ["markdown", "json"]}
TINY = ["--impact", "examples/tiny.yaml", "--contract-overrides", "examples/lincolnshire-2014/contract-overrides.yaml"]


def _invoke(args, monkeypatch=None):
    if monkeypatch is not None:
        monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["diff", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _case_args(case: Path) -> list[str]:
    rel = case.relative_to(ROOT)
    extra = (case / "args").read_text(encoding="utf-8").split() if (case / "args").exists() else []
    return [str(rel / "old.qof"), str(rel / "new.qof"), *extra]


@pytest.mark.parametrize("case", DIFF_CASES, ids=lambda p: p.name)
def test_diff_text_is_golden(case, monkeypatch):
    result = _invoke(_case_args(case), monkeypatch)
    assert_golden(f"# exit {result.exit_code}\n{result.output}", case / "expected.txt")


@pytest.mark.parametrize("case,fmt", [(c, f) for c in DIFF_CASES for f in EXTRA_FORMATS.get(c.name, [])],
                         ids=lambda v: v if isinstance(v, str) else v.name)
def test_diff_other_formats_are_golden(case, fmt, monkeypatch):
    result = _invoke([*_case_args(case), "--format", fmt], monkeypatch)
    suffix = {"markdown": "md", "json": "json"}[fmt]
    assert_golden(f"# exit {result.exit_code}\n{result.output}", case / f"expected.{suffix}")


def test_exit_codes_follow_diff(monkeypatch):
    assert _invoke(_case_args(CASES / "diff" / "layout-only"), monkeypatch).exit_code == 0
    assert _invoke(_case_args(CASES / "diff" / "structural"), monkeypatch).exit_code == 1
    assert _invoke(_case_args(CASES / "diff" / "syntax-error"), monkeypatch).exit_code == 2


def test_a_scheme_against_its_own_formatted_and_shuffled_self_has_no_changes(tmp_path):
    for path in sorted((ROOT / "schemes").glob("*.qof")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        shuffled = tmp_path / path.name
        # reverse the header fields after the scheme line and add a comment: meaning unchanged
        start = next(i for i, l in enumerate(lines) if l.startswith("scheme "))
        end = next(i for i, l in enumerate(lines) if i > start and not l.strip())
        header = lines[start + 1:end]
        repeated = [l for l in header if l.strip().startswith("source:")]
        others = [l for l in header if not l.strip().startswith("source:")][::-1]
        shuffled.write_text("\n".join(lines[:start + 1] + ["# moved"] + others + repeated + lines[end:]) + "\n",
                            encoding="utf-8")
        assert api.diff(str(path), str(shuffled))["changes"] == [], path.name


def test_different_contract_years_are_said_first(monkeypatch):
    result = _invoke(_case_args(CASES / "diff" / "contract-years"), monkeypatch)
    lines = result.output.splitlines()
    assert lines[1].startswith("different contract years:")
    assert api.diff(*_case_args(CASES / "diff" / "contract-years")[:2])["changes"][0]["group"] == "contract"


def test_indicator_codes_are_resolved_against_the_contract_year():
    plain = api.diff(*[str(p) for p in _case_args(CASES / "diff" / "coverage")[:2]])
    moved = {c["message"]: (c["old"], c["new"]) for c in plain["changes"]}
    assert moved['rule "Everything else as usual" now also pays: PE001, QP002'] == (None, ["PE001", "QP002"])
    assert moved['rule "Retiring points paid in full" no longer pays: PE001, QP002'] == (["PE001", "QP002"], None)


def test_an_unloadable_contract_year_is_noted_not_guessed(tmp_path):
    old = tmp_path / "old.qof"
    old.write_text('scheme s "S"\n  contract: england 2031/32\n\n  rule "R":\n    applies to: group DM\n'
                   '    pay: achievement\n', encoding="utf-8")
    new = tmp_path / "new.qof"
    new.write_text(old.read_text(encoding="utf-8").replace("group DM", "group AF"), encoding="utf-8")
    plain = api.diff(str(old), str(new))
    assert any("indicator codes not resolved" in n for n in plain["notes"])
    assert [c["message"] for c in plain["changes"]] == [
        'rule "R": applies to changed from group DM to group AF']


def test_a_missing_file_is_a_clear_error(monkeypatch):
    result = _invoke(["schemes/2014-somerset.qof", "schemes/nope.qof"], monkeypatch)
    assert result.exit_code == 2 and "nope.qof" in result.output and "Traceback" not in result.output


def test_wrong_number_of_files_is_a_usage_error(monkeypatch):
    assert _invoke(["schemes/2014-somerset.qof"], monkeypatch).exit_code == 2


# ------------------------------------------------------------------ impact

def _tiny_impact():
    case = CASES / "diff" / "impact-tiny"
    overrides = [str(ROOT / "examples/lincolnshire-2014/contract-overrides.yaml")]
    plain = api.diff(str(case / "old.qof"), str(case / "new.qof"), str(ROOT / "examples/tiny.yaml"), overrides)
    runs = [api.run(str(case / side), str(ROOT / "examples/tiny.yaml"), overrides, indicators=False)
            for side in ("old.qof", "new.qof")]
    return plain["impact"], runs


def test_impact_agrees_with_run_for_every_practice_and_in_total():
    impact, (old_run, new_run) = _tiny_impact()
    old_pay = {p["practice"]: p["scheme_payment"] for p in old_run["practices"]}
    new_pay = {p["practice"]: p["scheme_payment"] for p in new_run["practices"]}
    for entry in impact["practices"]:
        assert entry["old_payment"] == old_pay[entry["practice"]]
        assert entry["new_payment"] == new_pay[entry["practice"]]
        assert Decimal(entry["difference"]) == Decimal(entry["new_payment"]) - Decimal(entry["old_payment"])
    totals = impact["totals"]
    assert Decimal(totals["change"]) == Decimal(new_run["totals"]["scheme_payment"]) - Decimal(old_run["totals"]["scheme_payment"])
    assert totals["better_off"] + totals["worse_off"] + totals["unchanged"] + totals["unknown"] == len(impact["practices"])


def test_impact_causes_account_for_every_penny_of_each_change():
    impact, _ = _tiny_impact()
    changed = [p for p in impact["practices"] if Decimal(p["difference"]) != 0]
    assert changed, "the case must change someone's payment"
    for entry in changed:
        assert sum(Decimal(c["amount"]) for c in entry["caused_by"]) == Decimal(entry["difference"])
    causes = {entry["practice"]: [c["cause"] for c in entry["caused_by"]] for entry in changed}
    assert causes["C83003"] == ['rule "Retiring points paid in full"']  # opted in before 1 Feb: still in
    assert causes["C82001"] == ["eligibility (no longer eligible)"]      # opted in after 1 Feb: now out


def test_impact_reports_a_side_the_data_cannot_evaluate(monkeypatch):
    """The diff is shown with the reason, and the exit is 2, not 1: the impact asked for is missing."""
    result = _invoke(["schemes/2014-lincolnshire-llr.qof", "schemes/2017-leeds.qof", "--impact", "examples/tiny.yaml",
                      "--contract-overrides", "examples/lincolnshire-2014/contract-overrides.yaml"], monkeypatch)
    assert result.exit_code == 2
    assert "How they are paid" in result.output or "semantic change(s)" in result.output
    reason = next(line for line in result.output.splitlines()
                  if line.startswith("payment impact: the new version could not be evaluated on this data"))
    assert "examples/lincolnshire-2014/contract-overrides.yaml: error[QR312]" in reason, reason


def test_an_unchanged_scheme_whose_impact_cannot_be_computed_exits_2_not_0(monkeypatch):
    """Nothing changed in meaning, but the impact the user asked for could not be computed: exit 0
    would read as "no change and no impact"."""
    scheme = "schemes/2017-leeds.qof"
    result = _invoke([scheme, scheme, "--impact", "examples/tiny.yaml"], monkeypatch)
    assert result.exit_code == 2, result.output
    assert "no semantic changes" in result.output
    assert "could not be evaluated on this data" in result.output


def test_a_directory_diff_shows_an_unchanged_pair_whose_impact_cannot_be_computed(monkeypatch, tmp_path):
    for side in ("old", "new"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "leeds.qof").write_text((ROOT / "schemes" / "2017-leeds.qof").read_text())
    result = _invoke([str(tmp_path / "old"), str(tmp_path / "new"), "--impact", "examples/tiny.yaml"], monkeypatch)
    assert result.exit_code == 2, result.output
    assert "could not be evaluated on this data" in result.output


def test_impact_reports_practices_only_one_version_makes_eligible():
    impact, _ = _tiny_impact()
    assert impact["eligible_only_under_old"] == ["C82001"]
    assert impact["only_in_old"] == [] and impact["only_in_new"] == []


# ------------------------------------------------------------------ git (docs/diff.md)

GIT = shutil.which("git")


def _git(repo: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env, check=False)


@pytest.fixture
def scheme_repo(tmp_path):
    if GIT is None:
        pytest.fail("git is needed to test the documented git recipe")
    repo = tmp_path / "repo"
    repo.mkdir()
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org")
    _git(repo, "init", "-q", env=env)
    shutil.copy(ROOT / "schemes/2014-lincolnshire-llr.qof", repo / "scheme.qof")
    (repo / ".gitattributes").write_text("*.qof diff=qof\n", encoding="utf-8")
    _git(repo, "add", ".", env=env)
    _git(repo, "commit", "-q", "-m", "first", env=env)
    changed = (repo / "scheme.qof").read_text(encoding="utf-8").replace("pay: full points", "pay: achievement in 2012/13")
    (repo / "scheme.qof").write_text(changed, encoding="utf-8")
    return repo, env


QOFRULES = f"{sys.executable} -m qofrules.cli"


def test_git_external_diff_shows_the_semantic_diff(scheme_repo):
    repo, env = scheme_repo
    _git(repo, "config", "diff.qof.command", f"{QOFRULES} diff", env=env)
    result = _git(repo, "diff", env=env)
    assert result.returncode == 0, result.stderr
    assert 'rule "Retiring points paid in full": pay changed from full points to achievement in 2012/13' in result.stdout
    assert "a/scheme.qof → b/scheme.qof" in result.stdout


def test_git_external_diff_shows_nothing_but_the_verdict_for_layout_only_changes(scheme_repo):
    repo, env = scheme_repo
    _git(repo, "checkout", "--", "scheme.qof", env=env)
    text = (repo / "scheme.qof").read_text(encoding="utf-8")
    (repo / "scheme.qof").write_text(text.replace("  contract:", "  # a new comment\n  contract:"), encoding="utf-8")
    _git(repo, "config", "diff.qof.command", f"{QOFRULES} diff", env=env)
    result = _git(repo, "diff", env=env)
    assert result.returncode == 0, result.stderr
    assert "no semantic changes" in result.stdout


def test_git_textconv_diffs_the_canonical_form(scheme_repo):
    repo, env = scheme_repo
    _git(repo, "config", "diff.qof.textconv", f"{QOFRULES} fmt", env=env)
    result = _git(repo, "diff", env=env)
    assert result.returncode == 0, result.stderr
    assert "-    pay: full points\n+    pay: achievement in 2012/13" in result.stdout


def test_git_external_diff_handles_a_new_scheme_file(scheme_repo):
    repo, env = scheme_repo
    shutil.copy(ROOT / "schemes/2017-leeds.qof", repo / "leeds.qof")
    _git(repo, "add", "leeds.qof", env=env)
    _git(repo, "config", "diff.qof.command", f"{QOFRULES} diff", env=env)
    result = _git(repo, "diff", "--cached", env=env)
    assert result.returncode == 0, result.stderr
    assert "leeds.qof: scheme file added" in result.stdout


def test_git_external_diff_shows_a_syntax_error_and_lets_git_go_on(scheme_repo):
    repo, env = scheme_repo
    text = (repo / "scheme.qof").read_text(encoding="utf-8")
    (repo / "scheme.qof").write_text(text.replace("pay: achievement", "pay achievement"), encoding="utf-8")
    _git(repo, "config", "diff.qof.command", f"{QOFRULES} diff", env=env)
    result = _git(repo, "diff", env=env)
    assert result.returncode == 0, result.stderr
    assert "scheme.qof: cannot show a semantic diff:" in result.stdout
    assert "error[QR001] unexpected 'achievement'; expected ':'" in result.stdout


def test_json_is_plain_data():
    plain = api.diff(*[str(p) for p in _case_args(CASES / "diff" / "pay-and-eligibility")[:2]])
    assert json.loads(json.dumps(plain)) == plain


def test_instruments_are_compared_by_title_and_a_changed_date_is_one_change():
    from qofrules.differ import diff_schemes
    base = ('scheme x "X"\n  contract: england 2023/24\n  approved: nhs-england on 2023-03-06\n{lines}'
            '  eligible when: every practice\n\n  rule "All":\n    applies to: all indicators\n    pay: achievement\n')
    old = api.parse(base.format(lines='  instrument: "SFE Directions 2023" on 2023-03-31\n  instrument: "Letter"\n'))
    new = api.parse(base.format(lines='  instrument: "Letter"\n  instrument: "SFE Directions 2023" on 2023-04-01\n'
                                      '  instrument: "SFE (Amendment) Directions 2023"\n'))
    messages = [c.message for c in diff_schemes(old, new).changes]
    assert messages == ['instrument "SFE Directions 2023": made on changed from 2023-03-31 to 2023-04-01',
                        'instrument added: "SFE (Amendment) Directions 2023"'], messages
    assert diff_schemes(old, old).changes == ()


# ------------------------------------------------------------------ docs/diff.md's recipes, as written

def _doc_recipes() -> list[list[str]]:
    """The shell blocks of docs/diff.md's 'In git' section that configure git, line by line."""
    text = (ROOT / "docs" / "diff.md").read_text(encoding="utf-8")
    section = text[text.index("## In git"):text.index("## From Python")]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    return [b.strip().splitlines() for b in blocks if "git config diff.qof" in b]


def _wrapper_bin(tmp_path: Path) -> Path:
    """A directory with a `qofrules` that runs this interpreter's qofrules, for the recipes' PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "qofrules"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m qofrules "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return bin_dir


@pytest.fixture
def history(tmp_path):
    """A scheme repository with three commits: the scheme, a version that does not parse, a fix;
    and no .gitattributes yet (each recipe adds its own)."""
    if GIT is None:
        pytest.fail("git is needed to test the documented git recipes")
    repo = tmp_path / "repo"
    repo.mkdir()
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_PAGER="cat",
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org",
               PATH=f"{_wrapper_bin(tmp_path)}{os.pathsep}{os.environ.get('PATH', '')}")
    _git(repo, "init", "-q", env=env)
    text = (ROOT / "schemes/2014-lincolnshire-llr.qof").read_text(encoding="utf-8")
    for message, version in (("first", text), ("broken", text.replace("pay: full points", "pay full points")),
                             ("fixed", text.replace("pay: full points", "pay: achievement in 2012/13"))):
        (repo / "scheme.qof").write_text(version, encoding="utf-8")
        _git(repo, "add", "scheme.qof", env=env)
        _git(repo, "commit", "-q", "-m", message, env=env)
    return repo, env


def _recipe(repo: Path, env: dict, lines: list[str]) -> None:
    for line in lines:
        done = subprocess.run(["sh", "-c", line], cwd=repo, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, (line, done.stderr)


def test_the_page_documents_three_recipes():
    assert [lines[-1] for lines in _doc_recipes()] == [
        "git config diff.qof.command 'qofrules diff'", "git config diff.qof.textconv 'qofrules fmt --textconv'",
        "git config diff.qof.textconv 'qofrules fmt --textconv'"]


def test_recipe_1_diff_driver_in_git_diff_log_and_show(history):
    repo, env = history
    _recipe(repo, env, _doc_recipes()[0])
    text = (repo / "scheme.qof").read_text(encoding="utf-8")
    (repo / "scheme.qof").write_text(text.replace("pay: achievement in 2012/13", "pay: full points"), encoding="utf-8")
    diff = _git(repo, "diff", env=env)
    assert diff.returncode == 0, diff.stderr
    assert 'pay changed from achievement in 2012/13 to full points' in diff.stdout
    # git log -p and git show print the plain line diff unless --ext-diff is given (docs/diff.md)
    plain_log = _git(repo, "log", "-p", env=env)
    assert plain_log.returncode == 0 and "-    pay full points\n+    pay: achievement in 2012/13" in plain_log.stdout
    assert "semantic change" not in plain_log.stdout
    log = _git(repo, "log", "-p", "--ext-diff", env=env)
    assert log.returncode == 0, log.stderr
    assert "a/scheme.qof → b/scheme.qof" not in log.stdout.split("commit ")[1]  # the newest: from a broken version
    assert "scheme.qof: cannot show a semantic diff:\na/scheme.qof:25:9: error[QR001]" in log.stdout
    assert "scheme.qof: cannot show a semantic diff:\nb/scheme.qof:25:9: error[QR001]" in log.stdout
    shown = _git(repo, "show", "--ext-diff", "HEAD", env=env)
    assert shown.returncode == 0 and "cannot show a semantic diff" in shown.stdout
    assert "semantic change" not in _git(repo, "show", "HEAD", env=env).stdout
    first_to_fixed = _git(repo, "diff", "HEAD~2", "HEAD", env=env)
    assert "a/scheme.qof → b/scheme.qof" in first_to_fixed.stdout
    assert "pay changed from full points to achievement in 2012/13" in first_to_fixed.stdout


def test_recipe_2_textconv_survives_a_version_that_does_not_parse(history):
    repo, env = history
    _recipe(repo, env, _doc_recipes()[1])
    log = _git(repo, "log", "-p", env=env)
    assert log.returncode == 0, log.stderr
    marker = ("# qofrules fmt --textconv: this version cannot be formatted (QR001 at line 25, column 9: unexpected "
              "'full'; expected ':'); shown as written, not in canonical form")
    assert f"+{marker}" in log.stdout and f"-{marker}" in log.stdout
    assert "-    pay full points\n+    pay: achievement in 2012/13" in log.stdout
    assert "-    pay: full points\n+    pay full points" in log.stdout
    assert log.stdout.count("\ncommit ") == 2  # every commit shown: the history is not hidden
    for args in (("show", "HEAD~1"), ("diff", "HEAD~2", "HEAD")):
        done = _git(repo, *args, env=env)
        assert done.returncode == 0, done.stderr
    assert "-    pay: full points\n+    pay: achievement in 2012/13" in _git(repo, "diff", "HEAD~2", "HEAD", env=env).stdout


def test_recipe_2_textconv_shows_text_that_is_not_utf8(history):
    repo, env = history
    _recipe(repo, env, _doc_recipes()[1])
    (repo / "scheme.qof").write_bytes((repo / "scheme.qof").read_bytes().replace(b"Lincolnshire", b"Lincoln\xffshire", 1))
    diff = _git(repo, "diff", env=env)
    assert diff.returncode == 0, diff.stderr
    assert "+# qofrules fmt --textconv: this version cannot be formatted (QR002" in diff.stdout
    assert "Lincoln\ufffdshire" in diff.stdout


def test_recipe_3_both(history):
    repo, env = history
    _recipe(repo, env, _doc_recipes()[2])
    text = (repo / "scheme.qof").read_text(encoding="utf-8")
    (repo / "scheme.qof").write_text(text.replace("  contract:", "  # a comment\n  contract:"), encoding="utf-8")
    assert "no semantic changes" in _git(repo, "diff", env=env).stdout
    log = _git(repo, "log", "-p", "-1", env=env)
    assert log.returncode == 0 and "+# qofrules fmt --textconv:" not in log.stdout
    assert "-# qofrules fmt --textconv: this version cannot be formatted" in log.stdout
    assert "cannot show a semantic diff" in _git(repo, "log", "-p", "--ext-diff", "-1", env=env).stdout


@pytest.mark.parametrize("how", [["--format", "csv"], ["-o", "impact.xlsx"]])
def test_two_directories_refuse_a_table_format_instead_of_writing_text(monkeypatch, tmp_path, how):
    """csv, xlsx and parquet hold one pair's impact: asked of two directories, the text diff was
    written in their place."""
    for side in ("old", "new"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "leeds.qof").write_text((ROOT / "schemes" / "2017-leeds.qof").read_text())
    args = [str(tmp_path / "old"), str(tmp_path / "new"), "--impact", "examples/leeds-2017", *how]
    if how[0] == "-o":
        args[-1] = str(tmp_path / how[1])
    result = _invoke(args, monkeypatch)
    assert result.exit_code == 2 and "give two scheme files" in result.output
    assert not (tmp_path / "impact.xlsx").exists()
