"""CSV files in NHS Digital's layouts: the practices table, long achievement files, prevalence.

Every bad row is reported with its file and line (capped, then summarised), never dropped.
Reading is done in one pass with the standard ``csv`` module; the national-scale figures are in
``benchmarks/``.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field as dataclass_field
from decimal import Decimal

from ..dates import parse_date, why_not_a_date
from ..diagnostics import MAX_DIAGNOSTICS_PER_FILE, Diagnostic, QofError, did_you_mean, error
from ..source import Source, Span
from .model import Measures, Practice, Prevalence

AREA_COLUMNS = ("PCN", "CCG", "ICB", "REGION", "LMC", "AREA_TEAM")
PRACTICE_COLUMNS = ("PRACTICE_CODE", "PRACTICE_NAME", "LIST_SIZE")
SPECIAL_PRACTICE_COLUMNS = set(PRACTICE_COLUMNS) | set(AREA_COLUMNS) | {"OPTED_IN", "PILOTS", "REQUESTED_ALTERNATIVE"}
LONG_COLUMNS = ("PRACTICE_CODE", "INDICATOR_CODE", "MEASURE", "VALUE")
#: The most distinct indicator codes one achievement file may name. A QOF year has had 60 to 150
#: indicators (121 in 2013/14); each code costs a row per practice in the columnar reader, so a
#: file of made-up codes (400,000 in 11 MB once took 5 GB) is refused, on both readers alike.
MAX_INDICATOR_CODES = 1000
#: The most distinct prevalence group codes one prevalence file may name: the contract years
#: qofrules ships name at most 29 groups; each costs a column per practice in the columnar reader.
MAX_GROUP_CODES = 1000
PREVALENCE_COLUMNS = ("PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PATIENT_LIST_TYPE", "PRACTICE_LIST_SIZE")
MEASURES = {"REGISTER": "register", "NUMERATOR": "numerator", "DENOMINATOR": "denominator",
            "PCAS": "exceptions", "EXCEPTIONS": "exceptions", "ACHIEVED_POINTS": "achieved_points"}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


class _Problems:
    """Collects located problems of one file; raises them together at the end.

    Only the first MAX_DIAGNOSTICS_PER_FILE are kept; the rest are counted, so a file with a
    million bad rows costs a counter, not a million diagnostics. Once the reader has read the
    header (``names``), a problem with a ``field`` points at that field of its line."""

    def __init__(self, source: Source):
        self.source = source
        self.found: list[Diagnostic] = []
        self.more = 0
        self.names: list[str] = []

    def add(self, code: str, line: int, message: str, hint: str | Callable[[], str | None] | None = None,
            field: str | None = None) -> None:
        """Keep a problem, or count it once the cap is reached. A costly hint (a 'did you mean'
        over thousands of practice codes) is passed as a function and computed only when kept:
        computed eagerly, a million rows naming an unknown practice took hours."""
        if len(self.found) >= MAX_DIAGNOSTICS_PER_FILE:
            self.more += 1
            return
        if callable(hint):
            hint = hint()
        span = field_span(self.source.line_text(line), line, self.names, field)
        self.found.append(error(code, message, source=self.source, span=span, hint=hint))

    def raise_if_any(self) -> None:
        if self.found:
            summary = []
            if self.more:
                summary.append(error("QR009", f"... and {self.more:,} more problem(s) of this file not shown",
                                     source=self.source))
            raise QofError(self.found + summary)


def field_span(text: str, line: int, names: list[str], field: str | None) -> Span:
    """Where field ``field`` (a header name) stands in ``text``, line ``line``: from its first
    character to the comma after it. The whole line when there is no field to point at, or when
    the line does not hold the header's number of fields (a row whose quoted field runs over
    lines ends on this one: its fields' columns are not all here)."""
    whole = Span(line=line, column=1, end_line=line, end_column=max(len(text), 1) + 1)
    if field is None or field not in names:
        return whole
    starts = _field_starts(text)
    if len(starts) != len(names):
        return whole
    i = names.index(field)
    column = starts[i]
    end = starts[i + 1] - 1 if i + 1 < len(starts) else len(text) + 1
    return Span(line=line, column=column, end_line=line, end_column=max(end, column + 1))


