"""Loading practice data: a data set directory in NHS Digital's layout, or a compact YAML/JSON file.

A data set can only name files inside its own directory, so pointing the tool at a data set
never makes it read anything else.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from .. import yamlsafe
from ..jsonschemas import validate
from ..dates import parse_date, why_not_a_date
from ..diagnostics import QofError, error
from ..reading import MAX_DATA_BYTES, read_text
from ..source import Source
from . import csvfiles
from .model import Dataset, Measures, Practice, Prevalence  # noqa: F401

#: Size limits (docs/limits.md): a data set file is read up to the compact limit; one that turns
#: out to be a manifest (it names CSV files instead of holding practices) must be far smaller.
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_COMPACT_BYTES = 20 * 1024 * 1024


def load(path: str) -> Dataset:
    """Load ``path``: a directory holding dataset.yaml, that file, a compact .yaml/.yml/.json file,
    or NHS Digital's publication as published (a zip, or a folder without a dataset.yaml)."""
    from . import publication
    if publication.applies(path):
        return publication.load(path)
    data, source, base, files = read_manifest(path)
    if is_compact(data):
        return _compact(data, source, files, origin=path)
    return _directory(data, source, files, origin=path)


def is_compact(data: dict) -> bool:
    """A compact file holds its practices inline; a manifest names the CSV files that hold them."""
    return isinstance(data.get("practices"), list)


def read_manifest(path: str) -> tuple[dict, Source, Path, dict[str, Path]]:
    """The data set file at ``path`` (or ``path``/dataset.yaml), parsed and schema-checked, with its
    directory and every file it names, resolved and checked (:func:`_inside`): the one place both
    loaders (this exact one and :mod:`.columnar`) read it, so a bad path gives both the same error."""
    p = Path(path)
    if p.is_dir():
        p = p / "dataset.yaml"
        if not p.exists():
            raise QofError([error("QD002", f"{path} is a directory without a dataset.yaml",
                                  source=Source(str(path), ""), hint="see docs/data-formats.md")])
    if p.suffix.lower() in (".csv", ".tsv"):
        raise _one_table(path, p)
    source = read_text(p, max_bytes=MAX_COMPACT_BYTES, what="data set file")
    positions = None
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(source.text)
        except json.JSONDecodeError as exc:
            from ..source import Span
            raise QofError([error("QD001", f"not valid JSON: {exc.msg}", source=source,
                                  span=Span.point(exc.lineno, exc.colno))]) from None
        except ValueError:  # a whole number of more than 4,300 digits: Python will not convert it
            raise _huge_number(source) from None
    else:
        try:
            data, positions = yamlsafe.load_located(source)
        except ValueError:  # a YAML whole number of more than 4,300 digits: Python will not convert it
            raise _huge_number(source) from None
    if not isinstance(data, dict):
        raise QofError([error("QD003", "a data set file must be a mapping (dataset:, synthetic:, practices: ...)",
                              source=source)])
    span = (lambda field: positions.span(*field.split(".", 1))) if positions else (lambda field: None)
    _refuse_escaping_paths(data, source, span)
    validate(data, "qofrules.data", "dataset.schema.json", source, "QD004", positions)
    size = len(source.text.encode("utf-8"))
    if not is_compact(data) and size > MAX_MANIFEST_BYTES:
        raise QofError([error("QR005", f"the file is {size:,} bytes; a data set manifest may be at most "
                              f"{MAX_MANIFEST_BYTES:,}", source=source,
                              hint="a manifest only names its files; the data belongs in them")])
    if not is_compact(data) and "practices" not in data:
        raise QofError([error("QD004", "the manifest does not name its practices table (practices: FILE)",
                              source=source)])
    files = {field: _inside(p.parent, field, relative, source, span(field))
             for field, relative in _named_paths(data)}
    return data, source, p.parent, files


def _one_table(given: str, p: Path) -> QofError:
    """QD003 for ``--data practices.csv``: a CSV file is one table of a data set, not a data set;
    say what --data takes, and the directory to give where the file sits in one."""
    beside = p.parent / "dataset.yaml"
    hint = ("--data takes a data set: a directory holding a dataset.yaml (the manifest naming its practices, "
            "achievement and prevalence files), the dataset.yaml itself, NHS Digital's publication (its zip or "
            "folder), or a compact .yaml/.json file (docs/data-formats.md)")
    if beside.is_file():
        hint = f"give the directory it is in: --data {p.parent if str(p.parent) != '' else '.'}; " + hint
    return QofError([error("QD003", "a CSV file is one table of a data set, not a data set",
                           source=Source(str(given), ""), hint=hint)])


#: What each field of a manifest names, for messages.
_WHAT = {"practices": "practices table", "contract_overrides": "contract overrides file",
         "achievement": "achievement file", "prevalence": "prevalence file"}


