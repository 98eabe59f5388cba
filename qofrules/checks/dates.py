"""Dates: a running period that ends before it starts, or that `pays for: months run` cannot count.

A running period may be given to the month or the year (``runs: 2014-06 to 2015-03-31``) when the
sources say no more: with ``pays for: whole year`` the period changes no payment, and the
validator judges it as the days it could be. ``pays for: months run`` counts the calendar months
from the scheme's first day, so there the days must be known (QR250).
"""
from __future__ import annotations

import calendar

from .. import ast
from ..dates import DAY, is_before
from ..diagnostics import error, warning


def check(ctx):
    runs = ctx.scheme.runs
    if runs is None:
        if ctx.scheme.pays_for == ast.MONTHS_RUN:
            yield error("QR232", "'pays for: months run' needs a running period", source=ctx.source,
                        span=ctx.scheme.field(ast.PaysForField).span,
                        hint="add a line such as: runs: 2014-01-01 to 2014-03-31")
        return
    start, end = runs.start.when, runs.end.when
    if start is None or end is None:
        return  # the builder has reported the impossible date
    backwards = is_before(end, start)
    if backwards is True:
        yield error("QR231", f"the running period ends ({runs.end.text}) before it starts ({runs.start.text})", source=ctx.source,
                    span=runs.span)
        return
    if backwards is None:
        yield warning("QR251", f"the running period may end before it starts: it starts {start.phrase} and ends "
                      f"{end.phrase}, and which comes first depends on the day, which the dates do not give",
                      source=ctx.source, span=runs.span,
                      hint="give the days the sources give (runs: YYYY-MM-DD to YYYY-MM-DD)")
    if ctx.scheme.pays_for == ast.MONTHS_RUN:
        yield from _months_run(ctx, runs)


def _months_run(ctx, runs):
    imprecise = [date for date in (runs.start, runs.end) if date.precision != DAY]
    for date in imprecise:
        yield error("QR250", f"'pays for: months run' counts the months from the scheme's first day to its last, "
                    f"but {date.text} is {'a month' if date.precision == 'month' else 'a year'}, not a day",
                    source=ctx.source, span=date.span,
                    hint="give the running period to the day (runs: YYYY-MM-DD to YYYY-MM-DD), or, if the "
                         "scheme's bases decide the whole year's payment, say so: pays for: whole year")
    if imprecise:
        return
    start, end = runs.start.value, runs.end.value
    last_day = calendar.monthrange(end.year, end.month)[1]
    if start.day != 1 or end.day != last_day:
        yield error("QR232", "'pays for: months run' counts whole calendar months, so the running period "
                    "must start on the 1st of a month and end on the last day of one", source=ctx.source,
                    span=runs.span,
                    hint=f"e.g. runs: {start.replace(day=1)} to {end.replace(day=last_day)}")
