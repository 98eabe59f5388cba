"""The one reader of dates in qofrules' files, and the meaning of a date known only to the month
or the year.

Every date in a data set, a manifest or an overrides file is a day, strictly ``YYYY-MM-DD``:
``datetime.date.fromisoformat`` accepts more on Python 3.11 and later (``20140201``,
``2014-W05-6``, ``2014-032``) than on 3.10, so results would depend on the Python version; they
are read by :func:`parse_date` instead.

Sources do not always give the day: "approved in June 2014", "STPs, 2016". A scheme (in the
places docs/language.md allows) and qofrules' authorities data may therefore give a date to the
month (``2014-06``) or the year (``2014``). Such a date is not a guess at a day: it is the set of
days it could be, from its :attr:`When.earliest` to its :attr:`When.latest`. Every rule that
compares dates compares these ranges (:func:`is_before`, :func:`is_on_or_before`) and gets one of
three answers: yes for every day the dates could be, no for every day, or "it depends on the
missing day", which the rule reports as such (docs/rules.md, "Dates known to the month or the
year"), never as a silent guess.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

DAY, MONTH, YEAR = "day", "month", "year"
PRECISIONS = (DAY, MONTH, YEAR)
#: Only in qofrules' own data (authorities.yaml): a day known to lie between two days the sources
#: give ("STPs formed between the planning guidance of 22 December 2015 and the footprints
#: published on 15 March 2016"). A scheme cannot write one.
BETWEEN = "between"

_FORM = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)
_YEAR = re.compile(r"([0-9]{4})", re.ASCII)


def parse_date(text: str) -> dt.date:
    """``text`` (exactly ``YYYY-MM-DD``, ASCII digits) as a date; ValueError for any other form,
    or for a day the calendar does not have (2014-02-30)."""
    found = _FORM.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD")
    return dt.date(*map(int, found.groups()))


def why_not_a_date(text) -> str:
    """Why ``text`` is not a day :func:`parse_date` takes, in a user's words: the form, the year,
    the month, or the month's length ("February 2014 has 28 days": 2014-02-30 is written right)."""
    import calendar
    found = _FORM.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        return "a date is written YYYY-MM-DD, e.g. 2014-02-01"
    year, month, day = map(int, found.groups())
    if year < 1:
        return "the calendar has no year 0000"
    if not 1 <= month <= 12:
        return f"a month is 01 to 12, not {month:02d}"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{calendar.month_name[month]} {year} has {days} days"
    return "a date is written YYYY-MM-DD, e.g. 2014-02-01"


@dataclass(frozen=True, order=False)
class When:
    """A date as a source gives it: every day from ``earliest`` to ``latest`` (one day for a date
    given to the day), and the precision it was given in."""

    earliest: dt.date
    latest: dt.date
    precision: str = DAY

    @classmethod
    def day(cls, day: dt.date) -> "When":
        return cls(earliest=day, latest=day, precision=DAY)

    @property
    def exact(self) -> bool:
        return self.precision == DAY

    @classmethod
    def between(cls, earliest: dt.date, latest: dt.date) -> "When":
        if latest < earliest:
            raise ValueError(f"{latest} is before {earliest}")
        return cls(earliest=earliest, latest=latest, precision=BETWEEN)

    @property
    def text(self) -> str:
        """'17 June 2014', 'June 2014', '2014', or 'between 22 December 2015 and 15 March 2016'."""
        if self.precision == DAY:
            return describe_day(self.earliest)
        if self.precision == MONTH:
            return f"{self.earliest:%B} {self.earliest.year}"
        if self.precision == BETWEEN:
            return f"between {describe_day(self.earliest)} and {describe_day(self.latest)}"
        return str(self.earliest.year)

    @property
    def iso(self) -> str:
        """As written in qofrules' files: '2014-06-17', '2014-06', '2014' or '2015-12-22/2016-03-15'."""
        if self.precision == DAY:
            return self.earliest.isoformat()
        if self.precision == MONTH:
            return f"{self.earliest.year:04d}-{self.earliest.month:02d}"
        if self.precision == BETWEEN:
            return f"{self.earliest.isoformat()}/{self.latest.isoformat()}"
        return f"{self.earliest.year:04d}"

    @property
    def phrase(self) -> str:
        """The date after a verb: 'on 17 June 2014', 'in June 2014', 'in 2014', 'between ...'."""
        if self.precision == BETWEEN:
            return self.text
        return ("on " if self.exact else "in ") + self.text

    def contains(self, day: dt.date) -> bool:
        return self.earliest <= day <= self.latest


def describe_day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def parse_when(text: str) -> When:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` as the days it could be; ValueError for any other
    form, or for a day, month or year the calendar does not have (2014-02-30, 2014-13, 0000)."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a date")
    if _FORM.fullmatch(text):
        return When.day(parse_date(text))
    found = _MONTH.fullmatch(text)
    if found:
        year, month = map(int, found.groups())
        first = dt.date(year, month, 1)
        return When(earliest=first, latest=first.replace(day=calendar.monthrange(year, month)[1]), precision=MONTH)
    found = _YEAR.fullmatch(text)
    if found:
        year = int(found.group(1))
        return When(earliest=dt.date(year, 1, 1), latest=dt.date(year, 12, 31), precision=YEAR)
    raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY")


def precision_of(text: str) -> str:
    """The precision a date's text is written in, by its form alone (valid or not)."""
    return {3: DAY, 2: MONTH, 1: YEAR}.get(text.count("-") + 1, DAY)


# ------------------------------------------------------------------ comparisons with three answers

def is_before(first: When, second: When) -> bool | None:
    """Is every day ``first`` could be before every day ``second`` could be? True; False when no
    day of ``first`` is before any of ``second``'s; None when it depends on the missing day."""
    if first.latest < second.earliest:
        return True
    if first.earliest >= second.latest:
        return False
    return None


def is_on_or_before(first: When, second: When) -> bool | None:
    """As :func:`is_before`, for 'on or before'."""
    if first.latest <= second.earliest:
        return True
    if first.earliest > second.latest:
        return False
    return None


def in_window(when: When, start: When | None, until: When | None) -> bool | None:
    """Is every day of ``when`` inside the window from ``start`` to ``until`` (both inclusive;
    None: open-ended)? True; False when no day of it is; None when some are, or when the window's
    own ends are known only to the month or the year and ``when`` falls within them."""
    after_start = True if start is None else is_on_or_before(start, when)
    before_end = True if until is None else is_on_or_before(when, until)
    if after_start is True and before_end is True:
        return True
    if after_start is False or before_end is False:  # every day of it is before the start, or after the end
        return False
    return None
