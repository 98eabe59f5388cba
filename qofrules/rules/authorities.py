"""Who may approve a variation of QOF, read from ``qofrules/contracts/authorities.yaml``.

The dates on which commissioning powers began and ended are parameters of the rules that change
over time, so they live with the contract data, each with its source, not in Python.
"""
from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
from dataclasses import dataclass

import yaml

from .. import ast

NATIONAL = "national"
LOCAL = "local"


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


@dataclass(frozen=True)
class Authorities:
    powers: tuple[Power, ...]
    consult_only: dict[str, dict]
    no_power: dict[str, dict]
    sources: dict[str, dict]

    def entries(self, body: ast.Body) -> list[Power]:
        return [p for p in self.powers if p.applies_to(body)]

    def power(self, body: ast.Body, country: str, on: dt.date) -> str | None:
        """``national``, ``local`` or None: what ``body`` may do to ``country``'s QOF on ``on``."""
        found = [p.power for p in self.entries(body) if country in p.countries and p.in_force(on)]
        if NATIONAL in found:
            return NATIONAL
        return LOCAL if LOCAL in found else None

    def in_force(self, body: ast.Body, country: str, on: dt.date) -> list[Power]:
        return [p for p in self.entries(body) if country in p.countries and p.in_force(on)]

    def is_local_kind(self, body: ast.Body) -> bool:
        return any(p.power == LOCAL for p in self.entries(body))

    def known_kinds(self) -> set[str]:
        return {p.kind for p in self.powers} | set(self.consult_only) | set(self.no_power)

    def source_text(self, raw: dict) -> str:
        doc = self.sources.get(raw["ref"], {})
        title = doc.get("title", raw["ref"])
        return f"{title}: {raw['section']}" if raw.get("section") else title


def _date(value) -> dt.date | None:
    if value is None:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def from_data(data: dict) -> Authorities:
    sources = data["sources"]
    partial = Authorities(powers=(), consult_only=data.get("consult_only", {}), no_power=data.get("no_power", {}),
                          sources=sources)
    powers = tuple(
        Power(kind=raw["kind"], levels=tuple(raw["levels"]) if raw.get("levels") else None,
              countries=tuple(raw["countries"]), power=raw["power"], start=_date(raw.get("from")),
              until=_date(raw.get("until")), condition=raw.get("condition"), status=raw["status"],
              source=partial.source_text(raw["source"]), note=" ".join(str(raw.get("note", "")).split()))
        for raw in data["powers"])
    for power in powers:
        if power.power not in (NATIONAL, LOCAL):
            raise ValueError(f"authorities.yaml: unknown power '{power.power}' for {power.kind}")
    return Authorities(powers=powers, consult_only=partial.consult_only, no_power=partial.no_power, sources=sources)


@functools.lru_cache(maxsize=1)
def load() -> Authorities:
    text = importlib.resources.files("qofrules.contracts").joinpath("authorities.yaml").read_text(encoding="utf-8")
    return from_data(yaml.safe_load(text))
