"""Source text and positions.

Every diagnostic points into a :class:`Source`; keeping the text here (not in the parser) lets
checks that run long after parsing still show the offending line with a caret.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass


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
        return self.text.splitlines()

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line ending ('' past the end)."""
        if 1 <= line <= len(self._lines):
            return self._lines[line - 1]
        return ""

    @property
    def line_count(self) -> int:
        return len(self._lines)
