"""``qofrules fmt --textconv FILE``: what git's textconv recipe shows of one version of a scheme
(docs/diff.md, "In git").

git runs the textconv command on every version it diffs, in ``git diff``, ``git log -p`` and
``git show``, and stops with "unable to read files to diff" (exit 128) when it fails: one old
version that does not parse would hide the history behind it. So a version that cannot be
formatted is shown as it is, after one marker line saying why, and the command always succeeds;
a version that is not UTF-8 text is shown with its undecodable bytes replaced, after the marker.
"""
from __future__ import annotations

from pathlib import Path

from .diagnostics import QofError
from .formatter import format_source
from .reading import MAX_SCHEME_BYTES, read_text

MARKER = "# qofrules fmt --textconv: {why}; shown as written, not in canonical form"


def _why(exc: QofError) -> str:
    d = exc.diagnostics[0]
    where = f" at line {d.span.line}, column {d.span.column}" if d.span is not None and d.span.line > 0 else ""
    return f"this version cannot be formatted ({d.code}{where}: {d.message})"


def textconv_output(path: str) -> str:
    try:
        source = read_text(path, max_bytes=MAX_SCHEME_BYTES, what="scheme file")
    except QofError as exc:
        try:
            with Path(path).open("rb") as handle:
                raw = handle.read(MAX_SCHEME_BYTES + 1)
        except OSError:
            raw = b""
        text = raw[:MAX_SCHEME_BYTES].decode("utf-8", "replace")
        if len(raw) > MAX_SCHEME_BYTES:
            text += "\n# qofrules fmt --textconv: (the rest of this version, past 1 MiB, is not shown)\n"
        return MARKER.format(why=_why(exc)) + "\n" + text + ("" if text.endswith("\n") or not text else "\n")
    try:
        return format_source(source)
    except QofError as exc:
        text = source.text
        return MARKER.format(why=_why(exc)) + "\n" + text + ("" if text.endswith("\n") or not text else "\n")
