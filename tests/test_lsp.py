"""The language server (``qofrules lsp``), driven over its protocol as an editor drives it: the
server runs as a subprocess and pygls's language client speaks JSON-RPC to it over standard
input and output. Diagnostics are compared with what ``qofrules check --format json`` prints for
the same file; formatting with what ``qofrules fmt`` prints; hover and completion with the
contract year, the bodies vocabulary and the validation rules they describe.
"""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from conftest import CASES, ROOT
from qofrules import bodies, contracts
from qofrules.rules import all_rules, find_rule

CLI = [sys.executable, "-c", "from qofrules.cli import main; main()"]
TIMEOUT = 60


def _uri(path: Path) -> str:
    return path.resolve().as_uri()


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, input=stdin, timeout=120, cwd=ROOT)


class Session:
    """One server process and a client connected to it, recording what the server sends unasked."""

    def __init__(self, encodings=(types.PositionEncodingKind.Utf16,)):
        self.client = LanguageClient("qofrules-tests", "1")
        self.encodings = list(encodings)
        self.diagnostics: dict[str, list[list[types.Diagnostic]]] = {}
        self.messages: list[types.ShowMessageParams] = []
        self.arrived = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams):
            self.diagnostics.setdefault(params.uri, []).append(params.diagnostics)
            self.arrived.set()

        @self.client.feature(types.WINDOW_SHOW_MESSAGE)
        def shown(params: types.ShowMessageParams):
            self.messages.append(params)
            self.arrived.set()

    async def __aenter__(self):
        await self.client.start_io(*CLI, "lsp", cwd=str(ROOT))
        capabilities = types.ClientCapabilities(general=types.GeneralClientCapabilities(position_encodings=self.encodings))
        self.initialized = await asyncio.wait_for(self.client.initialize_async(types.InitializeParams(
            capabilities=capabilities, process_id=None, root_uri=_uri(ROOT))), TIMEOUT)
        self.client.initialized(types.InitializedParams())
        return self

    async def __aexit__(self, *exc):
        await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
        self.client.exit(None)
        await asyncio.wait_for(self.client.stop(), TIMEOUT)

    async def wait_for(self, condition):
        async def poll():
            while not condition():
                self.arrived.clear()
                await self.arrived.wait()
        await asyncio.wait_for(poll(), TIMEOUT)

    async def open(self, path: Path, text: str | None = None) -> list[types.Diagnostic]:
        uri = _uri(path)
        before = len(self.diagnostics.get(uri, []))
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="qof", version=1, text=path.read_text(encoding="utf-8") if text is None else text)))
        await self.wait_for(lambda: len(self.diagnostics.get(uri, [])) > before)
        return self.diagnostics[uri][-1]

    async def change(self, path: Path, text: str, version: int) -> list[types.Diagnostic]:
        uri = _uri(path)
        before = len(self.diagnostics.get(uri, []))
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
        await self.wait_for(lambda: len(self.diagnostics.get(uri, [])) > before)
        return self.diagnostics[uri][-1]

    async def hover(self, path: Path, line: int, character: int) -> types.Hover | None:
        return await asyncio.wait_for(self.client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=_uri(path)),
            position=types.Position(line=line, character=character))), TIMEOUT)

    async def complete(self, path: Path, line: int, character: int) -> list[types.CompletionItem]:
        result = await asyncio.wait_for(self.client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=_uri(path)),
            position=types.Position(line=line, character=character))), TIMEOUT)
        return result.items if isinstance(result, types.CompletionList) else list(result or [])

    async def format(self, path: Path) -> list[types.TextEdit] | None:
        return await asyncio.wait_for(self.client.text_document_formatting_async(types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=_uri(path)),
            options=types.FormattingOptions(tab_size=2, insert_spaces=True))), TIMEOUT)


def run(coroutine):
    return asyncio.run(coroutine)


