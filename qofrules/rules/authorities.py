"""Who may change which country's QOF, read from ``qofrules/contracts/authorities.yaml``.

The dates on which commissioning powers began and ended, and on which kinds of body existed, are
parameters of the rules that change over time, so they live with the contract data, each with
its source, not in Python. :mod:`qofrules.rules.judgement` turns them into the one decision every
rule starts from: which authority made the scheme.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from .. import ast, yamlsafe
from ..plainwords import COUNTRY_NAMES, kind_words
from ..source import Source
from ..dates import BETWEEN, When, describe_day, in_window, parse_when
from ..packaged import shipped

NATIONAL = "national"          # may change the country's national contract itself
COMMISSIONER = "commissioner"  # NHS England's regional and area teams: local variations it agrees
LOCAL = "local"                # CCGs, ICBs, PCTs: an opt-in local alternative from a year's start
POWERS = (NATIONAL, COMMISSIONER, LOCAL)
#: What :meth:`Authorities.power` answers when the power differs between the days a date could be
#: (a date known only to the month or the year), or when a window's own ends are so known.
UNSURE = "unsure"


def _when(on) -> When:
    return on if isinstance(on, When) else When.day(on)


@dataclass(frozen=True, kw_only=True)
class Power:
    kind: str
    levels: tuple[str, ...] | None
    countries: tuple[str, ...]
    power: str
    start: When | None   # the first day (a month or a year where the sources give no more)
    until: When | None   # the last day
    condition: str | None
    status: str
    source: str
    note: str

    def applies_to(self, body: ast.Body) -> bool:
        if body.kind.text != self.kind:
            return False
        level = body.level.text if body.level else "national"
        return self.levels is None or level in self.levels

    def covers(self, on) -> bool | None:
        """In force on every day ``on`` (a day or a :class:`When`) could be: True; on none: False;
        on some, or it depends on a day the data does not give: None."""
        return in_window(_when(on), self.start, self.until)

    def window(self) -> str:
        start = f"from {self.start.iso}" if self.start else "with no recorded start"
        until = f" until {self.until.iso}" if self.until else ""
        return start + until


@dataclass(frozen=True, kw_only=True)
class Existence:
    """Where and when one kind of body existed."""

    kind: str
    levels: tuple[str, ...] | None
    countries: tuple[str, ...]
    start: When | None
    until: When | None
    status: str
    source: str
    note: str
    exclusive: bool = True  # False: elsewhere not known either way (authorities.yaml `elsewhere: unknown`)

    def applies_to(self, body: ast.Body) -> bool:
        level = body.level.text if body.level else "national"
        return body.kind.text == self.kind and (self.levels is None or level in self.levels)

    def covers(self, on) -> bool | None:
        return in_window(_when(on), self.start, self.until)


@dataclass(frozen=True, kw_only=True)
class NotThere:
    """Why a body could not act in a country on a date: it belongs to another country, or did not
    exist yet or any more (``unknown``: no sourced record for that country, so it cannot be judged;
    ``depends``: it existed on some of the days the date could be and not on others, or the data
    gives the day it began or ended only to the month or the year)."""

    reason: str   # "another-country", "not-yet", "ended", "unknown" or "depends"
    message: str
    source: str


@dataclass(frozen=True)
class Authorities:
    powers: tuple[Power, ...]
    consult_only: dict[str, dict]
    no_power: dict[str, dict]
    sources: dict[str, dict]
    unknown_power: dict[str, dict] = None  # type: ignore[assignment]
    existence: tuple[Existence, ...] = ()

    def entries(self, body: ast.Body) -> list[Power]:
        return [p for p in self.powers if p.applies_to(body)]

    def power(self, body: ast.Body, country: str, on) -> str | None:
        """``national``, ``commissioner``, ``local`` or None: the widest power ``body`` has over
        ``country``'s QOF on every day ``on`` (a day, or a :class:`When`) could be; ``UNSURE`` when
        that depends on the day (a date known only to the month or the year, or a power whose start
        or end the data gives only so)."""
        certain, possible = set(), set()
        for entry in self.entries(body):
            if country not in entry.countries:
                continue
            covers = entry.covers(on)
            if covers is True:
                certain.add(entry.power)
            if covers is not False:
                possible.add(entry.power)
        widest = next((power for power in POWERS if power in certain), None)
        if widest != next((power for power in POWERS if power in possible), None):
            return UNSURE
        return widest

    def in_force(self, body: ast.Body, country: str, on) -> list[Power]:
        """The powers ``body`` certainly holds over ``country``'s QOF on every day ``on`` could be."""
        return [p for p in self.entries(body) if country in p.countries and p.covers(on) is True]

    def is_local_kind(self, body: ast.Body) -> bool:
        return any(p.power == LOCAL for p in self.entries(body))

    def known_kinds(self) -> set[str]:
        return {p.kind for p in self.powers} | set(self.consult_only) | set(self.no_power) | set(self.unknown_power or {})

    def not_there(self, body: ast.Body, country: str, on) -> NotThere | None:
        """Why ``body`` could not act in ``country`` on ``on`` (a day, or a :class:`When`), or None
        when it could on every day ``on`` could be."""
        kind = kind_words(body.kind.text) + (f" {body.level.text}" if body.level else "")
        entries = [e for e in self.existence if e.applies_to(body)]
        here = [e for e in entries if country in e.countries]
        place = COUNTRY_NAMES.get(country, country)
        if not here:
            if entries and all(e.exclusive for e in entries):
                elsewhere = sorted({COUNTRY_NAMES.get(c, c) for e in entries for c in e.countries})
                return NotThere(reason="another-country", source=entries[0].source,
                                message=f"{kind} belongs to {_and(elsewhere)}, not to {place}")
            return NotThere(reason="unknown", source="qofrules/contracts/authorities.yaml",
                            message=f"qofrules has no sourced record that a {kind} existed in {place}")
        when = _when(on)
        covered = [e.covers(when) for e in here]
        if True in covered:
            return None
        entry = here[0]
        if None in covered:
            entry = here[covered.index(None)]
            return NotThere(reason="depends", source=entry.source,
                            message=f"{kind} existed in {place} only {_lifetime(entry)}, so whether it existed "
                                    f"{when.phrase} depends on the day")
        if entry.start is not None and when.latest < entry.start.earliest:
            return NotThere(reason="not-yet", source=entry.source,
                            message=f"no {kind} existed in {place} before {_edge(entry.start, first=True)}")
        return NotThere(reason="ended", source=entry.source,
                        message=f"no {kind} existed in {place} after {_edge(entry.until, first=False)}")

    def absent(self, body: ast.Body, country: str, on) -> bool:
        """True when ``body`` certainly could not act in ``country`` on ``on`` (another country's,
        or not yet / no longer existing); False when it could, or qofrules cannot tell."""
        gone = self.not_there(body, country, on)
        return gone is not None and gone.reason not in ("unknown", "depends")

    def national_bodies(self, country: str) -> list[str]:
        """The kinds of body that may change ``country``'s national contract, for hints."""
        return sorted({p.kind for p in self.powers if p.power == NATIONAL and country in p.countries})

    def source_text(self, raw: dict) -> str:
        doc = self.sources.get(raw["ref"], {})
        title = doc.get("title", raw["ref"])
        return f"{title}: {raw['section']}" if raw.get("section") else title


