"""A semantic diff of two versions of a scheme, and the payment impact of the change.

Changes are matched by meaning, not by line (docs/diff.md): header fields by name, rules by
title, lists of indicators, groups, bodies and sources as sets, conditions and payment bases
structurally (``a and b`` equals ``b and a``; ``higher of (x, y)`` equals ``higher of (y, x)``).
So a change of layout, comments, field order or rule order is no change at all.

Each change is one sentence in the language's own words (printed by :mod:`qofrules.printer`),
filed under the question a reviewer asks first: the contract year, who is eligible, which
indicators are covered, how they are paid, dates, approval, then metadata.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from . import ast
from . import contracts as contract_data
from .diagnostics import QofError
from .money import decimal_text, minus, total
from .localindicators import with_local_indicators
from .printer import (adjustment_field_text, basis_text, bodies_text, body_text, condition_text, dated_text,
                      local_field_text, quote, selector_text)
from .selection import coverage

#: The groups, in the order a reviewer reads them, with their headings.
GROUPS = {
    "contract": "Contract year",
    "eligibility": "Who is eligible",
    "coverage": "Which indicators are covered",
    "payment": "How they are paid",
    "local": "Local indicators",
    "adjustments": "Payments beside the indicators",
    "dates": "Dates",
    "approval": "Approval",
    "metadata": "Metadata",
}

#: Codes listed in a one-line message before "and N more" (JSON always has them all).
MAX_CODES_SHOWN = 12


@dataclass(frozen=True)
class Change:
    group: str                 # a key of GROUPS
    message: str               # one sentence a reviewer understands
    rule: str | None = None    # the rule (new title) the change is in, for the impact's "caused by"
    old: object = None         # plain data for tools
    new: object = None

    def to_plain(self) -> dict:
        return {"group": self.group, "message": self.message, "rule": self.rule, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class SchemeDiff:
    old_name: str
    new_name: str
    old_contract: str | None
    new_contract: str | None
    changes: tuple[Change, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def same_contract(self) -> bool:
        return self.old_contract == self.new_contract

    @property
    def changed_rules(self) -> set[str]:
        return {c.rule for c in self.changes if c.rule}

    def grouped(self) -> list[tuple[str, list[Change]]]:
        return [(key, [c for c in self.changes if c.group == key]) for key in GROUPS
                if any(c.group == key for c in self.changes)]

    def to_plain(self) -> dict:
        return {"old": self.old_name, "new": self.new_name,
                "contract": {"old": self.old_contract, "new": self.new_contract, "same": self.same_contract},
                "notes": list(self.notes), "changed": bool(self.changes),
                "changes": [c.to_plain() for c in self.changes]}


# ------------------------------------------------------------------ meanings (what two versions compare by)

def body_key(body: ast.Body) -> tuple:
    return (body.kind.text, body.level.text if body.level else None, body.name.value if body.name else None)


def condition_key(condition) -> tuple:
    """A condition's meaning: ``and``/``or`` lists as sets, nested lists of the same kind flattened;
    no condition at all means every practice (in the area), as evaluation reads it."""
    if condition is None or isinstance(condition, ast.EveryPractice):
        return ("every",)
    if isinstance(condition, (ast.AllOf, ast.AnyOf)):
        kind = "all" if isinstance(condition, ast.AllOf) else "any"
        items: set = set()
        for item in condition.items:
            key = condition_key(item)
            if key[0] == kind:
                items |= key[1]
            else:
                items.add(key)
        return (kind, frozenset(items))
    if isinstance(condition, ast.Not):
        return ("not", condition_key(condition.item))
    if isinstance(condition, ast.OptedIn):
        return ("opted", condition.by.text if condition.by else None)
    if isinstance(condition, ast.InPilot):
        return ("pilot", condition.pilot.value)
    if isinstance(condition, ast.InArea):
        return ("area", body_key(condition.area))
    if isinstance(condition, ast.AttributeTest):
        return ("attribute", condition.attribute.text, condition.comparison, type(condition.value).__name__,
                condition.value)
    raise TypeError(condition)


def basis_key(basis) -> tuple:
    if basis is None:
        return ("none",)
    if isinstance(basis, ast.Achievement):
        return ("achievement", basis.year.text if basis.year else None)
    if isinstance(basis, ast.FullPoints):
        return ("full",)
    if isinstance(basis, ast.NoPoints):
        return ("no",)
    if isinstance(basis, ast.FixedPoints):
        return ("fixed", basis.points)
    if isinstance(basis, (ast.HigherOf, ast.LowerOf)):
        kind = "higher" if isinstance(basis, ast.HigherOf) else "lower"
        return (kind, frozenset(basis_key(b) for b in basis.items))
    if isinstance(basis, ast.AverageOf):  # an average counts a repeated candidate twice: a multiset
        return ("average", frozenset(Counter(basis_key(b) for b in basis.items).items()))
    if isinstance(basis, ast.PercentOf):
        return ("percent", basis.percent, basis_key(basis.basis))
    if isinstance(basis, ast.SumOf):  # a sum counts a repeated candidate twice: a multiset
        return ("sum", frozenset(Counter(basis_key(b) for b in basis.items).items()))
    if isinstance(basis, ast.OnceLowerPassed):
        return ("once lower passed", basis.points)
    if isinstance(basis, ast.PracticeChoice):  # the order numbers the candidates: it matters
        return ("choice", basis.attribute.text.lower(), tuple(basis_key(b) for b in basis.items))
    raise TypeError(basis)


def _terms_key(terms) -> tuple:
    codes, groups, domains, retiring, flags = set(), set(), set(), set(), set()
    for term in terms:
        if isinstance(term, ast.Codes):
            codes |= {c.text for c in term.codes}
        elif isinstance(term, ast.Groups):
            groups |= {g.text for g in term.groups}
        elif isinstance(term, ast.Domains):
            domains |= {d.text for d in term.domains}
        elif isinstance(term, ast.Retiring):
            retiring.add(term.date.text)
        else:
            flags.add(type(term).__name__)
    return tuple(frozenset(s) for s in (codes, groups, domains, retiring, flags))


def selector_key(selector: ast.Selector | None) -> tuple:
    if selector is None:
        return ("none",)
    return (_terms_key(selector.include), _terms_key(selector.exclude))


def rule_key(rule: ast.Rule) -> tuple:
    return (selector_key(rule.applies.selector if rule.applies else None), rule.reporting,
            basis_key(rule.pay.basis if rule.pay else None),
            basis_key(rule.on_request.basis if rule.on_request else None),
            _only_when_key(rule), rule.points.points if rule.points else None)


def _only_when_key(part) -> tuple | None:
    return None if part.only_when is None else condition_key(part.only_when)


# ------------------------------------------------------------------ wording

def codes_text(codes) -> str:
    codes = list(codes)
    if len(codes) <= MAX_CODES_SHOWN:
        return ", ".join(codes)
    return ", ".join(codes[:MAX_CODES_SHOWN]) + f" and {len(codes) - MAX_CODES_SHOWN} more"


def _condition_words(condition) -> str:
    return "every practice (no condition)" if condition is None else condition_text(condition)


def _basis_words(basis) -> str:
    return "(none)" if basis is None else basis_text(basis)


def _contract_text(scheme: ast.Scheme) -> str | None:
    field_ = scheme.contract
    return f"{field_.country.text} {field_.year.text}" if field_ else None


# ------------------------------------------------------------------ the groups

def _eligibility(old: ast.Scheme, new: ast.Scheme) -> list[Change]:
    changes = []
    old_areas, new_areas = {body_key(b): b for b in old.areas}, {body_key(b): b for b in new.areas}
    for key in [k for k in old_areas if k not in new_areas]:
        changes.append(Change("eligibility", f"area: removed {body_text(old_areas[key])}", old=body_text(old_areas[key])))
    for key in [k for k in new_areas if k not in old_areas]:
        changes.append(Change("eligibility", f"area: added {body_text(new_areas[key])}", new=body_text(new_areas[key])))
    if not old_areas and new_areas:
        changes.append(Change("eligibility", "area: the scheme now names an area, so practices outside it are out of scope"))
    if old_areas and not new_areas:
        changes.append(Change("eligibility", "area: the scheme no longer names an area, so every practice is in scope"))
    old_c, new_c = old.eligibility, new.eligibility
    old_k, new_k = condition_key(old_c), condition_key(new_c)
    if old_k == new_k:
        return changes
    old_words, new_words = _condition_words(old_c), _condition_words(new_c)

    def items(condition, kind):
        """The condition as a list of ``kind`` ('all' or 'any') items, or None when it is not one."""
        if condition is None:
            return None
        key = condition_key(condition)
        if key[0] == kind:
            flat = []
            stack = list(condition.items)
            while stack:
                item = stack.pop(0)
                if condition_key(item)[0] == kind and isinstance(item, (ast.AllOf, ast.AnyOf)):
                    stack = list(item.items) + stack
                else:
                    flat.append(item)
            return flat
        if key[0] in ("all", "any"):
            return None
        return [condition]

    for kind, word in (("all", "condition"), ("any", "alternative")):
        old_items, new_items = items(old_c, kind), items(new_c, kind)
        if old_items is None or new_items is None:
            continue
        old_by = {condition_key(c): c for c in old_items}
        new_by = {condition_key(c): c for c in new_items}
        removed = [c for k, c in old_by.items() if k not in new_by]
        added = [c for k, c in new_by.items() if k not in old_by]
        if len(removed) == 1 and len(added) == 1:
            changes.append(Change("eligibility", f"eligibility: {word} {condition_text(removed[0])} changed to "
                                  f"{condition_text(added[0])}", old=old_words, new=new_words))
        else:
            for c in removed:
                changes.append(Change("eligibility", f"eligibility: removed {word} {condition_text(c)}",
                                      old=old_words, new=new_words))
            for c in added:
                changes.append(Change("eligibility", f"eligibility: added {word} {condition_text(c)}",
                                      old=old_words, new=new_words))
        return changes
    changes.append(Change("eligibility", f"eligibility changed from {old_words} to {new_words}",
                          old=old_words, new=new_words))
    return changes


def _match_rules(old: ast.Scheme, new: ast.Scheme):
    """Pairs (old rule, new rule) matched by title (the n-th of a repeated title with the n-th),
    then the unmatched rules of each side."""
    def by_title(rules):
        seen: dict[str, list[ast.Rule]] = {}
        for rule in rules:
            seen.setdefault(rule.title.value, []).append(rule)
        return seen
    old_by, new_by = by_title(old.rules), by_title(new.rules)
    pairs, removed, added = [], [], []
    for title, rules in old_by.items():
        others = new_by.get(title, [])
        pairs += list(zip(rules, others))
        removed += rules[len(others):]
    for title, rules in new_by.items():
        added += rules[len(old_by.get(title, [])):]
    return pairs, removed, added


def _resolved(scheme: ast.Scheme):
    """Per rule (by identity) the indicator codes it pays, against the scheme's own contract year;
    or None with the reason when that year cannot be loaded."""
    field_ = scheme.contract
    if field_ is None or field_.year.start is None:
        return None, "the scheme names no valid contract year"
    try:
        contract = contract_data.load(field_.country.text, field_.year.text)
    except QofError as exc:
        return None, exc.diagnostics[0].message
    found = coverage(scheme.rules, with_local_indicators(contract, scheme))
    return {id(rule): found.get(index, []) for index, rule in enumerate(scheme.rules)}, None


def _rule_summary(rule: ast.Rule) -> str:
    parts = []
    if rule.applies:
        parts.append(f"applies to {selector_text(rule.applies.selector)}")
    if rule.only_when is not None:
        parts.append(f"only when {condition_text(rule.only_when)}")
    if rule.points is not None:
        parts.append(f"points {decimal_text(rule.points.points)}")
    if rule.reporting != ast.AS_USUAL:
        parts.append(f"reporting {rule.reporting}")
    if rule.pay:
        parts.append(f"pay {basis_text(rule.pay.basis)}")
    if rule.on_request:
        parts.append(f"on request {basis_text(rule.on_request.basis)}")
    return "; ".join(parts) or "no fields"


def _applies_key(rule):
    """What a rule applies to, compared by meaning (None: it names nothing)."""
    return selector_key(rule.applies.selector) if rule.applies and rule.applies.selector else None


def _rules(old: ast.Scheme, new: ast.Scheme, notes: list[str]) -> list[Change]:
    changes: list[Change] = []
    pairs, removed, added = _match_rules(old, new)
    # A removed and an added rule that mean the same: a renaming.
    for gone in list(removed):
        twin = next((a for a in added if rule_key(a) == rule_key(gone)), None)
        if twin is not None:
            removed.remove(gone)
            added.remove(twin)
            changes.append(Change("metadata", f"rule {quote(gone.title.value)} renamed to {quote(twin.title.value)}",
                                  rule=twin.title.value, old=gone.title.value, new=twin.title.value))
            pairs.append((gone, twin))
    # A removed and an added rule that apply to the same indicators, each the only one of its side
    # that does: the same rule renamed and changed (its changes follow, under its new title), not
    # one rule dropped and an unrelated one written.
    for gone in list(removed):
        key = _applies_key(gone)
        same_old = [r for r in removed if _applies_key(r) == key]
        same_new = [a for a in added if _applies_key(a) == key]
        if key is None or len(same_old) != 1 or len(same_new) != 1:
            continue
        twin = same_new[0]
        removed.remove(gone)
        added.remove(twin)
        changes.append(Change("metadata", f"rule {quote(gone.title.value)} renamed to {quote(twin.title.value)} "
                              "(it applies to the same indicators; its changes are listed under its new title)",
                              rule=twin.title.value, old=gone.title.value, new=twin.title.value))
        pairs.append((gone, twin))
    for rule in removed:
        changes.append(Change("coverage", f"rule {quote(rule.title.value)} removed (it had: {_rule_summary(rule)})",
                              rule=rule.title.value, old=_rule_summary(rule)))
    for rule in added:
        changes.append(Change("coverage", f"rule {quote(rule.title.value)} added: {_rule_summary(rule)}",
                              rule=rule.title.value, new=_rule_summary(rule)))
    for before, after in pairs:
        title = after.title.value
        name = f"rule {quote(title)}"
        old_sel = before.applies.selector if before.applies else None
        new_sel = after.applies.selector if after.applies else None
        if selector_key(old_sel) != selector_key(new_sel):
            old_w = selector_text(old_sel) if old_sel else "(nothing)"
            new_w = selector_text(new_sel) if new_sel else "(nothing)"
            changes.append(Change("coverage", f"{name}: applies to changed from {old_w} to {new_w}",
                                  rule=title, old=old_w, new=new_w))
        if before.reporting != after.reporting:
            changes.append(Change("payment", f"{name}: reporting changed from {before.reporting} to {after.reporting}",
                                  rule=title, old=before.reporting, new=after.reporting))
        if _only_when_key(before) != _only_when_key(after):
            was = condition_text(before.only_when) if before.only_when else "(every eligible practice)"
            now = condition_text(after.only_when) if after.only_when else "(every eligible practice)"
            changes.append(Change("eligibility", f"{name}: only when changed from {was} to {now}",
                                  rule=title, old=was, new=now))
        was_points = before.points.points if before.points else None
        now_points = after.points.points if after.points else None
        if was_points != now_points:
            words = lambda v: decimal_text(v) if v is not None else "(the year's own)"  # noqa: E731
            changes.append(Change("payment", f"{name}: points changed from {words(was_points)} to {words(now_points)}",
                                  rule=title, old=words(was_points), new=words(now_points)))
        for label, get in (("pay", lambda r: r.pay), ("on request", lambda r: r.on_request)):
            old_b = get(before).basis if get(before) else None
            new_b = get(after).basis if get(after) else None
            if basis_key(old_b) == basis_key(new_b):
                continue
            if old_b is None:
                message = f"{name}: {label} added: {basis_text(new_b)}"
            elif new_b is None:
                message = f"{name}: {label} removed (was {basis_text(old_b)})"
            else:
                message = f"{name}: {label} changed from {basis_text(old_b)} to {basis_text(new_b)}"
            changes.append(Change("payment", message, rule=title, old=_basis_words(old_b), new=_basis_words(new_b)))

    old_codes, old_problem = _resolved(old)
    new_codes, new_problem = _resolved(new)
    if old_problem or new_problem:
        side = "old" if old_problem else "new"
        notes.append(f"indicator codes not resolved ({side} version: {old_problem or new_problem}); "
                     "coverage is compared by selector only")
        return changes
    for before, after in pairs:
        was, now = old_codes[id(before)], new_codes[id(after)]
        gained = [c for c in now if c not in set(was)]
        lost = [c for c in was if c not in set(now)]
        title = after.title.value
        if gained:
            changes.append(Change("coverage", f"rule {quote(title)} now also pays: {codes_text(gained)}",
                                  rule=title, new=gained))
        if lost:
            changes.append(Change("coverage", f"rule {quote(title)} no longer pays: {codes_text(lost)}",
                                  rule=title, old=lost))
    covered_before = [c for codes in old_codes.values() for c in codes]
    covered_after = [c for codes in new_codes.values() for c in codes]
    newly = sorted(set(covered_after) - set(covered_before))
    gone = sorted(set(covered_before) - set(covered_after))
    if newly:
        changes.append(Change("coverage", f"indicators newly covered: {codes_text(newly)}", new=newly))
    if gone:
        changes.append(Change("coverage", f"indicators no longer covered: {codes_text(gone)}", old=gone))
    return changes


def _field_date(field_) -> ast.Date | None:
    return field_.date if field_ is not None else None


def date_words(date: ast.Date | None) -> str | None:
    """A date as the diff shows it: as written, and for a month or a year what it means."""
    if date is None:
        return None
    when = date.when
    if date.precision == "day" or when is None:
        return date.text
    return f"{date.text} (some day in {when.text})"


def _precision_note(was: ast.Date | None, now: ast.Date | None) -> str:
    """', the same date given more precisely' when one version narrows the other's days (June 2014
    to 17 June 2014), or less precisely the other way; '' for a different date."""
    if was is None or now is None or was.when is None or now.when is None or was.when == now.when:
        return ""
    old, new = was.when, now.when
    if old.earliest <= new.earliest and new.latest <= old.latest:
        return ", the same date given more precisely"
    if new.earliest <= old.earliest and old.latest <= new.latest:
        return ", the same date given less precisely"
    return ""


def _runs_note(old_runs: ast.RunsField, new_runs: ast.RunsField) -> str:
    """', the same period given more precisely' when every date that changed was narrowed (or, less
    precisely, widened); '' otherwise."""
    notes = {_precision_note(was, now) for was, now in ((old_runs.start, new_runs.start), (old_runs.end, new_runs.end))
             if was.text != now.text}
    return notes.pop().replace("date", "period") if len(notes) == 1 and "" not in notes else ""


def _date_change(label: str, was: ast.Date | None, now: ast.Date | None) -> list[Change]:
    """One change for a date that changed, compared as written (so '2014-06' and '2014-06-17'
    differ: the second says more)."""
    if (was.text if was else None) == (now.text if now else None):
        return []
    old_w, new_w = date_words(was), date_words(now)
    return [Change("dates", f"{label} changed from {old_w or '(not stated)'} to {new_w or '(not stated)'}"
                   f"{_precision_note(was, now)}", old=was.text if was else None, new=now.text if now else None)]


def _bodies_change(group: str, label: str, old_field, new_field) -> list[Change]:
    def describe(f):
        if f is None:
            return "(not stated)"
        return bodies_text(f.bodies) if f.bodies else "none"
    old_keys = {body_key(b) for b in old_field.bodies} if old_field else None
    new_keys = {body_key(b) for b in new_field.bodies} if new_field else None
    if old_keys == new_keys:
        return []
    if old_keys and new_keys:
        old_b = {body_key(b): b for b in old_field.bodies}
        new_b = {body_key(b): b for b in new_field.bodies}
        out = [Change(group, f"{label}: removed {body_text(old_b[k])}", old=body_text(old_b[k]))
               for k in old_b if k not in new_b]
        out += [Change(group, f"{label}: added {body_text(new_b[k])}", new=body_text(new_b[k]))
                for k in new_b if k not in old_b]
        return out
    return [Change(group, f"{label} changed from {describe(old_field)} to {describe(new_field)}",
                   old=describe(old_field), new=describe(new_field))]


def _scheme_wide(old: ast.Scheme, new: ast.Scheme) -> list[Change]:
    changes = []
    if old.pays_for != new.pays_for:
        changes.append(Change("payment", f"pays for changed from {old.pays_for} to {new.pays_for}",
                              old=old.pays_for, new=new.pays_for))
    old_runs, new_runs = old.runs, new.runs
    old_r = (old_runs.start.text, old_runs.end.text) if old_runs else None
    new_r = (new_runs.start.text, new_runs.end.text) if new_runs else None
    if old_r != new_r:
        words = lambda r: f"{r[0]} to {r[1]}" if r else "(not stated)"  # noqa: E731
        note = _runs_note(old_runs, new_runs) if old_runs and new_runs else ""
        changes.append(Change("dates", f"runs: was {words(old_r)}, now {words(new_r)}{note}",
                              old=words(old_r), new=words(new_r)))
    for label, get in (("approved on", lambda s: s.approved), ("consulted on", lambda s: s.consulted)):
        changes += _date_change(label, _field_date(get(old)), _field_date(get(new)))
    changes += _bodies_change("approval", "approved by", old.approved, new.approved)
    changes += _bodies_change("approval", "consulted", old.consulted, new.consulted)
    changes += _instruments(old, new)
    changes += _waivers(old, new)
    if old.id.text != new.id.text:
        changes.append(Change("metadata", f"scheme id changed from {old.id.text} to {new.id.text}",
                              old=old.id.text, new=new.id.text))
    if old.title.value != new.title.value:
        changes.append(Change("metadata", f"title changed from {quote(old.title.value)} to {quote(new.title.value)}",
                              old=old.title.value, new=new.title.value))
    old_sources, new_sources = [t.value for t in old.sources], [t.value for t in new.sources]
    for text in old_sources:
        if text not in new_sources:
            changes.append(Change("metadata", f"source removed: {quote(text)}", old=text))
    for text in new_sources:
        if text not in old_sources:
            changes.append(Change("metadata", f"source added: {quote(text)}", new=text))
    return changes


def _instruments(old: ast.Scheme, new: ast.Scheme) -> list[Change]:
    """Instruments by title; a changed date on the same title is one change, not a removal and an addition."""
    words = lambda f: quote(f.title.value) + (f" {dated_text(f.date)}" if f.date else "")  # noqa: E731
    old_by = {f.title.value: f for f in old.instruments}
    new_by = {f.title.value: f for f in new.instruments}
    changes = [Change("approval", f"instrument removed: {words(old_by[t])}", old=words(old_by[t]))
               for t in old_by if t not in new_by]
    changes += [Change("approval", f"instrument added: {words(new_by[t])}", new=words(new_by[t]))
                for t in new_by if t not in old_by]
    for title in old_by.keys() & new_by.keys():
        changes += _date_change(f"instrument {quote(title)}: made on", old_by[title].date, new_by[title].date)
    return changes


def _waiver_words(waiver: ast.WaiverField) -> dict:
    return {"granted by": bodies_text(waiver.granted_by), "on": date_words(waiver.granted_on),
            "until": waiver.until.text if waiver.until else "(no end date)", "because": quote(waiver.reason.value)}


def _waivers(old: ast.Scheme, new: ast.Scheme) -> list[Change]:
    old_by = {w.rule.text: w for w in old.waivers}
    new_by = {w.rule.text: w for w in new.waivers}
    changes = []
    for rule in sorted(old_by.keys() - new_by.keys()):
        changes.append(Change("approval", f"waiver of {rule} removed", old=_waiver_words(old_by[rule])))
    for rule in sorted(new_by.keys() - old_by.keys()):
        words = _waiver_words(new_by[rule])
        granted = dated_text(new_by[rule].granted_on)
        changes.append(Change("approval", f"waiver of {rule} added: granted by {words['granted by']} {granted}, "
                              f"until {words['until']}, because {words['because']}", new=words))
    for rule in sorted(old_by.keys() & new_by.keys()):
        was, now = _waiver_words(old_by[rule]), _waiver_words(new_by[rule])
        if {"granted by": {body_key(b) for b in old_by[rule].granted_by}} == \
                {"granted by": {body_key(b) for b in new_by[rule].granted_by}}:
            now = dict(now, **{"granted by": was["granted by"]})
        for part in was:
            if was[part] != now[part]:
                note = _precision_note(old_by[rule].granted_on, new_by[rule].granted_on) if part == "on" else ""
                changes.append(Change("approval", f"waiver of {rule}: {part} changed from {was[part]} to {now[part]}"
                                      f"{note}", old=was[part], new=now[part]))
    return changes


def _local_indicators(old: ast.Scheme, new: ast.Scheme) -> list[Change]:
    """Local indicators by code; a changed field is one change, said in the language's words."""
    old_by = {i.code.text: i for i in old.local_indicators}
    new_by = {i.code.text: i for i in new.local_indicators}
    cause = lambda code: f"local indicator {code}"  # noqa: E731
    changes = [Change("local", f"local indicator {code} removed ({quote(old_by[code].title.value)})",
                      rule=cause(code), old=code) for code in old_by if code not in new_by]
    changes += [Change("local", f"local indicator {code} added: {quote(new_by[code].title.value)}, "
                       + "; ".join(local_field_text(f) for f in new_by[code].fields), rule=cause(code), new=code)
                for code in new_by if code not in old_by]
    for code in [c for c in old_by if c in new_by]:
        changes += _field_changes("local", f"local indicator {code}", old_by[code].fields, new_by[code].fields,
                                  ast.LOCAL_KEYWORDS, local_field_text)
        if old_by[code].title.value != new_by[code].title.value:
            changes.append(Change("metadata", f"local indicator {code} renamed to {quote(new_by[code].title.value)}",
                                  old=old_by[code].title.value, new=new_by[code].title.value))
    return changes


