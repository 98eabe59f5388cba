"""The practices table read column by column (csvfiles._practices_at_once, the fast way) is the
table read row by row (csvfiles._practices_row_by_row, which says what is wrong and where):
the same practices, geography columns and attribute names, or, at any doubt, no answer, so that
the row-by-row reader's error is the one a user sees."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from qofrules.data import csvfiles
from qofrules.diagnostics import QofError
from qofrules.source import Source

HEADERS = ["PCN", "ccg ", "ICB", "OPTED_IN", "PILOTS", "REQUESTED_ALTERNATIVE", "Dispensing", "list_size",
           "SUB_ICB_ODS_CODE"]
#: (texts every reader takes, texts that need a look) for each column; any other column takes OTHER.
TEXTS = {
    "PRACTICE_CODE": (["A8100{}", " A8100{} ", "b8600{}"], ["", "A81001"]),  # {}: the row's number
    "LIST_SIZE": (["10813", " 7383 ", "007", "1000000", "1"],
                  ["12.0", "0", "-1", "1e3", "1000001", "", "٣", "1234567890123456", "+5"]),
    "OPTED_IN": (["", "2014-02-01", " 2014-02-01 "], ["20140201", "2014-02-30", "2014-W05-6"]),
    "PILOTS": (["", "a", "a;b", " a ; ;b ", ";"], []),
    "REQUESTED_ALTERNATIVE": (["", "yes", "Y", "no", "TRUE", "0", " n "], ["maybe", "oui"]),
}
OTHER = (["", "x", "NHS Lincolnshire ICB", " spaced ", '"quoted, with a comma"', "é", '"say ""hi"""'], [])


def _outcome(reader, text: str):
    try:
        return "read", reader(Source("practices.csv", text))
    except QofError as exc:
        return "error", [d.render() for d in exc.diagnostics]


def _agree(text: str) -> None:
    row_by_row = _outcome(csvfiles._practices_row_by_row, text)
    at_once = csvfiles._practices_at_once(Source("practices.csv", text))
    if at_once is not None:
        assert row_by_row == ("read", at_once)
        assert [repr(p) for p in at_once[0]] == [repr(p) for p in row_by_row[1][0]]  # dict orders too
    assert _outcome(csvfiles.read_practices, text) == row_by_row


@st.composite
def tables(draw) -> str:
    """A practices table, mostly good (so the column-by-column reader has something to read), with
    now and then a row or a text that needs a look."""
    names = ["PRACTICE_CODE", "PRACTICE_NAME", "LIST_SIZE"] + draw(st.lists(st.sampled_from(HEADERS), max_size=5, unique=True))
    names = draw(st.permutations(names))
    if draw(st.integers(min_value=0, max_value=9)) == 0:  # a header to refuse
        names = draw(st.sampled_from([names[1:], names + names[:1], [";".join(names)]]))
    lines = [",".join(names)]
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        kind = draw(st.sampled_from(["row"] * 12 + ["blank", "spaces", "short", "long"]))
        if kind in ("blank", "spaces"):
            lines.append("" if kind == "blank" else "   ")
            continue
        fields = []
        for name in names:
            good, bad = TEXTS.get(name.strip().upper(), OTHER)
            look = bad and draw(st.integers(min_value=0, max_value=15)) == 0
            fields.append(draw(st.sampled_from(bad if look else good)).format(len(lines)))
        if kind == "short":
            fields = fields[:-1]
        elif kind == "long":
            fields.append("x")
        lines.append(",".join(fields))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))


@settings(max_examples=400, deadline=None)
@given(tables())
def test_a_practices_table_reads_the_same_at_once_or_row_by_row(text):
    _agree(text)


@pytest.mark.parametrize("text", [
    "PRACTICE_CODE,PRACTICE_NAME,LIST_SIZE\n",
    "PRACTICE_CODE,PRACTICE_NAME,LIST_SIZE,PCN,REGION,Dispensing\nA1,One,10,P1,R1,yes\nA2,Two, 20 ,P2,R2,\n",
    "PRACTICE_CODE,PRACTICE_NAME,LIST_SIZE\nA1,\"One, with a comma\",10\n\nA2,Two,20\n",
    "PRACTICE_CODE,PRACTICE_NAME,LIST_SIZE\nA1,\"One\nover two lines\",10\n",
    "PRACTICE_CODE,PRACTICE_NAME,LIST_SIZE\nA1,One,10\nA1,One again,10\n",
    "PRACTICE_CODE,PRACTICE_NAME,LIST_SIZE,PRACTICE_CODE\nA1,One,10,A1\n",
    "PRACTICE_CODE;PRACTICE_NAME;LIST_SIZE\nA1;One;10\n",
    "PRACTICE_CODE,PRACTICE_NAME,LIST_SIZE\nA1,One,\"10\n",
    "",
], ids=["empty", "geography and attributes", "quoted comma and blank line", "quoted newline", "listed twice",
         "column twice", "semicolons", "quote never closed", "no header"])
def test_tables_of_every_shape_read_the_same_at_once_or_row_by_row(text):
    _agree(text)
