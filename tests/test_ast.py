"""The AST's node classes behave exactly as frozen, keyword-only dataclasses would.

:class:`qofrules.ast.Node` gives every node class its ``__init__``, equality, hashing, ``repr``
and immutability once, instead of dataclasses generating them per class (which compiled some
three hundred methods at every start). Each class here is compared with the standard dataclass
of the same fields, ``dataclass(frozen=True, kw_only=True)``, on what a user of the AST relies on.
"""
from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from qofrules import ast
from qofrules.source import Span

NODE_CLASSES = sorted((value for value in vars(ast).values()
                       if isinstance(value, type) and issubclass(value, ast.Node)), key=lambda c: c.__name__)


def _reference(cls: type) -> type:
    """The standard frozen, keyword-only dataclass with ``cls``'s fields, under ``cls``'s name."""
    namespace = {"__annotations__": {}, "__qualname__": cls.__qualname__}
    for f in dataclasses.fields(cls):
        namespace["__annotations__"][f.name] = f.type
        namespace[f.name] = dataclasses.field(default=f.default, compare=f.compare, repr=f.repr)
    return dataclasses.dataclass(frozen=True, kw_only=True)(type(cls.__name__, (), namespace))


def _values(cls: type, tag: str = "") -> dict:
    """A distinct, hashable value for every field of ``cls`` (the AST does not check types)."""
    return {f.name: ("value", f.name, tag) for f in dataclasses.fields(cls) if f.name != "span"}


def _required(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING]


def test_every_node_class_is_covered():
    assert len(NODE_CLASSES) > 50
    assert all(dataclasses.is_dataclass(cls) for cls in NODE_CLASSES)


@pytest.mark.parametrize("cls", NODE_CLASSES, ids=lambda c: c.__name__)
def test_a_node_is_made_shown_and_compared_as_its_dataclass_would_be(cls):
    reference = _reference(cls)
    values = _values(cls)
    span = Span(line=3, column=5, end_line=3, end_column=9)
    node, expected = cls(span=span, **values), reference(span=span, **values)
    assert repr(node) == repr(expected)
    assert hash(node) == hash(expected)
    assert dataclasses.asdict(node) == dataclasses.asdict(expected)

    # defaults as declared: only the required fields given
    required = {name: values[name] for name in _required(cls)}
    assert dataclasses.asdict(cls(**required)) == dataclasses.asdict(reference(**required))

    # equal whatever the span; unequal when any compared field differs, as the reference is
    elsewhere = cls(span=Span(line=9, column=1, end_line=9, end_column=2), **values)
    assert node == elsewhere and hash(node) == hash(elsewhere)
    for name in values:
        changed = {**values, name: ("another", name)}
        assert (node == cls(**changed)) == (expected == reference(**changed))
        assert node != cls(**changed)
    assert (node == cls(**values)) is True and (node != cls(**values)) is False
    if values:  # a field that is not equal to itself (NaN): equal nodes still, as tuples compare
        nan = {**values, next(iter(values)): float("nan")}
        same = cls(**nan)
        assert (same == same) == (reference(**nan) == reference(**nan))
    other_classes = [c for c in NODE_CLASSES if c is not cls and set(_values(c)) == set(values)]
    for other in other_classes:  # same fields, another kind of node: never equal
        assert node != other(**values)


@pytest.mark.parametrize("cls", NODE_CLASSES, ids=lambda c: c.__name__)
def test_a_node_refuses_what_its_dataclass_would_refuse(cls):
    reference = _reference(cls)
    values = _values(cls)
    required = _required(cls)
    for left_out in [[name] for name in required] + [required, required[1:]]:
        missing = {k: v for k, v in values.items() if k not in left_out}
        if missing == values:
            continue
        with pytest.raises(TypeError) as ours:
            cls(**missing)
        with pytest.raises(TypeError) as theirs:
            reference(**missing)
        assert str(ours.value) == str(theirs.value)
    for given in (values, {}):  # an unknown field is named first, even with others missing
        with pytest.raises(TypeError) as ours:
            cls(**given, colour="red")
        with pytest.raises(TypeError) as theirs:
            reference(**given, colour="red")
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(TypeError):
        cls(ast._NO_SPAN)  # keyword-only, as the reference is
    node = cls(**values)
    for name in [*values, "span", "colour"]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(node, name, 1)
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(node, name)
    assert dataclasses.asdict(node) == dataclasses.asdict(cls(**values))  # nothing changed


@pytest.mark.parametrize("cls", NODE_CLASSES, ids=lambda c: c.__name__)
def test_a_node_is_replaced_copied_and_pickled_as_a_dataclass(cls):
    values = _values(cls)
    node = cls(**values)
    assert copy.deepcopy(node) == node and pickle.loads(pickle.dumps(node)) == node
    for name in values:
        replaced = dataclasses.replace(node, **{name: "new"})
        assert getattr(replaced, name) == "new" and replaced != node
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(replaced, name, "newer")
    assert {node: 1}[cls(**values)] == 1  # usable as a key


def test_a_parsed_scheme_equals_itself_parsed_again_and_not_a_changed_one():
    text = open("schemes/2017-leeds.qof", encoding="utf-8").read()
    first, again = ast_of(text), ast_of("\n" + text)  # every span moves down a line
    assert first == again and hash(first) == hash(again)
    changed = text.replace("pay: higher of (", "pay: lower of (")
    assert changed != text and first != ast_of(changed)


def ast_of(text: str) -> ast.Scheme:
    from qofrules import api
    return api.parse(text, "scheme.qof")
