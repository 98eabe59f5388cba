"""``--format github`` (GitHub Actions workflow commands) and ``--format junit`` (JUnit XML) for
check and validate: golden files (tests/cases/formats/, QOFRULES_UPDATE_GOLDEN=1 rewrites them),
the JUnit files read back with a real JUnit reader (junitparser), and every annotation read back
as the Actions runner reads it and compared with the JSON output's findings."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from junitparser import Error, Failure, JUnitXml, Skipped

from conftest import CASES, ROOT, assert_golden
from qofrules.cli import cli

FORMATS = CASES / "formats"
CHECKED = ["tests/cases/errors/months-run-partial.qof", "tests/cases/errors/two-all-other.qof",
           "schemes/2014-somerset.qof", "tests/cases/validate/does-not-parse.qof"]
VALIDATED = ["schemes/2017-leeds.qof", "tests/cases/validate/unknown-body.qof", "tests/cases/validate/waivers.qof",
             "schemes/2023-24-register-protection.qof", "tests/cases/validate/does-not-parse.qof"]
FILES = {"check": CHECKED, "validate": VALIDATED}


def _run(monkeypatch, command: str, fmt: str, *extra: str):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, [command, "--format", fmt, "--isolated", *extra, *FILES[command]])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize("command", ["check", "validate"])
@pytest.mark.parametrize("fmt", ["github", "junit"])
def test_output_is_golden(monkeypatch, command, fmt):
    result = _run(monkeypatch, command, fmt)
    assert result.exit_code == 2  # a file does not parse: the same exit as text
    got = result.output
    golden = FORMATS / f"{command}.{fmt}.expected"
    assert_golden(got, golden)


def _findings(monkeypatch, command):
    plain = json.loads(_run(monkeypatch, command, "json").output)
    key = "diagnostics" if command == "check" else "findings"
    return [(r["file"], d) for r in plain for d in r[key]]


def _unescape(text: str) -> str:
    return text.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


ANNOTATION = re.compile(r"^::(error|warning|notice) (.*?)::(.*)$")


def _annotations(text: str) -> list[tuple[str, dict, str]]:
    out = []
    for line in text.splitlines():
        found = ANNOTATION.match(line)
        if found:
            props = dict(p.split("=", 1) for p in found.group(2).split(","))
            out.append((found.group(1), {k: _unescape(v) for k, v in props.items()}, _unescape(found.group(3))))
    return out


@pytest.mark.parametrize("command", ["check", "validate"])
def test_each_finding_is_one_annotation_at_its_place(monkeypatch, command):
    annotations = _annotations(_run(monkeypatch, command, "github").output)
    findings = _findings(monkeypatch, command)
    assert len(annotations) == len(findings) >= 5
    levels = {"error": "error", "warning": "warning", "cannot-judge": "notice", "waived": "notice"}
    for (level, props, message), (file, d) in zip(annotations, findings):
        assert level == levels[d["severity"]]
        assert props["file"] == file
        assert props["title"].split()[0] == d["code"]
        if "line" in d:
            assert (int(props["line"]), int(props["col"])) == (d["line"], d["column"])
        assert d["message"] in message
        if d.get("hint"):
            assert f"hint: {d['hint']}" in message
    assert {a[0] for a in annotations} == ({"error", "warning"} if command == "check" else {"error", "warning", "notice"})


def test_annotation_values_are_escaped_as_the_runner_reads_them():
    from qofrules.annotations import escape_data, escape_property
    assert escape_data("50% of it\nnext\r") == "50%25 of it%0Anext%0D"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


@pytest.mark.parametrize("command", ["check", "validate"])
def test_junit_reads_back_with_a_junit_reader(monkeypatch, tmp_path, command):
    out = tmp_path / "report.xml"
    result = _run(monkeypatch, command, "junit", "-o", str(out))
    assert result.exit_code == 2
    xml = JUnitXml.fromfile(str(out))
    suites = list(xml)
    assert [s.name for s in suites] == FILES[command]
    findings = _findings(monkeypatch, command)
    cases = [(suite.name, case) for suite in suites for case in suite]
    by_file = {f: [d for g, d in findings if g == f] for f in FILES[command]}
    for suite in suites:
        mine = by_file[suite.name]
        got = list(suite)
        if not mine:  # a clean file is one passing case
            assert len(got) == 1 and got[0].is_passed
            continue
        assert len(got) == len(mine)
        for case, d in zip(got, mine):
            assert case.name.startswith(d["code"]) and d["message"] in case.name
            kinds = {type(r) for r in case.result}
            if d["severity"] == "error":
                assert kinds == ({Error} if suite.name.endswith("does-not-parse.qof") else {Failure})
                assert case.result[0].type == d["code"]
            elif d["severity"] == "cannot-judge":
                assert kinds == {Skipped}
            else:
                assert case.is_passed and d["message"] in case.system_out
        assert suite.failures == sum(1 for d in mine if d["severity"] == "error") - suite.errors
    assert xml.tests == len(cases)
    if command == "validate":
        verdicts = {s.name: {p.name: p.value for p in s.properties()}["verdict"] for s in suites}
        assert verdicts["schemes/2017-leeds.qof"] == "rejected"
        assert verdicts["tests/cases/validate/waivers.qof"] == "accepted with warnings"


def test_junit_holds_no_character_xml_cannot(monkeypatch, tmp_path):
    from qofrules.annotations import FileResult, Item, junit
    from qofrules.diagnostics import error
    xml = junit([FileResult("x.qof", (Item("x.qof", error("QR001", "unexpected character '\x07'"), "error"),))], "check")
    out = tmp_path / "r.xml"
    out.write_text(xml, encoding="utf-8")
    (suite,) = JUnitXml.fromfile(str(out))
    (case,) = suite
    assert "\\x07" in case.name
