"""Practice data as columns: how a national data set directory is read fast, in bounded memory.

The exact reader (:mod:`.csvfiles`) builds a Python object per practice, indicator and measure:
about 12 s and 2 GB for England's 6,410 practices. This reader parses NHS Digital's long CSV
files with pyarrow's multi-threaded CSV parser (whole, or in blocks for a large file) and
scatters the rows into one float64 matrix per measure (indicators × practices, so each
indicator's column of practices is contiguous for the vectorised evaluator; NaN = not given):
the planes of one cube, so that the rows are written in one scatter. Every text is looked at
once per distinct text, through the column's dictionary, never once per row. Memory is the
matrices plus the parsed file (or a block or two), and time is mostly the parser's.

It is a *fast path with a referee*. It accepts only files whose every row it can judge exactly as
the exact reader would: plain whole numbers, plain decimals of at most 15 characters (so a float64
holds them exactly and ``repr`` gives them back), known practices, no repeated measures, numerators
within denominators, valid UTF-8, no NUL bytes, the field count of the header.

A bad row is never dropped, and is judged in one way only, the exact reader's
(csvfiles.judge_long_row and its neighbours), without reading the data set whole that way:

* rows of an achievement file wrong on their own (a practice not in the practices table, a VALUE
  that is not a plain number within its bound) are found here, across the whole file, and their
  lines judged by the exact reader's row checks (:func:`_report_refused`);
* a problem that needs other rows to see (a repeated measure, a numerator above its denominator),
  or that stops the parser (a row of the wrong width), is left to the exact reader's checks
  streamed from disk over that one file (csvfiles.check_long, check_prevalence);
* a file with nothing wrong that this reader still cannot hold (an unusual spelling of a number,
  a quoted newline) raises :class:`Deferred`, and the caller reads the data set exactly.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from ..diagnostics import MAX_DIAGNOSTICS_PER_FILE, QofError, error
from ..reading import MAX_DATA_BYTES, read_text
from ..source import Source
from . import csvfiles
from .model import Measures, Practice, Prevalence

#: A file this reader streams may be larger than the exact reader's limit (it never holds the
#: whole file); beyond this it is refused.
MAX_COLUMNAR_BYTES = 64 * 1024 ** 3
#: The parser's block: 4 MB measured as fast as 8 or 16 MB nationally, with 15-70 MB less peak memory.
BLOCK_BYTES = 4 * 1024 * 1024
#: Files up to this size are parsed whole, their blocks on every core at once (England's 46 MB
#: achievement file: 0.28 s against 0.38 s streamed, for ~5 MB more memory, the columns being
#: dictionary-encoded); larger ones are streamed, so memory stays bounded whatever the size.
WHOLE_FILE_BYTES = 256 * 1024 * 1024
#: Files are parsed ahead while the ones before them are read, as many as fit in this many bytes
#: (_ParsedAhead): a parsed file is held for a while besides the one being read, so a larger one
#: is parsed in its turn. England's three files (61 MB) all are; at ×10 only the prevalence file
#: (36 MB) is, and peak memory there is 769 MB against 705 MB parsing none ahead.
AHEAD_BYTES = 64 * 1024 * 1024
#: Room for this many more indicators each time a file names one more than there is room for.
CODE_SLACK = 16
#: Rows handled at once: a pass over 2**18 rows keeps its few MB of temporaries in the CPU's
#: cache; over a whole national file (1.6 million rows) they cost more in fresh memory than the
#: arithmetic does.
SLICE_ROWS = 1 << 18
#: Longest VALUE text taken as a number here: 15 characters hold at most 15 significant digits,
#: which a float64 stores exactly and ``repr`` gives back (and counts stay below 2**53).
MAX_VALUE_CHARS = csvfiles.MAX_NUMBER_CHARS  # 15: the exact reader's own bound
FIELDS = ("register", "numerator", "denominator", "exceptions", "achieved_points")
COUNT_FIELDS = FIELDS[:4]


def written_points(value: float, places: int) -> Decimal:
    """ACHIEVED_POINTS as the data wrote it, from the float read and its digits after the point
    (``points_scale``): the shortest decimal of the float, to that many places."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places))


class Deferred(Exception):
    """This reader cannot judge the data set exactly; the exact reader must read it (says why)."""


class Refused(Deferred):
    """Rows of a long file this reader refused on their own, each for a reason that needs no other
    row (a practice not in the practices table, a VALUE that is not a plain number within its
    bound), and nothing else wrong in the file: the first MAX_DIAGNOSTICS_PER_FILE of their data-row
    numbers (0 = the row after the header), how many there are, and the file's indicator codes."""

    def __init__(self, rows: list[int], count: int, names: list[str], codes: dict[str, int], why: list[str]):
        super().__init__(f"{count:,} row(s) with {' or '.join(why)}")
        self.rows, self.count, self.names, self.codes = rows, count, names, codes


