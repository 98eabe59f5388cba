"""A Pygments lexer for scheme files, so documentation tools (Sphinx, MkDocs, pygmentize) highlight
``.qof`` code. Registered as the ``qof`` lexer through the ``pygments.lexers`` entry point
(pyproject.toml), so ``get_lexer_by_name('qof')`` and ``*.qof`` file names find it once qofrules is
installed.

Its keywords and token shapes come from the grammar (:mod:`.vocabulary`); what it adds is
colour: the scheme's id, the codes in an ``indicators``/``groups``/``domains`` list and a waiver's
rule code are names of their own kind. Text the language does not allow (a comment after a
statement, a stray ``@``) is an Error token, as ``qofrules check`` would reject it.
"""
from __future__ import annotations

import re

from pygments.lexer import RegexLexer, bygroups, default
from pygments.token import (Comment, Error, Keyword, Literal, Name, Number, Operator, Punctuation, String,
                            Whitespace)

from . import vocabulary as v

_KIND_TOKEN = {"declaration": Keyword.Declaration, "operator": Operator.Word, "keyword": Keyword}


def _keyword_rules() -> list:
    rules = []
    for kind, token in _KIND_TOKEN.items():
        words = [w for w in v.keywords() if v.kind_of(w) == kind and w not in v.LIST_WORDS]
        if words:
            rules.append((v.word_pattern(words), token))
    return rules


def _tokens() -> dict:
    shapes = v.shapes()
    punctuation = "[" + "".join(re.escape(p) for p in v.punctuation()) + "]"
    return {
        "root": [
            (r"^([ \t]*)(" + shapes.comment + ")", bygroups(Whitespace, Comment.Single)),
            (r"[ \t]+", Whitespace),
            (r"\r?\n", Whitespace),
            ('"(?=' + shapes.string[1:] + ")", String.Double, "string"),
            (r'"[^\r\n]*', Error),  # a quoted text not closed on its line (QR001)
            (shapes.date, Literal.Date),
            (shapes.year, Literal.Date),
            (shapes.month, Literal.Date),
            # A date given to the year only where a date may stand (after 'in', 'to' or 'runs:'); elsewhere
            # four digits are a number (points: 2014, practice attribute size >= 5000).
            ("(?<=in )" + shapes.calendar_year, Literal.Date),
            ("(?<=to )" + shapes.calendar_year, Literal.Date),
            (f"({v.word_pattern(['runs'])})([ \\t]*)(:)([ \\t]*)({shapes.calendar_year})",
             bygroups(Keyword, Whitespace, Punctuation, Whitespace, Literal.Date)),
            (shapes.money, Number),
            (shapes.percent, Number),
            (shapes.number, Number),
            (shapes.comparison, Operator),
            (punctuation, Punctuation),
            (f"({v.word_pattern(['scheme'])})([ \\t]+)({shapes.name})",
             bygroups(Keyword.Declaration, Whitespace, Name.Class)),
            (f"({v.word_pattern([v.WAIVER_WORD])})([ \\t]*)(:)([ \\t]*)({v.code_pattern()})",
             bygroups(Keyword, Whitespace, Punctuation, Whitespace, Name.Constant)),
            (v.word_pattern(v.LIST_WORDS), Keyword, "codes"),
            *_keyword_rules(),
            (shapes.name, Name),
        ],
        "codes": [
            (r"[ \t]+", Whitespace),
            (",", Punctuation),
            (v.code_pattern(), Name.Constant),
            default("#pop"),
        ],
        "string": [
            (r'[^"\\\r\n]+', String.Double),
            (r'\\["\\]', String.Escape),
            ('"', String.Double, "#pop"),
            default("#pop"),
        ],
    }


class QofLexer(RegexLexer):
    """qofrules scheme files (``.qof``): local variations of the GP contract's QOF."""

    name = "qofrules scheme"
    aliases = ["qof", "qofrules"]
    filenames = ["*.qof"]
    mimetypes = ["text/x-qof"]
    url = "https://github.com/qofrules/qofrules/blob/main/docs/language.md"
    version_added = ""
    flags = re.MULTILINE
    tokens = _tokens()