class CannotStream(Exception):
    """A pass that streams a file met what only the exact reader, holding the whole text, can
    show (a line the csv module cannot read, bytes that are not UTF-8): read the file exactly."""


@dataclass(frozen=True)
class Streamed(Source):
    """A file read line by line and never held whole: its name, and the text of each line a
    problem is found on, kept while that line is the one just read (:meth:`lines` feeds the csv
    reader and remembers it), or fetched afterwards by :meth:`fetch`."""

    shown: dict = dataclass_field(default_factory=dict, compare=False)
    just_read: list = dataclass_field(default_factory=lambda: [0, ""], compare=False)  # [line number, text]

    def lines(self, handle):
        """The lines of ``handle`` (opened with newline=''), each remembered while it is the last read."""
        for number, text in enumerate(handle, 1):
            self.just_read[:] = (number, text.rstrip("\r\n"))
            if number == 1:  # the header: a problem with it is shown at line 1 (check_header)
                self.shown[1] = self.just_read[1]
            yield text

    def line_text(self, line: int) -> str:
        if line not in self.shown and line == self.just_read[0]:
            self.shown[line] = self.just_read[1]
        return self.shown.get(line, "")

    @property
    def line_count(self) -> int:
        return max(self.shown, default=0)

    def fetch(self, wanted: set[int]) -> None:
        """Read the file again as far as the last of ``wanted`` lines, keeping their text."""
        if not wanted:
            return
        last = max(wanted)
        with open(self.name, encoding="utf-8-sig", newline="") as handle:
            for number, text in enumerate(handle, 1):
                if number in wanted:
                    self.shown[number] = text.rstrip("\r\n")
                if number >= last:
                    break


def _rows(source: Source, required: tuple[str, ...], what: str, problems: _Problems | None = None, lines=None):
    """(line number, row dict) for each data row, after checking the header has ``required``."""
    names, rows = _lists(source, required, what, problems, lines)
    for line, row, bad in rows:
        yield line, (None if row is None else dict(zip(names, row))), bad


def _lists(source: Source, required: tuple[str, ...], what: str, problems: _Problems | None = None, lines=None):
    """The header's column names, and (line number, list of stripped fields, problem) per data row.
    ``problems`` learns the names, to point at fields; ``lines`` (an iterable of the file's lines)
    is read instead of ``source.text`` by a pass that streams the file (:class:`Streamed`).

    The list form is for the large long files, where building a dict per row is measurable."""
    reader = csv.reader(io.StringIO(source.text, newline="") if lines is None else lines)
    try:
        header = next(reader)
    except StopIteration:
        raise QofError([error("QD010", f"the {what} is empty: no header row", source=source)]) from None
    except csv.Error as exc:
        raise _unreadable(source, 1, exc) from None
    names = [h.strip().upper() for h in header]
    check_header(names, required, what, source)
    if problems is not None:
        problems.names = names
    return names, _data_rows(reader, len(names), source)


def _field_starts(line: str) -> list[int]:
    """The 1-based column where each field of a CSV line starts (commas inside quotes are text)."""
    starts, quoted = [1], False
    for at, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            starts.append(at + 2)
    return starts


def check_header(names: list[str], required: tuple[str, ...], what: str, source: Source) -> None:
    """Refuse a header that names a column twice (QD019: which of the two would be read is a guess)
    or lacks a required one (QD012). ``source`` need hold only the header line: the exact and the
    columnar reader both judge a header here, so they give the same words."""
    first: dict[str, int] = {}
    starts = _field_starts(source.line_text(1))
    problems = []
    for i, name in enumerate(names):
        if name in first:
            column = starts[i] if i < len(starts) and len(starts) == len(names) else 1
            end = starts[i + 1] - 1 if column > 1 and i + 1 < len(starts) else len(source.line_text(1)) + 1
            problems.append(error(
                "QD019", f"the {what} names column {name} twice (fields {first[name] + 1} and {i + 1})",
                source=source, span=Span(line=1, column=column, end_line=1, end_column=max(end, column + 1)),
                hint="keep one of the two columns: qofrules will not guess which one is meant"))
        else:
            first[name] = i
    if problems:
        raise QofError(problems)
    missing = [c for c in required if c not in names]
    if missing:
        hint = _separator_hint(names, required)
        for column in missing:
            hint = hint or did_you_mean(column, names)
        raise QofError([error("QD012", f"the {what} lacks column(s) {', '.join(missing)}; it has "
                              f"{', '.join(names) or 'none'}", source=source,
                              span=Span(line=1, column=1, end_line=1, end_column=len(source.line_text(1)) + 1),
                              hint=hint)])


