"""docs/language.md says that every example on the page passes `qofrules check`: each ```qof
block is checked here, as a user pasting it would check it."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT
from qofrules import api
from qofrules.source import Source

PAGE = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```qof\n(.*?)```", PAGE, re.S)


def test_the_page_has_examples_of_the_dates_and_reporting_states():
    assert len(EXAMPLES) > 20
    assert any(" in 2014-06\n" in example for example in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.split('"')[0].split()[-1])
def test_every_example_on_the_language_page_checks_without_errors(example):
    report = api.check_source(Source("docs/language.md", example))
    assert report.scheme is not None
    assert [d.render() for d in report.diagnostics if d.is_error] == []
