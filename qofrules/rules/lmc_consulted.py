"""QV111: an LMC is consulted where a CCG or ICB runs a local alternative."""
from __future__ import annotations

from .base import WARNING, Rule, header_span
from ..plainwords import bodies_words
from .judgement import LOCAL_BODY


def check(ctx):
    local = ctx.local_approvers()
    if not local:
        return
    who = bodies_words(local)
    consulted = ctx.scheme.consulted
    if consulted is None:
        yield RULE.not_recorded(ctx, f"the scheme does not record whether the LMC was consulted on {who}'s local "
                                "alternative", header_span(ctx), hint='add a line such as: consulted: lmc "Name"')
        return
    if not any(body.kind.text == "lmc" for body in consulted.bodies):
        yield RULE.breach(ctx, f"{who} runs a local alternative to QOF, but no LMC is recorded as consulted",
                          consulted.span, hint='consulted: lmc "Name"')


RULE = Rule(
    code="QV111", name="lmc-consulted",
    title="An LMC is consulted where a CCG or ICB runs a local alternative",
    severity=WARNING,
    severity_reason="A warning, not an error: consulting the LMC is a step of the process the "
                    "co-commissioning arrangements require, not a limit on what practices may be paid; "
                    "a missing consultation can be put right before the scheme starts, and the reviewer "
                    "should see that it is. A scheme that does not say whether the LMC was consulted gets "
                    "the same warning.",
    source="NHS England, 'Next steps towards primary care co-commissioning' (NHS England board, November "
           "2014): the LMC was to be consulted on a local incentive scheme run instead of QOF.",
    explanation="When the only approving bodies are local (CCGs, ICBs), the `consulted:` line must name "
                "at least one LMC. Schemes approved by NHS England are not held to this rule (the 2014 "
                "schemes were agreed with the LMCs anyway).",
    breaking_example='''scheme icb-without-lmc "Local alternative, LMC not consulted"
  contract: england 2023/24
  approved: icb "NHS Example ICB" on 2023-02-01
  consulted: none
  runs: 2023-04-01 to 2024-03-31
  eligible when: practice opted in

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    passing_example='''scheme icb-with-lmc "Local alternative, LMC consulted"
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
