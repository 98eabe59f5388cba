"""NHS Digital's QOF publication as it is downloaded: a zip, or a folder of its CSV files, with no
manifest (docs/data-formats.md, "NHS Digital's publication as published").

The publication's files are recognised by their headers, and their year by their names
(``ACHIEVEMENT_LONDON_2324.csv`` is 2023/24; a name without a year takes its folder's or the
archive's, as ``qof-1516-csv/PREVALENCE.csv``). From them this module makes the same
:class:`~.model.Dataset` (exact path) or :class:`~.columnar.ColumnarData` (fast path) that a
hand-written ``dataset.yaml`` gives, read by the same readers (:mod:`.csvfiles`, :mod:`.columnar`),
so one data set means the same whichever way it is given and whichever path computes it:

* the **practices** are those of the latest year's geography mapping (``MAPPING_NHS_GEOGRAPHIES``,
  or ``QOF_MANUAL_MAPPINGS``-style, or an older ``ORGANISATION_REFERENCE``), each placed in its PCN,
  sub-ICB location (``CCG``), ICB and region by name; every other column of the mapping (codes,
  ONS codes) is a practice attribute;
* each practice's **list size** is its ``TOTAL`` patient list in that year's prevalence file;
* **achievement** is every long file (``PRACTICE_CODE, INDICATOR_CODE, MEASURE, VALUE``, with or
  without NHS Digital's leading region columns) of a year, the regional files of one year taken
  together; **prevalence** is each year's prevalence file (the older column names
  ``INDICATOR_GROUP_CODE`` and ``PATIENT_LIST_SIZE`` are read as ``GROUP_CODE`` and
  ``PRACTICE_LIST_SIZE``);
* an earlier year's rows for practices that are not in the latest mapping (practices that closed
  or merged) are not part of the data set: ``qofrules data describe`` counts them.

A file named ``SYNTHETIC.txt`` marks generated data (``examples/generate_publication.py``): its
text becomes the data set's notice and the data set is marked synthetic. NHS Digital's own
publication has no such file.

A directory holding a ``dataset.yaml`` is read by its manifest, as before: the manifest wins.
"""
from __future__ import annotations

import contextlib
import csv
import io
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import numpy as np

from ..diagnostics import QofError, error
from ..reading import MAX_DATA_BYTES, decode
from ..source import Source
from . import csvfiles
from .model import Dataset, Measures, Practice, Prevalence
from .ziparchive import MAX_MEMBERS, Archive, looks_like_zip

# ------------------------------------------------------------------ what the publication's files are

ACHIEVEMENT = "achievement"
PREVALENCE = "prevalence"
GEOGRAPHY = "geography mapping"
INDICATORS = "indicator mapping"
NOTICE = "synthetic-data notice"
UNUSED = "not used"

#: Columns that make a header a geography mapping (with PRACTICE_CODE and PRACTICE_NAME).
GEOGRAPHY_COLUMNS = {"PCN_ODS_CODE", "PCN_NAME", "CCG_ODS_CODE", "CCG_CODE", "CCG_NAME", "SUB_ICB_ODS_CODE",
                     "SUB_ICB_NAME", "ICB_ODS_CODE", "ICB_NAME", "STP_ODS_CODE", "STP_NAME", "REGION_ODS_CODE",
                     "REGION_CODE", "REGION_NAME"}
#: Which mapping column places a practice in each area column qofrules knows (first found wins).
#: ICBs replaced STPs in July 2022; NHS Digital's mappings name them STP_* up to 2021/22 and, in
#: its own 2023/24 QOF_MANUAL_MAPPINGS.csv, still do, so an STP name is the ICB where no ICB_*
#: column is given. Sub-ICB locations are the former CCGs (SUB_ICB_* from 2022/23).
AREA_SOURCES = {
    "PCN": ("PCN_NAME",),
    "CCG": ("SUB_ICB_NAME", "CCG_NAME"),
    "ICB": ("ICB_NAME", "STP_NAME"),
    "STP": ("STP_NAME",),
    "REGION": ("REGION_NAME",),
}
#: The same levels by code, for outputs (docs/data-formats.md, "Geography in results").
AREA_CODE_SOURCES = {
    "PCN": ("PCN_ODS_CODE",),
    "CCG": ("SUB_ICB_ODS_CODE", "CCG_ODS_CODE", "CCG_CODE"),
    "ICB": ("ICB_ODS_CODE", "STP_ODS_CODE"),
    "REGION": ("REGION_ODS_CODE", "REGION_CODE"),
}
#: Older prevalence files' names for the columns qofrules reads (2015/16 to 2018/19 layout).
PREVALENCE_ALIASES = {"INDICATOR_GROUP_CODE": "GROUP_CODE", "PATIENT_LIST_SIZE": "PRACTICE_LIST_SIZE"}
NOTICE_NAME = "synthetic.txt"
MAX_NOTICE_BYTES = 16 * 1024
#: A header line is looked for in a file's first 64 KiB.
HEADER_BYTES = 64 * 1024
#: A folder is searched this deep for the publication's files (a zip unpacked keeps one or two levels).
MAX_DEPTH = 4
_YEAR_PAIR = re.compile(r"(?<![0-9])(?:20)?([0-9]{2})[-_/]?([0-9]{2})(?![0-9])")


