"""``json.dumps(value, indent=2)``, character for character, several times faster.

With ``indent`` set, the standard library gives up its C encoder for a pure-Python chain of
generators, one per nested value; a national run's JSON (6,410 practices × 76 indicators, about
200 MB) spent most of its time there. This writes the same text for the plain data qofrules makes
(dicts with string keys, lists, strings, integers, booleans, None), with the standard library's
own C function for escaping strings; any other value (a float, a non-string key) is handed to
``json.dumps`` itself, so nothing is written differently. tests/test_jsontext.py compares the two.
"""
from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii as _string

_INDENT = "  "


def dumps(value, prefix: str = "") -> str:
    """``json.dumps(value, indent=2)``, each line after the first preceded by ``prefix`` (the
    indentation of the place the value is written at)."""
    out: list[str] = []
    _encode(value, prefix, out)
    return "".join(out)


def _encode(value, prefix: str, out: list) -> None:
    kind = type(value)
    if kind is str:
        out.append(_string(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        start, inner = len(out), prefix + _INDENT
        opening = "{\n" + inner
        between = ",\n" + inner
        for number, (key, item) in enumerate(value.items()):
            if type(key) is not str:  # json.dumps converts such keys; let it
                del out[start:]
                out.append(json.dumps(value, indent=2).replace("\n", "\n" + prefix))
                return
            out.append((between if number else opening) + _string(key) + ": ")
            _encode(item, inner, out)
        out.append("\n" + prefix + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = prefix + _INDENT
        opening = "[\n" + inner
        between = ",\n" + inner
        for number, item in enumerate(value):
            out.append(between if number else opening)
            _encode(item, inner, out)
        out.append("\n" + prefix + "]")
    else:
        out.append(json.dumps(value, indent=2).replace("\n", "\n" + prefix))
