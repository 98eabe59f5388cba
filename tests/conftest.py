"""Shared helpers for the tests: the fixture contract year and a way to evaluate scheme text."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qofrules import api
from qofrules.contracts import contract_from_data
from qofrules.source import Source

TESTS = Path(__file__).parent
ROOT = TESTS.parent
CASES = TESTS / "cases"


def fixture_contract():
    path = CASES / "evaluation" / "fixture-contract.yaml"
    text = path.read_text(encoding="utf-8")
    return contract_from_data(yaml.safe_load(text), Source(str(path), text))


def evaluate_text(scheme_text: str, data: dict, tmp_path: Path, contract=None, code_changes=None):
    """Check and evaluate scheme text over a compact data set, against the fixture contract
    (and ``code_changes``, a CodeChanges for the fixture's codes, else none recorded)."""
    from qofrules.contracts.codechanges import CodeChanges
    contract = contract or fixture_contract()
    source = Source("case.qof", scheme_text)
    report = api.check_source(source, contract=contract)
    assert report.ok, "\n".join(d.render() for d in report.diagnostics)
    data_file = tmp_path / "data.yaml"
    data_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    dataset = api.load_data(str(data_file))
    tree = api.compile(report.scheme, contract, source, code_changes or CodeChanges())
    return api.evaluate(tree, dataset)


@pytest.fixture
def contract():
    return fixture_contract()
