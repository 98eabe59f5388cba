"""The language server: pygls features over the check pipeline, the formatter, hover and completion.

Positions: qofrules counts columns in characters (code points); LSP clients count in the encoding
agreed at initialisation (UTF-16 unless the client offers another). pygls's position codec turns
one into the other, so a diagnostic after an emoji or a non-BMP character still lands on its word.
Lines are split as the LSP and the grammar split them (CR, LF, CRLF only: ``split_lines``), not as
Python's ``splitlines`` does (which also breaks at form feeds and U+2028); for the same reason the
server asks for the whole text on every change rather than edits to apply at line positions.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from .. import __version__, api
from ..diagnostics import CANNOT_JUDGE, ERROR, WARNING, Diagnostic, QofError, resolve_hint, error
from ..formatter import format_source
from ..reading import MAX_SCHEME_BYTES, decode
from ..source import Source, split_lines
from . import completion, context, describe, hover

SEVERITY = {ERROR: types.DiagnosticSeverity.Error, WARNING: types.DiagnosticSeverity.Warning,
            CANNOT_JUDGE: types.DiagnosticSeverity.Information}
#: What diagnostics name as their source, as a compiler's name stands beside its messages.
SOURCE = "qofrules"


@dataclass(frozen=True)
class Analysis:
    """One version of one document, checked."""

    source: Source
    report: api.CheckReport


def document_name(uri: str) -> str:
    """The file name diagnostics and formatting refusals give: the path, as ``check`` would show it."""
    return to_fs_path(uri) or uri


def read_document(name: str, text: str) -> Source:
    """The editor's text as ``check`` would read the file: at most MAX_SCHEME_BYTES, no NUL bytes,
    a byte-order mark dropped (QofError otherwise, as reading the file would raise)."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > MAX_SCHEME_BYTES:
        raise QofError([error("QR005", f"the file is {len(data):,} bytes; a scheme file may be at most "
                              f"{MAX_SCHEME_BYTES:,}", source=Source(name, ""))])  # as read_text says it
    return decode(name, data, what="scheme file")


def analyse(name: str, text: str) -> Analysis:
    try:
        source = read_document(name, text)
    except QofError as exc:
        source = Source(name, "")
        return Analysis(source, api.CheckReport(source=source, scheme=None, contract=None,
                                                diagnostics=exc.diagnostics, syntax_error=True))
    return Analysis(source, api.check_source(source))


class QofLanguageServer(LanguageServer):
    def __init__(self):
        super().__init__("qofrules", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.analyses: dict[str, Analysis] = {}

    def range_of(self, document: TextDocument, span) -> types.Range:
        """A qofrules span (1-based, in characters, end exclusive) as an LSP range in client units."""
        if span is None:
            return types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
        server_range = types.Range(start=types.Position(line=span.line - 1, character=span.column - 1),
                                   end=types.Position(line=span.end_line - 1, character=span.end_column - 1))
        return self.to_client(document, server_range)

    def to_client(self, document: TextDocument, server_range: types.Range) -> types.Range:
        """A range in characters as a range in the client's units. A place just past a line's end
        (where check points at a line that ends too early) stays there, as check shows it, rather
        than being pulled back onto the line's last character."""
        lines = split_lines(document.source)
        codec = self.workspace.position_codec

        def convert(position: types.Position) -> types.Position:
            text = lines[position.line] if position.line < len(lines) else ""
            column = codec.client_num_units(text[:position.character]) + max(0, position.character - len(text))
            return types.Position(line=position.line, character=column)

        return types.Range(start=convert(server_range.start), end=convert(server_range.end))

    def whole(self, document: TextDocument) -> types.Range:
        """The range of all of the document's text, in the client's units."""
        lines = split_lines(document.source)
        if not lines:
            end = types.Position(line=0, character=0)
        elif document.source.endswith(("\n", "\r")):
            end = types.Position(line=len(lines), character=0)
        else:
            end = types.Position(line=len(lines) - 1, character=len(lines[-1]))
        return self.to_client(document, types.Range(start=types.Position(line=0, character=0), end=end))

    def lsp_diagnostic(self, document: TextDocument, found: Diagnostic) -> types.Diagnostic:
        hint = resolve_hint(found.hint)
        related = [types.DiagnosticRelatedInformation(
            location=types.Location(uri=document.uri, range=self.range_of(document, r.span)), message=r.message)
            for r in found.related]
        return types.Diagnostic(range=self.range_of(document, found.span), message=found.message + (
            f"\nhint: {hint}" if hint else ""), severity=SEVERITY.get(found.severity, types.DiagnosticSeverity.Error),
            code=found.code, source=SOURCE, related_information=related or None)

    def check(self, uri: str) -> None:
        """Check the document as it is now and publish what was found (every open and change)."""
        document = self.workspace.get_text_document(uri)
        analysis = analyse(document_name(uri), document.source)
        self.analyses[uri] = analysis
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=document.version,
            diagnostics=[self.lsp_diagnostic(document, d) for d in analysis.report.diagnostics]))

    def contract_of(self, uri: str, text: str):
        """The contract year the document names: from its check when it parsed, else from its text."""
        analysis = self.analyses.get(uri)
        if analysis is not None and analysis.report.contract is not None and analysis.source.text == text:
            return analysis.report.contract
        named = context.contract_named(text)
        return describe.load_contract(*named) if named else None

    def lines_and_position(self, document: TextDocument, position: types.Position) -> tuple[list[str], int, int]:
        lines = split_lines(document.source)
        here = self.workspace.position_codec.position_from_client_units(lines, position)
        return lines, here.line, here.character