def year_of(text: str) -> str | None:
    """The financial year a name gives: 'ACHIEVEMENT_2324' and 'qof-1516-csv' and 'QOF_2023-24'
    are 2023/24, 2015/16 and 2023/24; None if no two consecutive two-digit years appear."""
    for match in _YEAR_PAIR.finditer(text):
        first, second = int(match.group(1)), int(match.group(2))
        if (first + 1) % 100 == second and 3 <= first <= 60:
            return f"20{first:02d}/{second:02d}"
    return None


@dataclass
class DataFile:
    """One file of a publication: what it is, for which year, and where it can be read."""

    member: str                 # its path inside the publication, '/'-separated
    shown: str                  # how messages name it
    size: int
    kind: str = UNUSED
    year: str | None = None
    why: str = ""               # what it is, or why it is not used
    header: list[str] = field(default_factory=list)
    local: Path | None = None   # where its bytes are (the file itself, or an unpacked copy)
    _archive_member: object = None

    @property
    def name(self) -> str:
        return PurePosixPath(self.member).name


@dataclass
class Survey:
    """What a publication holds: every file, recognised or not, and how it is read."""

    path: str
    archive: bool
    files: list[DataFile]
    notice: str = ""
    practices_year: str | None = None

    def of(self, kind: str, year: str | None = None) -> list[DataFile]:
        return [f for f in self.files if f.kind == kind and (year is None or f.year == year)]

    @property
    def years(self) -> list[str]:
        return sorted({f.year for f in self.files if f.kind in (ACHIEVEMENT, PREVALENCE, GEOGRAPHY) and f.year},
                      reverse=True)

    @property
    def synthetic(self) -> bool:
        return bool(self.notice)

    @property
    def unused(self) -> list[DataFile]:
        return [f for f in self.files if f.kind in (UNUSED, INDICATORS)]


def applies(path: str) -> bool:
    """Is ``path`` read by this module: a zip, or a directory without a ``dataset.yaml``?"""
    p = Path(path)
    if p.is_dir():
        return not (p / "dataset.yaml").exists()
    return p.is_file() and (p.suffix.lower() == ".zip" or looks_like_zip(p))


def _kind(names: list[str], filename: str) -> tuple[str, str]:
    """(kind, what it is or why it is not used) from a header's column names."""
    have = set(names)
    if set(csvfiles.LONG_COLUMNS) <= have:
        return ACHIEVEMENT, "long achievement file (PRACTICE_CODE, INDICATOR_CODE, MEASURE, VALUE)"
    prevalence = {"PRACTICE_CODE", "REGISTER", "PATIENT_LIST_TYPE"}
    if prevalence <= have and ({"GROUP_CODE", "INDICATOR_GROUP_CODE"} & have) and \
            ({"PRACTICE_LIST_SIZE", "PATIENT_LIST_SIZE"} & have):
        return PREVALENCE, "prevalence file (registers and patient list sizes)"
    if {"PRACTICE_CODE", "PRACTICE_NAME"} <= have and GEOGRAPHY_COLUMNS & have:
        return GEOGRAPHY, "geography mapping (practices to PCN, sub-ICB, ICB, region)"
    if {"INDICATOR_CODE", "INDICATOR_POINT_VALUE"} <= have and "PRACTICE_CODE" not in have:
        return INDICATORS, ("indicator mapping (codes, points, groups): not used, qofrules takes indicators "
                            "from its contract year (qofrules contracts)")
    if {"PRACTICE_CODE", "PRACTICE_NAME", "LIST_SIZE"} <= have:
        return UNUSED, ("a qofrules practices table, not a publication file: name it in a dataset.yaml "
                        "(docs/data-formats.md)")
    shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    return UNUSED, f"not a layout qofrules reads (columns {shown or 'none'})"


