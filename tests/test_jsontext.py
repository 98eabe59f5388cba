"""qofrules.jsontext writes exactly what json.dumps(value, indent=2) writes."""
from __future__ import annotations

import json

from hypothesis import given, strategies as st

from qofrules import api, jsontext

SCALARS = st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=True)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                      | st.dictionaries(st.text(), inner, max_size=4)
                      | st.dictionaries(st.integers(), inner, max_size=2), max_leaves=30)


@given(VALUES)
def test_the_same_text_as_json_dumps(value):
    assert jsontext.dumps(value) == json.dumps(value, indent=2)


@given(VALUES)
def test_a_prefix_indents_every_line_after_the_first(value):
    assert jsontext.dumps(value, "    ") == json.dumps(value, indent=2).replace("\n", "\n    ")


def test_a_run_streamed_is_the_run_as_one_text():
    """run --format json writes its text in pieces; joined, they are json.dumps of the whole."""
    result = api.run_result("schemes/2014-somerset.qof", "examples/south-west-2014")
    assert "".join(result.json_pieces()) == json.dumps(result.to_plain(indicators=True), indent=2) + "\n"
    assert len(list(result.json_pieces())) == len(result.practices) + 2
