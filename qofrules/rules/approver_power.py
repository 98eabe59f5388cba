"""QV102: a body with the power to vary that country's QOF on that date approved the scheme."""
from __future__ import annotations

from .base import COUNTRY_NAMES, ERROR, Rule, body_text, header_span
from ..plainwords import bodies_words, body_words
from .judgement import ON_TOP


def check(ctx):
    approved = ctx.scheme.approved
    if approved is None:
        yield RULE.breach(ctx, "the scheme does not record who approved it; a variation of QOF needs the "
                          "approval of a body with the power to vary it", header_span(ctx),
                          hint='add a line such as: approved: nhs-england area-team "Name" on 2014-01-20')
        return
    if not approved.bodies:
        yield RULE.breach(ctx, "the scheme records that no body approved it ('approved: none'); a variation of "
                          "QOF needs the approval of a body with the power to vary it", approved.span)
        return
    authorities = ctx.authorities
    on = ctx.acted_on
    when = on.phrase + ("" if ctx.approval_when else ", the scheme's start, as the approval date is not recorded")
    country = ctx.country
    conditional = []
    for body in approved.bodies:
        kind = body.kind.text
        if kind in authorities.consult_only:
            others = [b for b in approved.bodies if b.kind.text not in authorities.consult_only]
            if others:
                # Beside the body that approved (a national change "agreed with GPC England"): a
                # mis-recording to correct, not a scheme without approval.
                who = bodies_words(others)
                yield RULE.not_recorded(ctx, f"{body_words(body)} is recorded as approving beside {who}, but it never "
                                        f"approves: {authorities.consult_only[kind]['why']}", body.span,
                                        hint=f"record it under 'consulted:' (consulted: {body_text(body)}), and "
                                             "leave on 'approved:' only the body that approved")
                continue
            yield RULE.breach(ctx, f"{body_words(body)} cannot approve a scheme: {authorities.consult_only[kind]['why']}",
                              body.span, hint="record it under 'consulted:' and name the body that approved")
            continue
        if kind in authorities.no_power:
            yield RULE.breach(ctx, f"{body_words(body)} has no power to approve a variation of QOF. "
                              f"{authorities.no_power[kind]['why']}", body.span)
            continue
        gone = authorities.not_there(body, country, on)
        if gone is not None and gone.reason != "unknown":
            continue  # QV115 says the body could not act there or then (or that it depends on the day)
        if kind in (authorities.unknown_power or {}):
            yield RULE.cannot_judge(ctx, f"whether {body_words(body)} could approve a variation of {ctx.country_name}'s QOF "
                                    f"is not known: {authorities.unknown_power[kind]['why']}", body.span,
                                    hint="record the approval of the body that holds the power (for a national "
                                         "change, the government), or establish the board's power by hand")
            continue
        entries = authorities.entries(body)
        if not entries:
            yield RULE.cannot_judge(ctx, f"qofrules has no record of the powers of a '{kind}'"
                                    + (f" at level '{body.level.text}'" if body.level else "")
                                    + f" over {ctx.country_name}'s QOF, so whether it could approve cannot be judged",
                                    body.span, hint="qofrules/contracts/authorities.yaml lists who may approve "
                                    "what; a reviewer must establish this body's power by hand")
            continue
        for_country = [p for p in entries if country in p.countries]
        if not for_country:
            over = sorted({c for p in entries for c in p.countries})
            yield RULE.breach(ctx, f"{body_words(body)} has power over the QOF of "
                              f"{' and '.join(COUNTRY_NAMES.get(c, c) for c in over)} only, not "
                              f"{ctx.country_name}'s", body.span, hint=f"source: {entries[0].source}")
            continue
        in_force = [p for p in for_country if p.covers(on) is True]
        if not in_force:
            windows = "; ".join(f"{p.power} power {p.window()}" for p in for_country)
            unsure = [p for p in for_country if p.covers(on) is None]
            if unsure:
                yield ctx.depends_on_the_day(
                    RULE, on, f"whether {body_words(body)} could approve a variation of {ctx.country_name}'s QOF {when} "
                    f"depends on the day: it has {windows}", body.span,
                    hint="record the day of approval as the sources give it (approved: ... on YYYY-MM-DD)"
                    if not on.exact else f"a reviewer must establish the day by hand; source: {unsure[0].source}")
                continue
            yield RULE.breach(ctx, f"{body_words(body)} had no power to approve a variation of {ctx.country_name}'s QOF "
                              f"{when}: it has {windows}", body.span, hint=f"source: {for_country[0].source}")
            continue
        if body.name is None and (kind in ("ccg", "icb") or (body.level is not None and body.level.text != "national")):
            yield RULE.not_recorded(ctx, f"the approving {body_words(body)} is not named, so its authority cannot "
                                    "be confirmed", body.span, hint=f'name it: {body_text(body)} "Name"')
        if all(p.condition for p in in_force):
            conditional.append((body, in_force[0].condition))
    if conditional:
        names = bodies_words([b for b, _ in conditional])
        kind = conditional[0][0].kind.text
        why = (f"a {kind} may approve a local alternative only if it did; whether a {kind} needed it to pay "
               "practices on top of national QOF is not recorded either" if ctx.judgement.kind == ON_TOP
               else f"a {kind} may approve a local alternative only if it did")
        yield RULE.not_recorded(ctx, f"qofrules cannot tell whether {names} {conditional[0][1]} {when}; {why}, so "
                                "the reviewer must confirm it", approved.span)