def _header_names(data: bytes) -> list[str] | None:
    """A file's header row as the readers see it (BOM dropped, stripped, upper case), or None."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    ends = [at for at in (data.find(b"\n"), data.find(b"\r")) if at != -1]
    if not ends:
        if len(data) >= HEADER_BYTES:
            return None
        line = data
    else:
        line = data[: min(ends)]
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    return [n.strip().upper() for n in next(csv.reader([text]), [])]


def _recognise(item: DataFile, head: bytes, context: list[str]) -> None:
    """Fill in ``item``'s kind, year and reason from its first bytes and the names around it."""
    name = item.name
    lower = name.lower()
    if lower == NOTICE_NAME:
        item.kind, item.why = NOTICE, "marks the data as synthetic; its text is the data set's notice"
        return
    if lower.endswith(".zip"):
        item.why = "an archive inside the publication: not opened (unpack it, or give it to qofrules itself)"
        return
    if not lower.endswith(".csv"):
        item.why = "not a CSV file"
        return
    names = _header_names(head)
    if names is None:
        item.why = "its first line is not a UTF-8 CSV header"
        return
    item.header = names
    item.kind, item.why = _kind(names, name)
    if item.kind in (ACHIEVEMENT, PREVALENCE, GEOGRAPHY):
        for text in [name] + context:
            item.year = year_of(text)
            if item.year:
                break
        if item.year is None:
            item.why += f"; not used: no year in its name ({name}) or its folder's"
            item.kind = UNUSED


# ------------------------------------------------------------------ finding the files

@contextlib.contextmanager
def opened(path: str):
    """The publication at ``path`` surveyed, its files readable (unpacked, for a zip) while the
    ``with`` lasts; nothing is left behind on disk afterwards."""
    p = Path(path)
    if p.is_dir():
        yield _survey_folder(p, path)
        return
    with Archive(path) as archive:
        survey = Survey(path=path, archive=True, files=[])
        context = [Path(path).name]
        for member in archive.members:
            item = DataFile(member=member.name, shown=archive.shown_name(member), size=member.size,
                            _archive_member=member)
            parents = [part for part in reversed(PurePosixPath(member.name).parts[:-1])]
            _recognise(item, archive.head(member, HEADER_BYTES), parents + context)
            survey.files.append(item)
        _settle(survey)
        for item in survey.files:
            if item.kind in (ACHIEVEMENT, PREVALENCE, GEOGRAPHY, NOTICE):
                item.local = archive.unpack(item._archive_member)
        survey.notice = _notice(survey)
        yield survey


def _survey_folder(folder: Path, shown: str) -> Survey:
    """Every file under ``folder`` (MAX_DEPTH levels, at most MAX_MEMBERS entries). Symbolic links
    are not followed and other special files are not opened: a publication is plain files."""
    survey = Survey(path=shown, archive=False, files=[])
    seen = 0
    pending: list[tuple[Path, int]] = [(folder, 0)]
    while pending:
        directory, depth = pending.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            raise QofError([error("QR002", f"cannot read the folder ({exc.strerror or exc})",
                                  source=Source(str(directory), ""))]) from None
        for entry in entries:
            seen += 1
            if seen > MAX_MEMBERS:
                raise QofError([error("QR005", f"the folder holds more than {MAX_MEMBERS:,} files and folders; a "
                                      "publication folder may hold at most that many",
                                      source=Source(shown, ""), hint="a QOF publication has about 20 files")])
            path = Path(entry.path)
            member = path.relative_to(folder).as_posix()
            if entry.is_symlink():
                survey.files.append(DataFile(member=member, shown=str(path), size=0,
                                             why="a symbolic link: not followed (a publication is plain files)"))
                continue
            if entry.is_dir(follow_symlinks=False):
                if depth + 1 < MAX_DEPTH:
                    pending.append((path, depth + 1))
                continue
            if not entry.is_file(follow_symlinks=False):
                survey.files.append(DataFile(member=member, shown=str(path), size=0,
                                             why="not a regular file (a pipe, socket or device): not opened"))
                continue
            item = DataFile(member=member, shown=str(path), size=entry.stat(follow_symlinks=False).st_size, local=path)
            try:
                with path.open("rb") as handle:
                    head = handle.read(HEADER_BYTES)
            except OSError as exc:
                item.why = f"cannot be read ({exc.strerror or exc})"
                survey.files.append(item)
                continue
            context = [part for part in reversed(Path(member).parts[:-1])] + [folder.resolve().name]
            _recognise(item, head, context)
            survey.files.append(item)
    survey.files.sort(key=lambda f: f.member)
    if not any(f.kind in (ACHIEVEMENT, PREVALENCE, GEOGRAPHY) for f in survey.files):
        seen_names = ", ".join(f.member for f in survey.files[:6]) or "nothing"
        raise QofError([error("QD002", f"{shown} is a directory without a dataset.yaml, and none of its files is one "
                              f"of NHS Digital's QOF publication files (it holds {seen_names})",
                              source=Source(shown, ""),
                              hint="give NHS Digital's publication (its zip, or the folder it unpacks to), or a "
                                   "directory with a dataset.yaml (docs/data-formats.md)")])
    _settle(survey)
    survey.notice = _notice(survey)
    return survey