def _as_check_shows(diagnostic: types.Diagnostic) -> dict:
    """An LSP diagnostic in the terms of ``check --format json`` (1-based lines and columns)."""
    message, _, hint = diagnostic.message.partition("\nhint: ")
    severity = {types.DiagnosticSeverity.Error: "error", types.DiagnosticSeverity.Warning: "warning"}[diagnostic.severity]
    out = {"code": diagnostic.code, "severity": severity, "message": message}
    r = diagnostic.range
    if (r.start.line, r.start.character, r.end.line, r.end.character) != (0, 0, 0, 0):
        out.update(line=r.start.line + 1, column=r.start.character + 1, end_line=r.end.line + 1,
                   end_column=r.end.character + 1)
    if hint:
        out["hint"] = hint
    return out


def _check_json(*paths: Path) -> list[dict] | dict[Path, list[dict]]:
    """What ``check --format json`` reports for each file (one run for them all)."""
    done = _cli("check", "--format", "json", *map(str, paths))
    reports = json.loads(done.stdout)
    found = {path: [{k: v for k, v in d.items() if k not in ("file", "related")} for d in report["diagnostics"]]
             for path, report in zip(paths, reports)}
    return found[paths[0]] if len(paths) == 1 else found


# ------------------------------------------------------------------ the handshake

def test_initialize_says_what_the_server_offers():
    async def go():
        async with Session() as session:
            return session.initialized
    result = run(go())
    assert result.server_info.name == "qofrules"
    caps = result.capabilities
    assert caps.hover_provider and caps.document_formatting_provider
    assert caps.completion_provider is not None and " " in caps.completion_provider.trigger_characters
    assert caps.text_document_sync is not None
    assert caps.position_encoding == types.PositionEncodingKind.Utf16


# ------------------------------------------------------------------ diagnostics

def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None


#: The golden error cases an editor can hold as text (not those that are not UTF-8 at all).
ERROR_CASES = [p for p in sorted((CASES / "errors").glob("*.qof")) if _text(p) is not None]


def test_diagnostics_are_those_of_check_for_every_error_case():
    """Every golden error case: the same codes, severities, messages, hints and places as check."""
    assert len(ERROR_CASES) >= 20

    async def go():
        async with Session() as session:
            return {path: await session.open(path) for path in ERROR_CASES}
    got = run(go())
    everything = _check_json(*ERROR_CASES)
    for path in ERROR_CASES:
        expected = everything[path]
        assert expected, path
        assert [_as_check_shows(d) for d in got[path]] == expected, path.name
        assert all(d.source == "qofrules" for d in got[path])


def test_a_broken_scheme_gets_its_code_and_range_and_fixing_it_clears_them(tmp_path):
    text = (ROOT / "schemes" / "2017-leeds.qof").read_text(encoding="utf-8")
    broken = text.replace("pay: higher of (achievement in 2015/16, achievement)", "pay: higher of (achievment)")
    assert broken != text
    path = tmp_path / "leeds.qof"
    path.write_text(broken, encoding="utf-8")
    line = broken.split("\n").index("    pay: higher of (achievment)")

    async def go():
        async with Session() as session:
            opened = await session.open(path)
            fixed = await session.change(path, text, 2)
            return opened, fixed
    opened, fixed = run(go())
    found, = opened
    assert found.code == "QR001" and found.severity == types.DiagnosticSeverity.Error
    column = "    pay: higher of (achievment)".index("achievment")
    assert (found.range.start.line, found.range.start.character) == (line, column)
    assert (found.range.end.line, found.range.end.character) == (line, column + len("achievment"))
    assert "hint: did you mean 'achievement'?" in found.message
    assert list(fixed) == []


def test_an_unknown_indicator_is_reported_where_it_stands_with_check_s_hint(tmp_path):
    text = (ROOT / "schemes" / "2024-25-income-protection.qof").read_text(encoding="utf-8").replace("AST005", "AST05")
    path = tmp_path / "protection.qof"
    path.write_text(text, encoding="utf-8")

    async def go():
        async with Session() as session:
            return await session.open(path)
    got = run(go())
    assert [_as_check_shows(d) for d in got] == _check_json(path)
    unknown = [d for d in got if "AST05" in d.message]
    assert unknown, got
    lines = text.split("\n")
    r = unknown[0].range
    assert lines[r.start.line][r.start.character:r.end.character] == "AST05"