#: Separators a spreadsheet may write in place of commas, named for the hint.
OTHER_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _separator_hint(names: list[str], required: tuple[str, ...]) -> str | None:
    """Where the header is read as one field that holds the required columns joined by another
    separator (Excel writes ';' where the decimal mark is a comma), say so: 'lacks PRACTICE_CODE'
    alone would send the user looking for a column that is there."""
    if len(names) != 1:
        return None
    for separator, words in OTHER_SEPARATORS.items():
        parts = [p.strip().strip('"') for p in names[0].split(separator)]
        if len(parts) > 1 and any(column in parts for column in required):
            return (f"the header is one field of names separated by {words} ({separator!r}); qofrules reads "
                    "comma-separated files, as NHS Digital publishes them: save the file as CSV with commas "
                    "(in Excel, 'CSV UTF-8 (Comma delimited)')")
    return None


def _data_rows(reader, width: int, source: Source):
    last = reader.line_num  # the line a row ended on: the next row starts on the line after it
    try:
        for row in reader:
            if len(row) != width:
                if not row or (len(row) == 1 and not row[0].strip()):
                    last = reader.line_num
                    continue
                yield reader.line_num, None, f"has {len(row)} fields; the header has {width}"
                last = reader.line_num
                continue
            yield reader.line_num, [v.strip() for v in row], None
            last = reader.line_num
    except csv.Error as exc:
        raise _unreadable(source, last + 1, exc) from None


def _unreadable(source: Source, line: int, exc: csv.Error) -> QofError:
    """QD011 at the line where the row that cannot be read starts (the csv module names the line
    it gave up on, which for a quote never closed is far below it). A streamed pass does not hold
    that line: it hands the file to the exact reader instead."""
    if isinstance(source, Streamed):
        raise CannotStream(str(exc))
    hint = None
    if "field larger than field limit" in str(exc):
        hint = (f'a field runs on for more than {csv.field_size_limit():,} characters: usually a " '
                "that is never closed")
    return QofError([error("QD011", f"line {line}: not readable as CSV: {exc}", source=source,
                           span=Span.point(line, 1), hint=hint)])


#: Bounds on every number a data file gives (docs/limits.md, "Numbers in practice data"). The
#: largest practice list in England is under 100,000 patients; a count (a register, numerator,
#: denominator or PCAs) is of a practice's patients, so none may exceed the largest list either.
MAX_LIST_SIZE = 1_000_000
MAX_COUNT = MAX_LIST_SIZE
#: No indicator has ever been worth more than 1,000 points (the whole of QOF has been 1,000 at most).
MAX_POINTS = 1000
#: A number is written in at most 15 characters: enough for any count within the bounds above and
#: for points to 10 decimal places, and what the columnar reader holds exactly in a float64
#: (columnar.MAX_VALUE_CHARS), so both readers accept exactly the same texts.
MAX_NUMBER_CHARS = 15
#: How much of a refused value a message repeats (a 10,000-character field is not echoed whole).
SHOWN_CHARS = 20
_PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?")


class BadNumber(ValueError):
    """A value refused as a number: ``code`` QD021 (not a plain number of the right kind; the
    caller says which kind) or QD025 (beyond a bound; ``why`` says which)."""

    def __init__(self, code: str = "QD021", why: str = ""):
        super().__init__(why or code)
        self.code, self.why = code, why


def shown(text: str) -> str:
    """``text`` quoted for a message, cut to SHOWN_CHARS characters."""
    if len(text) <= SHOWN_CHARS:
        return f"'{text}'"
    return f"'{text[:SHOWN_CHARS]}...' ({len(text):,} characters)"