def _huge_number(source: Source, code: str = "QD025",
                 bound: str = f"no number in a data set may be more than {csvfiles.MAX_LIST_SIZE:,}") -> QofError:
    """``code`` at the first run of more than 4,300 digits, which Python will not make a number of
    (docs/limits.md); ``bound`` says what the file's numbers may be."""
    import re
    from ..source import Span
    found = re.search(r"[0-9]{4301,}", source.text)
    span = None
    if found:
        line = source.text.count("\n", 0, found.start()) + 1
        column = found.start() - (source.text.rfind("\n", 0, found.start()) + 1) + 1
        span = Span(line=line, column=column, end_line=line, end_column=column + 1)
    return QofError([error(code, f"a number has thousands of digits; {bound}", source=source, span=span)])


def _named_paths(data: dict):
    """(field, path) of every file a data set file names, in the order the readers read them."""
    if isinstance(data.get("practices"), str):
        yield "practices", data["practices"]
    for field in ("achievement", "prevalence"):
        if isinstance(data.get(field), dict):
            for year, path in data[field].items():
                if isinstance(path, str):
                    yield f"{field}.{year}", path
    if isinstance(data.get("contract_overrides"), str):
        yield "contract_overrides", data["contract_overrides"]


def _shown(path: str) -> str:
    """A path as a message shows it: control characters (a NUL) escaped, never printed raw."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in path)


def _refuse_escaping_paths(data: dict, source: Source, span) -> None:
    """Refuse absolute paths, '..' and drive letters in plain words (QD004, as the schema's pattern
    would, but its message is the regular expression), and NUL characters, which no file name can
    hold. Symbolic links are _inside's job (QD005)."""
    problems = []
    for field, path in _named_paths(data):
        parts = path.replace("\\", "/").split("/")
        if path.startswith(("/", "\\")) or ".." in parts or ":" in path:
            problems.append(error("QD004", f"{field}: '{_shown(path)}' lies outside the data set's directory",
                                  source=source, span=span(field),
                                  hint="name files by paths relative to the data set's directory, without '..'"))
        elif "\x00" in path:
            problems.append(error("QD004", f"{field}: '{_shown(path)}' is not a file name (it holds a NUL "
                                  "character)", source=source, span=span(field),
                                  hint="name files by plain paths relative to the data set's directory"))
    if problems:
        raise QofError(problems)


def _inside(base: Path, field: str, relative: str, source: Source, span) -> Path:
    """The file a data set names, after checking it lies in the data set's directory (symbolic
    links followed) and is a regular file: a named pipe or device there would make reading hang
    or never end, so only a path the user typed may be one. Every problem is located at the
    manifest's line naming the file, and is the same whichever reader then reads it."""
    what = _WHAT[field.split(".", 1)[0]]
    def refuse(code: str, problem: str, hint: str):
        return QofError([error(code, f"{field}: '{_shown(relative)}' {problem}", source=source, span=span,
                               hint=hint)])
    try:
        target = (base / relative).resolve()
        inside = target.is_relative_to(base.resolve())
        exists = inside and target.exists()
    except (RuntimeError, OSError) as exc:  # a loop of links: RuntimeError to 3.12, OSError (ELOOP) since
        if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == 40:
            raise refuse("QD005", "is a symbolic link that leads back to itself (a loop)",
                         "make the link point at the file, or name the file itself") from None
        raise refuse("QR002", f"cannot be read ({getattr(exc, 'strerror', None) or exc})",
                     "check the file and its permissions") from None
    if not inside:
        raise refuse("QD005", "lies outside the data set's directory", "a data set may only name files in its own directory")
    if not exists:
        raise refuse("QR002", "is not there (no such file in the data set's directory)",
                     "check the file name: paths are relative to the manifest's directory")
    if target.is_dir():
        raise refuse("QR002", f"is a directory, not {'an' if what[0] in 'aeiou' else 'a'} {what}",
                     f"name the {what} itself")
    if not target.is_file():
        raise refuse("QD005", "is not a regular file (a pipe, socket or device)", "a data set may only name ordinary files")
    return target