def _field_changes(group: str, cause: str, old_fields, new_fields, keywords: dict, field_text) -> list[Change]:
    """One change per field of a block (a local indicator, a top-up, a floor) that differs between
    the versions, by keyword, each said in the language's words; ``cause`` names the block for
    --impact."""
    was = {keywords[type(f)]: field_text(f) for f in old_fields}
    now = {keywords[type(f)]: field_text(f) for f in new_fields}
    changes = []
    for keyword in dict.fromkeys(list(was) + list(now)):
        if was.get(keyword) != now.get(keyword):
            changes.append(Change(group, f"{cause}: {was.get(keyword, f'({keyword} not stated)')} changed to "
                                  f"{now.get(keyword, f'({keyword} not stated)')}", rule=cause,
                                  old=was.get(keyword), new=now.get(keyword)))
    return changes


def adjustment_cause(adjustment) -> str:
    word = "top up" if isinstance(adjustment, ast.TopUp) else "floor"
    return f"{word} {quote(adjustment.title.value)}"


def _adjustments(old: ast.Scheme, new: ast.Scheme) -> list[Change]:
    """Top-ups and floors by kind and title."""
    old_by = {adjustment_cause(a): a for a in old.adjustments}
    new_by = {adjustment_cause(a): a for a in new.adjustments}
    words = lambda a: "; ".join(adjustment_field_text(f) for f in a.fields)  # noqa: E731
    changes = [Change("adjustments", f"{key} removed (it had: {words(old_by[key])})", rule=key, old=words(old_by[key]))
               for key in old_by if key not in new_by]
    changes += [Change("adjustments", f"{key} added: {words(new_by[key])}", rule=key, new=words(new_by[key]))
                for key in new_by if key not in old_by]
    for key in [k for k in old_by if k in new_by]:
        changes += _field_changes("adjustments", key, old_by[key].fields, new_by[key].fields, ast.ADJUSTMENT_KEYWORDS,
                                  adjustment_field_text)
    return changes


