"""The TextMate grammar and language configuration for VS Code-family editors (editors/vscode/),
run through VS Code's own engine (vscode-textmate on vscode-oniguruma, with node) and checked
against the parser: on every shipped scheme, every formatter case and every rule example, each
token the parser sees is one TextMate token with the right scope, and nothing is left unscoped or
marked invalid. The shipped grammar is the one qofrules.editors.textmate makes from the grammar.

The node packages are pinned in tests/textmate/package-lock.json; .ci/run installs them with
``npm ci --prefix tests/textmate``, and this module does the same when they are missing and npm is
there. Without node it skips, saying so (as the browser tests do without chromium).
"""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from conftest import ROOT
from highlight_corpus import corpus, expected_pieces, grammar_keywords_from_file
from qofrules.editors import textmate, vocabulary

VSCODE = ROOT / "editors" / "vscode"
GRAMMAR = VSCODE / "syntaxes" / "qof.tmLanguage.json"
CONFIGURATION = VSCODE / "language-configuration.json"
HARNESS = ROOT / "tests" / "textmate"
NODE = shutil.which("node")
CORPUS = corpus()

KIND_SCOPES = {
    "punctuation": "punctuation.", "string": "string.quoted.double.qof", "date": "constant.numeric.date.qof",
    "month": "constant.numeric.date.qof", "calendar_year": "constant.numeric.date.qof",
    "year": "constant.numeric.year.qof", "percent": "constant.numeric.percentage.qof",
    "money": "constant.numeric.money.qof",
    "number": "constant.numeric.qof", "comparison": "keyword.operator.comparison.qof",
    "comment": "comment.line.number-sign.qof", "scheme-id": "entity.name.type.scheme.qof",
    "indicator": "constant.other.indicator-code.qof", "group": "constant.other.group-code.qof",
    "domain": "constant.other.domain.qof", "rule-code": "constant.other.rule-code.qof",
    "name": "variable.other.name.qof",
}
KEYWORD_SCOPES = {"declaration": "storage.type.qof", "operator": "keyword.operator.logical.qof",
                  "keyword": "keyword.other.qof"}


def _installed() -> bool:
    return all((HARNESS / "node_modules" / name / "package.json").is_file()
               for name in ("vscode-textmate", "vscode-oniguruma"))


