"""Properties of the formatter over generated schemes (hypothesis).

Schemes are generated as ASTs, printed by the formatter's own printer, then laid out badly on
purpose (random indentation, spacing after ':' ',' '(' and before ')', header and rule fields
shuffled, comment and blank lines scattered). For every such text x:
parse(fmt(x)) == parse(x) (ignoring positions and field order) and fmt(fmt(x)) == fmt(x).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings, strategies as st

from qofrules import api, ast
from qofrules.formatter import canonical_order, render

# Names that cannot collide with a keyword: a keyword never starts with 'k' followed by a digit.
names = st.from_regex(r"k[0-9][a-z0-9]{0,4}(-[a-z0-9]{1,3})?", fullmatch=True).map(lambda t: ast.Name(text=t))
codes = st.from_regex(r"[A-Z]{2,3}[0-9]{3}", fullmatch=True).map(lambda t: ast.Name(text=t))
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r\n\x85\u2028\u2029"),
                max_size=20).map(lambda v: ast.Text(value=v))
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)).map(
    lambda d: ast.Date(text=d.isoformat(), value=d))
#: Dates as the sources give them, where the language allows a month or a year (docs/language.md, "Dates").
months = st.builds(lambda y, m: ast.Date(text=f"{y}-{m:02d}", value=None, precision="month"),
                   st.integers(2000, 2099), st.integers(1, 12))
whole_years = st.integers(2000, 2099).map(lambda y: ast.Date(text=f"{y}", value=None, precision="year"))
any_dates = st.one_of(dates, months, whole_years)
years = st.integers(2000, 2098).map(lambda y: ast.Year(text=f"{y}/{(y + 1) % 100:02d}", start=y))
decimals = st.builds(lambda whole, frac: Decimal(f"{whole}{frac}"), st.integers(0, 500),
                     st.sampled_from(["", ".5", ".25", ".50"]))

bodies = st.builds(lambda kind, level, name: ast.Body(kind=kind, level=level, name=name),
                   names, st.none() | names, st.none() | texts)
body_lists = st.lists(bodies, min_size=1, max_size=3).map(tuple)

values = st.one_of(texts.map(lambda t: t.value), decimals, dates.map(lambda d: d.value), st.booleans())
leaf_conditions = st.one_of(
    st.builds(lambda by: ast.OptedIn(by=by), st.none() | dates),
    texts.map(lambda t: ast.InPilot(pilot=t)),
    bodies.map(lambda b: ast.InArea(area=b)),
    st.builds(lambda a, c, v: ast.AttributeTest(attribute=a, comparison=c, value=v),
              names, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), values),
    st.just(ast.EveryPractice()),
)
conditions = st.recursive(leaf_conditions, lambda inner: st.one_of(
    st.lists(inner, min_size=2, max_size=3).map(lambda items: ast.AnyOf(items=tuple(items))),
    st.lists(inner, min_size=2, max_size=3).map(lambda items: ast.AllOf(items=tuple(items))),
    inner.map(lambda item: ast.Not(item=item)),
), max_leaves=6)

leaf_bases = st.one_of(
    st.builds(lambda y: ast.Achievement(year=y), st.none() | years),
    st.just(ast.FullPoints()), st.just(ast.NoPoints()),
    decimals.map(lambda p: ast.FixedPoints(points=p)),
)
bases = st.recursive(leaf_bases, lambda inner: st.one_of(
    st.lists(inner, min_size=2, max_size=3).map(lambda items: ast.HigherOf(items=tuple(items))),
    st.lists(inner, min_size=2, max_size=3).map(lambda items: ast.LowerOf(items=tuple(items))),
    st.lists(inner, min_size=2, max_size=3).map(lambda items: ast.AverageOf(items=tuple(items))),
    st.builds(lambda p, b: ast.PercentOf(percent=p, basis=b), decimals, inner),
), max_leaves=5)

terms = st.one_of(
    st.lists(codes, min_size=1, max_size=3).map(lambda c: ast.Codes(codes=tuple(c))),
    st.lists(names, min_size=1, max_size=3).map(lambda g: ast.Groups(groups=tuple(g))),
    st.lists(names, min_size=1, max_size=2).map(lambda d: ast.Domains(domains=tuple(d))),
    dates.map(lambda d: ast.Retiring(date=d)),
    st.just(ast.AllIndicators()), st.just(ast.AllOtherIndicators()),
)
selectors = st.builds(lambda inc, exc: ast.Selector(include=tuple(inc), exclude=tuple(exc)),
                      st.lists(terms, min_size=1, max_size=3), st.lists(terms, max_size=2))

header_fields = st.one_of(
    st.builds(lambda c, y: ast.ContractField(country=c, year=y), names, years),
    body_lists.map(lambda b: ast.AreaField(bodies=b)),
    st.builds(lambda b, d: ast.ApprovedField(bodies=b, date=d if b else None), st.just(()) | body_lists, st.none() | any_dates),
    st.builds(lambda b, d: ast.ConsultedField(bodies=b, date=d if b else None), st.just(()) | body_lists,
              st.none() | any_dates),
    st.builds(lambda a, b: ast.RunsField(start=a, end=b), any_dates, any_dates),
    st.builds(lambda t, d: ast.InstrumentField(title=t, date=d), texts, st.none() | any_dates),
    st.sampled_from([ast.WHOLE_YEAR, ast.MONTHS_RUN]).map(lambda m: ast.PaysForField(mode=m)),
    texts.map(lambda t: ast.SourceField(text=t)),
    conditions.map(lambda c: ast.EligibleField(condition=c)),
    st.builds(lambda r, b, on, until, why: ast.WaiverField(rule=r, granted_by=b, granted_on=on, until=until, reason=why),
              names, body_lists, any_dates, st.none() | dates, texts),
)
rule_fields = st.one_of(
    selectors.map(lambda s: ast.AppliesField(selector=s)),
    st.sampled_from(ast.REPORTING_STATES).map(lambda r: ast.ReportingField(requirement=r)),
    bases.map(lambda b: ast.PayField(basis=b)),
    bases.map(lambda b: ast.OnRequestField(basis=b)),
)
rules = st.builds(lambda title, fields: ast.Rule(title=title, fields=tuple(fields)),
                  texts, st.lists(rule_fields, max_size=4))
schemes = st.builds(lambda ident, title, header, rule_list: ast.Scheme(id=ident, title=title, header=tuple(header),
                                                                       rules=tuple(rule_list)),
                    names, texts, st.lists(header_fields, max_size=6), st.lists(rules, max_size=3))


def _loosen(line: str, draw) -> str:
    """Add spaces after ':' ',' '(' and before ')' outside quoted texts (meaning unchanged)."""
    out, in_text, escaped = [], False, False
    for char in line:
        if in_text:
            out.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_text = False
            continue
        if char == '"':
            in_text = True
        if char == ")" and draw(st.booleans()):
            out.append(" ")
        out.append(char)
        if char in ":,(" and draw(st.booleans()):
            out.append(" " * draw(st.integers(1, 3)))
    return "".join(out)


comment_texts = st.from_regex(r"#[ -~]{0,20}", fullmatch=True).map(str.rstrip)


def _shuffle(lines: list[str], draw) -> list[str]:
    """Shuffle lines, except that lines of the same keyword keep their relative order (the order of
    repeated fields is part of a scheme's meaning; the order of different fields is not)."""
    kinds = [line.split(":", 1)[0] for line in lines]
    slots = draw(st.permutations(kinds))
    queues = {kind: [l for l, k in zip(lines, kinds) if k == kind] for kind in kinds}
    return [queues[kind].pop(0) for kind in slots]


@st.composite
def messy_texts(draw):
    """A generated scheme printed, then laid out badly; returns (scheme AST, text)."""
    scheme = draw(schemes)
    canonical = render(scheme).splitlines()
    scheme_line, rest = canonical[0], canonical[1:]
    header = [l for l in rest[:next((i for i, l in enumerate(rest) if not l.strip()), len(rest))]]
    rule_blocks, current = [], None
    for line in rest[len(header):]:
        if line.strip().startswith("rule "):
            current = [line, []]
            rule_blocks.append(current)
        elif line.strip():
            current[1].append(line)
    header = _shuffle(header, draw)
    out = [scheme_line]
    for line in header:
        out.append(line)
    for rule_line, fields in rule_blocks:
        out.append(rule_line)
        out.extend(_shuffle(fields, draw))
    messy = []
    for line in out:
        for _ in range(draw(st.integers(0, 1))):
            messy.append(" " * draw(st.integers(0, 6)) + draw(comment_texts) if draw(st.booleans()) else "")
        messy.append(" " * draw(st.integers(0, 6)) + _loosen(line.strip(), draw))
    if draw(st.booleans()):
        messy.append(draw(comment_texts))
    return scheme, "\n".join(messy) + "\n"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_texts())
def test_formatting_keeps_the_meaning_and_is_stable(case):
    scheme, text = case
    parsed = api.parse(text)
    assert canonical_order(parsed) == canonical_order(scheme)  # the printer prints what the AST says
    formatted = api.format_text(text)
    assert canonical_order(api.parse(formatted)) == canonical_order(parsed)
    assert api.format_text(formatted) == formatted


@settings(max_examples=60, deadline=None)
@given(schemes)
def test_printing_an_ast_parses_back_to_it(scheme):
    assert canonical_order(api.parse(render(scheme))) == canonical_order(scheme)
