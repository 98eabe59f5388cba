"""What each check, data and evaluation code means, for tools: SARIF's rule entries for ``QR…``,
``QD…`` and ``QE…`` findings (their description, help and ``helpUri``).

docs/diagnostics.md is where a person reads every code; an installed qofrules cannot see the
repository's docs, so its tables are shipped as ``qofrules/diagnostic-codes.json``, made from
the page by :func:`from_markdown`. tests/test_sarif_schema.py checks the two agree
(``QOFRULES_UPDATE_GOLDEN=1`` rewrites the JSON after the page changes).
"""
from __future__ import annotations

import functools
import json
import re

from .packaged import shipped as shipped_file

#: The published docs: every helpUri is this plus a page and a section (docs/repository.md,
#: "Links from findings"). The repository's main branch, so a link follows the docs as they change.
DOCS_URL = "https://github.com/qofrules/qofrules/blob/main/docs/"
CODES_FILE = "diagnostic-codes.json"

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_ROW = re.compile(r"^\|\s*`(Q[A-Z][0-9]{3})`\s*\|")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def anchor(heading: str) -> str:
    """The anchor GitHub gives a markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def plain(markdown: str) -> str:
    """Table-cell markdown as plain text: code spans and emphasis unmarked, escaped pipes unescaped."""
    text = markdown.replace("\\|", "|")
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"\1", text)
    return text.strip()


def first_sentence(text: str, limit: int = 200) -> str:
    """The first sentence (to '. ' or the end), cut at ``limit`` characters."""
    found = re.search(r"(?<=[a-z0-9)'\"])\.\s", text)
    sentence = text[:found.start() + 1] if found else text
    return sentence if len(sentence) <= limit else sentence[:limit - 1].rstrip() + "…"


def from_markdown(text: str) -> dict[str, dict]:
    """docs/diagnostics.md's code tables as ``{code: {severity, section, meaning, fix}}``; a code
    with several rows (an error and a warning form) has its meanings joined, severities listed."""
    codes: dict[str, dict] = {}
    section = ""
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            section = anchor(heading.group(2))
            continue
        row = _ROW.match(line)
        if not row:
            continue
        cells = [c.strip() for c in _CELL_SPLIT.split(line.strip().strip("|"))]
        if len(cells) < 4:
            continue
        code, severity, meaning, fix = cells[0].strip("`"), plain(cells[1]), cells[2], cells[3]
        entry = codes.get(code)
        if entry is None:
            codes[code] = {"severity": severity, "section": section, "meaning": meaning, "fix": fix}
        else:
            entry["severity"] += f", {severity}"
            entry["meaning"] += f" As a {severity}: {meaning}"
            if fix not in entry["fix"]:
                entry["fix"] += f" As a {severity}: {fix}"
    return codes


@functools.lru_cache(maxsize=None)
def shipped() -> dict[str, dict]:
    """The shipped table (``qofrules/diagnostic-codes.json``)."""
    return json.loads(shipped_file("qofrules", CODES_FILE).read_text(encoding="utf-8"))


def to_json(codes: dict[str, dict]) -> str:
    return json.dumps(codes, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def help_uri(code: str) -> str:
    """Where a code of check, data or evaluation is explained: its section of docs/diagnostics.md."""
    entry = shipped().get(code)
    return DOCS_URL + "diagnostics.md#" + (entry["section"] if entry else "the-codes")
