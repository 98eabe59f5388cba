"""The TextMate grammar for VS Code-family editors, made from the scheme grammar.

The shipped file, ``editors/vscode/syntaxes/qof.tmLanguage.json``, is this module's output: a test
compares the two, so a keyword added to grammar/qof.lark fails the suite until the file is made
again with::

    python -m qofrules.editors.textmate editors/vscode/syntaxes/qof.tmLanguage.json

Scopes follow the TextMate naming conventions that colour themes know (``comment.line``,
``string.quoted.double``, ``constant.numeric``, ``keyword.other`` ...), each ending in ``.qof``.
"""
from __future__ import annotations

import json
import re
import sys

from . import vocabulary as v

SCOPE = "source.qof"

#: Scopes of the grammar's punctuation; a new literal the grammar gains gets ``punctuation.other``.
PUNCTUATION_SCOPES = {":": "punctuation.separator.key-value.qof", ",": "punctuation.separator.comma.qof",
                      "(": "punctuation.section.parens.begin.qof", ")": "punctuation.section.parens.end.qof"}
KEYWORD_SCOPES = {"declaration": "storage.type.qof", "operator": "keyword.operator.logical.qof",
                  "keyword": "keyword.other.qof"}
LIST_SCOPES = {"indicator": "constant.other.indicator-code.qof", "group": "constant.other.group-code.qof",
               "domain": "constant.other.domain.qof"}
RULE_CODE_SCOPE = "constant.other.rule-code.qof"
NAME_SCOPE = "variable.other.name.qof"


def _code_list(kind: str) -> dict:
    words = [w for w, k in v.LIST_WORDS.items() if k == kind]
    code = v.code_pattern()
    return {
        "comment": f"{' or '.join(sorted(words))} and the codes listed after it",
        "match": f"({v.word_pattern(words)})((?:[ \\t]*(?:{code}|,))*)",
        "captures": {
            "1": {"name": KEYWORD_SCOPES["keyword"]},
            "2": {"patterns": [{"match": code, "name": LIST_SCOPES[kind]},
                               {"match": ",", "name": PUNCTUATION_SCOPES[","]}]},
        },
    }


def _keywords() -> list[dict]:
    out = []
    for kind, scope in KEYWORD_SCOPES.items():
        words = [w for w in v.keywords() if v.kind_of(w) == kind and w not in v.LIST_WORDS]
        if words:
            out.append({"match": v.word_pattern(words), "name": scope})
    return out


def grammar() -> dict:
    """The TextMate grammar, as the JSON object VS Code reads."""
    shapes = v.shapes()
    patterns = [
        {"comment": "a comment: a whole line starting with #",
         "match": "^([ \\t]*)(" + shapes.comment + ")", "captures": {"2": {"name": "comment.line.number-sign.qof"}}},
        {"comment": "a comment after a statement is an error (QR004)",
         "match": shapes.comment, "name": "invalid.illegal.comment-not-on-own-line.qof"},
        {"comment": "a quoted text; it ends on its line (QR001 when it does not)",
         "begin": '"', "end": '(")|$', "name": "string.quoted.double.qof",
         "beginCaptures": {"0": {"name": "punctuation.definition.string.begin.qof"}},
         "endCaptures": {"1": {"name": "punctuation.definition.string.end.qof"}},
         "patterns": [{"match": r'\\["\\]', "name": "constant.character.escape.qof"},
                      {"match": r"\\.?", "name": "invalid.illegal.escape.qof"}]},
        {"match": shapes.date, "name": "constant.numeric.date.qof"},
        {"match": shapes.year, "name": "constant.numeric.year.qof"},
        {"match": shapes.month, "name": "constant.numeric.date.qof"},
        {"comment": "a date given to the year, only where a date may stand; elsewhere four digits are a number",
         "match": "(?<=in |to )" + shapes.calendar_year, "name": "constant.numeric.date.qof"},
        {"match": f"({v.word_pattern(['runs'])})[ \\t]*(:)[ \\t]*({shapes.calendar_year})",
         "captures": {"1": {"name": KEYWORD_SCOPES["keyword"]}, "2": {"name": PUNCTUATION_SCOPES[":"]},
                      "3": {"name": "constant.numeric.date.qof"}}},
        {"match": shapes.money, "name": "constant.numeric.money.qof"},
        {"match": shapes.percent, "name": "constant.numeric.percentage.qof"},
        {"match": shapes.number, "name": "constant.numeric.qof"},
        {"match": shapes.comparison, "name": "keyword.operator.comparison.qof"},
        *({"match": re.escape(p), "name": PUNCTUATION_SCOPES.get(p, "punctuation.other.qof")}
          for p in v.punctuation()),
        {"comment": "the scheme line: the scheme's id",
         "match": f"({v.word_pattern(['scheme'])})[ \\t]+({shapes.name})",
         "captures": {"1": {"name": KEYWORD_SCOPES["declaration"]}, "2": {"name": "entity.name.type.scheme.qof"}}},
        {"comment": "a waiver: the validation rule it waives",
         "match": f"({v.word_pattern([v.WAIVER_WORD])})[ \\t]*(:)[ \\t]*({v.code_pattern()})",
         "captures": {"1": {"name": KEYWORD_SCOPES["keyword"]}, "2": {"name": PUNCTUATION_SCOPES[":"]},
                      "3": {"name": RULE_CODE_SCOPE}}},
        *(_code_list(kind) for kind in LIST_SCOPES),
        *_keywords(),
        {"comment": "any other name: a country, a body's kind or level, an attribute",
         "match": shapes.name, "name": NAME_SCOPE},
        {"comment": "anything else is not part of the language",
         "match": "[^ \\t\\r\\n]", "name": "invalid.illegal.character.qof"},
    ]
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "information_for_contributors": [
            "Generated from grammar/qof.lark by qofrules/editors/textmate.py: do not edit by hand.",
            "Make it again with: python -m qofrules.editors.textmate editors/vscode/syntaxes/qof.tmLanguage.json",
        ],
        "name": "qofrules scheme",
        "scopeName": SCOPE,
        "fileTypes": ["qof"],
        "patterns": patterns,
    }


def grammar_text() -> str:
    return json.dumps(grammar(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the grammar, or write it (atomically) to the file named."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        sys.stdout.write(grammar_text())
        return 0
    from ..writing import write_atomic
    write_atomic(args[0], grammar_text())
    print(f"wrote {args[0]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
