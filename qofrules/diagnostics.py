"""Diagnostics: what every stage reports to a user, and how it is shown.

A diagnostic names a stable code (``QR212``), a severity, a plain-English message, where it is
(a :class:`~qofrules.source.Source` and a :class:`~qofrules.source.Span`) and, where we can
guess, a hint. The same object renders as text for people and as JSON for tools, so the two
can never say different things.

Codes: QR0xx reading and syntax, QR1xx values (dates, years), QR2xx scheme structure and
references, QR3xx contract data, QD0xx practice data, QE0xx evaluation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

from .source import Source, Span

ERROR = "error"
WARNING = "warning"
#: The validator's third answer: a rule needs a fact that neither the scheme nor qofrules' national
#: data holds (a contract year that does not ship, an unknown figure, a body whose powers are not
#: recorded), so it can neither accept nor reject; the finding says what would let it judge.
CANNOT_JUDGE = "cannot-judge"

#: Codes that mean the input could not be read or parsed at all: commands exit 2 for these (1 for
#: every other problem a user caused), so every command gives the same exit for the same input.
INPUT_ERROR_CODES = frozenset({"QR001", "QR002", "QR003", "QR004", "QR005"})

#: How many diagnostics one file may report before the rest are summarised.
MAX_DIAGNOSTICS_PER_FILE = 50


@dataclass(frozen=True, kw_only=True)
class Related:
    """A second place that explains a diagnostic (e.g. the other rule of an overlap)."""

    message: str
    span: Span


@dataclass(frozen=True, kw_only=True)
class Diagnostic:
    code: str
    severity: str
    message: str
    source: Source | None = None
    span: Span | None = None
    hint: str | None = None
    related: tuple[Related, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def location(self) -> str:
        name = self.source.name if self.source else "qofrules"  # said by the command itself, not of a file
        if self.span is None:
            return name
        return f"{name}:{self.span.line}:{self.span.column}"

    def render(self) -> str:
        """The text form: ``file:line:col: error[CODE] message``, the line, a caret, a hint."""
        out = [f"{self.location}: {self.severity}[{self.code}] {self.message}"]
        if self.source is not None and self.span is not None:
            out.extend(_excerpt(self.source, self.span))
        for related in self.related:
            out.append(f"  note: {related.message} (line {related.span.line})")
            if self.source is not None:
                out.extend(_excerpt(self.source, related.span))
        hint = resolve_hint(self.hint)
        if hint:
            out.append(f"  hint: {hint}")
        return "\n".join(out)

    def to_json(self) -> dict:
        data: dict = {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.source.name if self.source else None,
        }
        if self.span is not None:
            data.update(line=self.span.line, column=self.span.column,
                        end_line=self.span.end_line, end_column=self.span.end_column)
        hint = resolve_hint(self.hint)
        if hint:
            data["hint"] = hint
        if self.related:
            data["related"] = [
                {"message": r.message, "line": r.span.line, "column": r.span.column}
                for r in self.related
            ]
        return data


#: The widest excerpt shown; a longer line (a minified YAML file, a 100,000-bracket attack) is
#: cut to a window around the caret, so one diagnostic never prints megabytes.
EXCERPT_WIDTH = 160


def _excerpt(source: Source, span: Span) -> list[str]:
    """The source line of ``span`` with carets under it (to the line's end if it spans lines)."""
    text = source.line_text(span.line).replace("\t", " ")
    if not text and span.line > source.line_count:
        return []
    gutter = f"{span.line:>5} | "
    start = max(span.column - 1, 0)
    if span.end_line == span.line:
        width = max(span.end_column - span.column, 1)
    else:
        width = max(len(text) - start, 1)
    if len(text) > EXCERPT_WIDTH:
        left = max(0, min(start - EXCERPT_WIDTH // 2, len(text) - EXCERPT_WIDTH))
        window = text[left:left + EXCERPT_WIDTH]
        prefix, suffix = ("..." if left else ""), ("..." if left + EXCERPT_WIDTH < len(text) else "")
        text = prefix + window + suffix
        start = start - left + len(prefix)
        width = max(1, min(width, len(prefix) + len(window) - start))
    caret = " " * (len(gutter) - 2) + "| " + " " * start + "^" * width
    return [gutter + text, caret]


class QofError(Exception):
    """Bad input a user caused: carries diagnostics to show, never a traceback."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.render() for d in self.diagnostics))

    @property
    def exit_code(self) -> int:
        """2 when the input could not be read or parsed, 1 for any other problem."""
        return 2 if any(d.code in INPUT_ERROR_CODES for d in self.diagnostics) else 1


def error(code: str, message: str, *, source: Source | None = None, span: Span | None = None,
          hint: str | None = None, related: Iterable[Related] = ()) -> Diagnostic:
    return Diagnostic(code=code, severity=ERROR, message=message, source=source, span=span,
                      hint=hint, related=tuple(related))


def warning(code: str, message: str, *, source: Source | None = None, span: Span | None = None,
            hint: str | None = None, related: Iterable[Related] = ()) -> Diagnostic:
    return Diagnostic(code=code, severity=WARNING, message=message, source=source, span=span,
                      hint=hint, related=tuple(related))


class Later:
    """A hint worked out only if its diagnostic is shown: :func:`cap` keeps the first
    MAX_DIAGNOSTICS_PER_FILE diagnostics of a file, and only those need their "did you mean"
    (a scheme can name 100,000 unknown codes; matching each against every code of the year, to
    throw all but 50 away, was most of ``check``'s time). ``cap`` replaces it with its text."""

    def __init__(self, make: Callable[[], str | None]):
        self._make = make

    def text(self) -> str | None:
        return self._make()


def resolve_hint(hint) -> str | None:
    return hint.text() if isinstance(hint, Later) else hint


#: A code: letters and digits, with a digit (C82001, AF002, QV103). A mistyped code is a slip of
#: a character or two, so it is matched by edit distance, not by the share of letters in common.
_CODE = re.compile(r"^(?=.*[0-9])[A-Za-z0-9]+$")


def did_you_mean(word: str, candidates: Iterable[str], *, quote: bool = False) -> str | None:
    """A 'did you mean X?' hint for a misspelt name, matching case-insensitively: a code by edit
    distance (the nearest, ties in the candidates' order), a word by difflib's similarity."""
    pool = {c.lower(): c for c in candidates}
    if _CODE.match(word):
        matches = _nearest_codes(word.lower(), list(pool))
    else:
        import difflib  # only when a name is misspelt: not part of every start
        matches = difflib.get_close_matches(word.lower(), list(pool), n=3, cutoff=0.6)
    if not matches:
        return None
    names = [pool[m] for m in matches]
    shown = [f"'{n}'" if quote else n for n in names]
    if len(shown) == 1:
        return f"did you mean {shown[0]}?"
    return "did you mean " + ", ".join(shown[:-1]) + f" or {shown[-1]}?"


def _nearest_codes(word: str, pool: list[str]) -> list[str]:
    """Up to three candidates at the least edit distance from ``word`` (Levenshtein, from
    rapidfuzz), if that is at most a third of its length (at least one): C82O01 finds C82001
    (one character), not C82091 (two)."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein
    found = process.extract(word, pool, scorer=Levenshtein.distance, limit=None,
                            score_cutoff=max(1, len(word) // 3))
    if not found:
        return []
    best = min(distance for _, distance, _ in found)
    return [name for name, distance, _ in sorted(found, key=lambda f: (f[1], f[2])) if distance == best][:3]


def cap(diagnostics: Sequence[Diagnostic], limit: int = MAX_DIAGNOSTICS_PER_FILE) -> list[Diagnostic]:
    """Keep the first ``limit`` diagnostics and summarise the rest in one more."""
    kept = [d if not isinstance(d.hint, Later) else replace(d, hint=d.hint.text()) for d in diagnostics[:limit]]
    if len(diagnostics) <= limit:
        return kept
    rest = len(diagnostics) - limit
    first = diagnostics[0]
    kept.append(Diagnostic(code="QR009", severity=first.severity,
                           message=f"... and {rest} more problem(s) of this file not shown",
                           source=first.source))
    return kept