def _plain(text: str) -> Decimal:
    """``text`` as a Decimal, if it is a plain non-negative decimal in ASCII digits of at most
    MAX_NUMBER_CHARS characters ('12', '12.0', '9.37'). Nothing else is read: no exponent
    ('1E999999999' would be a billion-digit whole number), sign, '_' or other digits ('١٢')."""
    if not (text.isascii() and _PLAIN.fullmatch(text)):
        raise BadNumber()
    if len(text) > MAX_NUMBER_CHARS:
        raise BadNumber("QD025", f"is longer than {MAX_NUMBER_CHARS} characters, the most a number may be written in")
    return Decimal(text)


def _bounded(value, most: int, what: str):
    if value > most:
        raise BadNumber("QD025", f"is more than {most:,}, the most {what} may be")
    return value


def _count(text: str, what: str = "a count", most: int = MAX_COUNT) -> int:
    """A whole, non-negative number ('12' or '12.0') of at most ``most``."""
    if len(text) <= MAX_NUMBER_CHARS and text.isascii() and text.isdigit():  # the usual case, at a third of the cost
        return _bounded(int(text), most, what)
    value = _plain(text)
    if value != value.to_integral_value():
        raise BadNumber()
    return _bounded(int(value), most, what)


def _points(text: str) -> Decimal:
    """Achieved points: a plain non-negative decimal of at most MAX_POINTS."""
    return _bounded(_plain(text), MAX_POINTS, "an indicator's achieved points")


def practice_rows(source: Source, required: tuple[str, ...], what: str, problems: _Problems):
    """(line, code, row) of each row of a table of practices (a practices table, a geography
    mapping) that passes the checks all such tables share: QD013 a row without the header's number
    of fields, QD014 no PRACTICE_CODE, QD015 a practice listed twice. Every code is remembered at
    its first row, even when the caller then refuses that row for something else (a list size of
    0): a practice listed twice is listed twice, so a later row cannot quietly take its place."""
    first: dict[str, int] = {}
    for line, row, bad in _rows(source, required, what, problems):
        if bad:
            problems.add("QD013", line, f"line {line} {bad}")
            continue
        code = row["PRACTICE_CODE"]
        if not code:
            problems.add("QD014", line, f"line {line} has no PRACTICE_CODE", field="PRACTICE_CODE")
            continue
        if code in first:
            problems.add("QD015", line, f"practice {code} is listed twice (lines {first[code]} and {line})",
                         field="PRACTICE_CODE")
            continue
        first[code] = line
        yield line, code, row


def read_practices(source: Source) -> tuple[list[Practice], frozenset[str], frozenset[str]]:
    """The practices table: practices, the geography columns present, and the attribute names.

    A table with nothing wrong is read column by column (:func:`_practices_at_once`); at the first
    doubt it is read row by row (:func:`_practices_row_by_row`), which says what is wrong and where."""
    found = _practices_at_once(source)
    return found if found is not None else _practices_row_by_row(source)