def _directory(data: dict, source: Source, files: dict[str, Path], origin: str) -> Dataset:
    practices_source = read_text(files["practices"], max_bytes=MAX_DATA_BYTES,
                                 what="practices table")
    practices, area_columns, attribute_names = csvfiles.read_practices(practices_source)
    known = {p.code: i for i, p in enumerate(practices)}  # in the table's order, as the columnar reader's index
    achievement: dict[str, dict] = {}
    for year in data.get("achievement", {}):
        text = read_text(files[f"achievement.{year}"], max_bytes=MAX_DATA_BYTES, what="achievement file")
        achievement[year] = csvfiles.read_long(text, known)
    prevalence: dict[str, dict] = {}
    for year in data.get("prevalence", {}):
        text = read_text(files[f"prevalence.{year}"], max_bytes=MAX_DATA_BYTES, what="prevalence file")
        prevalence[year] = csvfiles.read_prevalence(text, known)
    full = tuple(
        _with(p, achievement={y: by_practice.get(p.code, {}) for y, by_practice in achievement.items()},
              prevalence={y: by_practice.get(p.code, {}) for y, by_practice in prevalence.items()})
        for p in practices)
    overrides = data.get("contract_overrides")
    return Dataset(name=data["dataset"], synthetic=data["synthetic"], notice=data.get("notice", ""),
                   practices=full, years=tuple(sorted(achievement)), area_columns=area_columns,
                   attribute_names=attribute_names,
                   contract_overrides=str(files["contract_overrides"]) if overrides else None,
                   origin=origin)


def _with(practice: Practice, **changes) -> Practice:
    from dataclasses import replace
    return replace(practice, **changes)


_AREA_KEYS = {"pcn": "PCN", "ccg": "CCG", "icb": "ICB", "region": "REGION", "lmc": "LMC", "area_team": "AREA_TEAM"}


def _compact(data: dict, source: Source, files: dict[str, Path], origin: str) -> Dataset:
    practices = []
    seen: set[str] = set()
    area_columns: set[str] = {"PRACTICE_CODE"}
    attribute_names: set[str] = set()
    years: set[str] = set()
    problems = []
    for raw in data["practices"]:
        code = raw["code"]
        if code in seen:
            problems.append(error("QD015", f"practice {code} is listed twice", source=source))
            continue
        seen.add(code)
        opted_in = None
        if "opted_in" in raw:
            try:
                opted_in = parse_date(raw["opted_in"])
            except ValueError:
                problems.append(error("QD017", f"practice {code}: opted_in {raw['opted_in']} is not a date: "
                                      f"{why_not_a_date(raw['opted_in'])}", source=source))
                continue
        areas = {_AREA_KEYS[k]: v for k, v in raw.get("area", {}).items()}
        area_columns.update(areas)
        areas["PRACTICE_CODE"] = code
        attributes = {k.lower(): _attribute_text(v) for k, v in raw.get("attributes", {}).items()}
        attribute_names.update(attributes)
        achievement = {}
        for year, by_code in raw.get("achievement", {}).items():
            years.add(year)
            achievement[year] = {}
            for indicator, m in by_code.items():
                if "numerator" in m and "denominator" in m and m["numerator"] > m["denominator"]:
                    problems.append(error("QD023", f"{code} {indicator} {year}: numerator {m['numerator']} is "
                                          f"greater than denominator {m['denominator']}", source=source))
                    continue
                points = Decimal(str(m["points"])) if "points" in m else None
                if points is not None and not points.is_finite():
                    problems.append(error("QD021", f"{code} {indicator} {year}: points {m['points']} is not a "
                                          "finite number", source=source))
                    continue
                achievement[year][indicator] = Measures(
                    register=_whole(m.get("register")), numerator=_whole(m.get("numerator")),
                    denominator=_whole(m.get("denominator")), exceptions=_whole(m.get("exceptions")),
                    achieved_points=points)
        prevalence = {}
        for year, by_group in raw.get("prevalence", {}).items():
            prevalence[year] = {}
            for group, figures in by_group.items():
                list_size = _whole(figures.get("list_size", raw["list_size"]))
                if figures["register"] > list_size:
                    problems.append(error("QD024", f"{code} {group} {year}: register {figures['register']} is "
                                          f"larger than list size {list_size}", source=source))
                    continue
                prevalence[year][group] = Prevalence(register=_whole(figures["register"]), list_size=list_size)
        practices.append(Practice(
            code=code, name=raw["name"], list_size=_whole(raw["list_size"]), areas=areas, opted_in=opted_in,
            pilots=frozenset(raw.get("pilots", [])), requested_alternative=raw.get("requested_alternative", False),
            attributes=attributes, achievement=achievement, prevalence=prevalence))
    if problems:
        raise QofError(problems)
    return Dataset(name=data["dataset"], synthetic=data["synthetic"], notice=data.get("notice", ""),
                   practices=tuple(practices), years=tuple(sorted(years)), area_columns=frozenset(area_columns),
                   attribute_names=frozenset(attribute_names), origin=origin,
                   contract_overrides=str(files["contract_overrides"])
                   if data.get("contract_overrides") else None)


def _whole(value):
    """A count as an int. JSON Schema's "integer" also admits 2911.0 (a float with no fraction,
    as some YAML and JSON writers spell whole numbers), which the exact arithmetic cannot mix with
    Fractions; the CSV reader likewise reads '2911.0' as 2911."""
    return int(value) if isinstance(value, float) else value


def _attribute_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
