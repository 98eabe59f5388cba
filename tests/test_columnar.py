"""The columnar reader reads exactly what the exact reader reads, or hands the data set to it.

Its one promise: it never returns data the exact reader would refuse, and never returns data
that differs from the exact reader's in any value or written form. Mutated copies of a shipped
example check that promise row by row."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from qofrules import api
from qofrules.data import columnar, load
from qofrules.diagnostics import QofError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "leeds-2017"

VALUES = ["", " 12", "12 ", "12.0", "1e2", "-1", "-0", "nan", "NaN", "inf", "Infinity", "1.5", "12.345", "0.125",
          "٣", "1_000", "0x10", "99999999999999999999", "123456789012345678", "+5", ".5", "5.", "5.00", "007",
          '"12"', "12\x00", "1,2", "1 2", "1e-5", "0.000000000000001"]


def _mutations():
    value = st.sampled_from(VALUES)
    return st.one_of(
        st.tuples(st.just("value"), value),
        st.tuples(st.just("practice"), st.sampled_from(["ZZZ999", "", " B86001", "b86001"])),
        st.tuples(st.just("measure"), st.sampled_from(["numerator", "PCAS", "EXCEPTIONS", "OTHER", " REGISTER", ""])),
        st.tuples(st.just("indicator"), st.sampled_from(["", "XX001", " AF001", "af001"])),
        st.tuples(st.just("line"), st.sampled_from(["duplicate", "drop field", "extra field", "blank", "spaces",
                                                    "quoted newline", "latin-1", "crlf", "bom", "truncate"])),
    )


def _mutate(lines: list[bytes], at: int, mutation) -> list[bytes]:
    kind, what = mutation
    lines = list(lines)
    fields = lines[at].rstrip(b"\r\n").split(b",")
    fields += [b""] * (4 - len(fields))  # an earlier mutation may have cut this line short
    if kind == "value":
        fields[3] = what.encode("utf-8")
    elif kind == "practice":
        fields[0] = what.encode("utf-8")
    elif kind == "measure":
        fields[2] = what.encode("utf-8")
    elif kind == "indicator":
        fields[1] = what.encode("utf-8")
    elif what == "duplicate":
        lines.insert(at, lines[at])
        return lines
    elif what == "drop field":
        fields = fields[:3]
    elif what == "extra field":
        fields.append(b"1")
    elif what == "blank":
        lines.insert(at, b"\n")
        return lines
    elif what == "spaces":
        lines.insert(at, b"   \n")
        return lines
    elif what == "quoted newline":
        fields[3] = b'"1\n2"'
    elif what == "latin-1":
        fields[0] = fields[0] + "é".encode("latin-1")
    elif what == "crlf":
        return [line.rstrip(b"\n") + b"\r\n" for line in lines]
    elif what == "bom":
        lines[0] = b"\xef\xbb\xbf" + lines[0]
        return lines
    elif what == "truncate":
        return lines[:at] + [lines[at][: max(1, len(lines[at]) // 2)]]
    lines[at] = b",".join(fields) + b"\n"
    return lines


def _both(path: Path):
    """(exact reader's outcome, columnar reader's outcome): a data set, or the exception's class."""
    try:
        exact = load(str(path))
    except QofError as exc:
        exact = exc
    try:
        fast = columnar.load(str(path))
    except (columnar.Deferred, QofError) as exc:
        fast = exc
    return exact, fast


def _written(practice) -> tuple:
    """Everything about a practice, numbers in their written form ('12.00', not 12), dicts sorted
    (the order of a practice's indicators in a file means nothing)."""
    achievement = {year: sorted((code, tuple(map(str, m))) for code, m in by_code.items())
                   for year, by_code in practice.achievement.items()}
    prevalence = {year: sorted((g, repr(p)) for g, p in by_group.items()) for year, by_group in practice.prevalence.items()}
    return practice == practice, repr(practice.areas), practice.code, practice.list_size, achievement, prevalence


def _same(exact, fast) -> None:
    assert isinstance(fast, columnar.ColumnarData)
    fulls = [fast.practice_in_full(i) for i in range(len(fast.practices))]
    assert fulls == list(exact.practices)
    assert [_written(p) for p in fulls] == [_written(p) for p in exact.practices]
    assert fast.years == exact.years and fast.area_columns == exact.area_columns


def test_the_shipped_examples_read_the_same_both_ways():
    for example in ("lincolnshire-2014", "south-west-2014", "leeds-2017"):
        exact, fast = _both(ROOT / "examples" / example)
        _same(exact, fast)


@pytest.fixture(scope="module")
def lines() -> list[bytes]:
    return (EXAMPLE / "achievement-2016-17.csv").read_bytes().splitlines(keepends=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(st.tuples(st.integers(min_value=1, max_value=400), _mutations()), min_size=1, max_size=3))
