"""Settings a scheme repository shares: a ``qofrules.toml``, or the ``[tool.qofrules]`` table of
``pyproject.toml`` (docs/repository.md, "Shared settings").

Found as ruff and Black find theirs: from the directory of the files a command is given (their
common parent; for ``-``, the ``--stdin-filename``'s, else the working directory) up through its
parents, the first directory holding a ``qofrules.toml``, or a ``pyproject.toml`` with a
``[tool.qofrules]`` table, gives the settings (``qofrules.toml`` first when a directory has both).
The search stops at the top of the repository (a directory holding ``.git`` or ``.hg``), so a
stray file above it is never read. ``--config FILE`` names the file instead; ``--isolated``
reads none.

Precedence: a command-line flag wins over a setting, and a setting over the built-in default.
``--contract-overrides`` given on the command line replaces the setting's list (it does not add to
it). Paths in a settings file are relative to that file's directory.

A settings file that is not valid TOML, or holds an unknown setting or a wrong value, is a
located error (QR521, QR522; a missing file it names, QR523), never ignored.
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import QofError, did_you_mean, error
from .reading import read_text
from .source import Source, Span

SETTINGS_FILE = "qofrules.toml"
PYPROJECT = "pyproject.toml"
TABLE = "tool.qofrules"
#: A settings file larger than this is refused (QR005): a real one is a few lines.
MAX_SETTINGS_BYTES = 1024 * 1024
#: What stops the search upwards: the top of a repository.
REPOSITORY_MARKERS = (".git", ".hg")

#: What each setting must be, in words, for a wrong value (the schema says it for tools).
EXPECTED = {
    "contract-overrides": "a file name, or a list of file names",
    "data": "the name of a data set (a directory with dataset.yaml, or a compact .yaml/.json file)",
    "format": "one of text, json, sarif, github, junit, markdown, csv",
    "waivers": "honour or ignore",
    "exclude": "a list of patterns, e.g. [\"drafts\", \"*.draft.qof\"]",
}


@dataclass(frozen=True)
class Settings:
    """The shared settings in force; every field None or empty when not set."""

    file: str | None = None
    contract_overrides: tuple[str, ...] = ()
    data: str | None = None
    format: str | None = None
    waivers: str | None = None
    exclude: tuple[str, ...] = ()


def settings_for(paths, stdin_filename: str | None = None, config: str | None = None,
                 isolated: bool = False) -> Settings:
    """The settings for a command given ``paths``: from ``config`` if named, else the nearest
    settings file above the paths (none with ``isolated``)."""
    if config is not None:
        return load(Path(config))
    if isolated:
        return Settings()
    found = discover(start_directory(paths, stdin_filename))
    return load(found) if found is not None else Settings()


def start_directory(paths, stdin_filename: str | None = None) -> Path:
    """Where the search starts: the common parent of what the command reads."""
    places = []
    for path in paths:
        if path == "-":
            path = stdin_filename
            if path is None:
                places.append(Path.cwd())
                continue
        p = Path(path).absolute()
        places.append(p if p.is_dir() else p.parent)
    if not places:
        return Path.cwd()
    return Path(os.path.commonpath([str(p) for p in places]))


def discover(start: Path) -> Path | None:
    """The nearest settings file at or above ``start``, or None."""
    for directory in (start, *start.parents):
        candidate = directory / SETTINGS_FILE
        if candidate.is_file():
            return candidate
        candidate = directory / PYPROJECT
        if candidate.is_file() and _mentions_table(candidate):
            return candidate
        if any((directory / marker).exists() for marker in REPOSITORY_MARKERS):
            return None
    return None


def _mentions_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml has a [tool.qofrules] table (an unreadable one is read, and its
    error reported, only if it seems to: another tool's broken file is not qofrules' business)."""
    try:
        text = pyproject.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*qofrules\s*[\].]", text, re.MULTILINE) is not None or \
        re.search(r"^\s*tool\s*\.\s*qofrules\s*[.=]", text, re.MULTILINE) is not None


def toml_parser():
    """The TOML parser: tomllib, or on Python 3.10, which has none, tomli (the same parser; a
    dependency for 3.10 only). Imported when a settings file is read, not at start-up: most runs
    read none, and the import is 2-3 ms of a cold start."""
    if sys.version_info >= (3, 11):
        import tomllib
        return tomllib
    import tomli
    return tomli


