"""Indicators and groups a user supplies for a contract year whose list qofrules does not have.

Several years qofrules knows list few or no indicators (England 2008/09, Northern Ireland 2016/17):
no source read gives them, and the project never invents national figures. A commissioner who
holds the year's indicator table can supply it in a ``--contract-overrides`` file. Each supplied
indicator or group is new to the year, so every one of its facts (description, group, domain,
kind, points, thresholds) must be given: none is guessed, and each figure is marked ``supplied``
like any other overridden figure. (``span`` arguments are callables: a location is looked up only for
an error, so a long overrides file is not re-read once per entry.) A year whose indicator list is complete takes no new
indicators: an unknown code there is a misspelling, not a gap.
"""
from __future__ import annotations

import re

from ..diagnostics import QofError, error
from ..source import Source
from .model import Figure, Group, Indicator, UNKNOWN

#: the contract-year file's own patterns (contract.schema.json), so a supplied code reads like one
INDICATOR_CODE = re.compile(r"[A-Z][A-Z0-9]*[0-9]+[A-Z]?")
GROUP_CODE = re.compile(r"[A-Z][A-Z0-9]*")
DOMAINS = ("clinical", "public-health", "public-health-additional", "quality-improvement", "organisational",
           "patient-experience", "quality-productivity", "additional-services")
INDICATOR_FACTS = ("description", "group", "domain", "kind", "points")
GROUP_FACTS = ("description", "prevalence_adjusted")
#: keys that only a new indicator or group may carry: a listed one's are national facts
NEW_ONLY_INDICATOR_KEYS = ("description", "group", "domain")
NEW_ONLY_GROUP_KEYS = ("description", "prevalence_adjusted", "patient_list")


def new_group(code: str, raw: dict, source: Source, span, supplied, prevalence) -> Group:
    """A group the year does not list: description and prevalence_adjusted given; national
    prevalence given, or left unknown (the engine then refuses to adjust by it)."""
    if not GROUP_CODE.fullmatch(code):
        raise QofError([error("QR313", f"group {code}: a group code is capital letters and digits, starting "
                              "with a letter (e.g. HYP)", source=source, span=span())])
    missing = [key for key in GROUP_FACTS if key not in raw]
    if missing:
        raise QofError([error("QR313", f"group {code} is not in the contract year; to supply it, give its "
                              f"{_and(missing)}", source=source, span=span(),
                              hint="a supplied group needs description and prevalence_adjusted "
                                   "(and national_prevalence where it is prevalence-adjusted)")])
    adjusted = raw["prevalence_adjusted"]
    national = prevalence() if "national_prevalence" in raw else (Figure(value=None, status=UNKNOWN) if adjusted
                                                                  else None)
    return Group(code=code, description=raw["description"], prevalence_adjusted=adjusted,
                 patient_list=raw.get("patient_list", "TOTAL"), national_prevalence=national)


def new_indicator(code: str, raw: dict, groups: dict[str, Group], source: Source, span, supplied,
                  points, thresholds, retires) -> Indicator:
    """An indicator the year does not list, from every fact the user gives for it."""
    if not INDICATOR_CODE.fullmatch(code):
        raise QofError([error("QR313", f"indicator {code}: an indicator code is capital letters then digits "
                              "(e.g. HYP003)", source=source, span=span())])
    missing = [key for key in INDICATOR_FACTS if key not in raw]
    if raw.get("kind") == "fraction" and "thresholds" not in raw:
        missing.append("thresholds")
    if missing:
        raise QofError([error("QR313", f"indicator {code} is not in the contract year; to supply it, give its "
                              f"{_and(missing)}", source=source, span=span(),
                              hint="a supplied indicator needs description, group, domain, kind (register or "
                                   "fraction) and points, and thresholds if it is a fraction")])
    if raw["group"] not in groups:
        raise QofError([error("QR313", f"indicator {code}: group {raw['group']} is neither in the contract year "
                              "nor supplied under groups:", source=source, span=span())])
    if raw["domain"] not in DOMAINS:
        raise QofError([error("QR313", f"indicator {code}: domain '{raw['domain']}' is not one of "
                              f"{', '.join(DOMAINS)}", source=source, span=span())])
    if raw["kind"] == "register" and "thresholds" in raw:
        raise QofError([error("QR313", f"{code} is a register indicator; it has no thresholds", source=source,
                              span=span())])
    lower = upper = None
    if raw["kind"] == "fraction":
        lower, upper = thresholds()
    return Indicator(code=code, description=raw["description"], group=raw["group"], domain=raw["domain"],
                     kind=raw["kind"], kind_figure=supplied(raw["kind"]), points=points(), lower=lower,
                     upper=upper, retires=retires() if "retires" in raw else None)


def refuse_new(what: str, code: str, contract_key: str, keys: tuple[str, ...], raw: dict, source: Source,
               span) -> None:
    """A listed indicator or group may not have its national facts (description, group ...) replaced."""
    given = [key for key in keys if key in raw]
    if given:
        raise QofError([error("QR313", f"{what} {code} is in {contract_key}: its {_and(given)} "
                              f"{'is a national fact' if len(given) == 1 else 'are national facts'}, not figures "
                              "an overrides file replaces", source=source, span=span(),
                              hint="an overrides file gives description, group and domain only for an "
                                   "indicator or group the year does not list")])


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
