"""A new scheme from the commented template (qofrules/templates/new-scheme.qof), for
``qofrules new`` and ``api.new_scheme``.

The template checks clean and is already in canonical form: a newcomer starts from a file that
works and edits it, reading what each line is for. Every text made is proved so first (checked,
and formatted to itself); the lines only the author can fill in (area, approval, consultation,
running period) are there commented out, with their form and dates of the chosen year.
"""
from __future__ import annotations

import re
from pathlib import Path
from string import Template

from .diagnostics import QofError, error
from .packaged import shipped
from .source import Source

TEMPLATE = "new-scheme.qof"
SCHEME_ID = re.compile(r"^(?!(indicators?|groups?|domains?|and|or|except|not)$)[A-Za-z][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$")
DEFAULT_ID = "my-scheme"
DEFAULT_TITLE = "Title of the scheme"
DEFAULT_COUNTRY = "england"


def default_contract() -> str:
    """The latest year of England whose indicator list is complete (a rule for 'all indicators'
    then pays every indicator the year has)."""
    from . import api
    summaries = api.contracts(DEFAULT_COUNTRY)
    complete = [s for s in summaries if s["complete"]]
    chosen = complete[-1] if complete else summaries[-1]
    return f"{chosen['country']} {chosen['year']}"


def id_from(path: str) -> str:
    """A scheme id from a file name: 'Leeds 2025.qof' → 'leeds-2025'; 'my-scheme' if none can be made."""
    candidate = "-".join(re.findall(r"[a-z0-9]+", Path(path).stem.lower()))
    return candidate if SCHEME_ID.match(candidate) else DEFAULT_ID


def contract_words(words: str, where: Source) -> str:
    """'england 2023/24' checked to be a year that ships (QR526 for another shape; QR210, QR211)."""
    from . import contracts as contract_data
    parts = words.split()
    if len(parts) != 2:
        raise QofError([error("QR526", f"'{words}' is not a contract year", source=where,
                              hint="give a country and a year, e.g. --contract 'england 2023/24'")])
    try:
        contract_data.load(*parts)
    except QofError as exc:  # said as the option's error: there is no file to point at
        raise QofError([error(d.code, d.message, source=where, hint=d.hint) for d in exc.diagnostics]) from None
    return " ".join(parts)


def render(scheme_id: str, title: str, contract: str) -> str:
    start = int(contract.split()[-1][:4])
    text = shipped("qofrules", "templates", TEMPLATE).read_text(encoding="utf-8")
    return Template(text).substitute(id=scheme_id, title=title, contract=contract, start=f"{start}-04-01",
                                     end=f"{start + 1}-03-31", approved=f"{start}-03-01", consulted=f"{start}-02-01")


def new_scheme(scheme_id: str = DEFAULT_ID, title: str = DEFAULT_TITLE, contract: str | None = None,
               name: str = "new.qof", where: Source | None = None):
    """(the scheme's text, the check report of it); QofError (QR526, QR210, QR211) for a bad id,
    title or contract year."""
    from . import api
    where = where or Source("qofrules new")
    if not SCHEME_ID.match(scheme_id):
        raise QofError([error("QR526", f"'{scheme_id}' is not a scheme id", source=where,
                              hint="letters, digits, '_' and '-', starting with a letter, e.g. leeds-2025")])
    if '"' in title or "\\" in title or "\n" in title or "\r" in title or not title.strip():
        raise QofError([error("QR526", "the title must be one line of text without \" or \\", source=where)])
    contract = (contract_words(contract, Source(f"{where.name} --contract '{contract}'"))
                if contract is not None else default_contract())
    text = render(scheme_id, title, contract)
    report = api.check_source(Source(name, text))
    if not report.ok or api.format_text(text, name) != text:  # a bug in the template, not the user's
        raise QofError(list(report.errors) or [error("QR526", "the template would not be in canonical form",
                                                     source=where)])
    return text, report
