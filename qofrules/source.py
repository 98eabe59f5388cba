"""Source text and positions.

Every diagnostic points into a :class:`Source`; keeping the text here (not in the parser) lets
checks that run long after parsing still show the offending line with a caret.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_LINE_END = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """``text`` split at CRLF, CR and LF only, like ``str.splitlines`` without its extra breaks.

    ``str.splitlines`` also breaks at form feed, U+0085, U+2028 and other separators; the grammar
    (and the ``csv`` module) do not, so counting lines that way would put a diagnostic's line
    number and its excerpt on different lines. A bare CR is a line end here because ``csv``
    treats it as one; in a scheme it is a syntax error, reported at that point.
    """
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@dataclass(frozen=True, kw_only=True)
class Span:
    """A region of a source: 1-based line and column of its start, and of its end (exclusive)."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int) -> "Span":
        return cls(line=line, column=column, end_line=line, end_column=column + 1)

    def __repr__(self) -> str:  # short, because ASTs print a great many of them
        return f"Span({self.line}:{self.column}-{self.end_line}:{self.end_column})"


@dataclass(frozen=True)
class Source:
    """A named text: a scheme file, a data file, or standard input (named ``<stdin>``)."""

    name: str
    text: str = ""

    @functools.cached_property
    def _lines(self) -> list[str]:  # split lazily: a large data file may never need it
        return split_lines(self.text)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line ending ('' past the end)."""
        if 1 <= line <= len(self._lines):
            return self._lines[line - 1]
        return ""

    @property
    def line_count(self) -> int:
        return len(self._lines)
