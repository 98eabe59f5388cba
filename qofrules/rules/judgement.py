"""Which authority made a scheme: the one decision every validation rule starts from.

The national contract is changed nationally (the Secretary of State's Directions amending the SFE,
announced by NHS England; the devolved governments for their own contracts), for every practice,
and such a change may run from part-way through a year and take effect before its letter. Local
bodies may only offer voluntary local alternatives. So the same scheme text is lawful or not
depending on who made it, and a validator that judged NHS England's own amendments by the rules
for a CCG would reject the law as it was made.

A scheme is judged as one of:

* a **national amendment** — it records the instrument that made it (``instrument:``), or it is
  approved by a body with national power over the country's QOF acting nationally (``nhs-england``
  without a level, or ``national``; ``secretary-of-state``; a devolved government) and applies to
  every practice (no ``area:`` and no ``practice in BODY`` condition);
* a **local variation agreed by the national commissioner** — approved by such a body for an area,
  or by NHS England's regional or area teams (the 2014 schemes);
* a **local alternative by a local body** — approved only by bodies with local power (CCGs with
  delegated commissioning, ICBs, PCTs);
* **made by no body with a recorded power** — judged by every rule that binds local schemes;
* **payments on top of national QOF** — a scheme that pays every national indicator as national
  rules do and only adds money (local indicators on top, top-ups, floors): not a change to the
  national contract at all, so the rules for local alternatives to QOF do not bind it (Hammersmith
  & Fulham's QOF+, Mid and South Essex's 2020/21 top-up). A national amendment stays one.

Which rules judge which kind of scheme is each rule's ``judges`` (``qofrules rules`` prints it).
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import ast
from ..checks.bodies import condition_bodies
from ..printer import body_text
from ..plainwords import and_list, bodies_words, body_words
from .authorities import COMMISSIONER, NATIONAL, UNSURE

NATIONAL_AMENDMENT = "national amendment"
NATIONAL_COMMISSIONER = "local variation agreed by the national commissioner"
LOCAL_BODY = "local alternative by a local body"
NO_AUTHORITY = "scheme made by no body with a recorded power"
ON_TOP = "payments on top of national QOF"

#: Every kind of judgement, in the order docs/rules.md lists them.
JUDGEMENTS = (NATIONAL_AMENDMENT, NATIONAL_COMMISSIONER, LOCAL_BODY, NO_AUTHORITY, ON_TOP)
#: The kinds of scheme that are not national amendments, which the local-scheme rules bind.
LOCAL_SCHEMES = frozenset({NATIONAL_COMMISSIONER, LOCAL_BODY, NO_AUTHORITY})
EVERY_SCHEME = frozenset(JUDGEMENTS)


@dataclass(frozen=True, kw_only=True)
class Judgement:
    kind: str                       # one of JUDGEMENTS
    reason: str                     # one sentence: why the scheme is judged so
    bodies: tuple[ast.Body, ...]    # the bodies whose power decided it
    claimed: bool = False           # judged national because it records an instrument

    def to_plain(self) -> dict:
        return {"kind": self.kind, "reason": self.reason, "bodies": [body_text(b) for b in self.bodies],
                "claimed_by_instrument": self.claimed}


def acts_nationally(body: ast.Body) -> bool:
    """A body acting for the whole country: any body without levels, or NHS England's national level."""
    return body.level is None or body.level.text == "national"


def only_adds_money(scheme: ast.Scheme, contract) -> str | None:
    """What the scheme adds on top of national QOF (local indicators, top-ups, floors), if every
    rule that pays a national indicator pays it as national rules do (this year's achievement, the
    year's points, reporting as usual) — else None: the scheme varies QOF itself."""
    if not scheme.local_indicators and not scheme.adjustments:
        return None
    from ..selection import coverage
    covered = coverage(scheme.rules, contract)
    for index, rule in enumerate(scheme.rules):
        national = [c for c in covered.get(index, ()) if not contract.indicators[c].is_local]
        if not national:
            continue
        as_usual = (rule.pay is not None and isinstance(rule.pay.basis, ast.Achievement) and rule.pay.basis.year is None
                    and rule.on_request is None and rule.points is None and rule.reporting == ast.AS_USUAL)
        if not as_usual:
            return None
    if scheme.pays_for == ast.MONTHS_RUN:
        return None
    parts = []
    if scheme.local_indicators:
        count = len(scheme.local_indicators)
        parts.append(f"{count} local indicator{'' if count == 1 else 's'}")
    for adjustment in scheme.adjustments:
        word = "a top-up" if isinstance(adjustment, ast.TopUp) else "a floor"
        parts.append(f"{word}, \"{adjustment.title.value}\"")
    return ", ".join(parts)


