"""Dates: a running period that ends before it starts, or that `pays for: months run` cannot count."""
from __future__ import annotations

import calendar

from .. import ast
from ..diagnostics import error


def check(ctx):
    runs = ctx.scheme.runs
    if runs is None:
        if ctx.scheme.pays_for == ast.MONTHS_RUN:
            yield error("QR232", "'pays for: months run' needs a running period", source=ctx.source,
                        span=ctx.scheme.field(ast.PaysForField).span,
                        hint="add a line such as: runs: 2014-01-01 to 2014-03-31")
        return
    start, end = runs.start.value, runs.end.value
    if start is None or end is None:
        return  # the builder has reported the impossible date
    if end < start:
        yield error("QR231", f"the running period ends ({end}) before it starts ({start})", source=ctx.source,
                    span=runs.span)
        return
    if ctx.scheme.pays_for == ast.MONTHS_RUN:
        last_day = calendar.monthrange(end.year, end.month)[1]
        if start.day != 1 or end.day != last_day:
            yield error("QR232", "'pays for: months run' counts whole calendar months, so the running period "
                        "must start on the 1st of a month and end on the last day of one", source=ctx.source,
                        span=runs.span,
                        hint=f"e.g. runs: {start.replace(day=1)} to {end.replace(day=last_day)}")
