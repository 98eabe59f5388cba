"""What every piece of a scheme is, according to the parser: the ground truth the highlighters
(the Pygments lexer, the TextMate grammar) are tested against.

The corpus is every shipped scheme, the formatter's cases (which between them use every construct
of the language) with their canonical forms, and every validation rule's examples. For each text,
:func:`expected_pieces` gives (start offset, end offset, what it is), from Lark's own tokens and
the AST's names, independently of qofrules.editors.
"""
from __future__ import annotations

import re
from dataclasses import fields, is_dataclass

from lark.lexer import PatternStr

from conftest import CASES, ROOT
from qofrules import ast, syntax
from qofrules.rules import all_rules
from qofrules.source import Source


def corpus() -> dict[str, str]:
    texts = {f"schemes/{p.name}": p.read_text(encoding="utf-8") for p in sorted((ROOT / "schemes").glob("*.qof"))}
    for path in sorted((CASES / "format").iterdir()):
        if path.suffix in (".qof", ".expected"):
            texts[f"tests/cases/format/{path.name}"] = path.read_text(encoding="utf-8")
    for rule in all_rules():
        texts[f"{rule.code} breaking example"] = rule.breaking_example
        texts[f"{rule.code} passing example"] = rule.passing_example
    return texts


def grammar_keywords_from_file() -> set[str]:
    """The grammar's quoted words, read from grammar/qof.lark's text (not through the parser), so
    that a mistake in how qofrules.editors reads the grammar cannot hide a keyword from the tests."""
    text = (ROOT / "grammar" / "qof.lark").read_text(encoding="utf-8")
    code = "\n".join(line.split("//", 1)[0] for line in text.splitlines())
    return set(re.findall(r'"([A-Za-z][A-Za-z-]*)"', code))


def _literal_kinds() -> dict[str, str]:
    kinds = {}
    for terminal in syntax.parser().terminals:
        if isinstance(terminal.pattern, PatternStr):
            value = terminal.pattern.value
            kinds[terminal.name] = "keyword" if value[:1].isalpha() else "punctuation"
    return kinds


def _name_roles(scheme: ast.Scheme) -> dict[tuple[int, int], str]:
    """(line, column) of every name the AST holds → what it names."""
    roles: dict[tuple[int, int], str] = {(scheme.id.span.line, scheme.id.span.column): "scheme-id"}

    def mark(names, role):
        for name in names:
            roles[(name.span.line, name.span.column)] = role

    def walk(node):
        if isinstance(node, ast.Codes):
            mark(node.codes, "indicator")
        elif isinstance(node, ast.Groups):
            mark(node.groups, "group")
        elif isinstance(node, ast.Domains):
            mark(node.domains, "domain")
        elif isinstance(node, ast.WaiverField):
            mark([node.rule], "rule-code")
        elif isinstance(node, ast.LocalIndicator):
            mark([node.code], "indicator")
        elif isinstance(node, ast.AdjustedField) and node.prevalence_group is not None:
            mark([node.prevalence_group], "group")
        if is_dataclass(node):
            for f in fields(node):
                walk(getattr(node, f.name))
        elif isinstance(node, (tuple, list)):
            for item in node:
                walk(item)

    walk(scheme)
    return roles


def expected_pieces(text: str) -> list[tuple[int, int, str]]:
    """Every token of ``text`` (which must parse) and every comment, with what it is: a grammar
    keyword (by the word itself: 'keyword:scheme'), punctuation, string, date, year, percent,
    number, comparison, comment, or a name's role (scheme-id, indicator, group, domain, rule-code,
    name)."""
    scheme, _ = syntax.parse(Source("corpus.qof", text))
    roles = _name_roles(scheme)
    literal = _literal_kinds()
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    pieces = []
    interactive = syntax.parser().parse_interactive(text)
    for token in interactive.exhaust_lexer():
        if token.type in ("_NL", "COMMENT"):
            continue
        if token.type in literal:
            kind = f"keyword:{token.value}" if literal[token.type] == "keyword" else "punctuation"
        elif token.type == "NAME":
            kind = roles.get((token.line, token.column), "name")
        else:
            kind = token.type.lower()
        pieces.append((token.start_pos, token.end_pos, kind))
    for number, start in enumerate(line_starts):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        hash_at = text.find("#", start, end)
        if hash_at >= 0 and not text[start:hash_at].strip():
            pieces.append((hash_at, end, "comment"))
    return sorted(pieces)


def offset(text: str, line: int, column: int) -> int:
    """The offset of a 0-based line and column."""
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    return starts[line] + column