RULE = Rule(
    code="QV102", name="approver-has-power",
    title="A body with the power to vary that country's QOF on that date approved the scheme",
    severity=ERROR,
    severity_reason="A scheme approved by a body without the power to approve it has no force: practices "
                    "would be paid outside their contract. Facts qofrules cannot establish (an unnamed "
                    "approver; whether a CCG held delegated commissioning) are warnings for the reviewer.",
    source="NHS England is legally responsible for commissioning primary care in England; under "
           "co-commissioning (NHS England board, November 2014) CCGs with delegated commissioning could "
           "run local alternatives to QOF from April 2015; integrated care boards hold delegated "
           "commissioning from 1 July 2022 (NHS England QOF guidance 2023/24); Wales, Scotland and "
           "Northern Ireland have their own contracts and authorities; LMCs are consulted and never "
           "approve; changes to QOF are negotiated with the BMA's GP Committee (NHS England QOF guidance "
           "2020/21), which does not make them. Dates and sources: qofrules/contracts/authorities.yaml.",
    explanation="Each body on the `approved:` line is looked up in the authorities data: the kinds of "
                "body that may approve a variation of which country's QOF, and from when until when. "
                "The power is tested on the approval date, or on the scheme's start when no approval "
                "date is recorded. An LMC, a practice, a primary care network or an STP never approves; "
                "nor do the GPC and the BMA, which negotiate the contract and are consulted: approval by "
                "one of them alone is an error, and one recorded beside the body that did approve (a "
                "national change \"agreed with GPC England\") is a warning to record it under "
                "`consulted:`. A CCG before April 2015 or after June 2022 could not approve; a PCT only "
                "from April 2004 (when QOF began) until March 2013; a devolved government has no power "
                "over England's QOF; whether a health board may vary QOF is not known, so a scheme it "
                "approves cannot be judged. When the power depends on a day the approval date does not "
                "give (approved in 2015, when CCGs' power began on 1 April 2015), the rule says so.",
    breaking_example='''scheme lmc-approved "Approved by the LMC alone"
  contract: england 2013/14
  approved: lmc "Lincolnshire" on 2014-01-20
  runs: 2014-02-01 to 2014-03-31
  eligible when: practice opted in

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    passing_example='''scheme area-team-approved "Approved by the NHS England area team"
  contract: england 2013/14
  approved: nhs-england area-team "Leicestershire and Lincolnshire" on 2014-01-20
  consulted: lmc "Lincolnshire"
  runs: 2014-02-01 to 2014-03-31
  eligible when: practice opted in

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    check=check,
)
