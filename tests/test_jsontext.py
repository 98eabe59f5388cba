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


@given(st.dictionaries(st.text(), st.text(), max_size=3), st.text(), st.integers(0, 10**12), st.text())
def test_a_filled_template_is_the_text_of_the_value_filled(around, value, hundredths, prefix):
    """template(): a value slot takes JSON text, a text slot a format within quotes; whatever the
    rest holds (a % included) is written as dumps writes it."""
    shape = {**around, "\x00a": jsontext.VALUE_SLOT, "\x00b": [jsontext.TEXT_SLOT, {"c": "100%"}]}
    filled = jsontext.template(shape, prefix, "%d.%02d") % (json.dumps(value), hundredths // 100, hundredths % 100)
    expected = {**around, "\x00a": value, "\x00b": [f"{hundredths // 100}.{hundredths % 100:02d}", {"c": "100%"}]}
    assert filled == jsontext.dumps(expected, prefix)
