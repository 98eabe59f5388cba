"""A user's YAML is read by libyaml where it can be, and by PyYAML's pure loader where it cannot:
the two readings must be the same data at the same positions, and every refusal the pure loader's."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from qofrules import yamlsafe
from qofrules.diagnostics import QofError
from qofrules.source import Source

ROOT = Path(__file__).resolve().parent.parent
REPO_YAML = subprocess.run(["git", "ls-files", "*.yaml", "*.yml"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()


def _both(text: str):
    """(libyaml's reading or None, the pure loader's), each (data, spans) or the problem raised."""
    return _reading(lambda: yamlsafe._located_by_libyaml(text)), \
        _reading(lambda: yamlsafe._located(yamlsafe._NoAliasLoader, text))


def _reading(read):
    try:
        found = read()
    except yamlsafe._DuplicateKey as dup:
        return ("twice", dup.key, dup.second.line, dup.second.column)
    except yaml.YAMLError as exc:
        return ("problem", type(exc).__name__)
    return None if found is None else (found[0], found[1]._spans)


def test_the_repository_has_yaml_files_to_compare_and_pyyaml_has_libyaml():
    assert len(REPO_YAML) > 40
    assert yamlsafe._LIBYAML, "PyYAML's wheels carry libyaml; without it every file is read by the pure loader"


@pytest.mark.parametrize("relative", REPO_YAML)
def test_every_yaml_file_of_the_repository_reads_the_same_both_ways(relative):
    """Some are broken on purpose (tests/cases), some hold what libyaml reads differently (a
    block scalar): libyaml leaves those to the pure loader."""
    fast, pure = _both((ROOT / relative).read_text(encoding="utf-8"))
    assert fast is None or fast == pure
    if pure[0] == "problem":
        assert fast is None


OVERRIDES = [r for r in REPO_YAML if r.endswith("contract-overrides.yaml")]


@pytest.mark.parametrize("relative", OVERRIDES)
def test_the_examples_contract_overrides_are_read_by_libyaml(relative):
    """What a national run reads of a user's YAML (16 ms in the pure loader, 3 ms so)."""
    fast, pure = _both((ROOT / relative).read_text(encoding="utf-8"))
    assert fast is not None and fast == pure


def test_there_are_overrides_files_to_read():
    assert len(OVERRIDES) >= 5


TEXTS = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
PLAIN = st.recursive(st.none() | st.booleans() | st.integers() | TEXTS | st.floats(allow_nan=False),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXTS, inner, max_size=3),
                     max_leaves=20)


@given(PLAIN, st.booleans(), st.booleans())
def test_plain_data_written_any_way_reads_the_same_both_ways(value, flow, unicode):
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=unicode)
    fast, pure = _both(text)
    assert pure[0] != "problem" and (fast is None or fast == pure)


@pytest.mark.parametrize("text", [
    "a: &x [1, 2]\nb: *x\n",                                   # an alias
    "a: " + "[" * yamlsafe.MAX_YAML_DEPTH + "]" * yamlsafe.MAX_YAML_DEPTH + "\n",  # too deep
    "a: [1, 2\n",                                              # a syntax problem
    "a: !!python/name:os.system\n",                          # a tag no safe loader builds
])
def test_what_libyaml_may_not_judge_is_left_to_the_pure_loader(text):
    assert yamlsafe._located_by_libyaml(text) is None


#: Where libyaml and PyYAML's pure loader were found to differ (a tab; ``?`` in a flow plain
#: scalar; an empty flow value's position), and their neighbours.
TRICKY = ["\t", "?", ":", "#", " ", "\n", ",", "[", "]", "{", "}", "-", "&a ", "*a", "!", "%", "'", '"', "\\",
          "\r", "\x85", "\u2028", "\ufeff", "\x00", "é", "---\n", "...\n", ": ", " #", "? ", ">", "|", "+", "2",
          "> ", "|-", ">#"]