def test_a_damaged_achievement_file_is_read_the_same_or_handed_to_the_exact_reader(mutations, lines, tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    shutil.copytree(EXAMPLE, folder, dirs_exist_ok=True)
    damaged = lines
    for at, mutation in mutations:
        damaged = _mutate(damaged, min(at, len(damaged) - 1), mutation)
    (folder / "achievement-2016-17.csv").write_bytes(b"".join(damaged))
    exact, fast = _both(folder)
    if isinstance(exact, QofError):
        assert not isinstance(fast, columnar.ColumnarData), "the columnar reader accepted what the exact reader refuses"
    elif not isinstance(fast, columnar.Deferred):
        _same(exact, fast)


def test_run_reports_bad_rows_with_file_and_line_whichever_reader_starts(tmp_path):
    """A bad row makes the columnar reader defer; the user sees the exact reader's located error."""
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE, folder)
    path = folder / "achievement-2016-17.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[5].rstrip("\n").split(",")
    fields[3] = "twelve"
    lines[5] = ",".join(fields) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(QofError) as caught:
        api.run_result(str(ROOT / "schemes" / "2017-leeds.qof"), str(folder))
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == "QD021" and diagnostic.span.line == 6 and "twelve" in diagnostic.message
    assert diagnostic.source.name.endswith("achievement-2016-17.csv")


def test_a_file_over_the_columnar_limit_is_refused_with_its_name(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE, folder)
    monkeypatch.setattr(columnar, "MAX_COLUMNAR_BYTES", 100)
    with pytest.raises(QofError) as caught:
        columnar.load(str(folder))
    rendered = caught.value.diagnostics[0].render()
    assert rendered.startswith(str(folder / "achievement-2016-17.csv")) or rendered.startswith(str(folder / "achievement-2015-16.csv"))
    assert "error[QR005] the file is" in rendered and "a data file may be at most 100" in rendered


@pytest.mark.parametrize("row", [b"B86001,AF007,OTHER," + b"x" * 200_000 + b"\n",   # a huge field on a row not used
                                 b"B86001,AF007,NUMERATOR,53,caf\xe9\n"],              # latin-1 in a column not used
                         ids=["huge-field-on-an-unused-row", "latin-1-in-an-unused-column"])
def test_fields_the_reader_does_not_use_are_checked_like_the_exact_reader_checks_them(tmp_path, row):
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE, folder)
    path = folder / "achievement-2016-17.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    if row.count(b",") == 4:  # a file with a fifth column, NOTE
        lines = [lines[0].rstrip(b"\n") + b",NOTE\n"] + [line.rstrip(b"\n") + b",\n" for line in lines[1:]]
    path.write_bytes(b"".join(lines[:2] + [row] + lines[2:]))
    exact, fast = _both(folder)
    assert isinstance(exact, QofError)
    assert not isinstance(fast, columnar.ColumnarData)


# ------------------------------------------------------------------ hostile values, whole and streamed

#: VALUE texts a file may hold: blank, spaced, odd spellings of numbers, beyond every bound.
HOSTILE_VALUES = ["", " ", " 12 ", "12 ", "12.500", "12.0", "007", "0", "1e3", "1E3", "-1", "-0", "+5", ".5", "5.",
                  "1000", "1000.0", "1000.5", "1001", "1000000", "1000001", "99999999999999999999",
                  "123456789012345", "1234567890123456", "0.000000000000001", "nan", "inf", "١٢", "1_000"]


def _streamed(monkeypatch) -> None:
    """Make the columnar reader stream every file in 4 KB blocks, as it streams files over 256 MB."""
    monkeypatch.setattr(columnar, "WHOLE_FILE_BYTES", 0)
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 4096)


def _outcome(load_it):
    """What a reader made of a data set, comparable across readers: its practices in full (numbers
    in their written form), the deferral's words, or the error's rendered diagnostics."""
    try:
        found = load_it()
    except columnar.Deferred as exc:
        return "deferred", str(exc)
    except QofError as exc:
        return "error", [d.render() for d in exc.diagnostics]
    practices = [found.practice_in_full(i) for i in range(len(found.practices))] \
        if isinstance(found, columnar.ColumnarData) else list(found.practices)
    return "read", [_written(p) for p in practices], practices


def _both_ways(folder: Path, monkeypatch):
    """(the exact reader's outcome, the columnar reader's reading whole, its reading streamed).
    Whole, the file is parsed in 4 KB blocks too: many batches sharing one dictionary per column,
    whose texts are checked once (columnar._parsed), wherever in the file a bad one is."""
    exact = _outcome(lambda: load(str(folder)))
    with monkeypatch.context() as patch:
        patch.setattr(columnar, "BLOCK_BYTES", 4096)
        whole = _outcome(lambda: columnar.load(str(folder)))
    with monkeypatch.context() as patch:
        _streamed(patch)
        streamed = _outcome(lambda: columnar.load(str(folder)))
    return exact, whole, streamed


