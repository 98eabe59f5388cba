"""The canonical format: golden pairs (tests/cases/format/NAME.qof → NAME.expected), the shipped
schemes are canonical, the safety checks refuse bad output, and the `fmt` command's modes.
QOFRULES_UPDATE_GOLDEN=1 rewrites the expected files; read the diff before committing."""
from __future__ import annotations


import pytest
from click.testing import CliRunner

from conftest import CASES, ROOT, assert_golden
from qofrules import api, formatter
from qofrules.cli import cli
from qofrules.diagnostics import QofError

FORMAT_CASES = sorted((CASES / "format").glob("*.qof"))
SHIPPED = sorted([*ROOT.glob("schemes/*.qof"), *ROOT.glob("examples/**/*.qof"), *ROOT.glob("benchmarks/**/*.qof")])


@pytest.mark.parametrize("path", FORMAT_CASES, ids=lambda p: p.stem)
def test_format_is_golden(path):
    got = api.format_text(path.read_text(encoding="utf-8"), str(path))
    expected = path.with_suffix(".expected")
    assert_golden(got, expected)


@pytest.mark.parametrize("path", FORMAT_CASES, ids=lambda p: p.stem)
def test_golden_inputs_really_need_formatting_except_the_minimal_one(path):
    """A golden pair whose input is already canonical would test nothing about layout."""
    if path.stem == "minimal":
        return
    assert path.read_text(encoding="utf-8") != path.with_suffix(".expected").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", FORMAT_CASES, ids=lambda p: p.stem)
def test_expected_output_is_a_fixed_point_with_the_same_meaning(path):
    expected = path.with_suffix(".expected").read_text(encoding="utf-8")
    assert api.format_text(expected) == expected
    before = formatter.canonical_order(api.parse(path.read_text(encoding="utf-8")))
    assert formatter.canonical_order(api.parse(expected)) == before


def test_golden_cases_cover_every_construct():
    """Every AST node type appears in at least one golden input."""
    from dataclasses import fields, is_dataclass

    from qofrules import ast

    seen: set[type] = set()

    def walk(node):
        if is_dataclass(node):
            seen.add(type(node))
            for f in fields(node):
                walk(getattr(node, f.name))
        elif isinstance(node, tuple):
            for item in node:
                walk(item)

    for path in FORMAT_CASES:
        walk(api.parse(path.read_text(encoding="utf-8")))
    wanted = {obj for obj in vars(ast).values()
              if isinstance(obj, type) and issubclass(obj, ast.Node) and obj is not ast.Node}
    assert wanted - seen == set()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_schemes_are_canonical(path):
    text = path.read_text(encoding="utf-8")
    assert api.format_text(text, str(path)) == text


def test_comments_are_kept_and_follow_their_line():
    text = ('scheme s "S"\n  # why this pays for\n  pays for: whole year\n  contract: england 2013/14\n')
    out = api.format_text(text)
    assert out == ('scheme s "S"\n  contract: england 2013/14\n  # why this pays for\n  pays for: whole year\n')


def test_reporting_as_usual_is_kept_when_written_and_not_added_when_not():
    written = 'scheme s "S"\n\n  rule "R":\n    applies to: all indicators\n    reporting: as usual\n'
    assert "reporting: as usual" in api.format_text(written)
    assert "reporting" not in api.format_text(written.replace("    reporting: as usual\n", ""))


def test_a_syntax_error_is_reported_not_formatted():
    with pytest.raises(QofError) as caught:
        api.format_text('scheme s "S"\n  contract england 2013/14\n', "bad.qof")
    assert caught.value.diagnostics[0].code == "QR001"


def test_an_impossible_value_is_refused_because_it_cannot_be_printed_back():
    with pytest.raises(QofError) as caught:
        api.format_text('scheme s "S"\n  eligible when: practice attribute opened < 2014-02-30\n')
    assert caught.value.diagnostics[0].code == "QR101"


def test_the_safety_check_refuses_output_that_changes_meaning(monkeypatch):
    real = formatter.render

    def lossy(scheme, comments=None):  # a formatter bug: drops every rule
        return real(scheme.__class__(id=scheme.id, title=scheme.title, header=scheme.header, rules=()), comments)

    monkeypatch.setattr(formatter, "render", lossy)
    with pytest.raises(QofError) as caught:
        formatter.format_text((ROOT / "schemes/2014-somerset.qof").read_text(encoding="utf-8"))
    assert caught.value.diagnostics[0].code == "QR601"
    assert "mean something different" in caught.value.diagnostics[0].message


def test_the_safety_check_refuses_output_that_loses_a_comment(monkeypatch):
    real = formatter.render
    monkeypatch.setattr(formatter, "render", lambda scheme, comments=None: real(scheme, None))
    with pytest.raises(QofError) as caught:
        formatter.format_text((ROOT / "schemes/2014-somerset.qof").read_text(encoding="utf-8"))
    assert "comment" in caught.value.diagnostics[0].message


