"""Validating user and package data against the JSON Schemas that ship with qofrules.

A violation is said in plain words, at its line where the file's positions are known (YAML read
by :func:`qofrules.yamlsafe.load_located`): "point_value is 'ten', but must be a number", not the
validator's "'ten' is not of type 'number'" at no line. What a missing key is for comes from the
schema's own description of it, so the words and the schema cannot drift apart."""
from __future__ import annotations

import functools
import json

from .diagnostics import QofError, did_you_mean, error
from .packaged import shipped
from .source import Source

#: JSON Schema types in a user's words.
TYPE_WORDS = {"integer": "a whole number", "number": "a number", "string": "text", "boolean": "true or false",
              "object": "a mapping (key: value lines)", "array": "a list", "null": "empty"}


@functools.lru_cache(maxsize=None)
def schema(package: str, name: str) -> dict:
    return json.loads(shipped(package, name).read_text(encoding="utf-8"))


def json_path(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def validate(data, package: str, name: str, source: Source, code: str, positions=None) -> None:
    """Check ``data`` against a shipped schema; report violations (up to 20), each in plain words
    and, given ``positions`` (yamlsafe.Positions), at its line and column. jsonschema is imported
    here, not with the module: a plain ``check`` never validates a file against a schema, and
    importing it was a tenth of that command's start-up."""
    import jsonschema
    validator = jsonschema.Draft202012Validator(schema(package, name))
    problems = sorted((_deepest(e) for e in validator.iter_errors(data)),
                      key=lambda e: list(map(str, e.absolute_path)))
    if problems:
        # one diagnostic per distinct problem: a schema's branches (anyOf) can each report the same
        # missing key, which a user would otherwise read twice
        found = list({(d.message, d.span): d for d in (
            error(code, plain_words(p), source=source, span=_span(p, positions), hint=_hint(p))
            for p in problems[:20])}.values())
        raise QofError(sorted(found, key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0)))


def _span(problem: jsonschema.ValidationError, positions):
    if positions is None:
        return None
    path = [str(p) for p in problem.absolute_path]
    if problem.validator == "additionalProperties":
        extra = _unexpected(problem)
        if extra:
            path.append(extra[0])
    while path:
        found = positions.span(*path)
        if found is not None:
            return found
        path.pop()
    return None


def _unexpected(problem: jsonschema.ValidationError) -> list[str]:
    allowed = problem.schema.get("properties", {})
    return [str(k) for k in problem.instance if k not in allowed] if isinstance(problem.instance, dict) else []


def _shown(value) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "empty"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    if isinstance(value, int) and len(str(abs(value))) > 20:
        return f"a number of {len(str(abs(value)))} digits"
    text = str(value)
    return text if len(text) <= 60 else text[:60] + "..."


def plain_words(problem: jsonschema.ValidationError) -> str:
    """The violation as a user reads it: which field, what it holds, what it must be."""
    field = json_path(problem.absolute_path)
    where = "the file" if field == "(top level)" else field
    kind, expected = problem.validator, problem.validator_value
    if kind == "required":
        missing = [k for k in expected if isinstance(problem.instance, dict) and k not in problem.instance]
        key = missing[0] if missing else str(expected)
        about = problem.schema.get("properties", {}).get(key, {}).get("description")
        return f"{where} has no '{key}'" + (f": {_lower_first(about)}" if about else "")
    if kind == "additionalProperties":
        extra = _unexpected(problem)
        name = extra[0] if extra else "?"
        return f"unknown key '{name}'" + ("" if where == "the file" else f" in {where}")
    if kind == "type":
        types = expected if isinstance(expected, list) else [expected]
        return f"{where} is {_shown(problem.instance)}, but must be " + " or ".join(TYPE_WORDS.get(t, t) for t in types)
    if kind == "enum":
        return f"{where} is {_shown(problem.instance)}, but must be one of " + ", ".join(str(v) for v in expected)
    if kind == "const":
        return f"{where} is {_shown(problem.instance)}, but must be {expected}"
    if kind == "pattern":
        about = problem.schema.get("description")
        return f"{where} is {_shown(problem.instance)}, which is not of the form it must have" + (
            f": {_lower_first(about)}" if about else "")
    if kind == "minLength":
        return f"{where} is empty; it must be given"
    if kind in ("maxLength", "maxItems", "maxProperties"):
        return f"{where} is too long (at most {expected})"
    if kind == "minItems":
        return f"{where} must have at least {expected} item(s)"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "above", "exclusiveMaximum": "below"}
        return f"{where} is {_shown(problem.instance)}, but must be {words[kind]} {expected}"
    return f"{where}: {_short(problem.message)}"


def _hint(problem: jsonschema.ValidationError) -> str | None:
    if problem.validator == "additionalProperties":
        extra = _unexpected(problem)
        allowed = list(problem.schema.get("properties", {}))
        if extra and allowed:
            return did_you_mean(extra[0], allowed, quote=True) or "the keys here are: " + ", ".join(allowed)
    return None


def _lower_first(text: str) -> str:
    return (text[:1].lower() + text[1:]).rstrip(".")


def _deepest(problem: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For 'not valid under any of the given schemas', the most specific reason among the branches."""
    while problem.context:
        problem = max(problem.context, key=lambda e: len(e.absolute_path))
    return problem


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[:limit] + "..."
