"""Practice data as columns: how a national data set directory is read fast, in bounded memory.

The exact reader (:mod:`.csvfiles`) builds a Python object per practice, indicator and measure:
about 12 s and 2 GB for England's 6,410 practices. This reader streams NHS Digital's long CSV
files through pyarrow's multi-threaded CSV parser in blocks and scatters each block into one
float64 matrix per measure (indicators × practices, so each indicator's column of practices is
contiguous for the vectorised evaluator; NaN = not given), so memory is the matrices plus one
block, and time is the parser's.

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
import mmap
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
#: Room for this many more indicators each time a file names one more than there is room for.
CODE_SLACK = 16
#: Longest VALUE text taken as a number here: 15 characters hold at most 15 significant digits,
#: which a float64 stores exactly and ``repr`` gives back (and counts stay below 2**53).
MAX_VALUE_CHARS = csvfiles.MAX_NUMBER_CHARS  # 15: the exact reader's own bound
FIELDS = ("register", "numerator", "denominator", "exceptions", "achieved_points")
COUNT_FIELDS = FIELDS[:4]


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
                            values[name] = Decimal(repr(value)).quantize(Decimal(1).scaleb(-scales[j]))
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
    practices_source = read_text(files["practices"], max_bytes=MAX_DATA_BYTES,
                                 what="practices table")
    practices, area_columns, attribute_names = csvfiles.read_practices(practices_source)
    index = {p.code: i for i, p in enumerate(practices)}
    # One file after another: reading two at once, one thread each, saved ~0.05 s of 0.7 and cost
    # 45 MB (two streams' buffers), measured on 2 cores.
    achievement = {year: _named(read_long, csvfiles.check_long, files[f"achievement.{year}"], index, relative)
                   for year, relative in data.get("achievement", {}).items()}
    prevalence = {year: _named(read_prevalence, csvfiles.check_prevalence, files[f"prevalence.{year}"], index,
                               relative)
                  for year, relative in data.get("prevalence", {}).items()}
    overrides = data.get("contract_overrides")
    return ColumnarData(
        name=data["dataset"], synthetic=data["synthetic"], notice=data.get("notice", ""),
        practices=tuple(practices), index=index, achievement=achievement, prevalence=prevalence,
        years=tuple(sorted(achievement)), area_columns=area_columns, attribute_names=attribute_names,
        contract_overrides=str(files["contract_overrides"]) if overrides else None, origin=path)


def _named(reader, check, path: Path, index: dict[str, int], relative: str):
    """``reader(path, index)``. Where it cannot read the file, the file is judged without being read
    whole: rows refused on their own are reported here (:func:`_report_refused`), anything else by
    ``check``, the exact reader's checks streamed from disk (csvfiles.check_long). Only a file with
    nothing wrong that this reader still cannot hold (a quoted newline, say) is handed to the exact
    reader, by a deferral saying which file it is about; so is one the exact reader would refuse
    whole (beyond its size limit), so both paths give the same error."""
    try:
        return reader(path, index)
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
    after refusing what only the exact reader may judge: size, NUL bytes, missing columns."""
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
        with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
            if view.find(b"\x00") != -1:
                raise Deferred("NUL byte")
            ends = [at for at in (view.find(b"\n", 0, 1 << 20), view.find(b"\r", 0, 1 << 20)) if at != -1]
            first = view[: min(ends) if ends else min(size, 1 << 20)]  # a line ends at LF, CR or CRLF
    except OSError as exc:  # permission denied: the exact reader says so, in its words
        raise Deferred(f"cannot read {path}: {exc}") from None
    try:
        line = first.decode("utf-8-sig")
        names = [n.strip().upper() for n in next(csv.reader(io.StringIO(line)), [])]
    except (UnicodeDecodeError, csv.Error):
        raise Deferred("the header is not a plain UTF-8 CSV line") from None
    if '"' in line:  # a quoted header may run on over lines: only the exact reader sees its end
        raise Deferred("a quoted header")
    csvfiles.check_header(names, required, what, Source(str(path), line))  # the exact reader's words
    return names