def _practices_at_once(source: Source) -> tuple[list[Practice], frozenset[str], frozenset[str]] | None:
    """The practices table read column by column, when each check holds for a whole column at
    once (codes given and each once, list sizes plain whole numbers within their bounds, dates,
    yes or no); None at the first doubt, for the row-by-row reader to judge. The fields are the
    csv module's, as the row-by-row reader's are, so both read the same texts; only the checks
    are made a column at a time (England's 6,410 practices: about a third of the time)."""
    reader = csv.reader(io.StringIO(source.text, newline=""))
    try:
        names = [h.strip().upper() for h in next(reader)]
        rows = list(reader)
    except (StopIteration, csv.Error):
        return None
    if len(set(names)) != len(names) or not set(PRACTICE_COLUMNS) <= set(names):
        return None  # a header check_header refuses (QD019, QD012)
    width = len(names)
    if any(len(row) != width for row in rows):
        if any(len(row) != width and row and not (len(row) == 1 and not row[0].strip()) for row in rows):
            return None  # a row of the wrong width (QD013)
        rows = [row for row in rows if len(row) == width]  # blank lines, which the row-by-row reader skips
    columns = {name: list(map(str.strip, column)) for name, column in zip(names, zip(*rows))} if rows \
        else dict.fromkeys(names, [])
    codes, sizes = columns["PRACTICE_CODE"], _list_sizes(columns["LIST_SIZE"])
    if not all(codes) or len(set(codes)) != len(codes) or sizes is None:
        return None  # a blank or repeated code (QD014, QD015), or a list size the row checks must judge
    blank = [""] * len(codes)  # an optional column the table does not have
    requested = [v.lower() for v in columns["REQUESTED_ALTERNATIVE"]] if "REQUESTED_ALTERNATIVE" in columns else blank
    if not set(requested) <= YES | NO:
        return None  # QD018
    try:
        opted_in = [parse_date(v) if v else None for v in columns.get("OPTED_IN", blank)]
    except ValueError:
        return None  # QD017
    pilots = [frozenset(p.strip() for p in v.split(";") if p.strip()) if v else _NO_PILOTS
              for v in columns.get("PILOTS", blank)]
    area_names = [c for c in AREA_COLUMNS if c in columns]
    attribute_names = [k for k in names if k not in SPECIAL_PRACTICE_COLUMNS]
    area_keys, attribute_keys = (*area_names, "PRACTICE_CODE"), [k.lower() for k in attribute_names]
    areas = zip(*(columns[c] for c in area_names), codes)
    attributes = zip(*(columns[k] for k in attribute_names)) if attribute_names else ((),) * len(codes)
    practices = [Practice.of_row(code, name, size, dict(zip(area_keys, area)), opted, pilot, asked in YES,
                                 dict(zip(attribute_keys, more)))
                 for code, name, size, area, opted, pilot, asked, more
                 in zip(codes, columns["PRACTICE_NAME"], sizes, areas, opted_in, pilots, requested, attributes)]
    if not practices:
        area_names, attribute_keys = [], []
    return practices, frozenset({*area_names, "PRACTICE_CODE"}), frozenset(attribute_keys)


_NO_PILOTS: frozenset[str] = frozenset()


def _list_sizes(texts: list[str]) -> list[int] | None:
    """Every text as a list size when all are plain ASCII digits of at most MAX_NUMBER_CHARS, from
    1 to MAX_LIST_SIZE (the usual case of _count, checked for the whole column at once); None
    otherwise, for the row checks to judge ('12.0' is a list size too, read there)."""
    joined = "".join(texts)
    if not (all(texts) and joined.isascii() and joined.isdigit() and max(map(len, texts), default=0) <= MAX_NUMBER_CHARS):
        return None
    sizes = list(map(int, texts))
    return sizes if not sizes or 1 <= min(sizes) and max(sizes) <= MAX_LIST_SIZE else None


def _practices_row_by_row(source: Source) -> tuple[list[Practice], frozenset[str], frozenset[str]]:
    """The practices table read row by row, each problem reported with its line."""
    problems = _Problems(source)
    practices: list[Practice] = []
    area_columns: set[str] = set()
    attribute_names: set[str] = set()
    for line, code, row in practice_rows(source, PRACTICE_COLUMNS, "practices table", problems):
        try:
            list_size = _count(row["LIST_SIZE"], "a practice's list size", MAX_LIST_SIZE)
            if list_size == 0:
                raise BadNumber()
        except BadNumber as exc:
            if exc.code == "QD021":
                problems.add("QD016", line, f"practice {code}: LIST_SIZE {shown(row['LIST_SIZE'])} is not a "
                             "positive whole number", field="LIST_SIZE")
            else:
                problems.add(exc.code, line, f"practice {code}: LIST_SIZE {shown(row['LIST_SIZE'])} {exc.why}",
                             field="LIST_SIZE")
            continue
        opted_in = None
        if row.get("OPTED_IN"):
            try:
                opted_in = parse_date(row["OPTED_IN"])
            except ValueError:
                problems.add("QD017", line, f"practice {code}: OPTED_IN '{row['OPTED_IN']}' is not a date: "
                             f"{why_not_a_date(row['OPTED_IN'])}", field="OPTED_IN")
                continue
        requested = (row.get("REQUESTED_ALTERNATIVE") or "").lower()
        if requested not in YES | NO:
            problems.add("QD018", line, f"practice {code}: REQUESTED_ALTERNATIVE '{requested}' is not yes or no",
                         field="REQUESTED_ALTERNATIVE")
            continue
        areas = {c: row[c] for c in AREA_COLUMNS if c in row}
        area_columns.update(areas)
        attributes = {k.lower(): v for k, v in row.items() if k not in SPECIAL_PRACTICE_COLUMNS}
        attribute_names.update(attributes)
        areas["PRACTICE_CODE"] = code
        practices.append(Practice(
            code=code, name=row["PRACTICE_NAME"], list_size=list_size, areas=areas, opted_in=opted_in,
            pilots=frozenset(p.strip() for p in (row.get("PILOTS") or "").split(";") if p.strip()),
            requested_alternative=requested in YES, attributes=attributes))
    problems.raise_if_any()
    return practices, frozenset(area_columns | {"PRACTICE_CODE"}), frozenset(attribute_names)


