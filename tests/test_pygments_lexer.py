"""The Pygments lexer (qofrules.editors.pygments_lexer), checked against the parser itself: on every
shipped scheme, every formatter case and every rule example, each token the parser sees is one
Pygments token (or a run of them) of the right type, and nothing is an Error. Pygments finds the
lexer the way documentation tools do: by name, by file name, and from pygmentize's command line."""
from __future__ import annotations

import subprocess
import sys

import pytest
from pygments.lexers import find_lexer_class_by_name, get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Error, Keyword, Literal, Name, Number, Operator, Punctuation, String

from conftest import ROOT
from highlight_corpus import corpus, expected_pieces, grammar_keywords_from_file
from qofrules.editors import vocabulary
from qofrules.editors.pygments_lexer import QofLexer

CORPUS = corpus()

KIND_TYPES = {
    "punctuation": Punctuation, "string": String, "date": Literal.Date, "year": Literal.Date,
    "month": Literal.Date, "calendar_year": Literal.Date,
    "percent": Number, "money": Number, "number": Number, "comparison": Operator, "comment": Comment.Single,
    "scheme-id": Name.Class, "indicator": Name.Constant, "group": Name.Constant, "domain": Name.Constant,
    "rule-code": Name.Constant, "name": Name,
}


def _expected_type(kind: str):
    if kind.startswith("keyword:"):
        word = kind.split(":", 1)[1]
        return {"declaration": Keyword.Declaration, "operator": Operator.Word}.get(vocabulary.kind_of(word), Keyword)
    return KIND_TYPES[kind]


def _tokens(text: str) -> list[tuple[int, int, object, str]]:
    return [(start, start + len(value), kind, value)
            for start, kind, value in QofLexer().get_tokens_unprocessed(text) if value]


def test_the_corpus_holds_every_shipped_scheme():
    shipped = sorted(p.name for p in (ROOT / "schemes").glob("*.qof"))
    assert len(shipped) >= 6
    assert all(f"schemes/{name}" in CORPUS for name in shipped)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_no_error_tokens(name):
    errors = [(start, value) for start, _, kind, value in _tokens(CORPUS[name]) if kind in Error]
    assert errors == []


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_token_the_parser_sees_has_its_type(name):
    text = CORPUS[name]
    tokens = _tokens(text)
    wrong = []
    for start, end, kind in expected_pieces(text):
        covering = [t for t in tokens if t[0] < end and t[1] > start]
        expected = _expected_type(kind)
        exact = covering and covering[0][0] == start and covering[-1][1] == end
        # a string is a run of String tokens (quote, text, escapes); a word is exactly one token
        if not exact or not all(t[2] in expected for t in covering) or (kind != "string" and len(covering) != 1):
            wrong.append((text[start:end], kind, [(t[3], str(t[2])) for t in covering]))
    assert wrong == []


def test_every_kind_of_piece_is_in_the_corpus():
    """The test above is only as good as its corpus: it must hold every kind of token."""
    kinds = {kind.split(":")[0] for text in CORPUS.values() for _, _, kind in expected_pieces(text)}
    assert kinds == {"keyword", *KIND_TYPES}


def test_the_lexer_knows_every_keyword_of_the_grammar():
    """Read from grammar/qof.lark's own text: a keyword the grammar gains is highlighted, or this fails."""
    words = grammar_keywords_from_file()
    assert "scheme" in words and "retiring" in words
    assert set(vocabulary.keywords()) == words
    for word in sorted(words):
        tokens = _tokens(word)
        assert [(t[3], t[2] in Keyword or t[2] in Operator.Word) for t in tokens] == [(word, True)], word


def test_words_given_a_kind_are_words_of_the_grammar():
    words = grammar_keywords_from_file()
    for named in (vocabulary.DECLARATION_WORDS, vocabulary.OPERATOR_WORDS, set(vocabulary.LIST_WORDS),
                  {vocabulary.WAIVER_WORD}):
        assert named <= words


def test_a_keyword_inside_a_name_is_part_of_the_name():
    tokens = _tokens('scheme in-or-not "x"\n  area: lmc-in "y"\n')
    assert ("in-or-not", Name.Class) in [(t[3], t[2]) for t in tokens]
    assert ("lmc-in", Name) in [(t[3], t[2]) for t in tokens]


def test_what_the_language_rejects_is_an_error():
    """A comment after a statement (QR004), a character the language has no use for, an unclosed text."""
    for text, bad in (('  pay: full points # no\n', "#"), ("  area: lmc @\n", "@"), ('  source: "open\n', None)):
        tokens = _tokens(text)
        errors = [t[3] for t in tokens if t[2] in Error]
        assert errors, text
        if bad:
            assert errors[0].startswith(bad)


def test_pygments_finds_it_by_name_and_by_file_name():
    assert isinstance(get_lexer_by_name("qof"), QofLexer)
    assert isinstance(get_lexer_by_name("qofrules"), QofLexer)
    assert isinstance(get_lexer_for_filename("x.qof"), QofLexer)
    assert find_lexer_class_by_name("qof") is QofLexer


def test_pygmentize_highlights_a_shipped_scheme(tmp_path):
    """The command-line tool, as a documentation build would run it, through the entry point."""
    out = tmp_path / "leeds.html"
    done = subprocess.run([sys.executable, "-m", "pygments", "-f", "html", "-o", str(out),
                           str(ROOT / "schemes" / "2017-leeds.qof")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert '<span class="kd">scheme</span>' in html          # Keyword.Declaration
    assert '<span class="nc">leeds-2017</span>' in html      # Name.Class: the scheme's id
    assert '<span class="ld">2016/17</span>' in html        # Literal.Date
    assert 'class="err"' not in html