def _stream(path: Path, names: list[str], types: dict[str, pa.DataType]):
    """Record batches of the file (header skipped), columns named as the exact reader names them.

    A row with the wrong number of fields stops the parser at once (pyarrow's default), and the
    exact reader takes over: asking pyarrow to hand over each bad row instead cost a Python call
    per row (17 s for a million bad rows before deferring)."""
    # Every column is parsed (as dictionary-encoded text where we do not use it), so that every
    # field is checked as the exact reader checks it: valid UTF-8 (pyarrow's own check) and no
    # longer than Python's csv field limit.
    dictionary = pa.dictionary(pa.int32(), pa.string())
    options = dict(
        read_options=pv.ReadOptions(skip_rows=1, column_names=names, block_size=BLOCK_BYTES),
        convert_options=pv.ConvertOptions(column_types={name: types.get(name, dictionary) for name in names},
                                          strings_can_be_null=True, null_values=[""],
                                          quoted_strings_can_be_null=False))
    limit = csv.field_size_limit()
    try:
        if path.stat().st_size <= WHOLE_FILE_BYTES:  # blocks parsed on every core at once
            batches = pv.read_csv(str(path), **options).to_batches()
        else:  # streamed: memory is a block or two, whatever the file's size
            batches = pv.open_csv(str(path), **options)
        for batch in batches:
            for column in batch.columns:
                texts = column.dictionary if isinstance(column, pa.DictionaryArray) else column
                if len(texts) and pc.max(pc.utf8_length(texts)).as_py() > limit:
                    raise Deferred(f"a field longer than {limit:,} characters")
            yield batch
    except pa.ArrowException as exc:
        raise Deferred(f"the CSV parser stopped: {exc}") from None


def _dictionary_codes(array: pa.Array, known: dict[str, int] | None, normalise=str.strip, grow: bool = False):
    """Indices of each row's value in ``known`` (-1 where unknown), after the exact reader's stripping.
    ``known`` None starts an empty mapping; ``grow`` adds unseen values to it. Returns (indices, known)."""
    if array.null_count:
        raise Deferred("a blank code")
    array = array if isinstance(array, pa.DictionaryArray) else pc.dictionary_encode(array)
    values = [normalise(v) for v in array.dictionary.to_pylist()]
    if known is None or grow:
        known = {} if known is None else known
        for v in values:
            known.setdefault(v, len(known))
    lookup = np.array([known.get(v, -1) for v in values] or [-1], dtype=np.int64)
    return lookup[array.indices.to_numpy(zero_copy_only=False)], known


#: The only VALUE texts this reader takes as numbers: plain non-negative decimals, which every
#: reader agrees on ("12", "9.37"); anything else ("1e2", "+5", " 12", "١٢") is the exact reader's.
PLAIN_NUMBER = r"^[0-9]+(\.[0-9]+)?$"


# Made once, at import: turning a Python value into an Arrow scalar makes pyarrow look for the
# optional dateutil module, and where that is not installed it looks again on every call.
_ZERO_TEXT = pa.scalar("0")
_MAX_VALUE_CHARS = pa.scalar(MAX_VALUE_CHARS, pa.int32())


