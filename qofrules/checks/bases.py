"""Payment bases: each is computable from what the rule says practices report and what years exist."""
from __future__ import annotations

from .. import ast
from ..diagnostics import error, warning

#: Decimal places a scheme's numbers may have (docs/limits.md, "Numbers in a scheme"): points are
#: paid in hundredths, so a third place could never change a payment; real schemes pay whole
#: percentages of a basis (120%), and four places is far more than any needs.
MAX_PLACES = {"points": 2, "percentage": 4}


def _places(value) -> int:
    return max(0, -value.as_tuple().exponent)


def _precision(node, source):
    """QR237 for a number more precise than it can be paid in."""
    if isinstance(node, (ast.FixedPoints, ast.OnceLowerPassed)):
        what, value, text = "points", node.points, f"{format(node.points, 'f')} points"
    elif isinstance(node, ast.PercentOf):
        what, value, text = "percentage", node.percent, f"{format(node.percent, 'f')}%"
    else:
        return None
    most = MAX_PLACES[what]
    if _places(value) <= most:
        return None
    return error("QR237", f"{text} has {_places(value):,} decimal places; a scheme's {what} may have at most {most}",
                 source=source, span=node.span,
                 hint="points are paid in hundredths (2 decimal places), so more places could never change a payment"
                 if what == "points" else "write the percentage to at most 4 decimal places (e.g. 33.3333%)")


def check(ctx):
    contract = ctx.scheme.contract
    scheme_year = contract.year.start if contract else None
    for rule in ctx.scheme.rules:
        pay = rule.pay
        if pay is not None and rule.reporting == ast.NOT_REQUIRED:
            for node in ast.walk_basis(pay.basis):
                if (isinstance(node, ast.Achievement) and node.year is None) or isinstance(node, ast.OnceLowerPassed):
                    yield error("QR233", f"rule \"{rule.title.value}\" pays on this year's achievement, but "
                                "says reporting is not required", source=ctx.source, span=node.span,
                                hint="pay on full points or an earlier year's achievement, or require reporting")
    for _, field in ctx.scheme.basis_lines():
        for node in ast.walk_basis(field.basis):
            too_precise = _precision(node, ctx.source)
            if too_precise is not None:
                yield too_precise
            if isinstance(node, ast.Achievement) and node.year is not None and node.year.start is not None \
                    and scheme_year is not None and node.year.start >= scheme_year:
                if node.year.start == scheme_year:
                    message = (f"'achievement in {node.year.text}' names the scheme's own contract year")
                    hint = "write plain 'achievement' for this year's achievement"
                else:
                    message = (f"'achievement in {node.year.text}' names a year after the scheme's contract "
                               f"year ({contract.year.text})")
                    hint = "an earlier year's achievement must be of a year already completed"
                yield error("QR234", message, source=ctx.source, span=node.year.span, hint=hint)
            if isinstance(node, ast.PercentOf) and node.percent > 100:
                yield warning("QR235", f"{node.percent}% is more than the whole; points are capped at each "
                              "indicator's maximum", source=ctx.source, span=node.span)
