"""A user's YAML is read by libyaml where it can be, and by PyYAML's pure loader where it cannot:
the two readings must be the same data at the same positions, and every refusal the pure loader's."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import given, strategies as st

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
    """Some are broken on purpose (tests/cases): libyaml leaves those to the pure loader."""
    fast, pure = _both((ROOT / relative).read_text(encoding="utf-8"))
    if pure[0] == "problem":
        assert fast is None
    else:
        assert fast == pure


TEXTS = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
PLAIN = st.recursive(st.none() | st.booleans() | st.integers() | TEXTS | st.floats(allow_nan=False),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXTS, inner, max_size=3),
                     max_leaves=20)


@given(PLAIN, st.booleans(), st.booleans())
def test_plain_data_written_any_way_reads_the_same_both_ways(value, flow, unicode):
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=unicode)
    fast, pure = _both(text)
    assert pure[0] != "problem" and fast == pure


@pytest.mark.parametrize("text", [
    "a: &x [1, 2]\nb: *x\n",                                   # an alias
    "a: " + "[" * yamlsafe.MAX_YAML_DEPTH + "]" * yamlsafe.MAX_YAML_DEPTH + "\n",  # too deep
    "a: [1, 2\n",                                              # a syntax problem
    "a: !!python/name:os.system\n",                          # a tag no safe loader builds
])
def test_what_libyaml_may_not_judge_is_left_to_the_pure_loader(text):
    assert yamlsafe._located_by_libyaml(text) is None


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