@pytest.mark.parametrize("text", [
    "a: b\tc\n", "a: 1 \t# x\n", "{a: 1}\t\n", "a:\t\n  b: 1\n",     # tabs libyaml takes as spaces
    "{a: b?c}\n", "[a?b]\n",                                       # '?' in a flow plain scalar
    "{a: , b: 1}\n", "{a:   }\n",                                  # an empty flow value, placed elsewhere
    "overrides: england 2017/18\nlabel: a\tb\n",
    "groups: {AF: {national_prevalence: 2?1}}\n",
    "groups: {AF: {national_prevalence:   }}\n",
    "notice: >#-\n  text\n", "a: >  x\n", "a: |x\n  y\n",               # block scalar headers PyYAML refuses
    "a: b\ufeff\n",                                                # a byte-order mark past the start
])
def test_where_libyaml_reads_differently_the_pure_loader_reads(text):
    """Each was read by libyaml differently from the pure loader (accepted where it refuses, or
    a value placed elsewhere): it must be left to the pure loader."""
    assert yamlsafe._located_by_libyaml(text) is None


def test_a_lone_surrogate_gets_the_pure_loaders_error_not_a_traceback():
    with pytest.raises(QofError) as caught:
        yamlsafe.load_located(Source("user.yaml", "a: '\ud800'\n"))
    assert caught.value.diagnostics[0].code == "QD001"


@settings(max_examples=int(os.environ.get("QOFRULES_YAML_EXAMPLES", 400)), deadline=None)
@given(st.sampled_from(REPO_YAML), st.lists(st.tuples(st.floats(0, 1), st.sampled_from(TRICKY)), min_size=1,
                                            max_size=3))
def test_a_repository_file_with_hostile_characters_put_in_reads_the_same_or_is_left_to_the_pure_loader(relative,
                                                                                                      edits):
    """Whatever libyaml reads, it reads as the pure loader does (data and positions); whatever it
    does not, the pure loader judges (and words)."""
    text = (ROOT / relative).read_text(encoding="utf-8")
    for where, what in edits:
        at = int(where * len(text))
        text = text[:at] + what + text[at:]
    fast, pure = _both(text)
    assert fast is None or fast == pure


@pytest.mark.parametrize("depth", range(yamlsafe.MAX_YAML_DEPTH - 2, yamlsafe.MAX_YAML_DEPTH + 3))
@pytest.mark.parametrize("inside", ["", "1"])
def test_libyaml_reads_exactly_the_nesting_the_pure_loader_allows(depth, inside):
    """At the limit and either side of it: what the pure loader refuses, libyaml leaves to it."""
    fast, pure = _both("[" * depth + inside + "]" * depth + "\n")
    if pure[0] == "problem":
        assert fast is None
    else:
        assert fast is not None and fast == pure


@pytest.mark.parametrize("text,words", [
    ("a: &x [1, 2]\nb: *x\n", "YAML aliases (*name) are not allowed in qofrules files"),
    ("[" * 40 + "]" * 40 + "\n", f"the YAML nests more than {yamlsafe.MAX_YAML_DEPTH} deep"),
    ("a: [1, 2\n", "is not closed"),
])
def test_a_users_file_gets_the_pure_loaders_words(text, words):
    with pytest.raises(QofError) as caught:
        yamlsafe.load_located(Source("user.yaml", text))
    assert words in caught.value.diagnostics[0].message


def test_a_key_given_twice_is_refused_at_the_second_as_before():
    with pytest.raises(QofError) as caught:
        yamlsafe.load_located(Source("user.yaml", "a: 1\nb:\n  c: 2\n  c: 3\n"))
    found = caught.value.diagnostics[0]
    assert "the key 'c' is given twice (first on line 3)" in found.message
    assert (found.span.line, found.span.column) == (4, 3)


def test_the_shipped_vocabularies_read_by_libyaml_are_what_pyyamls_safe_loader_read():
    """bodies.yaml and authorities.yaml are read with dates as text (load_shipped): every date of
    authorities.yaml still means the day it meant when PyYAML made it a date."""
    from qofrules import bodies
    from qofrules.rules import authorities
    folder = ROOT / "qofrules" / "contracts"
    vocabulary = yaml.safe_load((folder / "bodies.yaml").read_text(encoding="utf-8"))
    assert bodies.kinds() == vocabulary["kinds"] and bodies.aliases() == vocabulary.get("aliases", {})
    assert authorities.load() == authorities.from_data(
        yaml.safe_load((folder / "authorities.yaml").read_text(encoding="utf-8")))