def _settle(survey: Survey) -> None:
    """Decide the practices' year and refuse what cannot be read one way only: no mapping, two
    mappings or two prevalence files for one year (which to use would be a guess)."""
    for kind in (GEOGRAPHY, PREVALENCE):
        by_year: dict[str, list[DataFile]] = {}
        for item in survey.of(kind):
            by_year.setdefault(item.year, []).append(item)
        for year, items in by_year.items():
            if len(items) > 1:
                raise QofError([error("QD032", f"two {kind}s for {year}: {items[0].member} and {items[1].member}; "
                                      "qofrules will not guess which to use", source=Source(survey.path, ""),
                                      hint="remove one of them (a publication has one of each per year)")])
    if not any(f.kind in (ACHIEVEMENT, PREVALENCE, GEOGRAPHY) for f in survey.files):
        held = "; ".join(f"{f.member} ({f.why})" for f in survey.files[:6]) or "no files"
        more = f"; and {len(survey.files) - 6} more" if len(survey.files) > 6 else ""
        raise QofError([error("QD031", "the archive holds none of NHS Digital's QOF publication files (achievement, "
                              "prevalence, geography mapping)", source=Source(survey.path, ""),
                              hint=f"it holds: {held}{more}")])
    mappings = sorted(survey.of(GEOGRAPHY), key=lambda f: f.year, reverse=True)
    if not mappings:
        found = ", ".join(sorted({f"{f.kind} {f.year}" for f in survey.files if f.year}))
        raise QofError([error("QD031", "the publication has no geography mapping (MAPPING_NHS_GEOGRAPHIES_YYZZ.csv), "
                              "which qofrules reads as its practices table", source=Source(survey.path, ""),
                              hint=f"found: {found or 'nothing usable'}; NHS Digital's zip includes the mapping")])
    survey.practices_year = mappings[0].year
    if not survey.of(PREVALENCE, survey.practices_year):
        raise QofError([error("QD031", f"the publication has no prevalence file for {survey.practices_year}, the "
                              "year of its geography mapping, so no practice's list size is known (qofrules takes "
                              "it from the prevalence file's TOTAL patient list)", source=Source(survey.path, ""),
                              hint=f"add PREVALENCE_{survey.practices_year[2:4]}{survey.practices_year[5:]}.csv")])


def _notice(survey: Survey) -> str:
    found = survey.of(NOTICE)
    if not found:
        return ""
    item = found[0]
    if item.size > MAX_NOTICE_BYTES:
        raise QofError([error("QR005", f"the file is {item.size:,} bytes; a synthetic-data notice may be at most "
                              f"{MAX_NOTICE_BYTES:,}", source=Source(item.shown, ""))])
    text = decode(item.shown, item.local.read_bytes(), what="synthetic-data notice").text
    return " ".join(text.split()) or "SYNTHETIC DATA"


# ------------------------------------------------------------------ reading the files

def _source(item: DataFile, what: str, renames: dict[str, str] | None = None) -> Source:
    """The file's text, named as the user knows it; ``renames`` rewrite its header's older
    column names to the ones the readers know (the header line only: every line keeps its number)."""
    size = item.local.stat().st_size
    if size > MAX_DATA_BYTES:
        raise QofError([error("QR005", f"the file is {size:,} bytes; {_a(what)} may be at most {MAX_DATA_BYTES:,}",
                              source=Source(item.shown, ""))])
    source = decode(item.shown, item.local.read_bytes(), what=what)
    if not renames:
        return source
    text = source.text
    cut = min([at for at in (text.find("\n"), text.find("\r")) if at != -1] or [len(text)])
    names = next(csv.reader([text[:cut]]), [])
    renamed = ",".join(renames.get(n.strip().upper(), n) for n in names)
    return Source(source.name, renamed + text[cut:])


def _a(what: str) -> str:
    return ("an " if what[:1] in "aeiou" else "a ") + what


def _prevalence_renames(item: DataFile) -> dict[str, str]:
    return {old: new for old, new in PREVALENCE_ALIASES.items() if old in item.header and new not in item.header}


@dataclass(frozen=True)
class Geography:
    """The practices of a mapping, without list sizes: code → (name, areas, attributes)."""

    rows: dict[str, tuple[str, dict[str, str], dict[str, str]]]
    area_columns: frozenset[str]
    attribute_names: frozenset[str]


def read_geography(source: Source) -> Geography:
    """A geography mapping: every practice once, with its areas by name and every other column
    as an attribute (lower-cased). Bad rows are located as in a practices table."""
    problems = csvfiles._Problems(source)
    rows: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {}
    area_columns: set[str] = set()
    attributes: set[str] = set()
    for line, code, row in csvfiles.practice_rows(source, ("PRACTICE_CODE", "PRACTICE_NAME"), "geography mapping",
                                                  problems):
        areas = {"PRACTICE_CODE": code}
        for column, sources in AREA_SOURCES.items():
            for name in sources:
                if name in row:
                    areas[column] = row[name]
                    area_columns.add(column)
                    break
        extra = {k.lower(): v for k, v in row.items() if k not in ("PRACTICE_CODE", "PRACTICE_NAME")}
        attributes.update(extra)
        rows[code] = (row["PRACTICE_NAME"], areas, extra)
    problems.raise_if_any()
    return Geography(rows=rows, area_columns=frozenset(area_columns | {"PRACTICE_CODE"}),
                     attribute_names=frozenset(attributes))