def judge_long_row(line: int, row: list[str], at: tuple[int, int, int, int], known_practices,
                   indicators: dict[str, int], problems: _Problems):
    """The checks of one row of a long achievement file that need no other row, in the order the
    exact reader makes them; the exact reader, the streamed check (:func:`check_long`) and the
    columnar reader's report of the rows it refused all judge a row here, so all say the same.

    Returns (practice, indicator, measure, field, value) of a row to keep; None for a row skipped (a
    measure qofrules does not use, a blank VALUE) or refused (its problem added). ``indicators``
    (code -> index) gains each new code; the 1,001st different one is refused at once (QD026)."""
    at_practice, at_indicator, at_measure, at_value = at
    measure = row[at_measure].upper()
    field = MEASURES.get(measure)
    if field is None:
        return None  # measures qofrules does not use (documented in docs/data-formats.md)
    practice, indicator, text = row[at_practice], row[at_indicator], row[at_value]
    if indicator not in indicators:
        if len(indicators) == MAX_INDICATOR_CODES:
            problems.add("QD026", line, f"line {line}: the file names more than {MAX_INDICATOR_CODES:,} different "
                         f"indicator codes ({indicator} is one more); a QOF year has fewer than 200, so the "
                         "file is refused (docs/limits.md)", field="INDICATOR_CODE")
            problems.raise_if_any()
        indicators[indicator] = len(indicators)
    if practice not in known_practices:
        problems.add("QD020", line, f"line {line}: practice {practice} is not in the practices table",
                     hint=lambda: did_you_mean(practice, known_practices), field="PRACTICE_CODE")
        return None
    if text == "":
        return None  # a blank VALUE is "not given", the same as no row
    try:
        value = _points(text) if field == "achieved_points" else _count(text)
    except BadNumber as exc:
        kind = "a non-negative number" if field == "achieved_points" else "a whole, non-negative number"
        said = f"line {line}: {measure} of {practice} {indicator} is {shown(text)}"
        problems.add(exc.code, line, f"{said}, not {kind}" if exc.code == "QD021" else f"{said}, which {exc.why}",
                     field="VALUE")
        return None
    return practice, indicator, measure, field, value


def _repeated_measure(problems: _Problems, line: int, measure: str, practice: str, indicator: str, first: int):
    problems.add("QD022", line, f"line {line} repeats {measure} of {practice} {indicator} (first given on line {first})",
                 field="MEASURE")


def _numerator_above_denominator(problems: _Problems, practice: str, indicator: str, numerator: tuple[int, int],
                                 denominator: tuple[int, int]):
    """QD023 for (value, line) of a cell's numerator and denominator."""
    problems.add("QD023", numerator[1], f"line {numerator[1]}: {practice} {indicator} has NUMERATOR "
                 f"{numerator[0]} greater than DENOMINATOR {denominator[0]} (line {denominator[1]})", field="VALUE")


