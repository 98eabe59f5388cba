"""Reading input files safely: size limits, encodings, binary files.

Every file a user names goes through here, so the limits and the messages are the same for
schemes and data. Nothing here follows a path a file *mentions*; only paths a user typed.
"""
from __future__ import annotations

import os
from pathlib import Path

from .diagnostics import QofError, error
from .source import Source, Span

#: Limits, documented in docs/language.md ("Limits").
MAX_SCHEME_BYTES = 1 * 1024 * 1024
MAX_LINE_LENGTH = 2000
MAX_DATA_BYTES = 2 * 1024 * 1024 * 1024


def read_text(path: str | os.PathLike, *, max_bytes: int, what: str = "file") -> Source:
    """Read a UTF-8 text file into a :class:`Source`, refusing binary, oversize or undecodable files.

    A leading byte-order mark is dropped; CRLF line endings are kept (the grammar accepts them).
    """
    name = str(path)
    if name == "-":
        import sys
        data = sys.stdin.buffer.read(max_bytes + 1)
        name = "<stdin>"
    else:
        p = Path(path)
        try:
            if p.is_dir():
                raise _problem("QR002", name, f"this is a directory, not {_a(what)}")
            size = p.stat().st_size
            if size > max_bytes:
                raise _problem("QR005", name, f"the file is {size:,} bytes; {_a(what)} may be at most {max_bytes:,}")
            with p.open("rb") as handle:
                data = handle.read(max_bytes + 1)
        except FileNotFoundError:
            raise _problem("QR002", name, "no such file") from None
        except PermissionError:
            raise _problem("QR002", name, "permission denied") from None
        except OSError as exc:
            raise _problem("QR002", name, f"cannot read it ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise _problem("QR005", name, f"larger than {max_bytes:,} bytes, the limit for {_a(what)}")
    return decode(name, data, what=what)


def _a(what: str) -> str:
    """'a scheme file', 'an achievement file'."""
    return ("an " if what[:1].lower() in "aeiou" else "a ") + what


def _problem(code: str, name: str, message: str, hint: str | None = None, *, span: Span | None = None,
             text: str = "") -> QofError:
    return QofError([error(code, message, source=Source(name, text), span=span, hint=hint)])


#: Up to this many bytes before a bad byte are decoded again to show its line in the error.
_EXCERPT_BYTES = 16 * 1024 * 1024


def _at(data: bytes, offset: int) -> tuple[Span, str]:
    """The line and column of byte ``offset``, and the text up to the end of its line (bad bytes
    shown as U+FFFD) so the error can show the line with a caret; no text when that line is
    absurdly long or lies deep in a large file (the location alone is given then)."""
    # Lines end at CRLF, CR or LF, as Source counts them.
    line = data.count(b"\n", 0, offset) + data.count(b"\r", 0, offset) - data.count(b"\r\n", 0, offset) + 1
    start = max(data.rfind(b"\n", 0, offset), data.rfind(b"\r", 0, offset)) + 1
    ends = [i for i in (data.find(b"\n", offset), data.find(b"\r", offset)) if i >= 0]
    end = min(ends) if ends else len(data)
    column = len(data[start:offset].decode("utf-8", "replace")) + 1
    text = ""
    if offset <= _EXCERPT_BYTES and end - start <= MAX_LINE_LENGTH:
        text = data[:end].decode("utf-8", "replace")
    return Span.point(line, column), text


def decode(name: str, data: bytes, *, what: str = "file") -> Source:
    """``data`` as text: UTF-8, a leading byte-order mark dropped. NUL bytes (a binary file) and
    bytes that are not UTF-8 are refused with the line and column of the first one."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    data = data[bom:]
    nul = data.find(b"\x00")
    if nul >= 0:
        span, _ = _at(data, nul)  # no excerpt: the line of a binary file is noise
        article = "an" if what[:1].lower() in "aeiou" else "a"
        raise _problem("QR002", name, f"this looks like a binary file, not {article} {what} (it contains NUL bytes, "
                       f"the first on line {span.line})", span=span)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        span, excerpt = _at(data, exc.start)
        raise _problem("QR002", name, f"line {span.line} is not valid UTF-8 (byte 0x{data[exc.start]:02x} at "
                       f"offset {exc.start + bom})", hint="save the file as UTF-8", span=span, text=excerpt) from None
    return Source(name, text)
