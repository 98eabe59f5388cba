"""Whole-line comments, collected from scheme text so the formatter can keep them.

The grammar folds comments into the newline token, so the AST never sees them. They are recovered
here from the text itself: a line whose first non-blank character is ``#`` is a comment (a
statement never starts with ``#`` and a quoted text never spans lines, so this cannot mistake
part of a statement for a comment). Each comment is attached to the statement line it precedes,
and travels with that statement when the formatter moves it; comments after the last statement
stay at the end of the file.
"""
from __future__ import annotations

from dataclasses import dataclass

from .source import split_lines

#: Marks a blank line kept between comments (runs of blank lines collapse to one).
BLANK = ""


@dataclass(frozen=True)
class Comments:
    """``before[line]``: the comment block above the statement starting on ``line`` (1-based),
    as comment texts and BLANK markers; ``trailing``: the block after the last statement."""

    before: dict[int, tuple[str, ...]]
    trailing: tuple[str, ...]

    def all_texts(self) -> list[str]:
        """Every comment's text, for checking that formatting lost none."""
        blocks = list(self.before.values()) + [self.trailing]
        return [text for block in blocks for text in block if text != BLANK]


def _tidy(block: list[str], *, keep_last_blank: bool) -> tuple[str, ...]:
    """Drop a leading blank, collapse blank runs, and drop a trailing blank unless asked to keep it
    (a blank between a comment block and its statement separates, e.g., a file's preamble)."""
    out: list[str] = []
    for item in block:
        if item == BLANK and (not out or out[-1] == BLANK):
            continue
        out.append(item)
    if out and out[-1] == BLANK and not keep_last_blank:
        out.pop()
    if out == [BLANK]:
        return ()
    return tuple(out)


def collect(text: str) -> Comments:
    before: dict[int, tuple[str, ...]] = {}
    block: list[str] = []
    for number, line in enumerate(split_lines(text), start=1):
        stripped = line.strip()
        if not stripped:
            if block:
                block.append(BLANK)
            continue
        if stripped.startswith("#"):
            block.append(stripped)
            continue
        if block:
            before[number] = _tidy(block, keep_last_blank=True)
            block = []
    return Comments(before=before, trailing=_tidy(block, keep_last_blank=False))