def test_the_safety_check_refuses_unstable_output():
    scheme = api.parse('scheme s "S"\n  contract: england 2013/14\n')
    from qofrules.comments import collect
    unstable = 'scheme s "S"\n    contract: england 2013/14\n'  # parses the same, is not canonical
    source = formatter.Source("s.qof", 'scheme s "S"\n  contract: england 2013/14\n')
    with pytest.raises(QofError) as caught:
        formatter.verify(source, scheme, collect(source.text), unstable)
    assert "not stable" in caught.value.diagnostics[0].message


# ------------------------------------------------------------------ the command

MESSY = 'scheme s "S"\n contract:england 2013/14\n\n rule "R":\n  pay: achievement\n  applies to: all indicators\n'
CANONICAL = 'scheme s "S"\n  contract: england 2013/14\n\n  rule "R":\n    applies to: all indicators\n    pay: achievement\n'


def _invoke(args, stdin=None):
    return CliRunner().invoke(cli, ["fmt", *args], input=stdin)


def test_fmt_prints_the_canonical_form(tmp_path):
    path = tmp_path / "s.qof"
    path.write_text(MESSY, encoding="utf-8")
    result = _invoke([str(path)])
    assert result.exit_code == 0 and result.stdout == CANONICAL
    assert path.read_text(encoding="utf-8") == MESSY


def test_fmt_reads_standard_input_for_editors():
    result = _invoke(["-"], stdin=MESSY)
    assert result.exit_code == 0 and result.stdout == CANONICAL


def test_fmt_check_lists_files_that_would_change_and_exits_1(tmp_path):
    (tmp_path / "messy.qof").write_text(MESSY, encoding="utf-8")
    (tmp_path / "tidy.qof").write_text(CANONICAL, encoding="utf-8")
    result = _invoke(["--check", str(tmp_path)])
    assert result.exit_code == 1
    assert f"would reformat {tmp_path / 'messy.qof'}" in result.stderr
    assert "tidy.qof" not in result.stderr
    assert "1 file(s) would be reformatted, 1 left unchanged" in result.stderr
    assert (tmp_path / "messy.qof").read_text(encoding="utf-8") == MESSY
    assert _invoke(["--check", str(tmp_path / "tidy.qof")]).exit_code == 0


def test_fmt_diff_shows_a_unified_diff_and_changes_nothing(tmp_path):
    path = tmp_path / "s.qof"
    path.write_text(MESSY, encoding="utf-8")
    result = _invoke(["--diff", str(path)])
    assert result.exit_code == 0
    assert f"--- {path} (original)" in result.stdout and f"+++ {path} (formatted)" in result.stdout
    assert "-  pay: achievement\n" in result.stdout and "+    pay: achievement\n" in result.stdout
    assert path.read_text(encoding="utf-8") == MESSY


def test_fmt_write_rewrites_in_place_and_then_check_passes(tmp_path):
    path = tmp_path / "s.qof"
    path.write_text(MESSY, encoding="utf-8")
    result = _invoke(["--write", str(path)])
    assert result.exit_code == 0 and f"reformatted {path}" in result.stderr
    assert path.read_text(encoding="utf-8") == CANONICAL
    assert _invoke(["--check", str(path)]).exit_code == 0
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_fmt_write_refuses_and_leaves_the_file_untouched_when_unsafe(tmp_path, monkeypatch):
    path = tmp_path / "s.qof"
    path.write_text(MESSY, encoding="utf-8")
    monkeypatch.setattr(formatter, "render", lambda scheme, comments=None: CANONICAL.replace("achievement", "full points"))
    result = _invoke(["--write", str(path)])
    assert result.exit_code == 1
    assert "error[QR601] refusing to format" in result.stderr
    assert path.read_text(encoding="utf-8") == MESSY


def test_fmt_syntax_error_exits_2_with_the_located_error_and_formats_the_rest(tmp_path):
    bad, good = tmp_path / "bad.qof", tmp_path / "good.qof"
    bad.write_text('scheme s "S"\n  contract england 2013/14\n', encoding="utf-8")
    good.write_text(MESSY, encoding="utf-8")
    result = _invoke(["--write", str(bad), str(good)])
    assert result.exit_code == 2
    assert f"{bad}:2:12: error[QR001]" in result.stderr
    assert good.read_text(encoding="utf-8") == CANONICAL
    assert "1 could not be formatted" in result.stderr


def test_fmt_several_files_need_a_mode(tmp_path):
    result = _invoke([str(ROOT / "schemes/2014-somerset.qof"), str(ROOT / "schemes/2017-leeds.qof")])
    assert result.exit_code == 2 and "--write, --check or --diff" in result.output
