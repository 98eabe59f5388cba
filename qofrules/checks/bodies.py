"""Bodies: every body named in a scheme is a kind (and level) qofrules knows."""
from __future__ import annotations

from .. import ast
from .. import bodies as vocabulary
from ..diagnostics import did_you_mean, error
from ..printer import body_text


def _area_bodies(scheme: ast.Scheme):
    """Bodies used to place practices: the scheme's area, and `practice in BODY` conditions."""
    yield from scheme.areas
    if scheme.eligibility is not None:
        yield from condition_bodies(scheme.eligibility)


def _named_bodies(scheme: ast.Scheme):
    for field in scheme.header:
        if isinstance(field, (ast.AreaField, ast.ApprovedField, ast.ConsultedField)):
            yield from field.bodies
        elif isinstance(field, ast.WaiverField):
            yield from field.granted_by
    if scheme.eligibility is not None:
        yield from condition_bodies(scheme.eligibility)


def condition_bodies(condition):
    for leaf in ast.condition_leaves(condition):
        if isinstance(leaf, ast.InArea):
            yield leaf.area


def check(ctx):
    kinds = vocabulary.kinds()
    for body in _named_bodies(ctx.scheme):
        kind = body.kind.text
        if kind not in kinds:
            yield error("QR215", f"unknown kind of body '{kind}'", source=ctx.source, span=body.kind.span,
                        hint=_kind_hint(kind, kinds))
            continue
        levels = vocabulary.levels(kind)
        if body.level is not None and body.level.text not in levels:
            if levels:
                hint = did_you_mean(body.level.text, levels, quote=True) or "levels: " + ", ".join(levels)
            else:
                hint = f'write the name in quotes: {kind} "Name"'
            yield error("QR215", f"'{body.level.text}' is not a level of {kind}", source=ctx.source,
                        span=body.level.span, hint=hint)
    yield from _area_checks(ctx, kinds)


def _kind_hint(kind: str, kinds: dict) -> str:
    """The kind to write for another name of it ('primary-care-trust' is 'pct'), else the kinds
    closest in spelling, else every kind."""
    meant = vocabulary.aliases().get(kind.lower())
    if meant is not None:
        return f"write '{meant}' ({kinds[meant]['description']})"
    return did_you_mean(kind, kinds, quote=True) or "known kinds: " + ", ".join(kinds)


def _area_checks(ctx, kinds):
    """An area must be one qofrules can place practices in, and must be named; otherwise a blank
    column would match, or every practice would, without anyone having said so."""
    for body in _area_bodies(ctx.scheme):
        kind = body.kind.text
        if kind not in kinds:
            continue  # reported above
        column = vocabulary.area_column(body)
        national = kind == "nhs-england" and (body.level is None or body.level.text == "national")
        if column is None and not national:
            yield error("QR217", f"{body_text(body)} is not an area practices can be placed in",
                        source=ctx.source, span=body.span,
                        hint="areas are practices, PCNs, CCGs, ICBs, LMCs, area teams and regions")
        elif column is not None and body.name is None:
            yield error("QR217", f"name the {kind} (e.g. {kind} \"Name\"): without a name it would match "
                        f"practices whose {column} is blank", source=ctx.source, span=body.span)