# ------------------------------------------------------------------ the diff

def diff_schemes(old: ast.Scheme, new: ast.Scheme, old_name: str = "old", new_name: str = "new") -> SchemeDiff:
    notes: list[str] = []
    changes: list[Change] = []
    old_contract, new_contract = _contract_text(old), _contract_text(new)
    if old_contract != new_contract:
        changes.append(Change("contract", f"contract year changed from {old_contract or '(not stated)'} to "
                              f"{new_contract or '(not stated)'}; each version's indicators are read against its own year",
                              old=old_contract, new=new_contract))
    changes += _eligibility(old, new)
    changes += _rules(old, new, notes)
    changes += _local_indicators(old, new)
    changes += _adjustments(old, new)
    changes += _scheme_wide(old, new)
    order = list(GROUPS)
    changes.sort(key=lambda c: order.index(c.group))  # stable: within a group, the order found
    return SchemeDiff(old_name=old_name, new_name=new_name, old_contract=old_contract, new_contract=new_contract,
                      changes=tuple(changes), notes=tuple(notes))


# ------------------------------------------------------------------ payment impact

def _plain_money(value: Decimal | None) -> str | None:
    return decimal_text(value)


def _causes(before, after, diff: SchemeDiff) -> dict[str, Decimal | None]:
    """For one practice whose payment changed: each cause and the change in pounds it accounts for,
    from comparing the two versions indicator by indicator (IndicatorResult.rule)."""
    causes: dict[str, Decimal | None] = {}
    scheme_wide = [c.message.split(" changed")[0] for c in diff.changes
                   if c.group in ("contract", "payment", "dates") and c.rule is None]

    def add(cause: str, amount: Decimal | None) -> None:
        if cause in causes and causes[cause] is not None and amount is not None:
            causes[cause] += amount
        else:
            causes[cause] = amount if cause not in causes else None

    # Each indicator's scheme payment in whole pence and the rule that paid it, read without making
    # indicator results (results.pence_of): a national diff compares 13,000 practices.
    old_ind, new_ind = before.pence(), after.pence()
    local_codes = {c.rule.removeprefix("local indicator ") for c in diff.changes if c.group == "local"}
    old_adj = {f"{a.kind} {quote(a.title)}": a.payment for a in before.adjustments}
    new_adj = {f"{a.kind} {quote(a.title)}": a.payment for a in after.adjustments}
    for key in dict.fromkeys(list(old_adj) + list(new_adj)):
        was_pay, now_pay = old_adj.get(key, Decimal(0)), new_adj.get(key, Decimal(0))
        if was_pay != now_pay:
            add(key, None if was_pay is None or now_pay is None else minus(now_pay, was_pay))
    absent = (0, 0, None)  # an indicator in one version's year only: paid nothing in the other
    for code in list(old_ind) + [c for c in new_ind if c not in old_ind]:
        in_both = code in old_ind and code in new_ind
        _, was_pay, was_rule = old_ind.get(code, absent)
        _, now_pay, now_rule = new_ind.get(code, absent)
        if was_pay == now_pay:
            continue
        amount = None if was_pay is None or now_pay is None else Decimal(now_pay - was_pay).scaleb(-2)
        if code in local_codes:
            add(f"local indicator {code}", amount)
        elif not in_both:
            add("contract year (indicator in one version's year only)", amount)
        elif before.eligible != after.eligible:
            add("eligibility (" + ("now eligible" if after.eligible else "no longer eligible") + ")", amount)
        elif was_rule != now_rule:
            add(f"indicator moved from rule {quote(was_rule or '(none)')} to rule {quote(now_rule or '(none)')}", amount)
        elif now_rule in diff.changed_rules:
            add(f"rule {quote(now_rule)}", amount)
        elif scheme_wide:
            add("scheme-wide: " + ", ".join(scheme_wide), amount)
        else:
            add(f"rule {quote(now_rule or '(none)')} (unchanged; paid differently through another change)", amount)
    return causes


