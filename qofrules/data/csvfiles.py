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
PREVALENCE_COLUMNS = ("PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PATIENT_LIST_TYPE", "PRACTICE_LIST_SIZE")
MEASURES = {"REGISTER": "register", "NUMERATOR": "numerator", "DENOMINATOR": "denominator",
            "PCAS": "exceptions", "EXCEPTIONS": "exceptions", "ACHIEVED_POINTS": "achieved_points"}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


class _Problems:
    """Collects located problems of one file; raises them together at the end.

    Only the first MAX_DIAGNOSTICS_PER_FILE are kept; the rest are counted, so a file with a
    million bad rows costs a counter, not a million diagnostics."""

    def __init__(self, source: Source):
        self.source = source
        self.found: list[Diagnostic] = []
        self.more = 0

    def add(self, code: str, line: int, message: str, hint: str | Callable[[], str | None] | None = None) -> None:
        """Keep a problem, or count it once the cap is reached. A costly hint (a 'did you mean'
        over thousands of practice codes) is passed as a function and computed only when kept:
        computed eagerly, a million rows naming an unknown practice took hours."""
        if len(self.found) >= MAX_DIAGNOSTICS_PER_FILE:
            self.more += 1
            return
        if callable(hint):
            hint = hint()
        text = self.source.line_text(line)
        span = Span(line=line, column=1, end_line=line, end_column=max(len(text), 1) + 1)
        self.found.append(error(code, message, source=self.source, span=span, hint=hint))

    def raise_if_any(self) -> None:
        if self.found:
            summary = []
            if self.more:
                summary.append(error("QR009", f"... and {self.more:,} more problem(s) of this file not shown",
                                     source=self.source))
            raise QofError(self.found + summary)


def _rows(source: Source, required: tuple[str, ...], what: str):
    """(line number, row dict) for each data row, after checking the header has ``required``."""
    names, rows = _lists(source, required, what)
    for line, row, bad in rows:
        yield line, (None if row is None else dict(zip(names, row))), bad