@dataclass(frozen=True)
class PrevalenceFacts:
    """What the readers do not keep of a prevalence file: each practice's TOTAL list and each
    group's patient list type (the national prevalence is measured against that list)."""

    total_list: dict[str, int]
    list_types: dict[str, str]


def prevalence_facts(source: Source, practices: set[str] | None = None) -> PrevalenceFacts:
    """TOTAL list sizes per practice and the list type of each group, from a prevalence file the
    exact reader has accepted (so every number is valid). Disagreements are located errors."""
    problems = csvfiles._Problems(source)
    totals: dict[str, tuple[int, int]] = {}
    types: dict[str, tuple[str, int]] = {}
    for line, row, bad in csvfiles._rows(source, csvfiles.PREVALENCE_COLUMNS, "prevalence file"):
        if bad:
            continue  # the exact reader has reported it already
        practice, group = row["PRACTICE_CODE"], row["GROUP_CODE"]
        kind = row["PATIENT_LIST_TYPE"].upper()
        if group in types and types[group][0] != kind:
            problems.add("QD035", line, f"line {line}: group {group} is measured against patient list {kind} here, "
                         f"but against {types[group][0]} on line {types[group][1]}; a group has one list type")
            continue
        types.setdefault(group, (kind, line))
        if kind != "TOTAL" or (practices is not None and practice not in practices):
            continue
        size = int(csvfiles._plain(row["PRACTICE_LIST_SIZE"]))
        if practice in totals and totals[practice][0] != size:
            problems.add("QD033", line, f"line {line}: practice {practice}'s TOTAL list is {size:,} here but "
                         f"{totals[practice][0]:,} on line {totals[practice][1]}; its list size would be a guess")
            continue
        totals.setdefault(practice, (size, line))
    problems.raise_if_any()
    return PrevalenceFacts(total_list={p: s for p, (s, _) in totals.items()},
                           list_types={g: t for g, (t, _) in types.items()})


@dataclass
class Read:
    """Everything read from a publication: the practices and per-year facts the readers do not keep."""

    survey: Survey
    geography: Geography
    facts: dict[str, PrevalenceFacts]     # year → facts of its prevalence file
    closed: dict[str, set[str]]           # year → practices in its files but not in the data set
    practices: list[Practice]
    exact_prevalence: dict[str, dict] = field(default_factory=dict)  # year → the exact reader's result


def _practices(survey: Survey, fast: bool = False) -> Read:
    """The practices (latest mapping, list sizes from that year's prevalence file). ``fast``: the
    prevalence file is judged by the columnar reader (which defers anything doubtful to the exact
    one) and its list types and TOTAL lists read with pyarrow; else exactly, with every line."""
    year = survey.practices_year
    mapping = survey.of(GEOGRAPHY, year)[0]
    geography = read_geography(_source(mapping, "geography mapping"))
    prevalence = survey.of(PREVALENCE, year)[0]
    read = Read(survey=survey, geography=geography, facts={}, closed={}, practices=[])
    if fast and not _prevalence_renames(prevalence):
        facts = _fast_facts(prevalence)
    else:
        source = _source(prevalence, "prevalence file", _prevalence_renames(prevalence))
        read.exact_prevalence[year] = csvfiles.read_prevalence(source, dict.fromkeys(geography.rows))  # judged with lines
        facts = prevalence_facts(source, set(geography.rows))
    read.facts[year] = facts
    missing = [code for code in geography.rows if code not in facts.total_list]
    if missing:
        raise QofError([error("QD033", f"{len(missing):,} practice(s) of {mapping.member} have no TOTAL patient list in "
                              f"{prevalence.member}, so their list size is not known: "
                              + ", ".join(missing[:10]) + (f" and {len(missing) - 10:,} more" if len(missing) > 10 else ""),
                              source=Source(prevalence.shown, ""),
                              hint="qofrules takes a practice's list size (the CPI's numerator) from the prevalence "
                                   "file's TOTAL rows, as NHS Digital publishes them for every practice")])
    read.practices = [Practice(code=code, name=name, list_size=facts.total_list[code], areas=areas, attributes=extra)
                      for code, (name, areas, extra) in geography.rows.items()]
    return read