def test_a_document_over_the_limits_gets_check_s_refusal(tmp_path):
    """The editor's text is held to the limits a file is (docs/limits.md): too large, or binary."""
    big = tmp_path / "big.qof"
    big.write_text('scheme big "Big"\n' + "# padding\n" * 120_000, encoding="utf-8")
    binary = tmp_path / "nul.qof"
    binary.write_text('scheme nul "NUL"\n  contract: england\x00 2013/14\n', encoding="utf-8")

    async def go():
        async with Session() as session:
            return await session.open(big), await session.open(binary)
    got_big, got_binary = run(go())
    expected = _check_json(big, binary)
    assert [_as_check_shows(d) for d in got_big] == expected[big] and expected[big][0]["code"] == "QR005"
    assert [_as_check_shows(d) for d in got_binary] == expected[binary] and expected[binary][0]["code"] == "QR002"


def test_lines_end_only_where_the_protocol_says(tmp_path):
    """A form feed or U+2028 inside a quoted text is no line end to LSP or to the grammar (Python's
    splitlines would say it is): the diagnostic below it stays on its line."""
    text = 'scheme odd "A \u2028 separator and a \x0c form feed"\n  contract: england 2013/14\n  pays for: whole yaer\n'
    path = tmp_path / "odd.qof"
    path.write_text(text, encoding="utf-8", newline="")

    async def go():
        async with Session() as session:
            return await session.open(path)
    got = run(go())
    assert [_as_check_shows(d) for d in got] == _check_json(path)
    assert got[0].range.start.line == 2


def test_columns_are_in_the_client_s_units(tmp_path):
    """After a character outside the Basic Multilingual Plane, UTF-16 counts two units where
    check counts one character; a client that asks for UTF-32 gets check's count."""
    text = 'scheme emoji "🩺 clinic"\n  contract: england 2013/14\n  pays for: whole yaer\n'
    text = text.replace('"🩺 clinic"\n', '"🩺 clinic" oops\n')
    path = tmp_path / "emoji.qof"
    path.write_text(text, encoding="utf-8")
    expected = _check_json(path)[0]
    assert expected["code"] == "QR001" and expected["line"] == 1

    async def go(encoding):
        async with Session((encoding,)) as session:
            assert session.initialized.capabilities.position_encoding == encoding
            return await session.open(path)
    utf16 = run(go(types.PositionEncodingKind.Utf16))[0]
    utf32 = run(go(types.PositionEncodingKind.Utf32))[0]
    assert utf32.range.start.character == expected["column"] - 1
    assert utf16.range.start.character == expected["column"] - 1 + 1   # the stethoscope is two UTF-16 units


# ------------------------------------------------------------------ hover

def _position_of(text: str, line_start: str, word: str) -> tuple[int, int]:
    lines = text.split("\n")
    number = next(i for i, line in enumerate(lines) if line.lstrip().startswith(line_start) and word in line)
    return number, lines[number].index(word) + 1


def test_hover_on_an_indicator_group_body_and_contract_year():
    path = ROOT / "schemes" / "2024-25-income-protection.qof"
    text = path.read_text(encoding="utf-8")
    year = contracts.load("england", "2024/25")
    code = "CAN001"
    indicator = year.indicators[code]

    async def go():
        async with Session() as session:
            await session.open(path)
            return (await session.hover(path, *_position_of(text, "applies to:", code)),
                    await session.hover(path, *_position_of(text, "contract:", "2024/25")),
                    await session.hover(path, *_position_of(text, "approved:", "nhs-england")),
                    await session.hover(path, *_position_of(text, "rule", "rule")))
    on_code, on_year, on_body, on_keyword = run(go())
    said = on_code.contents.value
    assert said.startswith(f"**{code}**: indicator, england 2024/25")
    assert indicator.description in said and f"group: {indicator.group}" in said
    assert ("points: unknown" in said) == (indicator.points.value is None)
    lines = text.split("\n")
    r = on_code.range
    assert lines[r.start.line][r.start.character:r.end.character] == code
    assert year.title in on_year.contents.value and year.listed in on_year.contents.value
    assert bodies.kinds()["nhs-england"]["description"] in on_body.contents.value
    assert on_keyword is None


