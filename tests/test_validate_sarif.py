"""SARIF 2.1.0: every log qofrules writes (check and validate, files and stdin) is valid under the
official OASIS schema (tests/reference/sarif-schema-2.1.0.json, its source in
tests/reference/SOURCES.md), and the parts GitHub code scanning reads are tested one by one:
rule entries with helpUri for every result, partialFingerprints, UTF-16 columns."""
from __future__ import annotations

import json
import os

import pytest
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


def _schema_validator():
    import jsonschema
    schema = json.loads((ROOT / "tests" / "reference" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def _invoke(monkeypatch, args, stdin=None):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, args, input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize("command", ["check", "validate"])
def test_every_log_is_valid_under_the_official_schema(monkeypatch, tmp_path, command):
    validator = _schema_validator()
    broken = tmp_path / "broken.qof"
    broken.write_text(clean().replace("lmc \"Lincolnshire\"", "lmx \"Lincolnshire\""), encoding="utf-8")
    syntax = tmp_path / "syntax.qof"
    syntax.write_text("scheme x \"X\"\n  contract england 2023/24\n", encoding="utf-8")
    result = _invoke(monkeypatch, [command, "--format", "sarif", "schemes/", str(broken), str(syntax)])
    log = json.loads(result.output)
    errors = sorted(validator.iter_errors(log), key=str)
    assert errors == [], errors[0].message
    assert {r["ruleId"] for r in log["runs"][0]["results"]} >= {"QR215", "QR001"}


def test_every_result_has_a_rule_entry_with_a_help_uri(monkeypatch, tmp_path):
    syntax = tmp_path / "syntax.qof"
    syntax.write_text("scheme x \"X\"\n  contract england 2023/24\n", encoding="utf-8")
    log = json.loads(_invoke(monkeypatch, ["validate", "--format", "sarif", "schemes/", str(syntax)]).output)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    syntax_rule = next(r for r in rules if r["id"] == "QR001")
    assert syntax_rule["shortDescription"]["text"] == "Syntax error."
    assert syntax_rule["helpUri"] == (
        "https://github.com/qofrules/qofrules/blob/main/docs/diagnostics.md#reading-syntax-and-output-qr0xx")
    assert all(r.get("helpUri") for r in rules)


def _anchors(page: str) -> set[str]:
    from qofrules.codes import anchor
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    return {anchor(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def test_every_help_uri_leads_to_a_section_of_the_docs():
    from qofrules.codes import DOCS_URL, shipped
    from qofrules.sarif import descriptors
    anchors = {page: _anchors(page) for page in ("rules.md", "diagnostics.md")}
    entries = descriptors(shipped())  # every validation rule and every documented code
    assert len(entries) > len(all_rules()) + 60
    for entry in entries:
        page, _, section = entry["helpUri"].removeprefix(DOCS_URL).partition("#")
        assert section in anchors[page], entry["helpUri"]


def test_the_shipped_code_table_is_docs_diagnostics_md():
    """qofrules/diagnostic-codes.json is made from docs/diagnostics.md; QOFRULES_UPDATE_GOLDEN=1
    remakes it after the page changes."""
    from qofrules import codes
    made = codes.to_json(codes.from_markdown((ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")))
    shipped_file = ROOT / "qofrules" / codes.CODES_FILE
    if os.environ.get("QOFRULES_UPDATE_GOLDEN"):
        shipped_file.write_text(made, encoding="utf-8")
    assert shipped_file.read_text(encoding="utf-8") == made


def test_fingerprints_follow_a_finding_that_moves(monkeypatch, tmp_path):
    text = clean().replace("lmc \"Lincolnshire\"", "lmx \"Lincolnshire\"")
    first, moved = tmp_path / "a" / "s.qof", tmp_path / "b" / "s.qof"
    first.parent.mkdir()
    moved.parent.mkdir()
    first.write_text(text, encoding="utf-8")
    moved.write_text("# a comment that moves every line down\n# and another\n" + text, encoding="utf-8")
    monkeypatch.chdir(first.parent)
    before = json.loads(CliRunner().invoke(cli, ["check", "--format", "sarif", "s.qof"]).output)["runs"][0]["results"]
    monkeypatch.chdir(moved.parent)
    after = json.loads(CliRunner().invoke(cli, ["check", "--format", "sarif", "s.qof"]).output)["runs"][0]["results"]
    (b,), (a,) = before, after
    assert a["locations"][0]["physicalLocation"]["region"]["startLine"] == \
        b["locations"][0]["physicalLocation"]["region"]["startLine"] + 2
    assert a["partialFingerprints"] == b["partialFingerprints"]
    assert set(b["partialFingerprints"]) == {"qofrules/v1"}


def test_two_identical_findings_have_different_fingerprints():
    text = clean().replace("lmc \"Lincolnshire\"", "lmx \"Lincolnshire\", lmx \"Lincolnshire\"")
    results = to_sarif([validate_text(text)])["runs"][0]["results"]
    prints = [r["partialFingerprints"]["qofrules/v1"] for r in results if r["ruleId"] == "QR215"]
    assert len(prints) == 2 and len(set(prints)) == 2


def test_columns_are_utf16_code_units(monkeypatch, tmp_path):
    # '£' is one UTF-16 unit, the emoji two: the finding after them moves right by one more unit
    # than characters in SARIF, while the text output counts characters.
    text = clean().replace('"Retiring points paid in full"', '"£ paid in full 🙂"').replace(
        "lmc \"Lincolnshire\"", "lmx \"Lincolnshire\"")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "lmx" in l)
    text = text.replace('scheme lincs-llr-2014 "', 'scheme lincs-llr-2014 "🙂 ')
    scheme = tmp_path / "s.qof"
    scheme.write_text(text.replace("lmx \"Lincolnshire\"", "lmc \"🙂\", lmx \"Lincolnshire\""), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    log = json.loads(CliRunner().invoke(cli, ["check", "--format", "sarif", "s.qof"]).output)
    assert log["runs"][0]["columnKind"] == "utf16CodeUnits"
    (result,) = log["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    shown = CliRunner().invoke(cli, ["check", "--format", "json", "s.qof"]).output
    (diagnostic,) = json.loads(shown)[0]["diagnostics"]
    assert region["startLine"] == diagnostic["line"] == line
    assert region["startColumn"] == diagnostic["column"] + 1   # the emoji before it is 2 units, 1 character
    assert region["endColumn"] - region["startColumn"] == diagnostic["end_column"] - diagnostic["column"]


def test_utf16_column_arithmetic():
    from qofrules.sarif import utf16_column
    assert utf16_column("abc", 3) == 3
    assert utf16_column("£bc", 3) == 3
    assert utf16_column("🙂bc", 2) == 3
    assert utf16_column("ab", 5) == 5  # past the end of the line: one unit per column


def test_stdin_findings_are_located_at_the_stdin_filename(monkeypatch):
    text = (ROOT / "schemes" / "2017-leeds.qof").read_text(encoding="utf-8")
    named = json.loads(_invoke(monkeypatch, ["validate", "--format", "sarif", "--stdin-filename",
                                             "schemes/2017-leeds.qof", "-"], stdin=text).output)
    from_file = json.loads(_invoke(monkeypatch, ["validate", "--format", "sarif", "schemes/2017-leeds.qof"]).output)
    assert named["runs"][0]["results"] == from_file["runs"][0]["results"]
    unnamed = json.loads(_invoke(monkeypatch, ["validate", "--format", "sarif", "-"], stdin=text).output)
    assert all("locations" not in r for r in unnamed["runs"][0]["results"])
    assert errors_free(named) and errors_free(unnamed)


def errors_free(log) -> bool:
    return not list(_schema_validator().iter_errors(log))


def test_artifact_uris_are_relative_forward_slashed_and_encoded():
    assert artifact_uri("schemes/2014 somerset.qof") == "schemes/2014%20somerset.qof"
    assert artifact_uri("schemes\\leeds.qof") == "schemes/leeds.qof"
    assert artifact_uri("/abs/leeds.qof") == "file:///abs/leeds.qof"
