"""The canonical form of a scheme, and the safety checks that guard every formatting run.

Layout (docs/formatting.md): the ``scheme`` line flush left; header fields at two spaces in the
order of :data:`qofrules.ast.HEADER_KEYWORDS` (repeatable fields keep their relative order); a
blank line before each rule; the ``rule`` line at two spaces and its fields at four, in the order
applies to / reporting / pay / on request. Every construct is printed by :mod:`qofrules.printer`,
so spacing, quoting and keyword spelling are a function of the AST. Comments (:mod:`qofrules.comments`)
move with the statement they precede.

Like Black, :func:`format_source` never returns text it has not proved safe: the output must
parse to the same AST as the input (ignoring positions, and ignoring the order of fields, which the
formatter sets), keep every comment, and be a fixed point of formatting.
"""
from __future__ import annotations

import dataclasses
from collections import Counter

from . import ast, syntax
from .comments import BLANK, Comments, collect
from .diagnostics import QofError, error
from .printer import (adjustment_field_text, adjustment_line, header_field_text, local_field_text,
                      local_indicator_line, rule_field_text, rule_line, scheme_line)
from .source import Source

HEADER_INDENT = "  "
RULE_FIELD_INDENT = "    "

_HEADER_ORDER = {kind: index for index, kind in enumerate(ast.HEADER_KEYWORDS)}
_RULE_ORDER = {kind: index for index, kind in enumerate(ast.RULE_KEYWORDS)}
_LOCAL_ORDER = {kind: index for index, kind in enumerate(ast.LOCAL_KEYWORDS)}
_ADJUSTMENT_ORDER = {kind: index for index, kind in enumerate(ast.ADJUSTMENT_KEYWORDS)}


def _sorted_fields(node, order: dict):
    return dataclasses.replace(node, fields=tuple(sorted(node.fields, key=lambda f: order[type(f)])))


def canonical_order(scheme: ast.Scheme) -> ast.Scheme:
    """The scheme with header and rule fields in canonical order (a stable sort: repeated fields
    keep their relative order). Two schemes that differ only in layout are equal after this."""
    header = tuple(sorted(scheme.header, key=lambda f: _HEADER_ORDER[type(f)]))
    rules = tuple(_sorted_fields(rule, _RULE_ORDER) for rule in scheme.rules)
    local = tuple(_sorted_fields(item, _LOCAL_ORDER) for item in scheme.local_indicators)
    adjustments = tuple(_sorted_fields(item, _ADJUSTMENT_ORDER) for item in scheme.adjustments)
    return dataclasses.replace(scheme, header=header, rules=rules, local_indicators=local, adjustments=adjustments)


def _comment_lines(block: tuple[str, ...], indent: str) -> list[str]:
    return ["" if item == BLANK else indent + item for item in block]


def render(scheme: ast.Scheme, comments: Comments | None = None) -> str:
    """Print ``scheme`` in canonical form, with ``comments`` (collected from its source) in place."""
    comments = comments or Comments(before={}, trailing=())

    def above(node, indent: str) -> list[str]:
        return _comment_lines(comments.before.get(node.span.line, ()), indent)

    ordered = canonical_order(scheme)
    lines = above(scheme, "") + [scheme_line(scheme)]
    for field in ordered.header:
        lines += above(field, HEADER_INDENT) + [HEADER_INDENT + header_field_text(field)]
    blocks = ([(local, local_indicator_line, local_field_text) for local in ordered.local_indicators]
              + [(rule, rule_line, rule_field_text) for rule in ordered.rules]
              + [(item, adjustment_line, adjustment_field_text) for item in ordered.adjustments])
    for block, first_line, field_text in blocks:
        lines.append("")
        lines += above(block, HEADER_INDENT) + [HEADER_INDENT + first_line(block)]
        for field in block.fields:
            lines += above(field, RULE_FIELD_INDENT) + [RULE_FIELD_INDENT + field_text(field)]
    if comments.trailing:
        lines.append("")
        lines += _comment_lines(comments.trailing, "")
    return "\n".join(lines) + "\n"


def _parse(source: Source) -> ast.Scheme:
    """The AST, refusing any text with a syntax error or an impossible value: an impossible value
    (2014-02-30 in an attribute test) does not survive in the AST, so it could not be printed back."""
    scheme, diagnostics = syntax.parse(source)
    errors = [d for d in diagnostics if d.is_error]
    if errors:
        raise QofError(errors)
    return scheme


def _refuse(source: Source, why: str) -> QofError:
    return QofError([error("QR601", f"refusing to format {source.name}: {why}", source=source,
                           hint="this is a bug in the formatter; the file was left unchanged. "
                                "Please report it with the file")])


def format_source(source: Source) -> str:
    """The canonical text of ``source``, checked safe (see the module docstring).

    Raises :class:`QofError`: the input's own syntax error, or QR601 when the output would not be
    equivalent or stable (nothing should then be written).
    """
    scheme = _parse(source)
    comments = collect(source.text)
    output = render(scheme, comments)
    return verify(source, scheme, comments, output)


def verify(source: Source, scheme: ast.Scheme, comments: Comments, output: str) -> str:
    """Return ``output`` if it is a safe formatting of ``source``; raise QR601 saying why if not."""
    if output == source.text:
        # Already canonical: the output is the input, so it parses to ``scheme`` by definition;
        # parsing it again (half of fmt's time on a large file) would prove nothing new.
        again, out_comments = scheme, comments
    else:
        out_source = Source(source.name, output)
        try:
            again = _parse(out_source)
        except QofError as exc:
            raise _refuse(source, "the formatted text does not parse (" + exc.diagnostics[0].message + ")") from None
        if canonical_order(again) != canonical_order(scheme):
            raise _refuse(source, "the formatted text would mean something different")
        out_comments = collect(output)
    if Counter(out_comments.all_texts()) != Counter(comments.all_texts()):
        raise _refuse(source, "the formatted text would lose or change a comment")
    if render(again, out_comments) != output:
        raise _refuse(source, "formatting the formatted text changes it again (not stable)")
    return output


def format_text(text: str, name: str = "<string>") -> str:
    return format_source(Source(name, text))