def _agrees(exact, fast) -> None:
    """The columnar reader read what the exact reader read, said the same error, or deferred."""
    if fast[0] == "read":
        assert exact[0] == "read", "the columnar reader accepted what the exact reader refuses"
        assert fast[1] == exact[1] and fast[2] == exact[2]
    elif fast[0] == "error":
        assert fast == exact


def _set_value(folder: Path, measure: str, text: str, copies: int = 1) -> None:
    """Give the first ``measure`` row of the 2016/17 file the VALUE ``text`` (and repeat that row)."""
    path = folder / "achievement-2016-17.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if f",{measure}," in line)
    fields = lines[at].rstrip("\n").split(",")
    lines[at] = ",".join(fields[:3] + [text]) + "\n"
    lines[at + 1: at + 1] = [lines[at]] * (copies - 1)
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize("measure", ["NUMERATOR", "ACHIEVED_POINTS"])
@pytest.mark.parametrize("text", HOSTILE_VALUES)
def test_a_hostile_value_reads_as_the_exact_reader_reads_it_whole_or_streamed(text, measure, tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE, folder)
    _set_value(folder, measure, text)
    exact, whole, streamed = _both_ways(folder, monkeypatch)
    _agrees(exact, whole)
    assert streamed[:2] == whole[:2]


@pytest.mark.parametrize("text", ["12", "", "x", "12.500"])
def test_a_repeated_row_reads_as_the_exact_reader_reads_it_whole_or_streamed(text, tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE, folder)
    _set_value(folder, "DENOMINATOR", text, copies=2)
    exact, whole, streamed = _both_ways(folder, monkeypatch)
    _agrees(exact, whole)
    assert streamed[:2] == whole[:2]
    if text in ("12", "12.500"):  # a repeat the exact reader refuses: the same words on every path
        assert exact[0] == whole[0] == "error"


ROWS = {
    "unknown practices, among good rows": ["ZZZ999,AF007,NUMERATOR,1", "B86001,XX999,NUMERATOR,1",
                                           "ZZZ998,AF007,OTHER,1", "B86001,XX998,OTHER,x"],
    "unknown practices and bad values": ["ZZZ999,AF007,NUMERATOR,1", "B86001,AF007,PCAS,1e3",
                                         "ZZZ999,AF007,ACHIEVED_POINTS,"],
    "measures spelt otherwise": ["B86002,XX001, numerator ,3", "B86002,XX001,Denominator,4",
                                 "B86002,XX001,exceptions,1", "B86002,XX001,achieved_points,1.50"],
    "a numerator above its denominator": ["B86002,XX001,NUMERATOR,5", "B86002,XX001,DENOMINATOR,4"],
    "blank values only": ["B86002,XX001,NUMERATOR,", "B86002,XX001,ACHIEVED_POINTS,"],
}


@pytest.mark.parametrize("name", sorted(ROWS))
def test_added_rows_read_as_the_exact_reader_reads_them_whole_or_streamed(name, tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE, folder)
    path = folder / "achievement-2016-17.csv"
    path.write_text(path.read_text(encoding="utf-8") + "".join(f"{row}\n" for row in ROWS[name]), encoding="utf-8")
    exact, whole, streamed = _both_ways(folder, monkeypatch)
    _agrees(exact, whole)
    assert streamed[:2] == whole[:2]


@pytest.mark.parametrize("order", ["by measure", "by indicator", "by value"])
def test_a_file_naming_its_measures_and_codes_late_reads_the_same_streamed(order, tmp_path, monkeypatch):
    """Streamed, a block may name a measure or codes no earlier block named: the matrices grow,
    and what was read before stays where it was."""
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE, folder)
    path = folder / "achievement-2016-17.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
    column = {"by measure": 2, "by indicator": 1, "by value": 3}[order]
    rows.sort(key=lambda row: row.split(",")[column])
    rows += [f"B86001,NEW{i:03},REGISTER,{i}\n" for i in range(40)]  # more codes than CODE_SLACK, at the end
    path.write_text(header + "".join(rows), encoding="utf-8")
    exact, whole, streamed = _both_ways(folder, monkeypatch)
    assert exact[0] == whole[0] == streamed[0] == "read"
    assert whole[1:] == exact[1:] and streamed[1:] == exact[1:]


# ------------------------------------------------------------------ files parsed ahead

