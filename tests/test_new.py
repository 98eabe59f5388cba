"""``qofrules new``: a commented template for a new scheme that checks clean and that fmt leaves
as it is, whatever id, title and contract year it is given."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from qofrules import api
from qofrules.cli import cli


def _new(tmp_path, monkeypatch, *args):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["new", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize("contract", [None, "england 2013/14", "england 2016/17", "england 2024/25"])
def test_the_template_checks_clean_and_is_canonical(tmp_path, monkeypatch, contract):
    args = ["leeds 2025.qof", "--title", "Leeds: registers protected, 2025"] + (["--contract", contract] if contract else [])
    result = _new(tmp_path, monkeypatch, *args)
    assert result.exit_code == 0 and "wrote leeds 2025.qof" in result.output
    written = tmp_path / "leeds 2025.qof"
    text = written.read_text(encoding="utf-8")
    assert text.splitlines()[5] == 'scheme leeds-2025 "Leeds: registers protected, 2025"'
    assert f"  contract: {contract or 'england 2023/24'}" in text.splitlines()
    assert CliRunner().invoke(cli, ["check", "--isolated", "leeds 2025.qof"]).output == \
        "1 file(s) checked: 1 clean, 0 error(s), 0 warning(s)\n"
    assert CliRunner().invoke(cli, ["fmt", "--check", "--isolated", "leeds 2025.qof"]).exit_code == 0
    assert api.format_text(text) == text
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) > 15  # what each line is for, said in the file


def test_a_year_without_an_indicator_list_is_said_at_once(tmp_path, monkeypatch):
    result = _new(tmp_path, monkeypatch, "w.qof", "--contract", "wales 2016/17")
    assert result.exit_code == 0
    warning = ('w.qof:27:5: warning[QR224] rule "Everything as usual" applies to no indicator qofrules lists for '
               "wales 2016/17 (its list is incomplete: 0 of ? indicators)")
    assert warning in result.output
    assert warning in CliRunner().invoke(cli, ["check", "--isolated", "w.qof"]).output


def test_the_commented_lines_are_what_validate_asks_for(tmp_path, monkeypatch):
    """Uncommenting the example lines (filled in) gives a scheme validate judges on them."""
    _new(tmp_path, monkeypatch, "s.qof")
    text = (tmp_path / "s.qof").read_text(encoding="utf-8")
    filled = (text.replace('  # area: lmc "NAME"', '  area: lmc "Somerset"')
              .replace("  # approved: BODY on YYYY-MM-DD", '  approved: nhs-england area-team "Somerset" on 2023-03-01')
              .replace("  # runs: 2023-04-01 to 2024-03-31", "  runs: 2023-04-01 to 2024-03-31"))
    assert filled.count("\n  area:") == filled.count("\n  approved:") == filled.count("\n  runs:") == 1
    (tmp_path / "s.qof").write_text(filled, encoding="utf-8")
    judged = CliRunner().invoke(cli, ["validate", "--isolated", "s.qof"])
    assert "QV102] the scheme does not record who approved it" not in judged.output
    assert "QV101] the running period is not recorded" not in judged.output
    assert CliRunner().invoke(cli, ["check", "--isolated", "s.qof"]).exit_code == 0


def test_new_to_stdout_and_refusals(tmp_path, monkeypatch):
    printed = _new(tmp_path, monkeypatch, "-", "--id", "x-1")
    assert printed.exit_code == 0 and 'scheme x-1 "Title of the scheme"' in printed.output
    assert not list(tmp_path.iterdir())
    _new(tmp_path, monkeypatch, "s.qof")
    again = _new(tmp_path, monkeypatch, "s.qof")
    assert again.exit_code == 2
    assert again.output == ("s.qof: error[QR525] s.qof exists already; nothing was written\n"
                            "  hint: choose another name, or give --force to replace it\n")
    assert _new(tmp_path, monkeypatch, "s.qof", "--force", "--id", "other").exit_code == 0
    assert "scheme other " in (tmp_path / "s.qof").read_text(encoding="utf-8")
    bad_id = _new(tmp_path, monkeypatch, "t.qof", "--id", "Leeds 2025")
    assert bad_id.exit_code == 2 and "qofrules new: error[QR526] 'Leeds 2025' is not a scheme id" in bad_id.output
    bad_title = _new(tmp_path, monkeypatch, "t.qof", "--title", 'say "hi"')
    assert bad_title.exit_code == 2 and "error[QR526] the title must be one line" in bad_title.output
    bad_year = _new(tmp_path, monkeypatch, "t.qof", "--contract", "england 2012/13")
    assert bad_year.exit_code == 2
    assert bad_year.output.startswith("qofrules new --contract 'england 2012/13': error[QR211] no contract year "
                                      "'england 2012/13' ships with qofrules\n")
    assert not (tmp_path / "t.qof").exists()


def test_the_api_gives_the_same_template(tmp_path, monkeypatch):
    _new(tmp_path, monkeypatch, "s.qof", "--id", "x", "--title", "X", "--contract", "england 2016/17")
    assert api.new_scheme("x", "X", "england 2016/17") == (tmp_path / "s.qof").read_text(encoding="utf-8")