def load(path: Path) -> Settings:
    """Read and check one settings file."""
    name = shown(path)
    source = read_text(name, max_bytes=MAX_SETTINGS_BYTES, what="settings file")
    source = Source(name, source.text)
    tomllib = toml_parser()
    try:
        document = tomllib.loads(source.text)
    except tomllib.TOMLDecodeError as exc:
        message, span = _decode_problem(exc)
        raise QofError([error("QR521", f"the settings file is not valid TOML: {message}", source=source, span=span,
                              hint="see docs/repository.md, 'Shared settings', for the form")]) from None
    in_pyproject = path.name == PYPROJECT
    table = document
    if in_pyproject:
        table = document.get("tool", {}).get("qofrules") if isinstance(document.get("tool"), dict) else None
        if table is None:
            raise QofError([error("QR522", "this pyproject.toml has no [tool.qofrules] table", source=source,
                                  hint="add a [tool.qofrules] table, or name a qofrules.toml with --config")])
        if not isinstance(table, dict):
            raise QofError([error("QR522", "tool.qofrules must be a table of settings", source=source,
                                  span=_locate(source.text, "qofrules", "tool"))])
    _check(table, source, TABLE if in_pyproject else None)
    return _settings(table, path, source, TABLE if in_pyproject else None)


def shown(path: Path) -> str:
    """A path as a user reads it: relative to the working directory when under it."""
    absolute = Path(path).absolute()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _decode_problem(exc) -> tuple[str, Span | None]:
    """The parser's message without its '(at line L, column C)' tail, and that place as a Span."""
    message = str(exc)
    line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
    found = _AT.search(message)
    if found:
        message = message[:found.start()]
        line, column = line or int(found.group(1)), column or int(found.group(2))
    message = getattr(exc, "msg", None) or message
    message = message[:1].lower() + message[1:]
    return message, (Span.point(line, column) if line else None)


def _check(table: dict, source: Source, table_name: str | None) -> None:
    import jsonschema

    from .jsonschemas import schema
    problems = []
    known = schema("qofrules", "config.schema.json")["properties"]
    for key in table:
        if key not in known:
            hint = did_you_mean(key, known, quote=True) or "settings are: " + ", ".join(known)
            problems.append(error("QR522", f"unknown setting '{key}'", source=source,
                                  span=_locate(source.text, key, table_name), hint=hint))
    validator = jsonschema.Draft202012Validator(schema("qofrules", "config.schema.json"))
    seen = set()
    for problem in validator.iter_errors(table):
        if problem.validator == "additionalProperties" or not problem.absolute_path:
            continue
        key = str(problem.absolute_path[0])
        if key in seen:
            continue
        seen.add(key)
        problems.append(error("QR522", f"{key} = {_toml(table[key])}: {key} must be {EXPECTED[key]}",
                              source=source, span=_locate(source.text, key, table_name)))
    if problems:
        problems.sort(key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0))
        raise QofError(problems)


def _toml(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{...}"
    return str(value)


def _settings(table: dict, path: Path, source: Source, table_name: str | None) -> Settings:
    base = path.absolute().parent
    overrides = table.get("contract-overrides", ())
    overrides = (overrides,) if isinstance(overrides, str) else tuple(overrides)
    named = [("contract-overrides", o) for o in overrides]
    if "data" in table:
        named.append(("data", table["data"]))
    missing = [error("QR523", f"{key} names '{value}', which does not exist (paths here are relative to "
                     f"{source.name}'s directory)", source=source, span=_locate(source.text, key, table_name))
               for key, value in named if not (base / value).exists()]
    if missing:
        raise QofError(missing)
    return Settings(file=source.name,
                    contract_overrides=tuple(shown(base / o) for o in overrides),
                    data=shown(base / table["data"]) if "data" in table else None,
                    format=table.get("format"), waivers=table.get("waivers"),
                    exclude=tuple(table.get("exclude", ())))


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]*?)\s*\]\]?")


def _locate(text: str, key: str, table: str | None) -> Span | None:
    """Where ``key`` is set in ``table`` (None: the top level), for a located error; else the
    table's header; else no place."""
    current: str | None = None
    header_line = None
    assignment = re.compile(r"^(\s*)([\"']?)" + re.escape(key) + r"\2\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            current = re.sub(r"[\s\"']", "", header.group(1))
            if current == table and header_line is None:
                header_line = number
            continue
        if current == table:
            found = assignment.match(line)
            if found:
                column = len(found.group(1)) + 1
                return Span(line=number, column=column, end_line=number,
                            end_column=column + len(key) + 2 * len(found.group(2)))
    if header_line is not None:
        return Span.point(header_line, 1)
    return None


def choose(flag, setting, default):
    """A flag given on the command line wins; then the setting; then the default."""
    if flag not in (None, (), []):
        return flag
    if setting not in (None, (), []):
        return setting
    return default