BREAKAGES = {
    "practices table": ("practices.csv", lambda text: text.replace(",", ";", 1)),            # QD012
    "first achievement file": ("achievement-2016-17.csv", lambda text: text + "ZZZ999,AF007,NUMERATOR,1\n"),
    "second achievement file": ("achievement-2015-16.csv", lambda text: "PRACTICE,CODE\n" + text),
    "prevalence file": ("prevalence-2016-17.csv", lambda text: text + "B86001,AF,x,TOTAL,1\n"),
}


@pytest.mark.parametrize("broken", [["practices table", "second achievement file"],
                                    ["first achievement file", "second achievement file", "prevalence file"],
                                    ["second achievement file", "prevalence file"], ["prevalence file"]],
                         ids=lambda names: " + ".join(names))
def test_the_first_broken_file_is_the_one_reported_though_later_ones_are_parsed_ahead(broken, tmp_path):
    """Files are parsed a file ahead of the one being read (columnar._ParsedAhead); a later file's
    problem found ahead waits its turn, so the user sees what the exact reader, reading one file
    after another, says first."""
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE, folder)
    for name in broken:
        path = folder / BREAKAGES[name][0]
        path.write_text(BREAKAGES[name][1](path.read_text(encoding="utf-8")), encoding="utf-8")
    exact = _outcome(lambda: load(str(folder)))
    assert exact[0] == "error" and BREAKAGES[broken[0]][0] in exact[1][0]
    fast = _outcome(lambda: api.load_columns(str(folder)) or load(str(folder)))
    assert fast == exact


def _files_of_sizes(sizes: list[int], folder: Path, monkeypatch) -> list:
    """Files of these sizes in bytes, with a budget of 100 bytes ahead, each "parsed" to its name."""
    files = []
    for k, size in enumerate(sizes):
        path = folder / f"f{k}.csv"
        path.write_bytes(b"x" * size)
        files.append(columnar._File(None, None, ("cols", "file"), str(k), path, path.name))
    monkeypatch.setattr(columnar, "AHEAD_BYTES", 100)
    monkeypatch.setattr(columnar, "_parsed", lambda path, *kind: path.name)
    return files


def test_files_are_queued_ahead_in_order_while_they_fit_the_budget(tmp_path, monkeypatch):
    """columnar._ParsedAhead: files not yet handed over never hold more than AHEAD_BYTES; a file
    too large waits for its turn, and the files after it wait for it."""
    with columnar._ParsedAhead(_files_of_sizes([60, 30, 10, 80, 5], tmp_path, monkeypatch)) as ahead:
        ahead.begin()
        assert sorted(ahead.parsing) == [0, 1, 2]            # 60 + 30 + 10: the fourth would pass 100
        assert ahead.parsed(0)() == "f0.csv"
        assert sorted(ahead.parsing) == [1, 2]               # 30 + 10 held: 80 more would pass 100
        assert ahead.parsed(1)() == "f1.csv" and sorted(ahead.parsing) == [2, 3, 4]   # 10 + 80 + 5
        assert ahead.parsed(2)() == "f2.csv" and sorted(ahead.parsing) == [3, 4]
        assert [ahead.parsed(k)() for k in (3, 4)] == ["f3.csv", "f4.csv"] and not ahead.parsing


def test_a_file_beyond_the_budget_is_parsed_in_its_turn_and_the_queue_goes_on(tmp_path, monkeypatch):
    with columnar._ParsedAhead(_files_of_sizes([200, 10, 10], tmp_path, monkeypatch)) as ahead:
        ahead.begin()
        assert not ahead.parsing                             # the first is too large: nothing jumps it
        assert ahead.parsed(0)() == "f0.csv"                 # parsed now, in its turn
        assert sorted(ahead.parsing) == [1, 2]


@pytest.mark.parametrize("field", range(5))
@pytest.mark.parametrize("bytes_", [b"\xff", b"caf\xe9", b"\xc3", b"\xed\xa0\x80"], ids=["ff", "latin-1", "cut", "surrogate"])
def test_bytes_that_are_not_utf8_in_any_field_give_the_exact_readers_error_whole_or_streamed(field, bytes_, tmp_path,
                                                                                             monkeypatch):
    """The parser's check of every field is off; every field is in its column's dictionary, and
    the dictionaries are checked (columnar._check_texts)."""
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE, folder)
    path = folder / "achievement-2016-17.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    lines = [lines[0].rstrip(b"\n") + b",NOTE\n"] + [line.rstrip(b"\n") + b",\n" for line in lines[1:]]
    fields = lines[300].rstrip(b"\n").split(b",")
    fields[field] += bytes_
    lines[300] = b",".join(fields) + b"\n"
    path.write_bytes(b"".join(lines))
    exact, whole, streamed = _both_ways(folder, monkeypatch)
    assert exact[0] == "error" and "QR002" in exact[1][0]
    for fast in (whole, streamed):
        assert fast[0] == "deferred" or fast == exact
