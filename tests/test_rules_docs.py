"""docs/rules.md is generated from the rules' own text; the committed file must match it."""
from __future__ import annotations

from click.testing import CliRunner

from conftest import ROOT
from qofrules.cli import cli
from qofrules.rules import all_rules
from qofrules.rules.docs import markdown


def test_committed_rules_doc_matches_the_rules():
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == markdown(), "regenerate: qofrules rules --format markdown -o docs/rules.md"


def test_rules_doc_carries_every_rule_with_its_source_and_examples():
    text = markdown()
    for rule in all_rules():
        assert f"## {rule.code} {rule.name}" in text
        assert rule.source in text and rule.breaking_example.rstrip() in text and rule.passing_example.rstrip() in text


def test_rules_command_lists_and_explains():
    runner = CliRunner()
    listing = runner.invoke(cli, ["rules"])
    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    assert lines[0].split() == ["code", "severity", "judges", "rule"]
    assert [line.split()[0] for line in lines[1:len(all_rules()) + 1]] == [r.code for r in all_rules()]
    assert "QV105  error    local     A local body's alternative starts at the beginning of a financial year" in lines
    assert "QV112  error    national  A national amendment is made by a body with national power over that " \
           "country's QOF" in lines
    one = runner.invoke(cli, ["rules", "local-change-from-year-start"])
    assert one.exit_code == 0
    assert one.output.startswith("QV105 local-change-from-year-start (error)")
    for heading in ("What it checks:", "Why error:", "Source:", "A scheme that breaks it:", "A scheme that passes it:"):
        assert heading in one.output
    assert "ten months into the year" in one.output
    unknown = runner.invoke(cli, ["rules", "QV1O5"])
    assert unknown.exit_code == 2 and "no validation rule 'QV1O5'" in unknown.output and "did you mean" in unknown.output