def _edge(when: When, *, first: bool) -> str:
    """A start or an end for 'before ...' / 'after ...': as the data gives it ('1 April 2013',
    'April 2000'), or, for a span of days, the day that makes the sentence true."""
    if when.precision == BETWEEN:
        return describe_day(when.earliest if first else when.latest)
    return when.text


def _lifetime(entry: Existence) -> str:
    """'from 1 April 2013 until 30 June 2022', 'from December 2015', 'until 31 March 2013'."""
    def edge(when: When) -> str:
        return f"a day {when.text}" if when.precision == BETWEEN else when.text
    parts = ([f"from {edge(entry.start)}"] if entry.start else []) + ([f"until {edge(entry.until)}"] if entry.until else [])
    return " ".join(parts) or "at every date"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _date(value) -> When | None:
    """A date of authorities.yaml: a day, or a month or a year where the sources give no more, or
    ``[EARLIEST, LATEST]``, two days it is known to lie between."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return When.day(value)
    if isinstance(value, list):
        earliest, latest = (_date(v) for v in value)
        return When.between(earliest.earliest, latest.latest)
    return parse_when(str(value))


def from_data(data: dict) -> Authorities:
    sources = data["sources"]
    partial = Authorities(powers=(), consult_only=data.get("consult_only", {}), no_power=data.get("no_power", {}),
                          sources=sources, unknown_power=data.get("unknown_power", {}))
    powers = tuple(
        Power(kind=raw["kind"], levels=tuple(raw["levels"]) if raw.get("levels") else None,
              countries=tuple(raw["countries"]), power=raw["power"], start=_date(raw.get("from")),
              until=_date(raw.get("until")), condition=raw.get("condition"), status=raw["status"],
              source=partial.source_text(raw["source"]), note=" ".join(str(raw.get("note", "")).split()))
        for raw in data["powers"])
    for power in powers:
        if power.power not in POWERS:
            raise ValueError(f"authorities.yaml: unknown power '{power.power}' for {power.kind}")
    existence = tuple(
        Existence(kind=raw["kind"], levels=tuple(raw["levels"]) if raw.get("levels") else None,
                  countries=tuple(raw["countries"]), start=_date(raw.get("from")),
                  until=_date(raw.get("until")), status=raw["status"], source=partial.source_text(raw["source"]),
                  note=" ".join(str(raw.get("note", "")).split()), exclusive=raw.get("elsewhere") != "unknown")
        for raw in data.get("existence", []))
    return Authorities(powers=powers, consult_only=partial.consult_only, no_power=partial.no_power, sources=sources,
                       unknown_power=partial.unknown_power, existence=existence)


@functools.lru_cache(maxsize=1)
def load() -> Authorities:
    path = shipped("qofrules.contracts", "authorities.yaml")
    return from_data(yamlsafe.load_shipped(Source(str(path), path.read_text(encoding="utf-8")), code="QR301"))