def read_long(source: Source, known_practices) -> dict[str, dict[str, Measures]]:
    """An NHS Digital long achievement file: practice -> indicator -> measures. ``known_practices``
    in the practices table's order (a dict): a 'did you mean' names equally near codes in it."""
    problems = _Problems(source)
    cells: dict[tuple[str, str], dict[str, tuple]] = {}
    indicators: dict[str, int] = {}
    names, rows = _lists(source, LONG_COLUMNS, "achievement file", problems)
    at = tuple(names.index(c) for c in LONG_COLUMNS)
    for line, row, bad in rows:
        if bad:
            problems.add("QD013", line, f"line {line} {bad}")
            continue
        kept = judge_long_row(line, row, at, known_practices, indicators, problems)
        if kept is None:
            continue
        practice, indicator, measure, field, value = kept
        slot = cells.setdefault((practice, indicator), {})
        if field in slot:
            _repeated_measure(problems, line, measure, practice, indicator, slot[field][1])
            continue
        slot[field] = (value, line)
    result: dict[str, dict[str, Measures]] = {}
    for (practice, indicator), slot in cells.items():
        numerator, denominator = slot.get("numerator"), slot.get("denominator")
        if numerator and denominator and numerator[0] > denominator[0]:
            _numerator_above_denominator(problems, practice, indicator, numerator, denominator)
            continue
        result.setdefault(practice, {})[indicator] = Measures(**{k: v[0] for k, v in slot.items()})
    problems.raise_if_any()
    return result


#: The measures a long file gives, in the order of the streamed check's arrays.
_FIELDS = ("register", "numerator", "denominator", "exceptions", "achieved_points")


def check_long(path, known_practices: dict[str, int]) -> None:
    """Judge a long achievement file exactly as :func:`read_long` does, streaming it from disk and
    keeping nothing of it: raises its QofError (the same problems, lines and words), or returns.

    For a file the columnar reader found a problem in that needs other rows to see (a repeated
    measure, a numerator above its denominator) or stopped on (a row of the wrong width): reading it
    exactly would hold the whole text and a Python object per measure (2.7 GB for a 345 MB file).
    What the exact reader keeps per cell, the first line of each measure and the numerator and
    denominator, is kept here in flat arrays over indicators × practices (28 bytes a cell; a new
    indicator appends its block). Raises :class:`CannotStream` where only the exact reader can say
    what is wrong."""
    import numpy as np
    from array import array
    _streamable(path)
    source = Streamed(str(path))
    problems = _Problems(source)
    n = len(known_practices)
    width = len(_FIELDS)
    indicators: dict[str, int] = {}
    first_line = array("i")  # [(indicator * n + practice) * width + field]: the line a measure was given on, 0 if not
    values = array("i")      # [(indicator * n + practice) * 2 + 0 or 1]: the numerator and denominator
    slot_of = {f: i for i, f in enumerate(_FIELDS)}
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            names, rows = _lists(source, LONG_COLUMNS, "achievement file", problems, source.lines(handle))
            at = tuple(names.index(c) for c in LONG_COLUMNS)
            for line, row, bad in rows:
                if bad:
                    problems.add("QD013", line, f"line {line} {bad}")
                    continue
                kept = judge_long_row(line, row, at, known_practices, indicators, problems)
                if kept is None:
                    continue
                practice, indicator, measure, field, value = kept
                cell = indicators[indicator] * n + known_practices[practice]
                while len(first_line) <= cell * width:  # a new indicator: room for its practices
                    first_line.extend(array("i", bytes(4 * width * n)))
                    values.extend(array("i", bytes(4 * 2 * n)))
                f = slot_of[field]
                first = first_line[cell * width + f]
                if first:
                    _repeated_measure(problems, line, measure, practice, indicator, first)
                    continue
                first_line[cell * width + f] = line
                if f in (1, 2):
                    values[cell * 2 + f - 1] = value
    except (UnicodeDecodeError, OSError) as exc:
        raise CannotStream(str(exc)) from None
    lines = np.frombuffer(first_line, dtype=np.int32).reshape(-1, width) if len(first_line) else np.zeros((0, width), np.int32)
    given = np.frombuffer(values, dtype=np.int32).reshape(-1, 2) if len(values) else np.zeros((0, 2), np.int32)
    above = (lines[:, 1] > 0) & (lines[:, 2] > 0) & (given[:, 0] > given[:, 1])
    if above.any():
        # in the exact reader's order: by each cell's first row (the first line any measure has)
        first_row = np.where(lines > 0, lines, np.iinfo(np.int32).max).min(axis=1)
        cells = np.flatnonzero(above)
        cells = cells[np.argsort(first_row[cells], kind="stable")]
        code_of = {j: code for code, j in indicators.items()}
        practice_of = {p: code for code, p in known_practices.items()}
        source.fetch({int(lines[c, 1]) for c in cells[:MAX_DIAGNOSTICS_PER_FILE]} - set(source.shown))
        for c in cells.tolist():
            j, p = divmod(c, n)
            _numerator_above_denominator(problems, practice_of[p], code_of[j],
                                         (int(given[c, 0]), int(lines[c, 1])), (int(given[c, 1]), int(lines[c, 2])))
    problems.raise_if_any()