@dataclass(frozen=True, eq=False)
class YearColumns:
    """One year's achievement: indicator code → row, and an indicators × practices matrix per
    measure (float64; NaN where the file gives no value)."""

    codes: dict[str, int]
    matrices: dict[str, np.ndarray]  # only the measures the file gives
    #: digits after the point of each ACHIEVED_POINTS text ("5.00" → 2), so the exact value and
    #: its written form are rebuilt when one practice is looked at in full.
    points_scale: np.ndarray


@dataclass(frozen=True, eq=False)
class PrevalenceColumns:
    groups: dict[str, int]
    register: np.ndarray   # practices × groups, NaN where not given
    list_size: np.ndarray


@dataclass(frozen=True, kw_only=True, eq=False)
class ColumnarData:
    """A data set as columns. ``practices`` carry everything but achievement and prevalence (the
    eligibility tests read them); :meth:`practice_in_full` rebuilds one practice exactly."""

    name: str
    synthetic: bool
    notice: str
    practices: tuple[Practice, ...]
    index: dict[str, int]
    achievement: dict[str, YearColumns]
    prevalence: dict[str, PrevalenceColumns]
    years: tuple[str, ...]
    area_columns: frozenset[str]
    attribute_names: frozenset[str]
    contract_overrides: str | None = None
    origin: str = ""

    def codes(self, year: str) -> set[str]:
        """Indicator codes the data gives for ``year``."""
        found = self.achievement.get(year)
        if not found:
            return set()
        given = np.zeros(len(found.codes), dtype=bool)  # a code named only on unused or blank rows is not given
        for matrix in found.matrices.values():
            given |= ~np.isnan(matrix).all(axis=1)
        return {code for code, j in found.codes.items() if given[j]}

    def practice_in_full(self, i: int, code: str | None = None, earlier: dict | None = None) -> Practice:
        """Practice ``i`` with its achievement and prevalence, exactly as the exact reader makes it;
        with ``code``, only that indicator's achievement (enough to compute that one indicator):
        in each year of ``earlier`` ({year: code, or None}) the code read there instead
        (EvaluationTree.codes_read), so an earlier year's renumbered code comes along."""
        from dataclasses import replace
        achievement = {}
        for year, columns in self.achievement.items():
            if code is None:
                wanted = list(columns.codes.items())
            else:
                read = (earlier or {}).get(year, code)
                wanted = [(read, columns.codes[read])] if read in columns.codes else []
            rows = {name: matrix[:, i].tolist() for name, matrix in columns.matrices.items()}
            scales = columns.points_scale[:, i].tolist()
            by_code = {}
            for code_, j in wanted:
                values = {}
                for name in FIELDS:
                    if name not in rows:
                        continue
                    value = rows[name][j]
                    if value == value:  # not NaN
                        if name == "achieved_points":
                            values[name] = written_points(value, scales[j])
                        else:
                            values[name] = int(value)
                if values:
                    by_code[code_] = Measures(**values)
            achievement[year] = by_code
        prevalence = {}
        for year, columns in self.prevalence.items():
            registers, lists = columns.register[i].tolist(), columns.list_size[i].tolist()
            prevalence[year] = {group: Prevalence(register=int(registers[g]), list_size=int(lists[g]))
                                for group, g in columns.groups.items() if registers[g] == registers[g]}
        return replace(self.practices[i], achievement=achievement, prevalence=prevalence)

    def practice(self, code: str) -> Practice | None:
        i = self.index.get(code)
        return None if i is None else self.practice_in_full(i)


def load(path: str) -> ColumnarData | None:
    """The data set at ``path`` as columns; None for a compact file (small by nature: the exact
    reader reads it). Raises :class:`Deferred` when only the exact reader can judge the files. NHS
    Digital's publication as published (a zip, a folder without a manifest) is read by
    :mod:`.publication`, with this module's reader."""
    from . import is_compact, publication, read_manifest
    if publication.applies(path):
        return publication.load_columns(path)
    data, source, base, files = read_manifest(path)
    if is_compact(data):
        return None
    to_read = [_File(read_long, csvfiles.check_long, _LONG, year, files[f"achievement.{year}"], relative)
               for year, relative in data.get("achievement", {}).items()]
    to_read += [_File(read_prevalence, csvfiles.check_prevalence, _PREVALENCE, year, files[f"prevalence.{year}"],
                      relative) for year, relative in data.get("prevalence", {}).items()]
    achievement, prevalence = {}, {}
    with _ParsedAhead(to_read) as ahead:
        ahead.begin()  # parsed while the practices table is read
        practices_source = read_text(files["practices"], max_bytes=MAX_DATA_BYTES,
                                     what="practices table")
        practices, area_columns, attribute_names = csvfiles.read_practices(practices_source)
        index = {p.code: i for i, p in enumerate(practices)}
        for k, file in enumerate(to_read):
            found = _named(file.reader, file.check, file.path, index, file.relative, ahead.parsed(k))
            (achievement if file.reader is read_long else prevalence)[file.year] = found
    overrides = data.get("contract_overrides")
    return ColumnarData(
        name=data["dataset"], synthetic=data["synthetic"], notice=data.get("notice", ""),
        practices=tuple(practices), index=index, achievement=achievement, prevalence=prevalence,
        years=tuple(sorted(achievement)), area_columns=area_columns, attribute_names=attribute_names,
        contract_overrides=str(files["contract_overrides"]) if overrides else None, origin=path)


