"""Reading input files safely: size limits, encodings, binary files.

Every file a user names goes through here, so the limits and the messages are the same for
schemes and data. Nothing here follows a path a file *mentions*; only paths a user typed.
"""
from __future__ import annotations

import os
from pathlib import Path

from .diagnostics import QofError, error
from .source import Source

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
                raise _problem("QR002", name, f"this is a directory, not a {what}")
            size = p.stat().st_size
            if size > max_bytes:
                raise _problem("QR005", name, f"the file is {size:,} bytes; a {what} may be at most {max_bytes:,}")
            with p.open("rb") as handle:
                data = handle.read(max_bytes + 1)
        except FileNotFoundError:
            raise _problem("QR002", name, "no such file") from None
        except PermissionError:
            raise _problem("QR002", name, "permission denied") from None
        except OSError as exc:
            raise _problem("QR002", name, f"cannot read it ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise _problem("QR005", name, f"larger than {max_bytes:,} bytes, the limit for a {what}")
    return decode(name, data, what=what)


def _problem(code: str, name: str, message: str, hint: str | None = None) -> QofError:
    return QofError([error(code, message, source=Source(name, ""), hint=hint)])


def decode(name: str, data: bytes, *, what: str = "file") -> Source:
    if b"\x00" in data:
        raise _problem("QR002", name, f"this looks like a binary file, not a {what} (it contains NUL bytes)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _problem("QR002", name, f"line {line} is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                       f"{exc.start})", hint="save the file as UTF-8") from None
    return Source(name, text)