def read_prevalence(source: Source, known_practices, lines=None) -> dict[str, dict[str, Prevalence]]:
    """A prevalence file: practice -> group -> register and list size. With ``lines`` (and a
    :class:`Streamed` source) the file is read as a stream, to judge it without holding its text."""
    problems = _Problems(source)
    result: dict[str, dict[str, Prevalence]] = {}
    lines_of: dict[tuple[str, str], int] = {}
    groups: set[str] = set()
    for line, row, bad in _rows(source, PREVALENCE_COLUMNS, "prevalence file", problems, lines):
        if bad:
            problems.add("QD013", line, f"line {line} {bad}")
            continue
        practice, group = row["PRACTICE_CODE"], row["GROUP_CODE"]
        if group not in groups:
            if len(groups) == MAX_GROUP_CODES:
                problems.add("QD050", line, f"line {line}: the file names more than {MAX_GROUP_CODES:,} different "
                             f"prevalence group codes ({group} is one more); a QOF year has fewer than 50, so the "
                             "file is refused (docs/limits.md)", field="GROUP_CODE")
                problems.raise_if_any()
            groups.add(group)
        if practice not in known_practices:
            problems.add("QD020", line, f"line {line}: practice {practice} is not in the practices table",
                         hint=lambda: did_you_mean(practice, known_practices), field="PRACTICE_CODE")
            continue
        try:
            name = "REGISTER"
            register = _count(row["REGISTER"])
            name = "PRACTICE_LIST_SIZE"
            list_size = _count(row["PRACTICE_LIST_SIZE"], "a practice's list size", MAX_LIST_SIZE)
            if list_size == 0:
                raise BadNumber()
        except BadNumber as exc:
            if exc.code == "QD021":
                problems.add("QD021", line, f"line {line}: REGISTER must be a whole, non-negative number and "
                             f"PRACTICE_LIST_SIZE a positive one", field=name)
            else:
                problems.add(exc.code, line, f"line {line}: {name} of {practice} {group} is {shown(row[name])}, "
                             f"which {exc.why}", field=name)
            continue
        if (practice, group) in lines_of:
            problems.add("QD022", line, f"line {line} repeats {practice} {group} (first on line {lines_of[practice, group]})",
                         field="GROUP_CODE")
            continue
        if register > list_size:
            problems.add("QD024", line, f"line {line}: {practice} {group} register {register} is larger than its "
                         f"list size {list_size}", field="REGISTER")
            continue
        lines_of[practice, group] = line
        result.setdefault(practice, {})[group] = Prevalence(register=register, list_size=list_size)
    problems.raise_if_any()
    return result


def check_prevalence(path, known_practices) -> None:
    """Judge a prevalence file as :func:`read_prevalence` does, streaming it from disk; raises its
    QofError, or :class:`CannotStream` where only the exact reader can say what is wrong."""
    _streamable(path)
    source = Streamed(str(path))
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            read_prevalence(source, known_practices, source.lines(handle))
    except (UnicodeDecodeError, OSError) as exc:
        raise CannotStream(str(exc)) from None


def _streamable(path) -> None:
    """Refuse to stream a file the exact reader would refuse whole: a binary one (NUL bytes; the
    exact reader's QR002 says where), or one it cannot open."""
    import mmap
    try:
        with open(path, "rb") as handle:
            if handle.seek(0, 2) == 0:
                raise CannotStream("empty")
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
                if view.find(b"\x00") != -1:
                    raise CannotStream("NUL byte")
    except OSError as exc:
        raise CannotStream(str(exc)) from None