@pytest.fixture(scope="module")
def tokenize():
    if NODE is None:
        pytest.skip("node is not installed (apt-get install nodejs npm); .ci/run installs it")
    if not _installed():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed, so vscode-textmate cannot be (apt-get install npm)")
        subprocess.run([npm, "ci", "--prefix", str(HARNESS), "--no-audit", "--no-fund"], check=True,
                       capture_output=True, timeout=300)

    def run(texts: dict[str, str]) -> dict:
        request = {"grammar": str(GRAMMAR), "configuration": str(CONFIGURATION), "texts": texts}
        done = subprocess.run([NODE, str(HARNESS / "tokenize.js")], input=json.dumps(request),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


@pytest.fixture(scope="module")
def tokenised(tokenize):
    return tokenize(CORPUS)


def _flat(text: str, lines: list[dict]) -> list[tuple[int, int, list[str]]]:
    """Tokens with offsets into the whole text."""
    out, start = [], 0
    for line_text, line in zip(text.split("\n"), lines):
        out += [(start + t["start"], start + t["end"], t["scopes"]) for t in line["tokens"] if t["end"] > t["start"]]
        start += len(line_text) + 1
    return out


def _scope_for(kind: str) -> str:
    if kind.startswith("keyword:"):
        return KEYWORD_SCOPES[vocabulary.kind_of(kind.split(":", 1)[1])]
    return KIND_SCOPES[kind]


def test_the_shipped_grammar_is_the_one_made_from_the_grammar():
    shipped = GRAMMAR.read_text(encoding="utf-8")
    assert shipped == textmate.grammar_text(), (
        "editors/vscode/syntaxes/qof.tmLanguage.json is out of date with grammar/qof.lark; make it again with "
        "python -m qofrules.editors.textmate editors/vscode/syntaxes/qof.tmLanguage.json")


def test_the_extension_manifest_ties_language_grammar_and_configuration_together():
    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    language, = manifest["contributes"]["languages"]
    grammar, = manifest["contributes"]["grammars"]
    assert language["extensions"] == [".qof"] and grammar["language"] == language["id"] == "qof"
    assert (VSCODE / grammar["path"]).resolve() == GRAMMAR.resolve()
    assert (VSCODE / language["configuration"]).resolve() == CONFIGURATION.resolve()
    assert grammar["scopeName"] == json.loads(GRAMMAR.read_text(encoding="utf-8"))["scopeName"] == "source.qof"


def test_the_configuration_comments_like_the_grammar():
    configuration = json.loads(CONFIGURATION.read_text(encoding="utf-8"))
    assert vocabulary.shapes().comment.startswith(configuration["comments"]["lineComment"])
    brackets = {pair for pair in map(tuple, configuration["brackets"])}
    assert brackets == {("(", ")")} and {"(", ")"} <= set(vocabulary.punctuation())


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_nothing_is_unscoped_or_invalid(tokenised, name):
    text = CORPUS[name]
    bad = [(text[s:e], scopes[-1]) for s, e, scopes in _flat(text, tokenised[name])
           if text[s:e].strip() and (scopes == ["source.qof"] or any(x.startswith("invalid") for x in scopes))]
    assert bad == []


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_token_the_parser_sees_has_its_scope(tokenised, name):
    text = CORPUS[name]
    tokens = _flat(text, tokenised[name])
    wrong = []
    for start, end, kind in expected_pieces(text):
        covering = [t for t in tokens if t[0] < end and t[1] > start]
        scope = _scope_for(kind)
        exact = covering and covering[0][0] == start and covering[-1][1] == end
        if kind == "string":  # the quotes, the text and any escapes, all inside the string scope
            ok = exact and all(scope in t[2] for t in covering)
        else:
            ok = exact and len(covering) == 1 and any(s.startswith(scope) for s in covering[0][2])
        if not ok:
            wrong.append((text[start:end], kind, [(text[t[0]:t[1]], t[2][-1]) for t in covering]))
    assert wrong == []


def test_every_keyword_of_the_grammar_is_a_keyword_alone(tokenize):
    words = sorted(grammar_keywords_from_file())
    assert set(words) == set(vocabulary.keywords())
    got = tokenize({word: word for word in words})
    for word in words:
        tokens = got[word][0]["tokens"]
        assert len(tokens) == 1 and tokens[0]["end"] == len(word), (word, tokens)
        assert tokens[0]["scopes"][-1] in KEYWORD_SCOPES.values(), (word, tokens)


def test_what_the_language_rejects_is_marked_invalid(tokenize):
    texts = {"comment": "  pay: full points # no", "character": "  area: lmc @", "escape": '  source: "a\\qb"'}
    got = tokenize(texts)
    for name, bad in (("comment", "# no"), ("character", "@"), ("escape", "\\q")):
        line, text = got[name][0], texts[name]
        invalid = [text[t["start"]:t["end"]] for t in line["tokens"] if t["scopes"][-1].startswith("invalid")]
        assert invalid == [bad], (name, line)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_a_word_is_what_the_language_calls_one(tokenised, name):
    """The configuration's wordPattern (double-click, word-based completion) takes a name with its
    hyphens, a date, a year and a percentage whole, as JavaScript reads the pattern."""
    text = CORPUS[name]
    words = set(_words(text, tokenised[name]))
    missing = [(text[s:e], kind) for s, e, kind in expected_pieces(text)
               if kind in ("name", "scheme-id", "indicator", "group", "domain", "rule-code", "date", "year",
                           "percent", "number") or kind.startswith("keyword:")
               if (s, text[s:e]) not in words]
    assert missing == []


def _words(text: str, lines: list[dict]):
    start = 0
    for line_text, line in zip(text.split("\n"), lines):
        for word in line["words"]:
            yield start + word["start"], word["text"]
        start += len(line_text) + 1


CANONICAL = sorted(name for name in CORPUS if name.startswith("schemes/") or name.endswith(".expected"))


def _openers(text: str) -> set[int]:
    """The lines of fmt's output that open a block: the scheme line, and each line the next
    statement is indented deeper than."""
    lines = text.split("\n")
    statements = [i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    depth = {i: len(lines[i]) - len(lines[i].lstrip()) for i in statements}
    return {i for i, j in zip(statements, statements[1:]) if depth[j] > depth[i]} | {
        i for i in statements if lines[i].startswith("scheme")}


def test_the_canonical_corpus_opens_every_kind_of_block():
    words = {CORPUS[name].split("\n")[i].split()[0] for name in CANONICAL for i in _openers(CORPUS[name])}
    assert {"scheme", "rule", "local", "top", "floor"} <= words


@pytest.mark.parametrize("name", CANONICAL)
def test_indentation_follows_the_formatter(tokenised, name):
    """Enter after a line that opens a block (the scheme line, a rule, a local indicator, a top-up,
    a floor) indents, and finishing such a line at a field's indentation outdents it, as fmt lays
    schemes out: in fmt's output, a line opens a block when the next statement is indented deeper."""
    text = CORPUS[name]
    opens = _openers(text)
    for i, (line_text, line) in enumerate(zip(text.split("\n"), tokenised[name])):
        assert line["indents"] == (i in opens), line_text
        assert line["outdents"] == (i in opens and not line_text.startswith("scheme")), line_text
