"""SARIF 2.1.0: the structure GitHub code scanning reads. The official JSON schema is not shipped
(no copy with its source is available here), so the parts we rely on are tested one by one."""
from __future__ import annotations

import json

from click.testing import CliRunner

from conftest import ROOT
from qofrules.cli import cli
from qofrules.rules import all_rules
from qofrules.sarif import artifact_uri, to_sarif
from validate_helpers import clean, validate_text


def _sarif(monkeypatch, *paths):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["validate", "--format", "sarif", *paths])
    return result.exit_code, json.loads(result.output)


def test_log_and_driver(monkeypatch):
    code, log = _sarif(monkeypatch, "schemes/2017-leeds.qof", "schemes/2014-somerset.qof")
    assert code == 1
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "qofrules"
    ids = [r["id"] for r in driver["rules"]]
    assert ids[: len(all_rules())] == [r.code for r in all_rules()] and len(set(ids)) == len(ids)
    for descriptor in driver["rules"]:
        assert descriptor["shortDescription"]["text"] and descriptor["fullDescription"]["text"]
        assert descriptor["help"]["text"]
        assert descriptor["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    assert run["properties"]["verdicts"] == [
        {"file": "schemes/2017-leeds.qof", "verdict": "rejected", "judged_as": "local alternative by a local body"},
        {"file": "schemes/2014-somerset.qof", "verdict": "accepted with warnings",
         "judged_as": "local variation agreed by the national commissioner"}]


def test_results_point_at_the_scheme_line(monkeypatch):
    _, log = _sarif(monkeypatch, "schemes/2017-leeds.qof")
    run = log["runs"][0]
    results = run["results"]
    mid_year = next(r for r in results if r["ruleId"] == "QV105")
    assert mid_year["level"] == "error" and "ten months into 2016/17" in mid_year["message"]["text"]
    assert run["tool"]["driver"]["rules"][mid_year["ruleIndex"]]["id"] == "QV105"
    (location,) = mid_year["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "schemes/2017-leeds.qof"
    assert physical["region"] == {"startLine": 17, "startColumn": 3, "endLine": 17, "endColumn": 33}
    for result in results:
        assert result["level"] in {"error", "warning", "note"}
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) > (region["startLine"], region["startColumn"])


def test_waived_findings_are_suppressed_not_dropped():
    text = clean('  waiver: QV103 granted by nhs-england on 2014-01-10 because "Date lost"\n').replace(" on 2014-01-20", "")
    log = to_sarif([validate_text(text)])
    (result,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "QV103"]
    assert result["level"] == "warning"
    assert result["suppressions"] == [{"kind": "inSource", "status": "accepted",
                                       "justification": "waiver granted on 2014-01-10: Date lost"}]


def test_check_errors_are_results_too():
    log = to_sarif([validate_text(clean().replace("lmc \"Lincolnshire\"", "lmx \"Lincolnshire\""))])
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["QR215"]


def test_artifact_uris_are_relative_forward_slashed_and_encoded():
    assert artifact_uri("schemes/2014 somerset.qof") == "schemes/2014%20somerset.qof"
    assert artifact_uri("schemes\\leeds.qof") == "schemes/leeds.qof"
    assert artifact_uri("/abs/leeds.qof") == "file:///abs/leeds.qof"
