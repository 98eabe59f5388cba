"""Who may change which country's QOF, read from ``qofrules/contracts/authorities.yaml``.

The dates on which commissioning powers began and ended, and on which kinds of body existed, are
parameters of the rules that change over time, so they live with the contract data, each with
its source, not in Python. :mod:`qofrules.rules.judgement` turns them into the one decision every
rule starts from: which authority made the scheme.
"""
from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
from dataclasses import dataclass

import yaml

from .. import ast
from ..dates import parse_date

NATIONAL = "national"          # may change the country's national contract itself
COMMISSIONER = "commissioner"  # NHS England's regional and area teams: local variations it agrees
LOCAL = "local"                # CCGs, ICBs, PCTs: an opt-in local alternative from a year's start
POWERS = (NATIONAL, COMMISSIONER, LOCAL)


@dataclass(frozen=True, kw_only=True)
class Power:
    kind: str
    levels: tuple[str, ...] | None
    countries: tuple[str, ...]
    power: str
    start: dt.date | None
    until: dt.date | None
    condition: str | None
    status: str
    source: str
    note: str

    def applies_to(self, body: ast.Body) -> bool:
        if body.kind.text != self.kind:
            return False
        level = body.level.text if body.level else "national"
        return self.levels is None or level in self.levels

    def in_force(self, on: dt.date) -> bool:
        return (self.start is None or self.start <= on) and (self.until is None or on <= self.until)

    def window(self) -> str:
        start = f"from {self.start}" if self.start else "with no recorded start"
        until = f" until {self.until}" if self.until else ""
        return start + until


@dataclass(frozen=True, kw_only=True)
class Existence:
    """Where and when one kind of body existed."""

    kind: str
    levels: tuple[str, ...] | None
    countries: tuple[str, ...]
    start: dt.date | None
    until: dt.date | None
    status: str
    source: str
    note: str
    exclusive: bool = True  # False: elsewhere not known either way (authorities.yaml `elsewhere: unknown`)

    def applies_to(self, body: ast.Body) -> bool:
        level = body.level.text if body.level else "national"
        return body.kind.text == self.kind and (self.levels is None or level in self.levels)

    def in_force(self, on: dt.date) -> bool:
        return (self.start is None or self.start <= on) and (self.until is None or on <= self.until)


@dataclass(frozen=True, kw_only=True)
class NotThere:
    """Why a body could not act in a country on a date: it belongs to another country, or did not
    exist yet or any more (``unknown``: no sourced record for that country, so it cannot be judged)."""

    reason: str   # "another-country", "not-yet", "ended" or "unknown"
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

    def power(self, body: ast.Body, country: str, on: dt.date) -> str | None:
        """``national``, ``commissioner``, ``local`` or None: the widest power ``body`` has over
        ``country``'s QOF on ``on``."""
        found = {p.power for p in self.entries(body) if country in p.countries and p.in_force(on)}
        return next((power for power in POWERS if power in found), None)

    def in_force(self, body: ast.Body, country: str, on: dt.date) -> list[Power]:
        return [p for p in self.entries(body) if country in p.countries and p.in_force(on)]

    def is_local_kind(self, body: ast.Body) -> bool:
        return any(p.power == LOCAL for p in self.entries(body))

    def known_kinds(self) -> set[str]:
        return {p.kind for p in self.powers} | set(self.consult_only) | set(self.no_power) | set(self.unknown_power or {})

    def not_there(self, body: ast.Body, country: str, on: dt.date) -> NotThere | None:
        """Why ``body`` could not act in ``country`` on ``on``, or None when it could."""
        kind = body.kind.text + (f" {body.level.text}" if body.level else "")
        entries = [e for e in self.existence if e.applies_to(body)]
        here = [e for e in entries if country in e.countries]
        if not here:
            if entries and all(e.exclusive for e in entries):
                elsewhere = sorted({c for e in entries for c in e.countries})
                return NotThere(reason="another-country", source=entries[0].source,
                                message=f"{kind} belongs to {_and(elsewhere)}, not to {country}")
            return NotThere(reason="unknown", source="qofrules/contracts/authorities.yaml",
                            message=f"qofrules has no sourced record that a {kind} existed in {country}")
        if any(e.in_force(on) for e in here):
            return None
        entry = here[0]
        if entry.start is not None and on < entry.start:
            return NotThere(reason="not-yet", source=entry.source,
                            message=f"no {kind} existed in {country} before {_day(entry.start)}")
        return NotThere(reason="ended", source=entry.source,
                        message=f"no {kind} existed in {country} after {_day(entry.until)}")

    def absent(self, body: ast.Body, country: str, on: dt.date) -> bool:
        """True when ``body`` certainly could not act in ``country`` on ``on`` (another country's,
        or not yet / no longer existing); False when it could, or qofrules cannot tell."""
        gone = self.not_there(body, country, on)
        return gone is not None and gone.reason != "unknown"

    def national_bodies(self, country: str) -> list[str]:
        """The kinds of body that may change ``country``'s national contract, for hints."""
        return sorted({p.kind for p in self.powers if p.power == NATIONAL and country in p.countries})

    def source_text(self, raw: dict) -> str:
        doc = self.sources.get(raw["ref"], {})
        title = doc.get("title", raw["ref"])
        return f"{title}: {raw['section']}" if raw.get("section") else title


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _date(value) -> dt.date | None:
    if value is None:
        return None
    return value if isinstance(value, dt.date) else parse_date(str(value))


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
    text = importlib.resources.files("qofrules.contracts").joinpath("authorities.yaml").read_text(encoding="utf-8")
    return from_data(yaml.safe_load(text))