def _lists(source: Source, required: tuple[str, ...], what: str):
    """The header's column names, and (line number, list of stripped fields, problem) per data row.

    The list form is for the large long files, where building a dict per row is measurable."""
    reader = csv.reader(io.StringIO(source.text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise QofError([error("QD010", f"the {what} is empty: no header row", source=source)]) from None
    except csv.Error as exc:
        raise _unreadable(source, 1, exc) from None
    names = [h.strip().upper() for h in header]
    check_header(names, required, what, source)
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
    it gave up on, which for a quote never closed is far below it)."""
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
    value = _plain(text)
    if value != value.to_integral_value():
        raise BadNumber()
    return _bounded(int(value), most, what)


def _points(text: str) -> Decimal:
    """Achieved points: a plain non-negative decimal of at most MAX_POINTS."""
    return _bounded(_plain(text), MAX_POINTS, "an indicator's achieved points")


def read_practices(source: Source) -> tuple[list[Practice], frozenset[str], frozenset[str]]:
    """The practices table: practices, the geography columns present, and the attribute names."""
    problems = _Problems(source)
    practices: dict[str, tuple[int, Practice]] = {}
    area_columns: set[str] = set()
    attribute_names: set[str] = set()
    for line, row, bad in _rows(source, PRACTICE_COLUMNS, "practices table"):
        if bad:
            problems.add("QD013", line, f"line {line} {bad}")
            continue
        code = row["PRACTICE_CODE"]
        if not code:
            problems.add("QD014", line, f"line {line} has no PRACTICE_CODE")
            continue
        if code in practices:
            problems.add("QD015", line, f"practice {code} is listed twice (lines {practices[code][0]} and {line})")
            continue
        try:
            list_size = _count(row["LIST_SIZE"], "a practice's list size", MAX_LIST_SIZE)
            if list_size == 0:
                raise BadNumber()
        except BadNumber as exc:
            if exc.code == "QD021":
                problems.add("QD016", line, f"practice {code}: LIST_SIZE {shown(row['LIST_SIZE'])} is not a "
                             "positive whole number")
            else:
                problems.add(exc.code, line, f"practice {code}: LIST_SIZE {shown(row['LIST_SIZE'])} {exc.why}")
            continue
        opted_in = None
        if row.get("OPTED_IN"):
            try:
                opted_in = parse_date(row["OPTED_IN"])
            except ValueError:
                problems.add("QD017", line, f"practice {code}: OPTED_IN '{row['OPTED_IN']}' is not a date: "
                             f"{why_not_a_date(row['OPTED_IN'])}")
                continue
        requested = (row.get("REQUESTED_ALTERNATIVE") or "").lower()
        if requested not in YES | NO:
            problems.add("QD018", line, f"practice {code}: REQUESTED_ALTERNATIVE '{requested}' is not yes or no")
            continue
        areas = {c: row[c] for c in AREA_COLUMNS if c in row}
        area_columns.update(areas)
        attributes = {k.lower(): v for k, v in row.items() if k not in SPECIAL_PRACTICE_COLUMNS}
        attribute_names.update(attributes)
        areas["PRACTICE_CODE"] = code
        practices[code] = (line, Practice(
            code=code, name=row["PRACTICE_NAME"], list_size=list_size, areas=areas, opted_in=opted_in,
            pilots=frozenset(p.strip() for p in (row.get("PILOTS") or "").split(";") if p.strip()),
            requested_alternative=requested in YES, attributes=attributes))
    problems.raise_if_any()
    return [p for _, p in practices.values()], frozenset(area_columns | {"PRACTICE_CODE"}), frozenset(attribute_names)


def read_long(source: Source, known_practices: set[str]) -> dict[str, dict[str, Measures]]:
    """An NHS Digital long achievement file: practice -> indicator -> measures."""
    problems = _Problems(source)
    cells: dict[tuple[str, str], dict[str, tuple]] = {}
    indicators: set[str] = set()
    names, rows = _lists(source, LONG_COLUMNS, "achievement file")
    at_practice, at_indicator, at_measure, at_value = (names.index(c) for c in LONG_COLUMNS)
    for line, row, bad in rows:
        if bad:
            problems.add("QD013", line, f"line {line} {bad}")
            continue
        measure = row[at_measure].upper()
        field = MEASURES.get(measure)
        if field is None:
            continue  # measures qofrules does not use (documented in docs/data-formats.md)
        practice, indicator, text = row[at_practice], row[at_indicator], row[at_value]
        if indicator not in indicators:
            if len(indicators) == MAX_INDICATOR_CODES:
                problems.add("QD026", line, f"line {line}: the file names more than {MAX_INDICATOR_CODES:,} different "
                             f"indicator codes ({indicator} is one more); a QOF year has fewer than 200, so the "
                             "file is refused (docs/limits.md)")
                problems.raise_if_any()
            indicators.add(indicator)
        if practice not in known_practices:
            problems.add("QD020", line, f"line {line}: practice {practice} is not in the practices table",
                         hint=lambda: did_you_mean(practice, known_practices))
            continue
        if text == "":
            continue  # a blank VALUE is "not given", the same as no row
        try:
            value = _points(text) if field == "achieved_points" else _count(text)
        except BadNumber as exc:
            kind = "a non-negative number" if field == "achieved_points" else "a whole, non-negative number"
            said = f"line {line}: {measure} of {practice} {indicator} is {shown(text)}"
            problems.add(exc.code, line, f"{said}, not {kind}" if exc.code == "QD021" else f"{said}, which {exc.why}")
            continue
        slot = cells.setdefault((practice, indicator), {})
        if field in slot:
            problems.add("QD022", line, f"line {line} repeats {measure} of {practice} {indicator} "
                         f"(first given on line {slot[field][1]})")
            continue
        slot[field] = (value, line)
    result: dict[str, dict[str, Measures]] = {}
    for (practice, indicator), slot in cells.items():
        numerator, denominator = slot.get("numerator"), slot.get("denominator")
        if numerator and denominator and numerator[0] > denominator[0]:
            problems.add("QD023", numerator[1], f"line {numerator[1]}: {practice} {indicator} has NUMERATOR "
                         f"{numerator[0]} greater than DENOMINATOR {denominator[0]} (line {denominator[1]})")
            continue
        result.setdefault(practice, {})[indicator] = Measures(**{k: v[0] for k, v in slot.items()})
    problems.raise_if_any()
    return result


def read_prevalence(source: Source, known_practices: set[str]) -> dict[str, dict[str, Prevalence]]:
    """A prevalence file: practice -> group -> register and list size."""
    problems = _Problems(source)
    result: dict[str, dict[str, Prevalence]] = {}
    lines: dict[tuple[str, str], int] = {}
    for line, row, bad in _rows(source, PREVALENCE_COLUMNS, "prevalence file"):
        if bad:
            problems.add("QD013", line, f"line {line} {bad}")
            continue
        practice, group = row["PRACTICE_CODE"], row["GROUP_CODE"]
        if practice not in known_practices:
            problems.add("QD020", line, f"line {line}: practice {practice} is not in the practices table",
                         hint=lambda: did_you_mean(practice, known_practices))
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
                             f"PRACTICE_LIST_SIZE a positive one")
            else:
                problems.add(exc.code, line, f"line {line}: {name} of {practice} {group} is {shown(row[name])}, "
                             f"which {exc.why}")
            continue
        if (practice, group) in lines:
            problems.add("QD022", line, f"line {line} repeats {practice} {group} (first on line {lines[practice, group]})")
            continue
        if register > list_size:
            problems.add("QD024", line, f"line {line}: {practice} {group} register {register} is larger than its "
                         f"list size {list_size}")
            continue
        lines[practice, group] = line
        result.setdefault(practice, {})[group] = Prevalence(register=register, list_size=list_size)
    problems.raise_if_any()
    return result