def whole_country(scheme: ast.Scheme) -> bool:
    """The scheme applies to every practice under the contract: no area but the whole country, and
    no condition that picks practices by where they are."""
    for body in scheme.areas:
        if not (body.kind.text == "nhs-england" and acts_nationally(body)):
            return False
    return scheme.eligibility is None or not any(True for _ in condition_bodies(scheme.eligibility))


def restriction_text(scheme: ast.Scheme) -> str:
    """What limits the scheme to part of the country, in plain words."""
    named = [body_words(b) for b in scheme.areas if not (b.kind.text == "nhs-england" and acts_nationally(b))]
    if scheme.eligibility is not None:
        named += [f"practices in {body_words(b)}" for b in condition_bodies(scheme.eligibility)]
    return and_list(named)


def judge(ctx) -> Judgement:
    """The authority that made the scheme, decided from its approvers' powers on the approval date
    (or on its start, when no approval date is recorded), its area and its instruments."""
    on = ctx.acted_on
    when = on.phrase
    # A body that did not exist there or then had no power at all (QV115 says so).
    absent = [b for b in ctx.approvers if ctx.authorities.absent(b, ctx.country, on)]
    powers = {id(b): None if b in absent else ctx.authorities.power(b, ctx.country, on) for b in ctx.approvers}
    # A body whose power differs between the days the date could be counts for no power here
    # (QV102 says it depends on the day), so every rule that could bind the scheme runs.
    unsure = [b for b in ctx.approvers if powers[id(b)] == UNSURE]
    national = [b for b in ctx.approvers if powers[id(b)] == NATIONAL]
    instruments = ctx.scheme.instruments
    if instruments:
        title = instruments[0].title.value
        return Judgement(kind=NATIONAL_AMENDMENT, bodies=tuple(national), claimed=True,
                         reason=f"it records the instrument \"{title}\", so it claims to change {ctx.country_name}'s "
                                "national contract")
    acting = [b for b in national if acts_nationally(b)]
    if acting and whole_country(ctx.scheme):
        who = bodies_words(acting)
        return Judgement(kind=NATIONAL_AMENDMENT, bodies=tuple(acting),
                         reason=f"{who} had national power over {ctx.country_name}'s QOF {when}, and the scheme "
                                "applies to every practice")
    added = only_adds_money(ctx.scheme, ctx.contract)
    if added is not None and not (acting and whole_country(ctx.scheme)):
        who = bodies_words(ctx.approvers) or "no body recorded"
        return Judgement(kind=ON_TOP, bodies=tuple(ctx.approvers),
                         reason=f"every national indicator is paid as national rules pay it, and the scheme only "
                                f"adds money ({added}): it does not change the national contract (approved by {who})")
    commissioners = national + [b for b in ctx.approvers if powers[id(b)] == COMMISSIONER]
    if commissioners:
        who = bodies_words(commissioners)
        scope = f"for {restriction_text(ctx.scheme)}" if not whole_country(ctx.scheme) else "through its local teams"
        return Judgement(kind=NATIONAL_COMMISSIONER, bodies=tuple(commissioners),
                         reason=f"{who} agreed it {scope}")
    local = [b for b in ctx.local_approvers() if b not in absent]
    if local:
        who = bodies_words(local)
        return Judgement(kind=LOCAL_BODY, bodies=tuple(local),
                         reason=f"its only approvers with a power ({who}) may offer a local alternative and "
                                "never change the national contract")
    gone = f" ({bodies_words(absent)} did not exist there then: QV115)" if absent else ""
    if unsure:
        gone += (f" (whether {bodies_words(unsure)} had one {when} depends on the day: QV102)")
    return Judgement(kind=NO_AUTHORITY, bodies=(),
                     reason=f"no approver had a recorded power over {ctx.country_name}'s QOF {when}{gone}, so every "
                            "rule that binds local schemes applies")



__all__ = ["NATIONAL_AMENDMENT", "NATIONAL_COMMISSIONER", "LOCAL_BODY", "NO_AUTHORITY", "ON_TOP", "JUDGEMENTS",
           "LOCAL_SCHEMES", "EVERY_SCHEME", "Judgement", "judge", "whole_country", "restriction_text",
           "acts_nationally"]
