"""Local indicators, top-ups and floors: each says what it must, once, and fits its contract year.

A local indicator needs its measure, points, price and what the price is adjusted for, and
thresholds (or a target) when it is a percentage; its code must not be one the year already has.
A top-up needs an amount with its unit; a floor needs what it is at least. A rule may change an
indicator's points (``points:``), but not so that the scheme's national indicators are worth
more in all than the year itself publishes.
"""
from __future__ import annotations

from .. import ast
from ..diagnostics import Related, did_you_mean, error, warning

_REQUIRED = (
    (ast.MeasureField, "its measure", "measure: percentage   (or: measure: register)"),
    (ast.LocalPointsField, "its points", "points: 10"),
    (ast.PriceField, "what a point is worth", "price: as a QOF point   (or: price: £125 per point)"),
    (ast.AdjustedField, "what its price is adjusted for", "adjusted for: list size   (or: adjusted for: nothing)"),
)


def _duplicates(fields, keywords: dict, owner: str, source):
    seen: dict[type, ast.Node] = {}
    for field in fields:
        kind = type(field)
        if kind in seen:
            yield error("QR406", f"{owner} gives '{keywords[kind]}' more than once", source=source, span=field.span,
                        related=[Related(message="first given here", span=seen[kind].span)])
        seen.setdefault(kind, field)


def _local(local: ast.LocalIndicator, ctx, seen: dict):
    source, contract = ctx.source, ctx.contract
    code = local.code.text
    owner = f"local indicator {code}"
    yield from _duplicates(local.fields, ast.LOCAL_KEYWORDS, owner, source)
    if code in seen:
        yield error("QR405", f"two local indicators are called {code}", source=source, span=local.code.span,
                    related=[Related(message="the other", span=seen[code].code.span)],
                    hint="each local indicator needs its own code, as the data names it")
    seen.setdefault(code, local)
    if contract is not None and code in contract.national_indicators:
        yield error("QR401", f"{code} is already an indicator of {contract.key}: a local indicator needs a code "
                    "of its own", source=source, span=local.code.span,
                    hint=f"give it a local code the data uses, e.g. LOCAL-{code}; to change how {code} is paid, "
                         "write a rule that applies to it")
    kinds = {type(f) for f in local.fields}
    for kind, keyword, example in _REQUIRED:
        if kind not in kinds:
            yield error("QR403", f"{owner} does not say {keyword}", source=source, span=local.code.span,
                        hint=f"add a line such as: {example}")
    has_range = ast.ThresholdsField in kinds or ast.TargetField in kinds
    if local.measure == ast.PERCENTAGE and not has_range:
        yield error("QR403", f"{owner} is a percentage but gives no thresholds", source=source, span=local.code.span,
                    hint="add 'thresholds: 40% to 90%' (points rise between them) or 'target: 90%' (all or nothing)")
    if ast.ThresholdsField in kinds and ast.TargetField in kinds:
        target = next(f for f in local.fields if isinstance(f, ast.TargetField))
        yield error("QR404", f"{owner} gives both thresholds and a target", source=source, span=target.span,
                    hint="a target is one threshold (all or nothing); keep one of the two lines")
    for field in local.fields:
        if local.measure == ast.REGISTER and isinstance(field, (ast.ThresholdsField, ast.TargetField)):
            yield error("QR404", f"{owner} is a register, which scores in full when it is kept: it has no "
                        "thresholds", source=source, span=field.span,
                        hint="remove the line, or make the measure a percentage")
        if isinstance(field, ast.ThresholdsField):
            if field.lower >= field.upper:
                yield error("QR402", f"{owner}'s thresholds are out of order: {field.lower}% to {field.upper}% "
                            "(the lower must be below the upper)", source=source, span=field.span,
                            hint="write the lower threshold first; for one threshold write 'target: N%'")
            for value in (field.lower, field.upper):
                if value > 100:
                    yield error("QR402", f"{value}% is not a threshold: achievement is at most 100%",
                                source=source, span=field.span)
        if isinstance(field, ast.TargetField) and (field.target > 100 or field.target <= 0):
            yield error("QR402", f"{field.target}% is not a target: it must be above 0% and at most 100%",
                        source=source, span=field.span)
        if isinstance(field, ast.LocalPointsField) and field.points <= 0:
            yield error("QR403", f"{owner} is worth {field.points} points: a local indicator needs points above 0",
                        source=source, span=field.span)
        if isinstance(field, ast.PriceField) and field.pounds is not None and field.pounds <= 0:
            yield warning("QR407", f"{owner} pays {field.text}: nothing", source=source, span=field.span)
        if isinstance(field, ast.AdjustedField) and field.prevalence_group is not None and contract is not None:
            name = field.prevalence_group
            group = contract.groups.get(name.text)
            if group is None or name.text == "LOCAL":
                yield error("QR407", f"{contract.key} has no indicator group {name.text} whose prevalence could "
                            f"adjust {owner}", source=source, span=name.span,
                            hint=did_you_mean(name.text, [g for g in contract.groups if g != "LOCAL"]))
            elif not group.prevalence_adjusted:
                yield error("QR407", f"group {name.text} of {contract.key} is not prevalence-adjusted: it has no "
                            f"national prevalence to adjust {owner} by", source=source, span=name.span,
                            hint="name a prevalence-adjusted group (a disease register), or adjust for list size only")