def _numbers(values: pa.DictionaryArray, rows: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(float values, digits after the point, refused) of the VALUE texts at ``rows``: refused marks
    any text the exact reader might read differently or refuses (not a plain non-negative number
    of at most 15 characters, a count with a fraction, a value beyond its bound). ``counts`` marks
    rows that must be whole.

    The texts are dictionary-encoded by the CSV parser, so every string check runs once per
    distinct text (a few thousand), not once per row (two million)."""
    texts = values.dictionary
    plain = pc.and_(pc.match_substring_regex(texts, PLAIN_NUMBER),
                    pc.less_equal(pc.utf8_length(texts), _MAX_VALUE_CHARS))
    numbers = pc.cast(pc.if_else(plain, texts, _ZERO_TEXT), pa.float64()).to_numpy(zero_copy_only=False)
    dot = pc.find_substring(texts, ".").to_numpy(zero_copy_only=False)
    lengths = pc.utf8_length(texts).to_numpy(zero_copy_only=False)
    places = np.where(dot >= 0, lengths - dot - 1, 0).astype(np.int8)
    at = values.indices.fill_null(0).to_numpy(zero_copy_only=False)[rows]  # (nulls would make it float)
    found = numbers[at]
    refused = ~plain.to_numpy(zero_copy_only=False)[at]
    refused |= counts & (found != np.floor(found))
    refused |= found > np.where(counts, csvfiles.MAX_COUNT, csvfiles.MAX_POINTS)
    return found, places[at], refused


def _all_numbers(values: pa.DictionaryArray) -> np.ndarray:
    """Every VALUE of ``values`` as a whole number; defers on any the exact reader must judge."""
    everything = np.arange(len(values))
    found, _, refused = _numbers(values, everything, np.ones(len(values), dtype=bool))
    if refused.any():
        raise Deferred("a number that is not a plain whole number within its bound (docs/limits.md)")
    return found


def read_long(path: Path, practices: dict[str, int]) -> YearColumns:
    """An NHS Digital long achievement file, as matrices (see the module docstring)."""
    names = _header(path, csvfiles.LONG_COLUMNS, "achievement file")
    dictionary = pa.dictionary(pa.int32(), pa.string())
    types = {"PRACTICE_CODE": dictionary, "INDICATOR_CODE": dictionary, "MEASURE": dictionary, "VALUE": dictionary}
    field_of = {m: FIELDS.index(f) for m, f in csvfiles.MEASURES.items()}
    points_field = FIELDS.index("achieved_points")
    n = len(practices)
    codes: dict[str, int] = {}
    capacity = 0
    cells: dict[int, np.ndarray] = {}  # field -> indicators × practices; made when the file first gives it
    scale = np.zeros((capacity, n), dtype=np.int8)
    given_rows = 0
    first_row = 0  # the data-row number of the batch's first row
    refused_rows: list[int] = []  # the first MAX_DIAGNOSTICS_PER_FILE rows refused on their own
    refused_count = 0
    unknown_practices = bad_values = False
    for batch in _stream(path, names, types):
        measure, seen = _dictionary_codes(batch.column("MEASURE"), None, lambda v: v.strip().upper())
        field_index = np.array([field_of.get(m, -1) for m in seen] or [-1])
        fields = field_index[measure]
        used = fields >= 0
        practice, _ = _dictionary_codes(batch.column("PRACTICE_CODE"), practices)
        refused = used & (practice < 0)  # a practice not in the practices table
        indicator, codes = _dictionary_codes(batch.column("INDICATOR_CODE"), codes, grow=True)
        if len(codes) > csvfiles.MAX_INDICATOR_CODES:  # the exact reader says where, without the matrices
            raise Deferred(f"more than {csvfiles.MAX_INDICATOR_CODES:,} different indicator codes")
        if len(codes) > capacity:  # grow by a few indicators at a time: little copying, little slack
            capacity = len(codes) + CODE_SLACK
            cells = {f: _widen(matrix, capacity, np.nan) for f, matrix in cells.items()}
            scale = _widen(scale, capacity, 0)
        values = batch.column("VALUE")
        picked = np.flatnonzero(used & ~refused & ~values.is_null().to_numpy(zero_copy_only=False))
        numbers, places, bad = _numbers(values, picked, fields[picked] != points_field)
        unknown_practices |= bool(refused.any())
        bad_values |= bool(bad.any())
        refused[picked[bad]] = True
        if refused.any():
            rows = np.flatnonzero(refused)
            refused_count += len(rows)
            room = MAX_DIAGNOSTICS_PER_FILE - len(refused_rows)
            refused_rows.extend((rows[:room] + first_row).tolist())
            picked, numbers, places = picked[~bad], numbers[~bad], places[~bad]
        first_row += batch.num_rows
        if not len(picked):
            continue
        f, p, j = fields[picked], practice[picked], indicator[picked]
        points = f == points_field
        flat = j * n + p
        for field in set(field_index.tolist()) - {-1}:  # the measures this block's dictionary names
            rows = f == field
            if not rows.any():
                continue
            if field not in cells:
                cells[field] = np.full((capacity, n), np.nan)
            cells[field].ravel()[flat[rows]] = numbers[rows]
        scale.ravel()[flat[points]] = places[points]
        given_rows += len(picked)
    if sum(np.count_nonzero(~np.isnan(m)) for m in cells.values()) != given_rows:  # two rows wrote one cell
        raise Deferred("a measure given twice")
    k = len(codes)
    matrices = {FIELDS[f]: matrix[:k] for f, matrix in cells.items()}
    if "numerator" in matrices and "denominator" in matrices:
        with np.errstate(invalid="ignore"):
            if (matrices["numerator"] > matrices["denominator"]).any():
                raise Deferred("a numerator greater than its denominator")
    if refused_count:
        why = (["a practice not in the practices table"] if unknown_practices else []) + \
              (["a VALUE that is not a plain non-negative number within its bound"] if bad_values else [])
        raise Refused(refused_rows, refused_count, names, codes, why)
    return YearColumns(codes=codes, matrices=matrices, points_scale=scale[:k])


def _widen(array: np.ndarray, capacity: int, fill) -> np.ndarray:
    """``array`` with room for ``capacity`` indicators (its second-to-last axis)."""
    shape = list(array.shape)
    old, shape[-2] = shape[-2], capacity
    wider = np.full(shape, fill, dtype=array.dtype)
    wider[..., :old, :] = array
    return wider


def read_prevalence(path: Path, practices: dict[str, int]) -> PrevalenceColumns:
    """A prevalence file, as practices × groups matrices of register and list size."""
    names = _header(path, csvfiles.PREVALENCE_COLUMNS, "prevalence file")
    dictionary = pa.dictionary(pa.int32(), pa.string())
    types = {"PRACTICE_CODE": dictionary, "GROUP_CODE": dictionary, "REGISTER": dictionary,
             "PRACTICE_LIST_SIZE": dictionary}
    batches = list(_stream(path, names, types))
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