def impact(diff: SchemeDiff, old_result, new_result) -> dict:
    """Per practice the payment under each version and the difference, with its causes; totals;
    and the practices only one version's evaluation covers (reported, never dropped)."""
    old_by = {p.code: p for p in old_result.practices}
    new_by = {p.code: p for p in new_result.practices}
    practices, total_old, total_new = [], Decimal(0), Decimal(0)
    better = worse = same = unknown = 0
    from .progress import each
    both = [c for c in old_by if c in new_by]
    for code in each(both, what="comparing payments"):
        before, after = old_by[code], new_by[code]
        was, now = before.scheme_payment, after.scheme_payment
        change = None if was is None or now is None else minus(now, was)
        if change is None:
            unknown += 1
        else:
            total_old, total_new = total((total_old, was)), total((total_new, now))
            better += change > 0
            worse += change < 0
            same += change == 0
        entry = {"practice": code, "name": after.name, "old_payment": _plain_money(was),
                 "new_payment": _plain_money(now), "difference": _plain_money(change),
                 "eligible": {"old": before.eligible, "new": after.eligible}, "caused_by": []}
        if change != 0:
            entry["caused_by"] = [{"cause": cause, "amount": _plain_money(amount)}
                                  for cause, amount in _causes(before, after, diff).items()]
        practices.append(entry)
    only_old = [c for c in old_by if c not in new_by]
    only_new = [c for c in new_by if c not in old_by]
    return {
        "dataset": new_result.dataset, "synthetic": new_result.synthetic, "notice": new_result.notice,
        "practices": practices,
        "totals": {"old_payment": decimal_text(total_old), "new_payment": decimal_text(total_new),
                   "change": decimal_text(minus(total_new, total_old)),
                   "better_off": better, "worse_off": worse, "unchanged": same, "unknown": unknown,
                   "eligible": {"old": old_result.eligible_count, "new": new_result.eligible_count}},
        "only_in_old": only_old, "only_in_new": only_new,
        "eligible_only_under_old": [c for c in old_by if c in new_by and old_by[c].eligible and not new_by[c].eligible],
        "eligible_only_under_new": [c for c in old_by if c in new_by and new_by[c].eligible and not old_by[c].eligible],
    }