def test_hover_on_a_group_a_waiver_s_rule_and_a_known_figure(tmp_path):
    rule = find_rule("QV104")
    year = contracts.load("england", "2023/24")
    known = next(i for i in year.indicators.values() if i.points.value is not None)
    text = (f'scheme hover "Hover"\n  contract: england 2023/24\n'
            f'  waiver: QV104 granted by nhs-england "National" on 2023-05-01 because "test"\n\n'
            f'  rule "One":\n    applies to: groups {known.group} except indicators {known.code}\n    pay: achievement\n')
    path = tmp_path / "hover.qof"
    path.write_text(text, encoding="utf-8")

    async def go():
        async with Session() as session:
            await session.open(path)
            return (await session.hover(path, 2, text.split("\n")[2].index("QV104") + 2),
                    await session.hover(path, 5, text.split("\n")[5].index(known.group) + 1),
                    await session.hover(path, 5, text.split("\n")[5].index(known.code) + 1))
    on_rule, on_group, on_code = run(go())
    assert on_rule.contents.value.startswith(f"**QV104** ({rule.name}): {rule.title}")
    assert rule.source in on_rule.contents.value
    assert year.groups[known.group].description in on_group.contents.value
    assert f"points: {known.points.value} ({known.points.status}; source: {known.points.source})" in on_code.contents.value


def test_hover_works_on_a_line_while_another_line_is_broken(tmp_path):
    text = ('scheme half "Half typed"\n  contract: england 2023/24\n  area: lmc\n  eligible when: practice\n\n'
            '  rule "One":\n    applies to: indicators AF001\n    pay: higher of (\n')
    path = tmp_path / "half.qof"
    path.write_text(text, encoding="utf-8")

    async def go():
        async with Session() as session:
            diagnostics = await session.open(path)
            return diagnostics, await session.hover(path, 6, text.split("\n")[6].index("AF001") + 1)
    diagnostics, on_code = run(go())
    assert diagnostics and diagnostics[0].code == "QR001"
    assert on_code.contents.value.startswith("**AF001**: indicator, england 2023/24")


# ------------------------------------------------------------------ completion

def test_completion_offers_the_grammar_s_words_and_the_year_s_names(tmp_path):
    text = ('scheme typing "Being typed"\n  contract: england 2023/24\n  \n  area: \n\n'
            '  rule "One":\n    applies to: indicators \n    applies to: groups \n    \n')
    path = tmp_path / "typing.qof"
    path.write_text(text, encoding="utf-8")
    lines = text.split("\n")
    year = contracts.load("england", "2023/24")

    async def go():
        async with Session() as session:
            await session.open(path)
            return {name: await session.complete(path, line, len(lines[line]))
                    for name, line in (("header", 2), ("body", 3), ("codes", 6), ("groups", 7), ("rule field", 8))}
    got = run(go())
    labels = {name: {item.label for item in items} for name, items in got.items()}
    assert {"contract:", "area:", "approved:", "eligible when:", "pays for: whole year", "rule"} <= labels["header"]
    assert "applies to:" not in labels["header"]
    assert {"applies to:", "pay:", "reporting: as usual", "reporting: not required", "on request:",
            "rule"} <= labels["rule field"]
    assert not {"contract:", "area:", "eligible when:"} & labels["rule field"]  # header fields: not in a rule
    assert labels["codes"] >= set(year.indicators)
    assert labels["groups"] >= set(year.groups)
    assert labels["body"] >= set(bodies.kinds())
    detail = next(item for item in got["codes"] if item.label == "AF001")
    assert detail.detail == year.indicators["AF001"].description
    assert detail.text_edit.range.start == types.Position(line=6, character=len(lines[6]))


