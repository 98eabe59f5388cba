"""``json.dumps(value, indent=2)``, character for character, several times faster.

With ``indent`` set, the standard library gives up its C encoder for a pure-Python chain of
generators, one per nested value; a national run's JSON (6,410 practices × 76 indicators, about
200 MB) spent most of its time there. This writes the same text for the plain data qofrules makes
(dicts with string keys, lists, strings, integers, booleans, None), with the standard library's
own C function for escaping strings; any other value (a float, a non-string key) is handed to
``json.dumps`` itself, so nothing is written differently. tests/test_jsontext.py compares the two.

For the most repeated shape of all, an indicator's result, :func:`template` makes the text once
with slots for the figures, and :class:`Written` puts text so made in its place in a value.
"""
from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii as _string

_INDENT = "  "

#: In a value given to :func:`template`, a string that becomes a slot for a JSON value
VALUE_SLOT = "\x00value\x00"
#: In a value given to :func:`template`, a string that becomes a slot inside its quotes: for text
#: that needs no escaping (digits, a sign and a point)
TEXT_SLOT = "\x00text\x00"


class Written:
    """A value whose JSON text is made by a function: ``dumps`` writes ``write(prefix)`` in its
    place, ``prefix`` the indentation it is written at. What lets a national run's 487,000 indicator
    cells be written straight from whole numbers, with no dicts made to be encoded."""

    __slots__ = ("write",)

    def __init__(self, write):
        self.write = write


def dumps(value, prefix: str = "") -> str:
    """``json.dumps(value, indent=2)``, each line after the first preceded by ``prefix`` (the
    indentation of the place the value is written at)."""
    out: list[str] = []
    _encode(value, prefix, out)
    return "".join(out)


def template(value, prefix: str = "", text: str = "%s") -> str:
    """``dumps(value, prefix)`` as a ``%``-format string: each :data:`VALUE_SLOT` in ``value``
    becomes ``%s`` (to be given JSON text, ``null`` or ``"1.25"``), each :data:`TEXT_SLOT` becomes
    ``text`` within quotes (a format whose output needs no escaping, such as ``%d.%02d``). One
    shape is made once, its values filled in by one C call per use; tests/test_jsontext.py holds a
    filled template equal to ``dumps``."""
    return (dumps(value, prefix).replace("%", "%%").replace(_string(VALUE_SLOT), "%s")
            .replace(_string(TEXT_SLOT)[1:-1], text))


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
    elif kind is Written:
        out.append(value.write(prefix))
    else:
        out.append(json.dumps(value, indent=2).replace("\n", "\n" + prefix))