@dataclass(frozen=True)
class _File:
    """A long file or prevalence file of the data set, and how it is read and judged."""

    reader: Callable  # read_long or read_prevalence
    check: Callable   # the exact reader's streamed checks of such a file
    kind: tuple[tuple[str, ...], str]  # its required columns, and what it is called (_LONG, _PREVALENCE)
    year: str
    path: Path
    relative: str     # as the manifest names it


class _ParsedAhead:
    """The files of a data set parsed ahead of the one being read, in their order, one at a time,
    in a thread of their own: the parser (on every core, the GIL released) works on the next files
    while this thread reads the practices table or writes a file's rows. Files are queued while
    those queued and not yet handed over come to at most AHEAD_BYTES, so memory holds at most that
    much parsed besides the file being read; a larger file is parsed in its turn (whole, or
    streamed in blocks over WHOLE_FILE_BYTES), and the queue goes on after it. England's three
    files (61 MB) are queued at once: the prevalence file is parsed while the 2023/24 file's rows
    are written, where one file ahead parsed it only after them."""

    def __init__(self, files: list[_File]):
        self.files = files
        self.parsing: dict[int, Future] = {}
        self.held: dict[int, int] = {}  # the size of each file queued and not yet handed over
        self.next = 0  # the next file to queue

    def __enter__(self):
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qofrules-parse")
        return self

    def __exit__(self, *exc) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)  # after an error: nothing more is parsed

    def begin(self) -> None:
        """Queue the next files, in order, while they fit in AHEAD_BYTES."""
        while self.next < len(self.files):
            file = self.files[self.next]
            try:
                size = file.path.stat().st_size
            except OSError:
                return  # reading it in its turn says what is wrong
            if size > WHOLE_FILE_BYTES or sum(self.held.values()) + size > AHEAD_BYTES:
                return
            self.parsing[self.next] = self.pool.submit(_parsed, file.path, *file.kind)
            self.held[self.next] = size
            self.next += 1

    def parsed(self, k: int) -> Callable[[], tuple[list[str], Iterable[pa.RecordBatch]]]:
        """A function giving the ``k``th file's header and batches (:func:`_parsed`): the file
        parsed ahead, or parsed now; its errors are raised when it is called, in the file's turn.
        Once it is handed over, the files after it that now fit are queued."""
        future = self.parsing.pop(k, None)
        file = self.files[k]

        def parse():
            found = future.result() if future is not None else _parsed(file.path, *file.kind)
            self.held.pop(k, None)
            self.next = max(self.next, k + 1)
            self.begin()
            return found
        return parse


def _named(reader, check, path: Path, index: dict[str, int], relative: str, parsed=None):
    """``reader(path, index, parsed)``. Where it cannot read the file, the file is judged without being read
    whole: rows refused on their own are reported here (:func:`_report_refused`), anything else by
    ``check``, the exact reader's checks streamed from disk (csvfiles.check_long). Only a file with
    nothing wrong that this reader still cannot hold (a quoted newline, say) is handed to the exact
    reader, by a deferral saying which file it is about; so is one the exact reader would refuse
    whole (beyond its size limit), so both paths give the same error."""
    try:
        return reader(path, index, parsed)
    except Deferred as exc:
        why = exc
    if path.stat().st_size <= MAX_DATA_BYTES:
        if isinstance(why, Refused):
            _report_refused(path, index, why)
        try:
            check(path, index)  # raises the file's problems, if it has any
        except csvfiles.CannotStream:
            pass
    raise Deferred(f"{relative}: {why}") from None


#: Bytes of a file looked at at once when finding the lines of refused rows.
_SCAN_BYTES = 16 * 1024 * 1024


def _report_refused(path: Path, index: dict[str, int], refused: Refused) -> None:
    """Raise the exact reader's error for rows the columnar reader refused on their own.

    A data row's line is its number + 2 when every line is one row: no quote (a quoted field may
    hold a line break), no CR (a line end the parser and the csv module might count differently),
    no blank line (the parser skips it; the csv module counts it). One pass over the file checks
    that and finds where the refused rows' lines start; each is then judged by the exact reader's
    own row checks (csvfiles.judge_long_row), which must refuse it, so the words are the exact
    reader's. Returns (so the streamed check judges the file) when any of that does not hold."""
    wanted = [row + 2 for row in refused.rows]
    starts = _line_starts(path, wanted)
    if starts is None:
        return
    source = csvfiles.Streamed(str(path))
    with path.open("rb") as handle:
        source.shown[1] = handle.readline().decode("utf-8-sig").rstrip("\n")
        for line in wanted:
            handle.seek(starts[line])
            source.shown[line] = handle.readline().decode("utf-8").rstrip("\n")
    problems = csvfiles._Problems(source)
    problems.names = refused.names
    at = tuple(refused.names.index(c) for c in csvfiles.LONG_COLUMNS)
    for line in wanted:
        fields = next(csv.reader([source.shown[line]]), [])
        before = len(problems.found)
        if len(fields) != len(refused.names) or csvfiles.judge_long_row(
                line, [f.strip() for f in fields], at, index, dict(refused.codes), problems) is not None \
                or len(problems.found) != before + 1:
            return  # the exact reader would not refuse this row alone: let the streamed check judge
    problems.more = refused.count - len(wanted)
    problems.raise_if_any()


