"""QV104: a local body's alternative to QOF is a voluntary, opt-in choice for each practice."""
from __future__ import annotations

from .base import ERROR, Rule, eligibility_span, guarantees_opt_in
from ..plainwords import bodies_words
from .judgement import LOCAL_BODY


def check(ctx):
    local = ctx.local_approvers()
    if not local:
        return
    if guarantees_opt_in(ctx.scheme.eligibility):
        return
    who = bodies_words(local)
    yield RULE.breach(ctx, f"the scheme is approved only by a local body ({who}), which may offer practices a "
                      "local alternative to QOF only as a voluntary choice, but practices do not opt in: every "
                      "practice it names is moved off national QOF, and keeps no right to stay on it",
                      eligibility_span(ctx), hint="make joining voluntary: eligible when: practice opted in")


RULE = Rule(
    code="QV104", name="local-alternative-is-opt-in",
    title="A local body's alternative to QOF is opt-in for every practice",
    severity=ERROR,
    severity_reason="A CCG's or ICB's power to run a local alternative exists only on condition that "
                    "practices choose it and keep the right to stay on national QOF; a scheme that moves "
                    "practices without their choice is outside the power that approved it.",
    source="NHS England, 'Next steps towards primary care co-commissioning' (NHS England board, November "
           "2014): moving off the national scheme had to be voluntary for each practice, and practices "
           "kept the right to stay on national QOF; ICBs hold the same delegated commissioning from "
           "1 July 2022 (NHS England QOF guidance 2023/24).",
    explanation="When the only approving bodies are local (CCGs, ICBs) — no NHS England approval — the "
                "scheme's `eligible when:` must admit only practices that opted in (`practice opted in`, "
                "possibly with other conditions joined by `and`). `every practice`, an area or a pilot "
                "alone is not a choice the practice made.",
    breaking_example='''scheme icb-every-practice "Local scheme for every practice"
  contract: england 2023/24
  approved: icb "NHS Example ICB" on 2023-02-01
  consulted: lmc "Example"
  runs: 2023-04-01 to 2024-03-31
  eligible when: every practice

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    passing_example='''scheme icb-opt-in "Local scheme practices choose"
  contract: england 2023/24
  approved: icb "NHS Example ICB" on 2023-02-01
  consulted: lmc "Example"
  runs: 2023-04-01 to 2024-03-31
  eligible when: practice opted in

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    check=check,
    judges=frozenset({LOCAL_BODY}),
)
