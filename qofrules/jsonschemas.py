"""Validating user and package data against the JSON Schemas that ship with qofrules."""
from __future__ import annotations

import functools
import importlib.resources
import json

import jsonschema

from .diagnostics import QofError, error
from .source import Source


@functools.lru_cache(maxsize=None)
def schema(package: str, name: str) -> dict:
    return json.loads(importlib.resources.files(package).joinpath(name).read_text(encoding="utf-8"))


def json_path(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def validate(data, package: str, name: str, source: Source, code: str) -> None:
    """Check ``data`` against a shipped schema; report violations (up to 20) with their paths."""
    validator = jsonschema.Draft202012Validator(schema(package, name))
    problems = sorted((_deepest(e) for e in validator.iter_errors(data)),
                      key=lambda e: list(map(str, e.absolute_path)))
    if problems:
        raise QofError([error(code, f"{json_path(p.absolute_path)}: {_short(p.message)}", source=source)
                        for p in problems[:20]])


def _deepest(problem: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For 'not valid under any of the given schemas', the most specific reason among the branches."""
    while problem.context:
        problem = max(problem.context, key=lambda e: len(e.absolute_path))
    return problem


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[:limit] + "..."
