"""The one reader of dates in qofrules' files: strictly ``YYYY-MM-DD``.

``datetime.date.fromisoformat`` accepts more on Python 3.11 and later (``20140201``,
``2014-W05-6``, ``2014-032``) than on 3.10, so results would depend on the Python version; every
date in a scheme, a data set, a manifest or an overrides file is read here instead.
"""
from __future__ import annotations

import datetime as dt
import re

_FORM = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)


def parse_date(text: str) -> dt.date:
    """``text`` (exactly ``YYYY-MM-DD``, ASCII digits) as a date; ValueError for any other form,
    or for a day the calendar does not have (2014-02-30)."""
    found = _FORM.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD")
    return dt.date(*map(int, found.groups()))