def _fast_facts(item: DataFile) -> PrevalenceFacts:
    """``prevalence_facts`` with pyarrow, for the columnar path: anything it cannot judge as the
    exact reader would (an unusual number, a disagreement, an older header) defers to the exact
    reader, which says where."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pv
    from .columnar import Deferred
    if _prevalence_renames(item):
        raise Deferred(f"{item.member}: an older prevalence header")
    try:
        table = pv.read_csv(str(item.local), convert_options=pv.ConvertOptions(
            include_columns=["PRACTICE_CODE", "GROUP_CODE", "PATIENT_LIST_TYPE", "PRACTICE_LIST_SIZE"],
            column_types={c: pa.string() for c in ("PRACTICE_CODE", "GROUP_CODE", "PATIENT_LIST_TYPE",
                                                   "PRACTICE_LIST_SIZE")}))
    except (pa.ArrowException, KeyError) as exc:
        raise Deferred(f"{item.member}: {exc}") from None
    practice = pc.utf8_trim_whitespace(table.column("PRACTICE_CODE")).to_pylist()
    group = pc.utf8_trim_whitespace(table.column("GROUP_CODE")).to_pylist()
    kind = pc.utf8_upper(pc.utf8_trim_whitespace(table.column("PATIENT_LIST_TYPE"))).to_pylist()
    size = table.column("PRACTICE_LIST_SIZE").to_pylist()
    types: dict[str, str] = {}
    totals: dict[str, int] = {}
    for p, g, k, n in zip(practice, group, kind, size):
        if types.setdefault(g, k) != k:
            raise Deferred(f"{item.member}: a group measured against two patient lists")
        if k == "TOTAL":
            if n is None or not n.isdigit() or len(n) > csvfiles.MAX_NUMBER_CHARS:
                raise Deferred(f"{item.member}: a list size only the exact reader judges")
            if totals.setdefault(p, int(n)) != int(n):
                raise Deferred(f"{item.member}: two TOTAL list sizes for one practice")
    return PrevalenceFacts(total_list=totals, list_types=types)


def _known_in(survey: Survey, year: str, main: dict[str, tuple]) -> dict[str, None]:
    """Practices a year's files may name: the data set's, and those of that year's own mapping
    (practices since closed, whose rows are then left out). In one fixed order, the data set's
    then the others sorted, as the columnar reader indexes them: a 'did you mean' among equally
    near codes names them in that order on both paths."""
    others: set[str] = set()
    if year != survey.practices_year:
        for mapping in survey.of(GEOGRAPHY, year):
            others |= set(read_geography(_source(mapping, "geography mapping")).rows)
    return dict.fromkeys([*main, *sorted(others - set(main))])


def _dataset_fields(read: Read, years: list[str]) -> dict:
    survey = read.survey
    name = f"NHS Digital QOF publication {', '.join(sorted(years, reverse=True)) or '(no achievement)'}" \
           f" ({Path(survey.path).name})"
    notice = survey.notice
    lists = survey.of(PREVALENCE, survey.practices_year)[0].name
    caveat = (f"List sizes (for CPI) are each practice's TOTAL patient list in {lists}, as the publication gives "
              f"it, which need not be the list a payment used.")
    return {"name": name, "synthetic": survey.synthetic, "notice": f"{notice} {caveat}".strip(),
            "area_columns": read.geography.area_columns, "attribute_names": read.geography.attribute_names,
            "origin": survey.path}


# ------------------------------------------------------------------ the exact path

def load(path: str) -> Dataset:
    """The publication at ``path`` as a :class:`Dataset` (the exact path)."""
    with opened(path) as survey:
        return read_exact(survey)[0]


def read_exact(survey: Survey) -> tuple[Dataset, Read]:
    read = _practices(survey)
    main = {p.code: p for p in read.practices}
    achievement: dict[str, dict[str, dict[str, Measures]]] = {}
    for year in sorted({f.year for f in survey.of(ACHIEVEMENT)}):
        known = _known_in(survey, year, main)
        achievement[year] = _exact_achievement(survey.of(ACHIEVEMENT, year), known, main, read, year)
    prevalence: dict[str, dict[str, dict[str, Prevalence]]] = {}
    for item in survey.of(PREVALENCE):
        found = read.exact_prevalence.get(item.year)
        if found is None:
            known = _known_in(survey, item.year, main)
            source = _source(item, "prevalence file", _prevalence_renames(item))
            found = csvfiles.read_prevalence(source, known)
            read.facts[item.year] = prevalence_facts(source)
        gone = set(found) - set(main)
        if gone:
            read.closed.setdefault(item.year, set()).update(gone)
        prevalence[item.year] = {p: v for p, v in found.items() if p in main}
    practices = tuple(replace(p, achievement={y: by.get(p.code, {}) for y, by in achievement.items()},
                              prevalence={y: by.get(p.code, {}) for y, by in prevalence.items()})
                      for p in read.practices)
    fields = _dataset_fields(read, list(achievement))
    return Dataset(practices=practices, years=tuple(sorted(achievement)), **fields), read


def _exact_achievement(files: list[DataFile], known: dict[str, None], main: dict, read: Read, year: str):
    """A year's achievement files together: practice → indicator → measures. A measure given in
    two files, or a numerator above a denominator given in another file, is a located error."""
    merged: dict[str, dict[str, Measures]] = {}
    origin: dict[tuple[str, str], str] = {}
    codes: set[str] = set()
    for item in files:
        source = _source(item, "achievement file")
        part = csvfiles.read_long(source, known)
        for practice, by_code in part.items():
            if practice not in main:
                read.closed.setdefault(year, set()).add(practice)
                continue
            target = merged.setdefault(practice, {})
            for code, measures in by_code.items():
                codes.add(code)
                if code not in target:
                    target[code] = measures
                    origin[practice, code] = item.member
                    continue
                before = target[code]
                both = [f for f in Measures._fields if getattr(before, f) is not None and getattr(measures, f) is not None]
                if both:
                    raise _twice(source, practice, code, both[0], origin[practice, code])
                combined = Measures(**{f: getattr(before, f) if getattr(before, f) is not None else getattr(measures, f)
                                       for f in Measures._fields})
                if combined.numerator is not None and combined.denominator is not None \
                        and combined.numerator > combined.denominator:
                    raise QofError([error("QD034", f"{practice} {code} has NUMERATOR {combined.numerator} greater than "
                                          f"DENOMINATOR {combined.denominator}, given in {origin[practice, code]} and "
                                          f"{item.member}", source=source, hint="correct the data")])
                target[code] = combined
        if len(codes) > csvfiles.MAX_INDICATOR_CODES:
            raise QofError([error("QD026", f"the {year} achievement files name more than "
                                  f"{csvfiles.MAX_INDICATOR_CODES:,} different indicator codes together; a QOF year has "
                                  "fewer than 200, so they are refused (docs/limits.md)", source=source)])
    return merged


def _measure_names(field: str) -> set[str]:
    return {m for m, f in csvfiles.MEASURES.items() if f == field}


def _twice(source: Source, practice: str, code: str, field: str, first: str) -> QofError:
    """QD034 at the line of ``source`` that repeats a measure another file of the year gave."""
    from ..source import Span
    names = _measure_names(field)
    reader = csv.reader(io.StringIO(source.text, newline=""))
    header = [h.strip().upper() for h in next(reader, [])]
    at = {c: header.index(c) for c in csvfiles.LONG_COLUMNS}
    line = None
    for row in reader:
        if len(row) == len(header) and row[at["PRACTICE_CODE"]].strip() == practice and \
                row[at["INDICATOR_CODE"]].strip() == code and row[at["MEASURE"]].strip().upper() in names and \
                row[at["VALUE"]].strip():
            line = reader.line_num
            break
    measure = sorted(names)[0] if len(names) == 1 else "/".join(sorted(names))
    span = None if line is None else Span(line=line, column=1, end_line=line,
                                          end_column=max(len(source.line_text(line)), 1) + 1)
    return QofError([error("QD034", (f"line {line}: " if line else "") + f"{measure} of {practice} {code} is given "
                           f"here and in {first}; a year's achievement files may give each measure once",
                           source=source, span=span,
                           hint="a publication gives each practice in one regional file; remove the repeat "
                                "(or the national file that repeats the regional ones)")])


# ------------------------------------------------------------------ the columnar path

def load_columns(path: str):
    """The publication at ``path`` as :class:`~.columnar.ColumnarData`; raises
    :class:`~.columnar.Deferred` where only the exact reader can judge a file."""
    with opened(path) as survey:
        return read_columns(survey)[0]


def read_columns(survey: Survey):
    from . import columnar
    read = _practices(survey, fast=True)
    main = {p.code: i for i, p in enumerate(read.practices)}
    n = len(main)
    achievement = {}
    for year in sorted({f.year for f in survey.of(ACHIEVEMENT)}):
        known = _known_in(survey, year, main)
        index = dict(main)
        for code in sorted(set(known) - set(main)):
            index[code] = len(index)
        achievement[year] = _columnar_achievement(survey.of(ACHIEVEMENT, year), index, n, survey, read, year)
    prevalence = {}
    for item in survey.of(PREVALENCE):
        known = _known_in(survey, item.year, main)
        index = dict(main)
        for code in sorted(set(known) - set(main)):
            index[code] = len(index)
        if _prevalence_renames(item):  # an older header: a small file, read exactly, then made columns
            source = _source(item, "prevalence file", _prevalence_renames(item))
            found = _prevalence_columns(read.exact_prevalence.get(item.year) or csvfiles.read_prevalence(source, known),
                                        index)
            read.facts.setdefault(item.year, prevalence_facts(source))
        else:
            try:
                found = columnar.read_prevalence(item.local, index)
            except columnar.Deferred as exc:
                raise columnar.Deferred(f"{item.member}: {_plain_names(str(exc), item)}") from None
            if item.year not in read.facts:
                read.facts[item.year] = _fast_facts(item)
        if len(index) > n:
            extra = ~np.isnan(found.register[n:]).all(axis=1)
            names = list(index)
            read.closed.setdefault(item.year, set()).update(names[n + k] for k in np.flatnonzero(extra).tolist())
        prevalence[item.year] = columnar.PrevalenceColumns(groups=found.groups, register=found.register[:n],
                                                           list_size=found.list_size[:n])
    fields = _dataset_fields(read, list(achievement))
    data = columnar.ColumnarData(practices=tuple(read.practices), index=main, achievement=achievement,
                                 prevalence=prevalence, years=tuple(sorted(achievement)), **fields)
    return data, read


def _prevalence_columns(found: dict[str, dict[str, Prevalence]], index: dict[str, int]):
    """The exact reader's prevalence as the columnar reader's matrices (practices × groups)."""
    from .columnar import PrevalenceColumns
    groups: dict[str, int] = {}
    for by_group in found.values():
        for group in by_group:
            groups.setdefault(group, len(groups))
    register = np.full((len(index), len(groups)), np.nan)
    list_size = np.full((len(index), len(groups)), np.nan)
    for practice, by_group in found.items():
        i = index[practice]
        for group, figures in by_group.items():
            register[i, groups[group]] = figures.register
            list_size[i, groups[group]] = figures.list_size
    return PrevalenceColumns(groups=groups, register=register, list_size=list_size)


def _columnar_achievement(files: list[DataFile], index: dict[str, int], n: int, survey: Survey, read: Read, year: str):
    """A year's achievement files read by the columnar reader, then merged: a cell given in two
    files defers to the exact reader, which says where."""
    from . import columnar
    merged = None
    for item in files:
        try:
            part = columnar.read_long(item.local, index)
        except columnar.Deferred as exc:
            raise columnar.Deferred(f"{item.member}: {_plain_names(str(exc), item)}") from None
        except QofError as exc:
            raise QofError([replace(d, source=Source(item.shown, d.source.text if d.source else ""))
                            for d in exc.diagnostics]) from None
        if len(index) > n:
            extra = np.zeros(len(index) - n, dtype=bool)
            for matrix in part.matrices.values():
                extra |= ~np.isnan(matrix[:, n:]).all(axis=0)
            if extra.any():
                names = list(index)
                read.closed.setdefault(year, set()).update(names[n + k] for k in np.flatnonzero(extra).tolist())
        part = columnar.YearColumns(codes=part.codes, matrices={k: m[:, :n] for k, m in part.matrices.items()},
                                    points_scale=part.points_scale[:, :n])
        merged = part if merged is None else _merge(merged, part, item)
    return merged


def _plain_names(text: str, item: DataFile) -> str:
    """A deferral's reason without the path of a private unpacked copy."""
    return text.replace(str(item.local), item.shown) if item.local else text