def test_a_local_indicator_is_described_and_offered_and_its_block_knows_its_fields():
    """Hammersmith and Fulham's QOF+ defines an indicator of its own: hover says so, completion
    offers it after 'indicators', and a line inside its block is offered its fields."""
    path = ROOT / "schemes" / "2008-09-hammersmith-fulham-qof-plus.qof"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    code_line = next(i for i, line in enumerate(lines) if line.lstrip().startswith("local indicator "))
    code = lines[code_line].split()[2]
    measure_line = next(i for i, line in enumerate(lines) if line.lstrip().startswith("measure:"))
    applies_line = next(i for i, line in enumerate(lines) if line.lstrip().startswith("applies to:"))

    async def go():
        async with Session() as session:
            await session.open(path)
            on_code = await session.hover(path, code_line, lines[code_line].index(code) + 1)
            edited = lines[:measure_line] + ["    "] + lines[measure_line + 1:applies_line] + \
                ["    applies to: indicators "] + lines[applies_line + 1:]
            await session.change(path, "\n".join(edited), 2)
            return (on_code, await session.complete(path, measure_line, 4),
                    await session.complete(path, applies_line, len("    applies to: indicators ")))
    on_code, in_block, after_indicators = run(go())
    assert on_code.contents.value.startswith(f"**{code}**: the scheme's own indicator")
    assert {"measure: percentage", "measure: register", "target:", "price:"} <= {i.label for i in in_block}
    assert "applies to:" not in {i.label for i in in_block}
    assert code in [i.label for i in after_indicators]


def test_completion_of_a_word_begun_replaces_it(tmp_path):
    text = 'scheme typing "Being typed"\n  contract: england 2023/24\n  elig\n  waiver: QV1\n'
    path = tmp_path / "begun.qof"
    path.write_text(text, encoding="utf-8")

    async def go():
        async with Session() as session:
            await session.open(path)
            return await session.complete(path, 2, 6), await session.complete(path, 3, 13)
    header, waiver = run(go())
    eligible = next(item for item in header if item.label == "eligible when:")
    assert eligible.text_edit.range.start.character == 2 and eligible.text_edit.range.end.character == 6
    assert {item.label for item in waiver} >= {r.code for r in all_rules()}


# ------------------------------------------------------------------ formatting

def test_formatting_is_fmt_s(tmp_path):
    source = CASES / "format" / "header-fields.qof"
    text = source.read_text(encoding="utf-8")
    path = tmp_path / "messy.qof"
    path.write_text(text, encoding="utf-8")
    expected = _cli("fmt", str(path))
    assert expected.returncode == 0 and expected.stdout != text

    async def go():
        async with Session() as session:
            await session.open(path)
            return await session.format(path)
    edit, = run(go())
    assert edit.range.start == types.Position(line=0, character=0)
    assert text.endswith("\n") and edit.range.end == types.Position(line=text.count("\n"), character=0)
    assert edit.new_text == expected.stdout


def test_formatting_a_scheme_that_does_not_parse_changes_nothing_and_says_why(tmp_path):
    path = tmp_path / "broken.qof"
    path.write_text('scheme broken "Broken"\n  contract england 2013/14\n', encoding="utf-8")
    refused = _cli("fmt", str(path))
    assert refused.returncode == 2

    async def go():
        async with Session() as session:
            await session.open(path)
            edits = await session.format(path)
            await session.wait_for(lambda: session.messages)
            return edits, session.messages
    edits, messages = run(go())
    assert not edits
    assert "QR001" in messages[0].message and f"{path}:2:" in messages[0].message
    assert messages[0].message.split("] ", 1)[1].splitlines()[0] in refused.stderr