def _line_starts(path: Path, lines: list[int]) -> dict[int, int] | None:
    """The byte offset where each of ``lines`` starts, or None when a line of the file need not be
    one row (the file holds a quote, a CR or a blank line)."""
    targets = sorted(set(lines))
    starts: dict[int, int] = {}
    before = 0  # newlines before this chunk
    at, previous = 0, b""
    t = 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_SCAN_BYTES)
            if not chunk:
                break
            if b'"' in chunk or b"\r" in chunk or b"\n\n" in chunk or (previous == b"\n" and chunk[:1] == b"\n"):
                return None
            newlines = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
            while t < len(targets) and targets[t] - 1 <= before + len(newlines):
                k = targets[t] - 1 - before  # line L starts after the file's (L-1)th newline
                starts[targets[t]] = at + int(newlines[k - 1]) + 1 if k else 0
                t += 1
            before += len(newlines)
            at += len(chunk)
            previous = chunk[-1:]
    return starts if t == len(targets) else None


# ------------------------------------------------------------------ reading one file

def _header(path: Path, required: tuple[str, ...], what: str) -> list[str]:
    """The header's column names as the exact reader sees them (BOM dropped, stripped, upper case),
    after refusing what only the exact reader may judge: size, a NUL byte in the header line (one
    in a row is found in its column's dictionary: :func:`_check_texts`), missing columns."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise Deferred(f"cannot read {path}: {exc}") from None
    if size > MAX_COLUMNAR_BYTES:
        raise QofError([error("QR005", f"the file is {size:,} bytes; a data file may be at most "
                              f"{MAX_COLUMNAR_BYTES:,}", source=Source(str(path), ""))])
    if size == 0:
        raise Deferred("empty file")
    try:
        with path.open("rb") as handle:
            start = handle.read(1 << 20)
    except OSError as exc:  # permission denied: the exact reader says so, in its words
        raise Deferred(f"cannot read {path}: {exc}") from None
    ends = [at for at in (start.find(b"\n"), start.find(b"\r")) if at != -1]
    first = start[: min(ends) if ends else len(start)]  # a line ends at LF, CR or CRLF
    if b"\x00" in first:  # (the rows' NUL bytes are found in their dictionaries: _check_texts)
        raise Deferred("NUL byte")
    try:
        line = first.decode("utf-8-sig")
        names = [n.strip().upper() for n in next(csv.reader(io.StringIO(line)), [])]
    except (UnicodeDecodeError, csv.Error):
        raise Deferred("the header is not a plain UTF-8 CSV line") from None
    if '"' in line:  # a quoted header may run on over lines: only the exact reader sees its end
        raise Deferred("a quoted header")
    csvfiles.check_header(names, required, what, Source(str(path), line))  # the exact reader's words
    return names


def _parsed_whole(path: Path) -> bool:
    """Whether ``path`` is parsed whole, its blocks on every core at once (WHOLE_FILE_BYTES)."""
    return path.stat().st_size <= WHOLE_FILE_BYTES


#: (the columns a file must have, what it is called) of the two kinds of file parsed here.
_LONG = (csvfiles.LONG_COLUMNS, "achievement file")
_PREVALENCE = (csvfiles.PREVALENCE_COLUMNS, "prevalence file")


def _parsed(path: Path, required: tuple[str, ...], what: str) -> tuple[list[str], Iterable[pa.RecordBatch]]:
    """The file's column names, as the exact reader names them (:func:`_header`), and its record
    batches (header skipped), every column dictionary-encoded text.

    A file parsed whole (:func:`_parsed_whole`) comes as batches whose columns share one dictionary
    each (pyarrow's unify_dictionaries; combining them into one batch as well would copy the file
    once more), so that each distinct text is looked up once; a larger file comes block by block,
    as it is read.

    A row with the wrong number of fields stops the parser at once (pyarrow's default), and the
    exact reader takes over: asking pyarrow to hand over each bad row instead cost a Python call
    per row (17 s for a million bad rows before deferring)."""
    names = _header(path, required, what)
    # Every column is parsed (as dictionary-encoded text, used or not), so that every field is
    # checked as the exact reader checks it (:func:`_check_texts`), once per distinct text: the
    # parser's own UTF-8 check of every field cost an eighth of its time.
    options = dict(
        read_options=pv.ReadOptions(skip_rows=1, column_names=names, block_size=BLOCK_BYTES),
        convert_options=pv.ConvertOptions(column_types=dict.fromkeys(names, _DICTIONARY), check_utf8=False,
                                          strings_can_be_null=True, null_values=[""],
                                          quoted_strings_can_be_null=False))
    if not _parsed_whole(path):  # streamed: memory is a block or two, whatever the file's size
        return names, _checked_stream(path, options)
    try:  # blocks parsed on every core at once
        batches = pv.read_csv(str(path), **options).unify_dictionaries().to_batches()
    except pa.ArrowException as exc:
        raise Deferred(f"the CSV parser stopped: {exc}") from None
    if batches:  # unified: every batch holds the same dictionaries, so one batch's are all of them
        _check_texts(batches[0])
    return names, batches


def _checked_stream(path: Path, options: dict):
    """The batches of a file streamed in blocks, each checked as it comes (:func:`_check_texts`)."""
    try:
        for batch in pv.open_csv(str(path), **options):
            _check_texts(batch)
            yield batch
    except pa.ArrowException as exc:
        raise Deferred(f"the CSV parser stopped: {exc}") from None


def _check_texts(batch: pa.RecordBatch) -> None:
    """Defer on a field that is not valid UTF-8 (the exact reader's QR002 says where), holds a NUL
    byte (the exact reader's QR002, a binary file) or is longer than Python's csv field limit (the exact reader's
    QD011). Every byte of a row but its commas, quotes and line end is in some field, and every
    field is in its column's dictionary, so checking the dictionaries checks every row (scanning
    the file for a NUL byte instead cost a pass over it: 5 ms of England's 46 MB file)."""
    limit = csv.field_size_limit()
    for column in batch.columns:
        texts = column.dictionary if isinstance(column, pa.DictionaryArray) else column
        try:
            texts.validate(full=True)
        except pa.ArrowInvalid as exc:
            raise Deferred(f"the CSV parser stopped: {exc}") from None
        if len(texts) and pc.any(pc.match_substring(texts, "\x00")).as_py():
            raise Deferred("NUL byte")
        if len(texts) and pc.max(pc.utf8_length(texts)).as_py() > limit:
            raise Deferred(f"a field longer than {limit:,} characters")


_DICTIONARY = pa.dictionary(pa.int32(), pa.string())


def _encoded(array: pa.Array) -> pa.DictionaryArray:
    """``array`` dictionary-encoded (the parser gives every column so; this is a safeguard)."""
    return array if isinstance(array, pa.DictionaryArray) else pc.dictionary_encode(array)


def _indices(array: pa.DictionaryArray) -> np.ndarray:
    """Each row's position in its dictionary, as NumPy; a blank row's is 0 (an Arrow null would
    make the NumPy array float)."""
    indices = array.indices
    if indices.null_count:
        indices = indices.fill_null(0)
    return indices.to_numpy(zero_copy_only=False)


def _entries(array: pa.DictionaryArray, known: dict[str, int] | None, normalise=str.strip,
             grow: bool = False) -> tuple[np.ndarray, dict[str, int]]:
    """The position in ``known`` of each text of ``array``'s dictionary (-1 where unknown), after
    the exact reader's stripping: a table each row is then looked up in by its dictionary index,
    so the Python work is per distinct text. ``known`` None starts an empty mapping; ``grow`` adds
    unseen texts to it. Returns (table, known)."""
    if array.null_count:
        raise Deferred("a blank code")
    values = [normalise(v) for v in array.dictionary.to_pylist()]
    if known is None or grow:
        known = {} if known is None else known
        for v in values:
            known.setdefault(v, len(known))
    return np.array([known.get(v, -1) for v in values] or [-1], dtype=np.int64), known


def _dictionary_codes(array: pa.Array, known: dict[str, int] | None, normalise=str.strip, grow: bool = False):
    """Indices of each row's value in ``known`` (-1 where unknown), after the exact reader's stripping.
    ``known`` None starts an empty mapping; ``grow`` adds unseen values to it. Returns (indices, known)."""
    array = _encoded(array)
    table, known = _entries(array, known, normalise, grow)
    return np.take(table, _indices(array)), known


#: The only VALUE texts this reader takes as numbers: plain non-negative decimals, which every
#: reader agrees on ("12", "9.37"); anything else ("1e2", "+5", " 12", "١٢") is the exact reader's.
PLAIN_NUMBER = r"^[0-9]+(\.[0-9]+)?$"


# Made once, at import: turning a Python value into an Arrow scalar makes pyarrow look for the
# optional dateutil module, and where that is not installed it looks again on every call.
_ZERO_TEXT = pa.scalar("0")
_MAX_VALUE_CHARS = pa.scalar(MAX_VALUE_CHARS, pa.int32())


@dataclass(frozen=True, eq=False)
class _Texts:
    """Each distinct VALUE text of a dictionary as a number, so that every string check runs once
    per distinct text (a few thousand), not once per row (two million)."""

    numbers: np.ndarray     # float64; 0 where not plain
    places: np.ndarray      # int8: digits after the point
    fit_count: np.ndarray   # taken as a count: plain, whole, at most MAX_COUNT
    fit_points: np.ndarray  # taken as achieved points: plain, at most MAX_POINTS


def _texts(texts: pa.Array) -> _Texts:
    """The dictionary ``texts`` as numbers (:class:`_Texts`). Plain is what every reader reads
    alike: a plain non-negative decimal of at most 15 characters; anything else is not fit for
    any measure, and the exact reader judges it."""
    plain = pc.and_(pc.match_substring_regex(texts, PLAIN_NUMBER),
                    pc.less_equal(pc.utf8_length(texts), _MAX_VALUE_CHARS))
    numbers = pc.cast(pc.if_else(plain, texts, _ZERO_TEXT), pa.float64()).to_numpy(zero_copy_only=False)
    dot = pc.find_substring(texts, ".").to_numpy(zero_copy_only=False)
    lengths = pc.utf8_length(texts).to_numpy(zero_copy_only=False)
    places = np.where(dot >= 0, lengths - dot - 1, 0).astype(np.int8)
    plain = plain.to_numpy(zero_copy_only=False)
    return _Texts(numbers=numbers, places=places,
                  fit_count=plain & (numbers == np.floor(numbers)) & (numbers <= csvfiles.MAX_COUNT),
                  fit_points=plain & (numbers <= csvfiles.MAX_POINTS))


def _all_numbers(values: pa.DictionaryArray) -> np.ndarray:
    """Every VALUE of ``values`` as a whole number; defers on any the exact reader must judge."""
    texts = _texts(values.dictionary)
    at = _indices(values)
    if not np.take(texts.fit_count, at).all():
        raise Deferred("a number that is not a plain whole number within its bound (docs/limits.md)")
    return np.take(texts.numbers, at)


def read_long(path: Path, practices: dict[str, int], parsed=None) -> YearColumns:
    """An NHS Digital long achievement file, as matrices (see the module docstring). ``parsed``,
    when given, gives the file's header and batches (parsed ahead: :class:`_ParsedAhead`)."""
    names, batches = parsed() if parsed is not None else _parsed(path, *_LONG)
    cells = _LongCells(practices, slack=0 if isinstance(batches, list) else CODE_SLACK)
    for batch in batches:
        cells.add(batch)
    return cells.finish(names)


#: MEASURE (stripped, upper case) -> its place in FIELDS.
_FIELD_OF = {m: FIELDS.index(f) for m, f in csvfiles.MEASURES.items()}
_POINTS = FIELDS.index("achieved_points")


def _rows_where(table: np.ndarray, indices: np.ndarray) -> np.ndarray | None:
    """Each row's entry of the boolean ``table``, by the row's dictionary index; None when every
    entry is True, so that the usual case costs no pass over the rows."""
    return None if table.all() else np.take(table, indices)


def _every(*masks: np.ndarray | None) -> np.ndarray | None:
    """The rows that every mask marks (a None mask marks every row; None: every row)."""
    found = None
    for mask in masks:
        if mask is not None:
            found = mask if found is None else found & mask
    return found


@dataclass(frozen=True, eq=False)
class _Tables:
    """A batch's dictionaries as tables that rows are looked up in by their dictionary indices:
    each MEASURE's field (-1: not used), each practice's and code's start in the cube (practice
    -1: not in the practices table), each field's plane start, each VALUE text as a number."""

    field: np.ndarray
    practice: np.ndarray
    plane_start: np.ndarray
    code_start: np.ndarray
    texts: _Texts

    def fit(self, m: np.ndarray, v: np.ndarray) -> np.ndarray | None:
        """Rows whose VALUE text is fit for their measure (a count or achieved points); None: all."""
        counts, points = _rows_where(self.texts.fit_count, v), _rows_where(self.texts.fit_points, v)
        if counts is None and points is None:
            return None
        is_points = self.field == _POINTS
        if not is_points.any():
            return counts
        if is_points.all():
            return points
        at_points = np.take(is_points, m)
        if points is None:
            return counts | at_points
        if counts is None:
            return points | ~at_points
        return np.where(at_points, points, counts)


class _LongCells:
    """One long file's measures, gathered batch by batch into one float64 cube: a plane per measure
    the file names (in FIELDS order, so ACHIEVED_POINTS is last), each indicators × practices, NaN
    where not given; the digits after the point of each ACHIEVED_POINTS text; the rows refused on
    their own.

    A batch's rows are looked up through its columns' dictionaries (a few thousand texts), checked
    by a pass over the rows only where a dictionary shows some need it (a measure not used, a
    practice not in the table, a blank VALUE, a text not fit for some measure), and written in one
    scatter: one pass per step over two million rows, not one per measure."""

    def __init__(self, practices: dict[str, int], slack: int):
        self.practices, self.n, self.slack = practices, len(practices), slack
        self.codes: dict[str, int] = {}
        self.fields: list[int] = []  # the field of each plane, ascending
        self.cube = np.full((0, 0, self.n), np.nan)
        self.scale = np.zeros((0, self.n), dtype=np.int8)
        self.given = 0  # rows written into the cube
        self.first_row = 0  # the data-row number of the next batch's first row
        self.tables: _Tables | None = None  # of the last batch's dictionaries, and those dictionaries
        self.dictionaries: list[pa.Array] | None = None
        self.refused_rows: list[int] = []  # the first MAX_DIAGNOSTICS_PER_FILE rows refused on their own
        self.refused_count = 0
        self.unknown_practices = self.bad_values = False

    def add(self, batch: pa.RecordBatch) -> None:
        """Write one batch's rows into the cube, and note the rows refused on their own."""
        first_row, self.first_row = self.first_row, self.first_row + batch.num_rows
        if not batch.num_rows:
            return
        practice, indicator, measure, value = (_encoded(batch.column(c)) for c in csvfiles.LONG_COLUMNS)
        if practice.null_count or indicator.null_count or measure.null_count:
            raise Deferred("a blank code")
        dictionaries = [a.dictionary for a in (practice, indicator, measure, value)]
        if self.dictionaries is None or not all(d.equals(e) for d, e in zip(dictionaries, self.dictionaries)):
            self.tables, self.dictionaries = self._tables(practice, indicator, measure, value), dictionaries
        given = ~value.is_null().to_numpy(zero_copy_only=False) if value.null_count else None
        m, p, j, v = (_indices(a) for a in (measure, practice, indicator, value))
        for at in range(0, batch.num_rows, SLICE_ROWS):
            rows = slice(at, at + SLICE_ROWS)
            self._write(self.tables, m[rows], p[rows], j[rows], v[rows], None if given is None else given[rows],
                        first_row + at)

    def _tables(self, practice: pa.DictionaryArray, indicator: pa.DictionaryArray, measure: pa.DictionaryArray,
                value: pa.DictionaryArray) -> _Tables:
        """The lookup tables of a batch's dictionaries: the Python work, once per distinct text. The
        batches of a file parsed whole share their dictionaries, so this is done once for the file."""
        field_of, _ = _entries(measure, _FIELD_OF, lambda v: v.strip().upper())
        practice_of, _ = _entries(practice, self.practices)
        code_of, self.codes = _entries(indicator, self.codes, grow=True)
        if len(self.codes) > csvfiles.MAX_INDICATOR_CODES:  # the exact reader says where, without the matrices
            raise Deferred(f"more than {csvfiles.MAX_INDICATOR_CODES:,} different indicator codes")
        self._room({f for f in field_of.tolist() if f >= 0})
        # where each dictionary entry puts a row in the cube, added up per row into its cell
        cell = np.int32 if self.cube.size < 2 ** 31 else np.int64
        plane_start = np.array([self.fields.index(f) if f >= 0 else 0 for f in field_of.tolist()]) * self.scale.size
        return _Tables(field=field_of, practice=practice_of.astype(cell), plane_start=plane_start.astype(cell),
                       code_start=(code_of * self.n).astype(cell), texts=_texts(value.dictionary))

    def _write(self, tables: _Tables, m: np.ndarray, p: np.ndarray, j: np.ndarray, v: np.ndarray,
               given: np.ndarray | None, first_row: int) -> None:
        """Write rows (their dictionary indices ``m``, ``p``, ``j``, ``v``; ``given`` None: no VALUE
        blank) into the cube, in a few passes over them, each over a slice small enough for the
        CPU's cache (the whole file's temporaries cost more in fresh memory than in arithmetic)."""
        used = _rows_where(tables.field >= 0, m)
        known = _rows_where(tables.practice >= 0, p)
        fit = tables.fit(m, v)
        # rows refused on their own (None here: no row), in the exact reader's order of checks:
        unknown = None if known is None else _every(used, ~known)  # a practice not in the practices table
        unfit = None if fit is None else _every(used, known, given, ~fit)  # a VALUE not fit for its measure
        self.unknown_practices |= unknown is not None and bool(unknown.any())
        self.bad_values |= unfit is not None and bool(unfit.any())
        self._refuse(unknown, unfit, first_row)
        keep = _every(used, known, given, fit)
        flat = np.take(tables.plane_start, m)
        flat += np.take(tables.code_start, j)
        flat += np.take(tables.practice, p)
        if keep is not None and not keep.all():  # (a VALUE fit for its measure on every row: kept whole)
            flat, v = flat[keep], v[keep]
        self.cube.ravel()[flat] = np.take(tables.texts.numbers, v)
        self.given += len(flat)
        if _POINTS in self.fields:
            start = self.fields.index(_POINTS) * self.scale.size
            points = flat >= start  # its plane is the last
            if not points.all():
                flat, v = flat[points], v[points]
            self.scale.ravel()[flat - start] = np.take(tables.texts.places, v)

    def _refuse(self, unknown: np.ndarray | None, unfit: np.ndarray | None, first_row: int) -> None:
        """Count the rows either mask marks, keeping the first MAX_DIAGNOSTICS_PER_FILE row numbers."""
        refused = unknown if unfit is None else unfit if unknown is None else unknown | unfit
        if refused is None or not refused.any():
            return
        rows = np.flatnonzero(refused)
        self.refused_count += len(rows)
        room = MAX_DIAGNOSTICS_PER_FILE - len(self.refused_rows)
        self.refused_rows.extend((rows[:room] + first_row).tolist())

    def _room(self, fields: set[int]) -> None:
        """A plane for each of ``fields`` and a row for each code seen, the cube widened (copied)
        where it has too few: by CODE_SLACK indicators more than needed when the file is streamed,
        so a file naming its codes a few at a time is copied seldom."""
        wanted = sorted(set(self.fields) | fields)
        capacity = self.scale.shape[0]
        if wanted == self.fields and len(self.codes) <= capacity:
            return
        if len(self.codes) > capacity:
            capacity = len(self.codes) + self.slack
        cube = np.full((len(wanted), capacity, self.n), np.nan)
        for plane, field in enumerate(self.fields):
            cube[wanted.index(field), : self.scale.shape[0]] = self.cube[plane]
        scale = np.zeros((capacity, self.n), dtype=np.int8)
        scale[: self.scale.shape[0]] = self.scale
        self.cube, self.scale, self.fields = cube, scale, wanted

    def finish(self, names: list[str]) -> YearColumns:
        """The file's matrices (those of measures with a value given), or a deferral saying why not."""
        given = [np.count_nonzero(~np.isnan(plane)) for plane in self.cube]
        if sum(given) != self.given:  # two rows wrote one cell
            raise Deferred("a measure given twice")
        k = len(self.codes)
        matrices = {FIELDS[f]: self.cube[plane, :k] for plane, f in enumerate(self.fields) if given[plane]}
        if "numerator" in matrices and "denominator" in matrices:
            with np.errstate(invalid="ignore"):
                if (matrices["numerator"] > matrices["denominator"]).any():
                    raise Deferred("a numerator greater than its denominator")
        if self.refused_count:
            why = (["a practice not in the practices table"] if self.unknown_practices else []) + \
                  (["a VALUE that is not a plain non-negative number within its bound"] if self.bad_values else [])
            raise Refused(self.refused_rows, self.refused_count, names, self.codes, why)
        return YearColumns(codes=self.codes, matrices=matrices, points_scale=self.scale[:k])


def read_prevalence(path: Path, practices: dict[str, int], parsed=None) -> PrevalenceColumns:
    """A prevalence file, as practices × groups matrices of register and list size. ``parsed``:
    as for :func:`read_long`."""
    _, batches = parsed() if parsed is not None else _parsed(path, *_PREVALENCE)
    batches = list(batches)
    table = pa.Table.from_batches(batches, schema=batches[0].schema).unify_dictionaries() if batches else None
    n = len(practices)
    if table is None or not table.num_rows:
        return PrevalenceColumns(groups={}, register=np.full((n, 0), np.nan), list_size=np.full((n, 0), np.nan))
    practice, _ = _dictionary_codes(table.column("PRACTICE_CODE").combine_chunks(), practices)
    if (practice < 0).any():
        raise Deferred("a practice not in the practices table")
    group, groups = _dictionary_codes(table.column("GROUP_CODE").combine_chunks(), None)
    if len(groups) > csvfiles.MAX_GROUP_CODES:  # the streamed check says where, without the matrices
        raise Deferred(f"more than {csvfiles.MAX_GROUP_CODES:,} different prevalence group codes")
    registers, lists = table.column("REGISTER").combine_chunks(), table.column("PRACTICE_LIST_SIZE").combine_chunks()
    if registers.null_count or lists.null_count:
        raise Deferred("a blank REGISTER or PRACTICE_LIST_SIZE")
    register, list_size = _all_numbers(registers), _all_numbers(lists)
    if (list_size > csvfiles.MAX_LIST_SIZE).any():
        raise Deferred("a PRACTICE_LIST_SIZE beyond its bound (docs/limits.md)")
    if (list_size == 0).any() or (register > list_size).any():
        raise Deferred("a list size of 0 or a register larger than its list size")
    seen = np.full((n, len(groups)), -1, dtype=np.int64)
    rows = np.arange(len(practice))
    seen[practice, group] = rows
    if (seen[practice, group] != rows).any():
        raise Deferred("a practice's group given twice")
    register_matrix = np.full((n, len(groups)), np.nan)
    list_matrix = np.full((n, len(groups)), np.nan)
    register_matrix[practice, group] = register
    list_matrix[practice, group] = list_size
    return PrevalenceColumns(groups=groups, register=register_matrix, list_size=list_matrix)