def _merge(first, second, item: DataFile):
    from . import columnar
    codes = dict(first.codes)
    for code in second.codes:
        codes.setdefault(code, len(codes))
    if len(codes) > csvfiles.MAX_INDICATOR_CODES:
        raise columnar.Deferred(f"{item.member}: the year's files name more than "
                                f"{csvfiles.MAX_INDICATOR_CODES:,} indicator codes together")
    k, n = len(codes), first.points_scale.shape[1]
    rows = np.array([codes[c] for c in second.codes], dtype=np.int64)
    matrices = {}
    for name in set(first.matrices) | set(second.matrices):
        out = np.full((k, n), np.nan)
        if name in first.matrices:
            out[: len(first.codes)] = first.matrices[name]
        if name in second.matrices:
            incoming = second.matrices[name]
            target = out[rows]
            if (~np.isnan(target) & ~np.isnan(incoming)).any():
                raise columnar.Deferred(f"{item.member}: a measure another achievement file of the year gives too")
            out[rows] = np.where(np.isnan(incoming), target, incoming)
        matrices[name] = out
    scale = np.zeros((k, n), dtype=np.int8)
    scale[: len(first.codes)] = first.points_scale
    if "achieved_points" in second.matrices:
        given = ~np.isnan(second.matrices["achieved_points"])
        scale[rows] = np.where(given, second.points_scale, scale[rows])
    if "numerator" in matrices and "denominator" in matrices:
        with np.errstate(invalid="ignore"):
            if (matrices["numerator"] > matrices["denominator"]).any():
                raise columnar.Deferred(f"{item.member}: a numerator greater than a denominator another file gives")
    return columnar.YearColumns(codes=codes, matrices=matrices, points_scale=scale)


# ------------------------------------------------------------------ counting, for describe and infer

def data_rows(item: DataFile) -> int:
    """Data rows of a file (lines after the header, blank last line not counted), counted in bytes."""
    count, last = 0, b"\n"
    with item.local.open("rb") as handle:
        while True:
            chunk = handle.read(1 << 20)
            if not chunk:
                break
            count += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        count += 1
    return max(count - 1, 0)