server = QofLanguageServer()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: QofLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.check(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: QofLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.check(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: QofLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.check(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: QofLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.analyses.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


@server.feature(types.TEXT_DOCUMENT_HOVER)
def on_hover(ls: QofLanguageServer, params: types.HoverParams) -> types.Hover | None:
    document = ls.workspace.get_text_document(params.text_document.uri)
    lines, line, column = ls.lines_and_position(document, params.position)
    found = hover.hover_text(lines, line, column, ls.contract_of(document.uri, document.source),
                             context.local_indicators(document.source))
    if found is None:
        return None
    text, (at, start, end) = found
    server_range = types.Range(start=types.Position(line=at, character=start), end=types.Position(line=at, character=end))
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                       range=ls.to_client(document, server_range))


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[" ", ",", ":"]))
def on_completion(ls: QofLanguageServer, params: types.CompletionParams) -> types.CompletionList:
    document = ls.workspace.get_text_document(params.text_document.uri)
    lines, line, column = ls.lines_and_position(document, params.position)

    def to_client(start_line, start, end_line, end):
        server_range = types.Range(start=types.Position(line=start_line, character=start),
                                   end=types.Position(line=end_line, character=end))
        return ls.to_client(document, server_range)

    items = completion.complete(lines, line, column, ls.contract_of(document.uri, document.source), to_client,
                                context.local_indicators(document.source))
    return types.CompletionList(is_incomplete=False, items=items)


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
def on_formatting(ls: QofLanguageServer, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
    """``qofrules fmt``'s canonical form, as one edit of the whole document; nothing (and a message
    saying why) for a document with a syntax error, as fmt refuses it."""
    document = ls.workspace.get_text_document(params.text_document.uri)
    name = document_name(document.uri)
    try:
        formatted = format_source(read_document(name, document.source))
    except QofError as exc:
        first = exc.diagnostics[0]
        ls.window_show_message(types.ShowMessageParams(
            type=types.MessageType.Warning,
            message=f"qofrules fmt: not formatted: {first.location}: {first.severity}[{first.code}] {first.message}"))
        return None
    if formatted == document.source:
        return []
    return [types.TextEdit(range=ls.whole(document), new_text=formatted)]


@functools.lru_cache(maxsize=1)
def _ready() -> bool:
    """Build the parser before the first request, not during the first keystroke."""
    from .. import syntax
    syntax.parser()
    return True


def serve() -> None:
    """Serve over standard input and output until the client says exit."""
    _ready()
    server.start_io()