def _adjustment(adjustment, source, titles: dict):
    word = "top up" if isinstance(adjustment, ast.TopUp) else "floor"
    owner = f"{word} \"{adjustment.title.value}\""
    key = adjustment.title.value.strip().lower()
    if key in titles:
        yield error("QR408", f"two payments beside the indicators are called \"{adjustment.title.value}\"",
                    source=source, span=adjustment.title.span,
                    related=[Related(message="the other", span=titles[key].title.span)],
                    hint="titles name each payment in reports and diffs; make them unique")
    titles.setdefault(key, adjustment)
    yield from _duplicates(adjustment.fields, ast.ADJUSTMENT_KEYWORDS, owner, source)
    if isinstance(adjustment, ast.TopUp):
        if adjustment.amount is None:
            yield error("QR409", f"{owner} does not say how much it pays", source=source, span=adjustment.title.span,
                        hint="add a line such as: amount: £1.50 per patient   (or per practice, or per point)")
        elif adjustment.amount.pounds is not None and adjustment.amount.pounds <= 0:
            yield warning("QR409", f"{owner} pays {adjustment.amount.text} {adjustment.amount.unit}: nothing",
                          source=source, span=adjustment.amount.span)
    elif adjustment.at_least is None:
        yield error("QR409", f"{owner} does not say what a practice is paid at least", source=source,
                    span=adjustment.title.span, hint="add a line such as: at least: achievement in 2019/20")


def _changed_points(ctx):
    """QR410: a rule's ``points:`` on a local indicator, and points that overflow the year's total."""
    from ..selection import coverage
    scheme, contract, source = ctx.scheme, ctx.contract, ctx.source
    covered = coverage(scheme.rules, contract)
    maxima = {code: i.points.value for code, i in contract.national_indicators.items()}
    changing = []
    for index, rule in enumerate(scheme.rules):
        field = rule.points
        if field is None:
            continue
        codes = covered.get(index, [])
        local = [c for c in codes if contract.indicators[c].is_local]
        if local:
            yield error("QR410", f"rule \"{rule.title.value}\" changes the points of local indicator "
                        f"{local[0]}, whose points its own definition states", source=source, span=field.span,
                        hint=f"change 'points:' in local indicator {local[0]} instead")
        if field.points <= 0:
            yield error("QR410", f"rule \"{rule.title.value}\" makes its indicators worth {field.points} points; "
                        "to pay nothing for them, write 'pay: no points'", source=source, span=field.span)
        for code in codes:
            if code in maxima:
                maxima[code] = field.points
        changing.append(field)
    published = contract.published_total_points.value
    if not changing or published is None or any(v is None for v in maxima.values()):
        return
    total = sum(maxima.values())
    if total > published:
        yield error("QR410", f"with the points this scheme sets, the national indicators of {contract.key} are "
                    f"worth {total} points, more than the year's published total of {published}", source=source,
                    span=changing[0].span,
                    hint="points moved to some indicators must be taken from others (England 2021/22 moved 46 "
                         "points from new indicators to prescribing indicators); to pay more on top, use a "
                         "local indicator or a top up")


def _once_passed_on_registers(ctx):
    """QR411: ``N points once lower threshold passed`` on an indicator with no lower threshold."""
    from ..selection import coverage
    covered = coverage(ctx.scheme.rules, ctx.contract)
    for index, rule in enumerate(ctx.scheme.rules):
        if rule.pay is None:
            continue
        nodes = [n for line in (rule.pay, rule.on_request) if line is not None for n in ast.walk_basis(line.basis)
                 if isinstance(n, ast.OnceLowerPassed)]
        registers = [c for c in covered.get(index, ()) if ctx.contract.indicators[c].is_register]
        if nodes and registers:
            shown = ", ".join(registers[:8]) + (f" and {len(registers) - 8} more" if len(registers) > 8 else "")
            yield error("QR411", f"rule \"{rule.title.value}\" pays points once the lower threshold is passed, but "
                        f"{shown} {'is a register' if len(registers) == 1 else 'are registers'}, with no thresholds",
                        source=ctx.source, span=nodes[0].span,
                        hint="apply the rule to fraction indicators only (narrow it with 'except ...')")


def check(ctx):
    seen: dict = {}
    for local in ctx.scheme.local_indicators:
        yield from _local(local, ctx, seen)
    titles: dict = {}
    for adjustment in ctx.scheme.adjustments:
        yield from _adjustment(adjustment, ctx.source, titles)
    if ctx.contract is not None:
        yield from _changed_points(ctx)
        yield from _once_passed_on_registers(ctx)
