"""Parsing: every construct of the language builds the AST node it should, with spans."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import ROOT
from qofrules import api, ast, syntax
from qofrules.diagnostics import QofError
from qofrules.source import Source

EVERYTHING = '''# A comment before the scheme
scheme every-construct "Every construct"
  # comments may stand anywhere a line can start
  contract: england 2013/14
  area: lmc "Somerset", nhs-england area-team "Bath \\"and\\" Avon"
  approved: nhs-england area-team "Somerset" on 2014-01-20
  consulted: lmc "Somerset" on 2014-01-10
  runs: 2014-01-01 to 2014-03-31
  pays for: months run
  source: "First"
  source: "Second"
  eligible when: practice opted in by 2014-02-01 and not practice in ccg "11X" or practice in pilot "p" and practice attribute list_size >= 3000

  rule "Selectors":
    applies to: indicators HYP002, HYP003 and group LD and domains public-health, quality-productivity except indicator QP001

  # between rules
    reporting: not required
    pay: higher of (achievement in 2012/13, lower of (80% of full points, 3.5 points), average of (no points, full points))
    on request: achievement
  rule "Retiring":
    applies to: indicators retiring on 2014-04-01
    reporting: as usual
    pay: (achievement)
  rule "Rest":
    applies to: all other indicators except groups HYP
    pay: 50% of 50% of full points
# a comment at the end
'''


@pytest.fixture(scope="module")
def scheme() -> ast.Scheme:
    return api.parse(EVERYTHING, "every.qof")


def test_header(scheme):
    assert scheme.id.text == "every-construct" and scheme.title.value == "Every construct"
    assert (scheme.contract.country.text, scheme.contract.year.text, scheme.contract.year.start) == \
        ("england", "2013/14", 2013)
    assert [(b.kind.text, b.level.text if b.level else None, b.name.value) for b in scheme.areas] == \
        [("lmc", None, "Somerset"), ("nhs-england", "area-team", 'Bath "and" Avon')]
    assert scheme.approved.date.value == dt.date(2014, 1, 20)
    assert scheme.consulted.bodies[0].kind.text == "lmc" and scheme.consulted.date.text == "2014-01-10"
    assert (scheme.runs.start.value, scheme.runs.end.value) == (dt.date(2014, 1, 1), dt.date(2014, 3, 31))
    assert scheme.pays_for == ast.MONTHS_RUN
    assert [s.value for s in scheme.sources] == ["First", "Second"]


def test_condition_precedence_is_not_then_and_then_or(scheme):
    condition = scheme.eligibility
    assert isinstance(condition, ast.AnyOf) and len(condition.items) == 2
    left, right = condition.items
    assert isinstance(left, ast.AllOf)
    assert isinstance(left.items[0], ast.OptedIn) and left.items[0].by.value == dt.date(2014, 2, 1)
    assert isinstance(left.items[1], ast.Not) and isinstance(left.items[1].item, ast.InArea)
    assert isinstance(right, ast.AllOf)
    assert isinstance(right.items[0], ast.InPilot) and right.items[0].pilot.value == "p"
    test = right.items[1]
    assert (test.attribute.text, test.comparison, test.value) == ("list_size", ">=", Decimal(3000))


def test_rule_fields_and_selectors(scheme):
    first = scheme.rules[0]
    selector = first.applies.selector
    assert [type(t) for t in selector.include] == [ast.Codes, ast.Groups, ast.Domains]
    assert [c.text for c in selector.include[0].codes] == ["HYP002", "HYP003"]
    assert [d.text for d in selector.include[2].domains] == ["public-health", "quality-productivity"]
    assert [c.text for c in selector.exclude[0].codes] == ["QP001"]
    assert first.reporting == ast.NOT_REQUIRED
    assert isinstance(first.on_request.basis, ast.Achievement) and first.on_request.basis.year is None
    assert scheme.rules[1].reporting == ast.AS_USUAL
    assert scheme.rules[1].applies.selector.include[0].date.value == dt.date(2014, 4, 1)
    assert scheme.rules[2].applies.selector.is_all_other


def test_bases(scheme):
    higher = scheme.rules[0].pay.basis
    assert isinstance(higher, ast.HigherOf) and len(higher.items) == 3
    assert higher.items[0].year.text == "2012/13"
    lower = higher.items[1]
    assert isinstance(lower, ast.LowerOf)
    assert isinstance(lower.items[0], ast.PercentOf) and lower.items[0].percent == Decimal(80)
    assert isinstance(lower.items[1], ast.FixedPoints) and lower.items[1].points == Decimal("3.5")
    assert isinstance(higher.items[2], ast.AverageOf)
    assert isinstance(scheme.rules[1].pay.basis, ast.Achievement)  # parentheses are only grouping
    nested = scheme.rules[2].pay.basis
    assert isinstance(nested.basis, ast.PercentOf) and isinstance(nested.basis.basis, ast.FullPoints)


def test_spans_point_at_the_source(scheme):
    lines = EVERYTHING.splitlines()
    code = scheme.rules[0].applies.selector.include[0].codes[1]
    line = lines[code.span.line - 1]
    assert line[code.span.column - 1:code.span.end_column - 1] == "HYP003"
    pay = scheme.rules[0].pay
    assert pay.span.line == pay.span.end_line  # a field's span is its own line


def test_the_ast_is_frozen(scheme):
    with pytest.raises(Exception):
        scheme.id = None  # type: ignore[misc]


def test_positions_do_not_affect_equality():
    a = api.parse('scheme a "A"\n  contract: england 2013/14\n  rule "R":\n    applies to: all indicators\n'
                  '    pay: achievement\n')
    b = api.parse('\n\n# moved\nscheme a "A"\n      contract:   england 2013/14\n rule "R":\n  applies to: all '
                  'indicators\n     pay:   achievement')
    assert a == b


def test_crlf_and_missing_final_newline_are_fine():
    text = 'scheme a "A"\r\n  contract: england 2013/14\r\n  rule "R":\r\n    applies to: all indicators\r\n' \
           '    pay: full points'
    assert api.parse(text).rules[0].pay.basis == ast.FullPoints()


@pytest.mark.parametrize("text,code", [
    ('scheme a "A"\n  contract: england 2013/14\n  runs: 2014-13-01 to 2014-03-31\n', "QR101"),
    ('scheme a "A"\n  contract: england 2013/15\n', "QR102"),
    ('scheme a "A"\n  rule "R":\n    pay: higher of (achievement)\n', "QR001"),
    ('scheme a "A" extra\n', "QR001"),
    ("", "QR003"),
    ("# only a comment\n\n", "QR003"),
])
def test_syntax_and_value_errors(text, code):
    with pytest.raises(QofError) as caught:
        api.parse(text)
    assert caught.value.diagnostics[0].code == code


def test_nesting_limit_is_a_clear_error():
    text = 'scheme a "A"\n  eligible when: ' + "(" * 40 + "every practice" + ")" * 40 + "\n"
    with pytest.raises(QofError) as caught:
        api.parse(text)
    assert caught.value.diagnostics[0].code == "QR005"
    assert "nest more than 32" in caught.value.diagnostics[0].message


@pytest.mark.parametrize("line,fragment", [
    ('  area: lmc\n', "name the lmc"),
    ('  area: scottish-government\n', "not an area"),
    ('  eligible when: practice in ccg\n', "name the ccg"),
])
def test_areas_must_be_placeable_and_named(line, fragment):
    text = 'scheme a "A"\n  contract: england 2023/24\n' + line + \
           '  rule "R":\n    applies to: all indicators\n    pay: achievement\n'
    report = api.check_source(Source("a.qof", text))
    assert [d.code for d in report.errors] == ["QR217"] and fragment in report.errors[0].message


def test_nhs_england_national_is_every_practice():
    text = 'scheme a "A"\n  contract: england 2023/24\n  area: nhs-england national\n' \
           '  rule "R":\n    applies to: all indicators\n    pay: achievement\n'
    assert api.check_source(Source("a.qof", text)).ok


# ------------------------------------------------------------------ the parser shipped, saved from the grammar

def test_the_shipped_parser_is_saved_from_this_grammar():
    """grammar/qof.lark.parser names the hash of grammar/qof.lark: after changing the grammar,
    save it again with `python -m qofrules.syntax grammar/qof.lark.parser` (a stale one is never
    used: the grammar is built instead, correct but a fifth of a second slower)."""
    saved = (ROOT / "grammar" / syntax.PARSER_FILE).read_bytes()
    assert saved.startswith(syntax.parser_header(syntax.grammar_text())), (
        "grammar/qof.lark.parser is out of date with grammar/qof.lark (or with the installed Lark); "
        "make it again with: python -m qofrules.syntax grammar/qof.lark.parser")


def test_the_shipped_parser_parses_every_seed_as_the_built_one_does():
    syntax.parser.cache_clear()
    try:
        shipped = syntax.parser()
        built = syntax.build_parser()
        assert shipped is not built
        for path in sorted((ROOT / "schemes").glob("*.qof")):
            text = path.read_text(encoding="utf-8")
            assert shipped.parse(text) == built.parse(text), path.name
    finally:
        syntax.parser.cache_clear()


def test_a_saved_parser_of_another_grammar_is_not_used(tmp_path, monkeypatch):
    """A parser whose header names another grammar is ignored, and the grammar is built."""
    stale = tmp_path / syntax.PARSER_FILE
    stale.write_bytes(syntax.parser_header("another grammar") + b"not even a pickle")
    real = syntax._grammar_file
    monkeypatch.setattr(syntax, "_grammar_file", lambda name: stale if name == syntax.PARSER_FILE else real(name))
    syntax.parser.cache_clear()
    try:
        assert syntax.parser().parse("scheme x \"t\"\n  contract: england 2023/24\n") is not None
    finally:
        syntax.parser.cache_clear()
