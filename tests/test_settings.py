"""Shared settings (qofrules.toml, pyproject.toml [tool.qofrules]): found as ruff and Black find
theirs, flags win, and a bad file is a located error with a stable code (golden files:
tests/cases/settings/NAME.toml beside NAME.expected; NAME.pyproject.toml is read as a
pyproject.toml). QOFRULES_UPDATE_GOLDEN=1 rewrites the expected files."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import CASES, ROOT, assert_golden
from qofrules.cli import cli

SETTINGS_CASES = sorted((CASES / "settings").glob("*.toml"))
LEEDS = ROOT / "schemes" / "2017-leeds.qof"
LINCS = ROOT / "schemes" / "2014-lincolnshire-llr.qof"
OVERRIDES = ROOT / "examples" / "lincolnshire-2014" / "contract-overrides.yaml"


def _repo(tmp_path, settings: str | None = None, name: str = "qofrules.toml"):
    """A scheme repository: .git (where the search stops), schemes/, and a settings file."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "schemes").mkdir()
    shutil.copy(LEEDS, repo / "schemes" / "leeds.qof")
    if settings is not None:
        (repo / name).write_text(settings, encoding="utf-8")
    return repo


def _invoke(cwd, monkeypatch, *args, stdin=None):
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(cli, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize("path", SETTINGS_CASES, ids=lambda p: p.stem)
def test_bad_settings_are_located_errors(path, tmp_path, monkeypatch):
    pyproject = path.name.endswith(".pyproject.toml")
    repo = _repo(tmp_path, path.read_text(encoding="utf-8"), "pyproject.toml" if pyproject else "qofrules.toml")
    args = ["check", "schemes/leeds.qof"] + (["--config", "pyproject.toml"] if pyproject else [])
    result = _invoke(repo, monkeypatch, *args)
    got = f"# exit {result.exit_code}\n{result.output}"
    expected = path.with_name(path.name.removesuffix(".pyproject.toml").removesuffix(".toml") + ".expected")
    assert_golden(got, expected)
    assert result.exit_code == 2 and "Traceback" not in got
    assert got.splitlines()[1].startswith(("qofrules.toml:", "pyproject.toml:"))


def test_settings_are_found_from_the_files_upwards(tmp_path, monkeypatch):
    repo = _repo(tmp_path, 'format = "json"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # run from another directory: the settings are found from the file, not the working directory
    result = _invoke(elsewhere, monkeypatch, "check", str(repo / "schemes" / "leeds.qof"))
    assert json.loads(result.output)[0]["ok"] is True
    # a flag wins over the setting
    result = _invoke(elsewhere, monkeypatch, "check", "--format", "text", str(repo / "schemes" / "leeds.qof"))
    assert result.output.endswith("1 file(s) checked: 1 clean, 0 error(s), 0 warning(s)\n")
    # --isolated reads none
    result = _invoke(repo, monkeypatch, "check", "--isolated", "schemes/leeds.qof")
    assert result.output.startswith("1 file(s) checked")


def test_qofrules_toml_comes_before_pyproject_and_the_search_stops_at_the_repository(tmp_path, monkeypatch):
    repo = _repo(tmp_path, 'format = "github"\n')
    (repo / "pyproject.toml").write_text('[tool.qofrules]\nformat = "json"\n', encoding="utf-8")
    (repo / "schemes" / "broken.qof").write_text("scheme x \"X\"\n  contract england 2023/24\n", encoding="utf-8")
    assert _invoke(repo, monkeypatch, "check", "schemes/").output.startswith("::error file=schemes/broken.qof")
    (repo / "qofrules.toml").unlink()
    assert json.loads(_invoke(repo, monkeypatch, "check", "schemes/").output)[0]["file"] == "schemes/broken.qof"
    # above the repository's top (.git) nothing is read
    (repo / "pyproject.toml").unlink()
    (tmp_path / "qofrules.toml").write_text('format = "json"\n', encoding="utf-8")
    assert _invoke(repo, monkeypatch, "check", "schemes/").output.splitlines()[0].startswith("schemes/broken.qof:2:12")


def test_a_pyproject_without_the_table_is_not_a_settings_file(tmp_path, monkeypatch):
    repo = _repo(tmp_path, '[tool.black]\nline-length = 100\n', "pyproject.toml")
    (repo / "qofrules.toml").write_text('format = "json"\n', encoding="utf-8")
    (repo / "schemes" / "pyproject.toml").write_text("[tool.ruff]\nline-length = 1\n", encoding="utf-8")
    # schemes/pyproject.toml has no [tool.qofrules]: the search goes on up to repo/qofrules.toml
    assert json.loads(_invoke(repo, monkeypatch, "check", "schemes/leeds.qof").output)[0]["ok"] is True


def test_stdin_settings_are_found_from_the_stdin_filename(tmp_path, monkeypatch):
    repo = _repo(tmp_path, 'format = "json"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    text = LEEDS.read_text(encoding="utf-8")
    named = _invoke(elsewhere, monkeypatch, "check", "--stdin-filename", str(repo / "schemes" / "leeds.qof"), "-",
                    stdin=text)
    assert json.loads(named.output)[0]["file"] == str(repo / "schemes" / "leeds.qof")
    assert _invoke(elsewhere, monkeypatch, "check", "-", stdin=text).output.startswith("1 file(s) checked")


def test_contract_overrides_and_data_settings_reach_validate(tmp_path, monkeypatch):
    repo = _repo(tmp_path)
    shutil.copy(LINCS, repo / "schemes" / "lincs.qof")
    shutil.copytree(ROOT / "examples" / "lincolnshire-2014", repo / "data")
    (repo / "qofrules.toml").write_text('data = "data"\nformat = "json"\n', encoding="utf-8")
    with_data = json.loads(_invoke(repo, monkeypatch, "validate", "schemes/lincs.qof").output)
    without = json.loads(_invoke(repo, monkeypatch, "validate", "--isolated", "--format", "json",
                                 "schemes/lincs.qof").output)
    # the data set's own contract overrides apply, as with --data: the verdict says it rests on them
    assert with_data[0]["supplied_figures"] and not without[0]["supplied_figures"]
    assert with_data == json.loads(_invoke(repo, monkeypatch, "validate", "--isolated", "--format", "json",
                                           "--data", "data", "schemes/lincs.qof").output)
    # overrides for another year than a scheme's are no error when they come from the settings
    (repo / "qofrules.toml").write_text('contract-overrides = ["data/contract-overrides.yaml"]\n', encoding="utf-8")
    both = _invoke(repo, monkeypatch, "validate", "schemes/")
    assert both.exit_code == 1 and "QR312" not in both.output
    assert "judged with figures you supplied" in both.output


def test_waivers_policy(tmp_path, monkeypatch):
    repo = _repo(tmp_path)
    shutil.copy(CASES / "validate" / "waivers.qof", repo / "schemes" / "waivers.qof")
    honoured = _invoke(repo, monkeypatch, "validate", "schemes/waivers.qof")
    assert honoured.exit_code == 0 and "waived[QV103]" in honoured.output
    (repo / "qofrules.toml").write_text('waivers = "ignore"\n', encoding="utf-8")
    ignored = _invoke(repo, monkeypatch, "validate", "schemes/waivers.qof")
    assert "waived[" not in ignored.output and "warning[QV103] the approval date is not recorded" in ignored.output
    assert "a waiver is recorded (by nhs-england on 2014-01-10: Approval minuted; the minute's date was lost), " \
           "but waivers are not honoured here (the waivers setting is 'ignore')" in ignored.output
    assert "0 waived" in ignored.output
    sarif = json.loads(_invoke(repo, monkeypatch, "validate", "--format", "sarif", "schemes/waivers.qof").output)
    assert not any("suppressions" in r for r in sarif["runs"][0]["results"])
    # the flag wins
    assert "waived[QV103]" in _invoke(repo, monkeypatch, "validate", "--waivers", "honour", "schemes/waivers.qof").output


def test_exclude_setting_leaves_out_matching_files(tmp_path, monkeypatch):
    repo = _repo(tmp_path, 'exclude = ["drafts", "*.draft.qof"]\n')
    (repo / "schemes" / "drafts").mkdir()
    broken = "scheme x \"X\"\n  contract england 2023/24\n"
    (repo / "schemes" / "drafts" / "a.qof").write_text(broken, encoding="utf-8")
    (repo / "schemes" / "b.draft.qof").write_text(broken, encoding="utf-8")
    assert _invoke(repo, monkeypatch, "check", "schemes/").output == "1 file(s) checked: 1 clean, 0 error(s), 0 warning(s)\n"
    assert _invoke(repo, monkeypatch, "check", "--isolated", "schemes/").exit_code == 2
    # a file named on the command line is read whatever the patterns say
    assert _invoke(repo, monkeypatch, "check", "schemes/b.draft.qof").exit_code == 2


def test_python_3_10_gets_tomli():
    """tomllib is new in Python 3.11; the package needs tomli on 3.10 only."""
    from qofrules import config
    assert config.toml_parser().__name__ == ("tomllib" if sys.version_info >= (3, 11) else "tomli")
    project = config.toml_parser().loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.10"
    assert "tomli>=1.1; python_version < '3.11'" in project["dependencies"]


def test_settings_schema_is_a_valid_json_schema_and_lists_what_the_code_reads():
    import jsonschema
    from qofrules.config import EXPECTED
    from qofrules.jsonschemas import schema
    found = schema("qofrules", "config.schema.json")
    jsonschema.Draft202012Validator.check_schema(found)
    assert set(found["properties"]) == set(EXPECTED)


def test_the_installed_command_reads_settings_too(tmp_path):
    repo = _repo(tmp_path, 'format = "junit"\n')
    done = subprocess.run([sys.executable, "-m", "qofrules", "check", "schemes/leeds.qof"], cwd=repo,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')


def test_a_settings_file_over_its_limit_is_refused(tmp_path, monkeypatch):
    repo = _repo(tmp_path, "#" * (1024 * 1024 + 1))
    result = _invoke(repo, monkeypatch, "check", "schemes/leeds.qof")
    assert result.exit_code == 2
    assert result.output.startswith("qofrules.toml: error[QR005] the file is 1,048,577 bytes; a settings file may be "
                                    "at most 1,048,576")


def test_the_api_reads_the_same_settings(tmp_path, monkeypatch):
    from qofrules import api
    repo = _repo(tmp_path, 'format = "junit"\nexclude = ["drafts"]\n')
    monkeypatch.chdir(repo)
    assert api.settings(["schemes/leeds.qof"]) == {"file": "qofrules.toml", "contract_overrides": (), "data": None,
                                                    "format": "junit", "waivers": None, "exclude": ("drafts",)}
    outside = tmp_path / "outside"
    (outside / ".git").mkdir(parents=True)
    assert api.settings([str(outside)])["file"] is None  # another repository, without settings
    sarif = api.check_sarif(["schemes/"])
    assert [r["file"] for r in sarif["runs"][0]["properties"]["files"]] == ["schemes/leeds.qof"]
    assert api.validate_sarif("schemes/")["runs"][0]["properties"]["verdicts"][0]["verdict"] == "rejected"


def _lincs_repo(tmp_path, settings: str):
    """A repository with the Lincolnshire scheme, its example data as data/, Leeds' overrides (for
    another year) and ``settings`` in qofrules.toml."""
    repo = _repo(tmp_path, settings)
    shutil.copy(LINCS, repo / "schemes" / "lincs.qof")
    shutil.copytree(ROOT / "examples" / "lincolnshire-2014", repo / "data")
    (repo / "data" / "dataset.yaml").write_text(  # the overrides come from the settings only
        (repo / "data" / "dataset.yaml").read_text(encoding="utf-8").replace(
            "contract_overrides: contract-overrides.yaml\n", ""), encoding="utf-8")
    shutil.move(repo / "data" / "contract-overrides.yaml", repo / "lincs-overrides.yaml")
    shutil.copy(ROOT / "examples" / "leeds-2017" / "contract-overrides.yaml", repo / "leeds-overrides.yaml")
    return repo


def test_run_explain_report_and_diff_read_data_overrides_and_format_from_the_settings(tmp_path, monkeypatch):
    repo = _lincs_repo(tmp_path, 'data = "data"\nformat = "json"\n'
                                 'contract-overrides = ["leeds-overrides.yaml", "lincs-overrides.yaml"]\n')
    flagged = ["--isolated", "--data", "data", "--contract-overrides", "lincs-overrides.yaml"]
    # run: data and the overrides of the scheme's year from the settings (Leeds' 2016/17 file is
    # passed over, not QR312), json from the format setting; the same figures as with flags
    by_settings = _invoke(repo, monkeypatch, "run", "schemes/lincs.qof")
    assert by_settings.exit_code == 0, by_settings.output
    by_flags = _invoke(repo, monkeypatch, "run", *flagged, "--format", "json", "schemes/lincs.qof")
    assert json.loads(by_settings.output) == json.loads(by_flags.output)
    assert json.loads(by_settings.output)["totals"]["scheme_payment"] == "10033577.21"
    # a flag wins: --format text, and -o's suffix, over the format setting
    text = _invoke(repo, monkeypatch, "run", "--format", "text", "schemes/lincs.qof").output
    assert "TOTAL     215 practices" in text and "lincs-overrides.yaml" in text
    _invoke(repo, monkeypatch, "run", "schemes/lincs.qof", "-o", "results.csv")
    assert (repo / "results.csv").read_text(encoding="utf-8").startswith('# Scheme lincs-llr-2014 "Retiring QOF')
    # --contract-overrides given replaces the setting's list: here, by one for another year
    replaced = _invoke(repo, monkeypatch, "run", "--contract-overrides", "leeds-overrides.yaml", "schemes/lincs.qof")
    assert replaced.exit_code == 1 and "QR312" in replaced.output
    # explain and report
    explained = _invoke(repo, monkeypatch, "explain", "schemes/lincs.qof", "--practice", "C82001")
    assert json.loads(explained.output) == json.loads(_invoke(
        repo, monkeypatch, "explain", *flagged, "--format", "json", "schemes/lincs.qof", "--practice", "C82001").output)
    (repo / "qofrules.toml").write_text('data = "data"\nformat = "markdown"\n'
                                        'contract-overrides = ["lincs-overrides.yaml"]\n', encoding="utf-8")
    reported = _invoke(repo, monkeypatch, "report", "schemes/lincs.qof")
    assert reported.exit_code == 0 and reported.output.startswith("## Retiring QOF points paid in full")
    # diff --impact: the overrides from the settings, each version by its year
    changed = (repo / "schemes" / "lincs.qof").read_text(encoding="utf-8").replace(
        "    reporting: not required\n    pay: full points", "    pay: achievement")
    (repo / "schemes" / "lincs-new.qof").write_text(changed, encoding="utf-8")
    impact = _invoke(repo, monkeypatch, "diff", "--format", "text", "schemes/lincs.qof", "schemes/lincs-new.qof",
                     "--impact", "data")
    assert impact.exit_code == 1 and "Payment impact on lincolnshire-2014-example (215 practice(s))" in impact.output
    assert "could not be evaluated" not in impact.output


def test_run_without_data_or_a_data_setting_says_both_ways(tmp_path, monkeypatch):
    repo = _lincs_repo(tmp_path, 'format = "github"\n')
    for command in (["run"], ["explain", "--practice", "C82001"], ["report", "-o", "r.html"]):
        result = _invoke(repo, monkeypatch, *command, "schemes/lincs.qof")
        assert result.exit_code == 2
        assert "Error: give the practice data with --data DATASET (a directory with dataset.yaml, NHS Digital's " \
               "publication zip, or a compact .yaml/.json file), or set data = \"...\" in qofrules.toml" in result.output
    # format = "github" is check's and validate's: run keeps its table
    run = _invoke(repo, monkeypatch, "run", "schemes/lincs.qof", "--data", "data",
                  "--contract-overrides", "lincs-overrides.yaml")
    assert run.exit_code == 0 and "TOTAL     215 practices" in run.output


def test_a_broken_overrides_file_named_by_the_settings_is_its_own_located_error(tmp_path, monkeypatch):
    repo = _lincs_repo(tmp_path, 'data = "data"\ncontract-overrides = ["bad.yaml"]\n')
    (repo / "bad.yaml").write_text("overrides: england 2013/14\nlabel: [\n", encoding="utf-8")
    for command in (["run"], ["explain", "--practice", "C82001"], ["report", "-o", "r.md"]):
        result = _invoke(repo, monkeypatch, *command, "schemes/lincs.qof")
        assert result.exit_code == 1, result.output
        assert result.output.startswith("bad.yaml:2:8: error[QR311] not valid YAML: the list opened with '[' on "
                                        "line 2 is not closed"), result.output
        assert "internal error" not in result.output
