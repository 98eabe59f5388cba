"""Evaluation cases as data: tests/cases/evaluation/*.yaml, each worked out by hand from the formula.

Each case gives a scheme, a compact data set and the expected points and pounds; the fixture
contract year (invented, easy figures) is tests/cases/evaluation/fixture-contract.yaml.
"""
from __future__ import annotations

import json

import pytest
import yaml

from conftest import CASES, evaluate_columnar, evaluate_text

CASE_FILES = sorted(p for p in (CASES / "evaluation").glob("*.yaml") if p.name != "fixture-contract.yaml")


def _money(value):
    return None if value is None else str(value)


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_case(path, tmp_path):
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    changes = None
    if "code_changes" in case:  # the case's own links between the fixture's codes
        from qofrules.contracts.codechanges import from_data
        from qofrules.source import Source
        changes = from_data(case["code_changes"], Source(path.name, ""))
    result = evaluate_text(case["scheme"], case["data"], tmp_path, code_changes=changes)
    practices = {p.code: p for p in result.practices}
    for code, expected in case["expect"].items():
        practice = practices[code]
        plain = practice.to_plain(indicators=True, trace=True)
        if "eligible" in expected:
            assert practice.eligible is expected["eligible"], practice.reason
        if "reason_contains" in expected:
            assert expected["reason_contains"] in practice.reason
        if "missing_contains" in expected:
            assert expected["missing_contains"] in practice.missing
        for key in ("scheme_points", "scheme_payment", "national_points", "national_payment", "difference"):
            if key in expected:
                assert plain[key] == expected[key], f"{code} {key}"
        by_code = {i["indicator"]: i for i in plain["indicators"]}
        for indicator, fields in expected.get("indicators", {}).items():
            got = by_code[indicator]
            for key, value in fields.items():
                if key == "trace_contains":
                    assert value in json.dumps(got["scheme"]["trace"])
                elif key in ("rule", "on_request"):
                    assert got[key] == value, f"{code} {indicator} {key}"
                else:
                    side, _, measure = key.partition("_")
                    assert got[side][measure] == value, f"{code} {indicator} {key}"
    for key, value in case.get("totals", {}).items():
        assert _money(result.totals[key]) == _money(value), key
    # The vectorised path gives every figure, practice and trace the exact path gives.
    fast = evaluate_columnar(case["scheme"], case["data"], tmp_path, code_changes=changes)
    assert json.dumps(fast.to_plain(indicators=True, trace=True)) == json.dumps(result.to_plain(indicators=True, trace=True))


def test_printed_parts_reconcile_with_totals(tmp_path):
    """Every practice total is the sum of its rounded indicator payments; the run total the sum of those."""
    case = yaml.safe_load((CASES / "evaluation" / "thresholds.yaml").read_text(encoding="utf-8"))
    result = evaluate_text(case["scheme"], case["data"], tmp_path)
    for practice in result.practices:
        assert practice.scheme_payment == sum(i.scheme.payment for i in practice.indicators)
        assert all(i.scheme.payment == i.scheme.payment.quantize(i.scheme.payment.__class__("0.01"))
                   for i in practice.indicators)
    assert result.totals["scheme_payment"] == sum(p.scheme_payment for p in result.practices)


def test_totals_over_different_practices_are_reconciled_in_words(tmp_path):
    """retiring-in-full: the scheme total covers 3 practices and the national 2 (one practice's
    national payment is unknown), so scheme minus national is not the difference total; the text
    says the totals over the practices with both payments, where they do reconcile."""
    from qofrules.render import run_text
    case = yaml.safe_load((CASES / "evaluation" / "retiring-in-full.yaml").read_text(encoding="utf-8"))
    result = evaluate_text(case["scheme"], case["data"], tmp_path)
    totals = result.totals
    assert (totals["practices"], totals["scheme_payment_unknown"], totals["national_payment_unknown"]) == (3, 0, 1)
    text = run_text(result)
    both = [p for p in result.practices if p.difference is not None]
    scheme = sum(p.scheme_payment for p in both)
    national = sum(p.national_payment for p in both)
    assert scheme - national == totals["difference"] and len(both) == 2
    assert (f"over the 2 practices with both payments: scheme £{scheme:,.2f}, national £{national:,.2f}, "
            f"difference +£{scheme - national:,.2f}") in text
