"""What a command's PATHS stand for: files, directories of schemes, and ``-`` for standard input.

Every command that reads schemes (``check``, ``validate``, ``fmt``, ``diff``) expands its
arguments here, so they all accept the same things:

* a file is read as given (whatever its name: a file named on the command line is meant);
* a directory stands for every ``.qof`` file under it, in sorted order, not following symbolic
  links to directories (no loops), skipping hidden directories (``.git``, ``.venv``) and the
  ``exclude`` patterns of the shared settings (docs/repository.md); a directory with none is an
  error (QR520), not a silent "0 files, clean";
* ``-`` is standard input, read once. ``--stdin-filename NAME`` gives it the name its findings are
  located at (editors and pre-commit pipe a buffer but know its file), and the settings are found
  from that name; without it, stdin's findings say ``<stdin>``.
"""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from .diagnostics import QofError, error
from .reading import MAX_SCHEME_BYTES, read_text
from .source import Source

STDIN = "-"
SCHEME_SUFFIX = ".qof"


@dataclass(frozen=True)
class SchemeInput:
    """One scheme to read: ``path`` to open (``-`` for standard input) and ``name`` to show."""

    path: str
    name: str

    @property
    def is_stdin(self) -> bool:
        return self.path == STDIN


class UsageProblem(ValueError):
    """Arguments that do not go together (said as click's usage error, exit 2)."""


def expand(paths: tuple[str, ...] | list[str], stdin_filename: str | None = None,
           exclude: tuple[str, ...] = ()) -> list[SchemeInput]:
    """The schemes ``paths`` stand for, in order (each directory's files sorted)."""
    if stdin_filename is not None and STDIN not in paths:
        raise UsageProblem("--stdin-filename names standard input: give - among the paths too")
    if list(paths).count(STDIN) > 1:
        raise UsageProblem("- (standard input) can be given once: it can be read only once")
    found: list[SchemeInput] = []
    for path in paths:
        if path == STDIN:
            found.append(SchemeInput(STDIN, stdin_filename if stdin_filename else "<stdin>"))
        elif Path(path).is_dir():
            schemes = schemes_under(path, exclude)
            if not schemes:
                raise QofError([error("QR520", f"the directory {path} holds no {SCHEME_SUFFIX} files",
                                      source=Source(path),
                                      hint=("hidden directories and the settings' exclude patterns are "
                                            "skipped; name a file to read it whatever its name")
                                      if exclude else "name a file to read it whatever its name")])
            found += [SchemeInput(p, p) for p in schemes]
        else:
            found.append(SchemeInput(path, path))
    return found


def schemes_under(directory: str, exclude: tuple[str, ...] = ()) -> list[str]:
    """Every ``.qof`` file under ``directory`` (paths joined onto it as given), sorted."""
    out: list[str] = []
    for top, dirs, files in os.walk(directory, followlinks=False):
        relative_top = os.path.relpath(top, directory)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and not excluded(_join(relative_top, d), exclude))
        for name in files:
            if name.endswith(SCHEME_SUFFIX) and not excluded(_join(relative_top, name), exclude):
                out.append(os.path.normpath(os.path.join(top, name)))
    return sorted(out)


def _join(top: str, name: str) -> str:
    return name if top == "." else str(PurePosixPath(*Path(top).parts, name))


def excluded(relative: str, patterns: tuple[str, ...]) -> bool:
    """Whether a path under a directory (forward slashes) matches an ``exclude`` pattern: the
    pattern matches the whole relative path or its last part (``drafts``, ``old/*.qof``, ``*.draft.qof``)."""
    name = relative.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(relative, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


def read_scheme(item: SchemeInput) -> Source:
    """The scheme's text as a Source named as the user should see it; a reading problem is a
    QofError located at that name (stdin's at ``--stdin-filename``)."""
    try:
        source = read_text(item.path, max_bytes=MAX_SCHEME_BYTES, what="scheme file")
    except QofError as exc:
        raise QofError([_renamed(d, item.name) for d in exc.diagnostics]) from None
    return source if source.name == item.name else Source(item.name, source.text)


def _renamed(diagnostic, name: str):
    if diagnostic.source is None or diagnostic.source.name == name:
        return diagnostic
    return replace(diagnostic, source=Source(name, diagnostic.source.text))
