"""National figures recovered from national practice data, exactly and with provenance
(``qofrules contracts infer DATA``; docs/contracts.md, "Figures derived from data").

A contract year qofrules ships may lack thresholds, national prevalences, the zero-denominator
rule or indicator kinds (``qofrules contracts``). Most can be recovered from the data a user holds:

* **thresholds**: for a fraction indicator every practice strictly between the thresholds lies
  on one line of points against achievement, ``points = G × (D − E) / (F − E)``. Its published
  ACHIEVED_POINTS are rounded to two places, so each such practice bounds the line; two
  practices far apart bound E and F to a small box, and every pair of thresholds of at most two
  decimal places in it (the most an overrides file may give) is tried on *every* practice with
  the engine's own formula in whole numbers (:func:`qofrules.engine.vectorised.national_column`). Exactly
  one pair fitting every practice is recovered; none, or more than one, is said and not written;
* **national prevalence** of a group: the national register over the national list of the
  group's patient list type, from a data set holding every practice in England (checked against
  the practices qofrules ships for the year, ``qofrules/data/reference/``), refused otherwise;
* **the zero-denominator rule**: what every practice with a denominator of 0 scored;
* **an indicator's kind** where the contract year leaves it unknown: fraction if the data gives
  numerators and denominators, register if it gives registers only.

Nothing recovered is presented as published: the overrides file's label says "derived from DATA,
NOT published national figures", and every figure applied from it is ``supplied``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np

from .engine.cells import YearCells
from .contracts.model import SUPPLIED, ContractYear, Figure, Indicator
from .engine.vectorised import Columns, national_column
from .packaged import shipped

#: Candidate thresholds are searched on a grid of hundredths of a percent (the overrides format's
#: two decimal places); a box wider than this many candidates is "not fixed by the data".
MAX_CANDIDATES = 250_000
#: A national prevalence is written to four decimal places (docs/limits.md, "National figures").
PREVALENCE_PLACES = Decimal("0.0001")
HALF_HUNDREDTH = 0.005


@dataclass
class Finding:
    """One figure: what was recovered (or why not), and from what."""

    figure: str                      # 'AF006 thresholds', 'group AF national prevalence'
    key: tuple                       # where it goes in an overrides file
    value: object = None             # None: not recoverable
    provenance: str = ""
    recovered: bool = False
    exact: str = ""                  # the exact value where it is rounded for the file

    def to_plain(self) -> dict:
        value = self.value
        if isinstance(value, dict):
            value = {k: _plain(v) for k, v in value.items()}
        return {"figure": self.figure, "recovered": self.recovered, "value": _plain(value),
                "provenance": self.provenance, **({"exact": self.exact} if self.exact else {})}


def _plain(value):
    return format(value, "f") if isinstance(value, Decimal) else value


@dataclass
class Inference:
    contract: ContractYear
    data_name: str
    synthetic: bool
    basis: str                       # 'qof.zip: 6,410 practices, 1,826,000 rows'
    findings: list[Finding] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # national figures the data was checked against

    @property
    def recovered(self) -> list[Finding]:
        return [f for f in self.findings if f.recovered]

    def to_plain(self) -> dict:
        return {"contract": self.contract.key, "data": self.data_name, "synthetic": self.synthetic,
                "basis": self.basis, "findings": [f.to_plain() for f in self.findings], "checks": self.checks}


# ------------------------------------------------------------------ thresholds

def _decimal_of(hundredths: int) -> Decimal:
    return Decimal(hundredths).scaleb(-2).normalize() if hundredths % 100 else Decimal(hundredths // 100)


def _with_thresholds(indicator: Indicator, lower: int, upper: int) -> Indicator:
    from dataclasses import replace
    return replace(indicator, kind="fraction",
                   lower=Figure(value=_decimal_of(lower), status=SUPPLIED),
                   upper=Figure(value=_decimal_of(upper), status=SUPPLIED))


def fits(indicator: Indicator, maximum: int, numerator, denominator, hundredths, lower: int, upper: int) -> np.ndarray:
    """Which practices' published hundredths the national formula gives with these thresholds (in
    hundredths of a percent), computed by the engine's own whole-number column form."""
    columns = Columns(count=len(numerator), exact_maximum=Fraction(maximum),
                      measures={("Y", "numerator"): numerator, ("Y", "denominator"): denominator})
    computed = national_column(columns, _with_thresholds(indicator, lower, upper), "Y", "no-points")
    return computed.known & (computed.value.hundredths() == hundredths)


def thresholds(indicator: Indicator, maximum: int, cells: YearCells) -> tuple[tuple[int, int] | None, str, int]:
    """((lower, upper) in hundredths of a percent, or None; what was found; practices compared)."""
    numerator, denominator = cells.measure(indicator.code, "numerator"), cells.measure(indicator.code, "denominator")
    hundredths, places = cells.points(indicator.code)
    usable = ~np.isnan(numerator) & ~np.isnan(denominator) & ~np.isnan(hundredths) & (denominator > 0)
    more_places = int(((places > 2) & ~np.isnan(numerator)).sum())
    n, d, p = numerator[usable], denominator[usable], hundredths[usable]
    compared = int(usable.sum())
    if not compared:
        why = "no practice gives NUMERATOR, DENOMINATOR (above 0) and ACHIEVED_POINTS"
        if more_places:
            why += f" ({more_places:,} give ACHIEVED_POINTS with more than two decimal places, which are not used)"
        return None, why, 0
    between = (p > 0) & (p < 100 * maximum)
    x = 100.0 * n / d
    distinct = np.unique(x[between])
    if len(distinct) < 2:
        count = int(between.sum())
        return None, (f"only {count} practice{'' if count == 1 else 's'} between the thresholds (two with different "
                      f"achievement are needed)"), compared
    order = np.flatnonzero(between)
    a, b = order[np.argmin(x[between])], order[np.argmax(x[between])]
    boxes = []
    for ya in ((p[a] / 100 - HALF_HUNDREDTH) / maximum, (p[a] / 100 + HALF_HUNDREDTH) / maximum):
        for yb in ((p[b] / 100 - HALF_HUNDREDTH) / maximum, (p[b] / 100 + HALF_HUNDREDTH) / maximum):
            if yb <= ya:
                continue
            span = (x[b] - x[a]) / (yb - ya)
            lower = x[a] - ya * span
            boxes.append((lower, lower + span))
    if not boxes:
        return None, "the practices between the thresholds do not lie on one line", compared
    low_e = max(0, int(np.floor(min(e for e, _ in boxes) * 100)) - 1)
    high_e = min(10000, int(np.ceil(max(e for e, _ in boxes) * 100)) + 1)
    low_f = max(0, int(np.floor(min(f for _, f in boxes) * 100)) - 1)
    high_f = min(10000, int(np.ceil(max(f for _, f in boxes) * 100)) + 1)
    if (high_e - low_e + 1) * (high_f - low_f + 1) > MAX_CANDIDATES:
        return None, (f"the {int(between.sum()):,} practices between the thresholds do not fix them to two decimal "
                      "places"), compared
    xs, ps = x[between], p[between] / 100.0
    survivors = []
    for e in range(low_e, high_e + 1):
        fs = np.arange(max(low_f, e + 1), high_f + 1)
        if not len(fs):
            continue
        # A float sieve first (a candidate off by a hundredth at any practice between is gone), then
        # every survivor is tried exactly, on every practice.
        t = maximum * (xs[None, :] - e / 100.0) / ((fs[:, None] - e) / 100.0)
        near = (np.abs(t - ps[None, :]) <= HALF_HUNDREDTH + 1e-7).all(axis=1)
        survivors.extend((e, int(f)) for f in fs[near])
    exact = [(e, f) for e, f in survivors if fits(indicator, maximum, n, d, p, e, f).all()]
    between_count = int(between.sum())
    if len(exact) == 1:
        return exact[0], (f"{between_count:,} practices between the thresholds; consistent with every one of the "
                          f"{compared:,} practices that give its achievement"), compared
    if not exact:
        return None, (f"no pair of thresholds of at most two decimal places gives every practice's published points "
                      f"({between_count:,} practices between the thresholds)"), compared
    shown = ", ".join(f"{_decimal_of(e)}/{_decimal_of(f)}" for e, f in exact[:3])
    return None, (f"{len(exact)} pairs of thresholds fit every practice ({shown}{' ...' if len(exact) > 3 else ''}): "
                  "the data does not tell them apart"), compared


# ------------------------------------------------------------------ other figures

def zero_denominator(contract: ContractYear, cells: YearCells) -> tuple[str | None, str]:
    none = full = 0
    for code, indicator in contract.indicators.items():
        if not indicator.is_fraction or not indicator.points.known:
            continue
        denominator = cells.measure(code, "denominator")
        hundredths, _ = cells.points(code)
        zero = (denominator == 0) & ~np.isnan(hundredths)
        none += int((zero & (hundredths == 0)).sum())
        full += int((zero & (hundredths == 100 * indicator.points.value)).sum())
        if int(zero.sum()) != int((zero & ((hundredths == 0) | (hundredths == 100 * indicator.points.value))).sum()):
            return None, f"practices with a denominator of 0 score neither 0 nor full points for {code}"
    if none and not full:
        return "no-points", f"all {none:,} practice × indicator cells with a denominator of 0 score 0 points"
    if full and not none:
        return "full-points", f"all {full:,} practice × indicator cells with a denominator of 0 score full points"
    if none and full:
        return None, f"of the cells with a denominator of 0, {none:,} score 0 points and {full:,} full points"
    return None, "no practice has a denominator of 0 for a fraction indicator"


def kind_of(code: str, cells: YearCells) -> tuple[str | None, str]:
    fraction = int((~np.isnan(cells.measure(code, "numerator")) & ~np.isnan(cells.measure(code, "denominator"))).sum())
    register = int((~np.isnan(cells.measure(code, "register"))).sum())
    if fraction:
        return "fraction", f"{fraction:,} practices give its NUMERATOR and DENOMINATOR"
    if register:
        return "register", f"{register:,} practices give its REGISTER and none a NUMERATOR"
    return None, "the data gives no REGISTER, NUMERATOR or DENOMINATOR for it"


def england_practices(year: str) -> set[str] | None:
    """The practices of England's QOF publication for ``year``, where qofrules ships the list."""
    name = f"england-practices-{year.replace('/', '-')}.txt"
    found = shipped("qofrules.data", "reference", name)
    if not found.is_file():
        return None
    return {line.strip() for line in found.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


def national_coverage(year: str, codes: set[str], assume: bool) -> tuple[bool, str]:
    """Does a data set of these practices cover every practice in England in ``year``?"""
    reference = england_practices(year)
    if reference is None:
        if assume:
            return True, (f"on the user's word (--national) that the data covers every practice in England; qofrules "
                          f"has no list of England's {year} practices to check it against")
        return False, (f"qofrules has no list of England's {year} practices to check that the data covers them all "
                       "(give --national if it does, on your own authority)")
    missing = sorted(reference - codes)
    extra = sorted(codes - reference)
    if missing:
        return False, (f"the data lacks {len(missing):,} of England's {len(reference):,} practices of {year} (e.g. "
                       f"{', '.join(missing[:3])}), so its registers are not England's")
    if extra:
        return False, (f"the data holds {len(extra):,} practices that are not among England's {len(reference):,} of "
                       f"{year} (e.g. {', '.join(extra[:3])})")
    return True, f"the data holds every one of England's {len(reference):,} practices of {year}"


def _prevalence_arrays(data, year: str, group: str):
    from .data.columnar import ColumnarData
    if isinstance(data, ColumnarData):
        found = data.prevalence.get(year)
        g = None if found is None else found.groups.get(group)
        if g is None:
            return None, None
        return found.register[:, g], found.list_size[:, g]
    register = np.full(len(data.practices), np.nan)
    lists = np.full(len(data.practices), np.nan)
    for i, practice in enumerate(data.practices):
        value = practice.prevalence.get(year, {}).get(group)
        if value is not None:
            register[i], lists[i] = value.register, value.list_size
    return register, lists


def national_prevalence(data, year: str, group: str, list_type: str | None, contract_list: str
                        ) -> tuple[Decimal | None, str, str]:
    register, lists = _prevalence_arrays(data, year, group)
    if register is None:
        return None, f"the data has no {year} prevalence rows for {group}", ""
    given = ~np.isnan(register)
    if not given.all():
        missing = [data.practices[i].code for i in np.flatnonzero(~given)[:3].tolist()]
        return None, (f"{int((~given).sum()):,} practices have no {group} row in the {year} prevalence file (e.g. "
                      f"{', '.join(missing)}), so the national register is not known"), ""
    if list_type is not None and list_type != contract_list:
        return None, (f"the data measures {group} against patient list {list_type}; the contract year measures it "
                      f"against {contract_list}"), ""
    total_register, total_list = int(register.sum()), int(lists.sum())
    if not total_register:
        return None, f"England's {group} register is 0, and a national prevalence must be above 0", ""
    exact = Fraction(total_register * 100, total_list)
    value = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(PREVALENCE_PLACES, ROUND_HALF_UP)
    rounded = Fraction(value) != exact
    text = (f"national register {total_register:,} over national {list_type or contract_list} list {total_list:,}"
            + (f" = {_long(exact)}%, written to four decimal places (the most an overrides file may give)" if rounded
               else f" = {value}% exactly"))
    return value, text, f"{total_register}/{total_list} × 100" if rounded else ""


def _long(value: Fraction) -> str:
    from decimal import localcontext
    with localcontext() as context:
        context.prec = 12
        return format(Decimal(value.numerator) / Decimal(value.denominator), "f")


# ------------------------------------------------------------------ everything

def infer(contract: ContractYear, data, *, basis: str, list_types: dict[str, str] | None = None,
          national: bool = False) -> Inference:
    """Every figure ``contract`` lacks that ``data`` (for the contract's year) can give."""
    cells = YearCells(data, contract.year)
    result = Inference(contract=contract, data_name=data.name, synthetic=data.synthetic, basis=basis)
    codes = cells.codes()
    kinds: dict[str, str] = {}
    for code, indicator in contract.indicators.items():
        if indicator.kind_known:
            kinds[code] = indicator.kind
            continue
        kind, why = kind_of(code, cells) if code in codes else (None, "the data has no achievement for it")
        result.findings.append(Finding(figure=f"{code} kind", key=("indicators", code, "kind"), value=kind,
                                       recovered=kind is not None, provenance=why))
        if kind:
            kinds[code] = kind
    if not contract.zero_denominator.known:
        rule, why = zero_denominator(_with_kinds(contract, kinds), cells)
        result.findings.append(Finding(figure="zero-denominator rule", key=("zero_denominator",), value=rule,
                                       recovered=rule is not None, provenance=why))
    for code, indicator in contract.indicators.items():
        if kinds.get(code) != "fraction":
            continue
        known = indicator.lower is not None and indicator.lower.known and indicator.upper is not None \
            and indicator.upper.known
        if not indicator.points.known:
            if not known:
                result.findings.append(Finding(figure=f"{code} thresholds", key=("indicators", code, "thresholds"),
                                               provenance="its points are unknown, and the line of points needs them"))
            continue
        if code not in codes:
            if not known:
                result.findings.append(Finding(figure=f"{code} thresholds", key=("indicators", code, "thresholds"),
                                               provenance=f"the data has no {contract.year} achievement for it"))
            continue
        maximum = indicator.points.value
        if known:
            result.checks.append(_check_known(indicator, maximum, cells))
            continue
        found, why, _ = thresholds(indicator, maximum, cells)
        found, why = _against_national(indicator, found, why)
        value = None if found is None else {"lower": _decimal_of(found[0]), "upper": _decimal_of(found[1])}
        result.findings.append(Finding(figure=f"{code} thresholds", key=("indicators", code, "thresholds"), value=value,
                                       recovered=found is not None, provenance=why))
    used = {i.group for i in contract.indicators.values()}
    covered: tuple[bool, str] | None = None
    for code, group in contract.groups.items():
        if not group.prevalence_adjusted or code not in used:
            continue
        if group.national_prevalence is not None and group.national_prevalence.known:
            continue
        if covered is None:
            covered = national_coverage(contract.year, {p.code for p in data.practices}, national)
        figure = f"group {code} national prevalence"
        if not covered[0]:
            result.findings.append(Finding(figure=figure, key=("groups", code, "national_prevalence"),
                                           provenance=f"not from this data: {covered[1]}"))
            continue
        value, why, exact = national_prevalence(data, contract.year, code, (list_types or {}).get(code),
                                                group.patient_list)
        result.findings.append(Finding(figure=figure, key=("groups", code, "national_prevalence"), value=value,
                                       recovered=value is not None, exact=exact,
                                       provenance=why + (f"; {covered[1]}" if value is not None else "")))
    return result


def _against_national(indicator: Indicator, found, why: str):
    """An overrides file sets both thresholds together: where the contract year has one of them,
    the recovered pair is written only if it agrees (it then repeats the national figure, said so);
    if it disagrees, nothing is written, since a national figure is never replaced unasked."""
    if found is None:
        return found, why
    for end, value in (("lower", found[0]), ("upper", found[1])):
        figure = getattr(indicator, end)
        if figure is not None and figure.known:
            national = int(Decimal(figure.value) * 100)
            if national != value:
                return None, (f"the data's points fit {_decimal_of(found[0])}/{_decimal_of(found[1])}, but the contract "
                              f"year's {end} threshold is {figure.value} ({figure.status}: {figure.source}); not "
                              "written, since qofrules never replaces a national figure unasked: check the source")
            why += f"; its {end} threshold {figure.value} is the contract year's own ({figure.status}), repeated"
    return found, why


def _with_kinds(contract: ContractYear, kinds: dict[str, str]) -> ContractYear:
    from dataclasses import replace
    return contract.with_changes(indicators={c: (i if i.kind_known or c not in kinds else replace(i, kind=kinds[c]))
                                             for c, i in contract.indicators.items()})


def _check_known(indicator: Indicator, maximum: int, cells: YearCells) -> str:
    """Say whether the data agrees with thresholds the contract year already has."""
    numerator, denominator = cells.measure(indicator.code, "numerator"), cells.measure(indicator.code, "denominator")
    hundredths, _ = cells.points(indicator.code)
    usable = ~np.isnan(numerator) & ~np.isnan(denominator) & ~np.isnan(hundredths) & (denominator > 0)
    lower = int(Decimal(indicator.lower.value) * 100)
    upper = int(Decimal(indicator.upper.value) * 100)
    ok = fits(indicator, maximum, numerator[usable], denominator[usable], hundredths[usable], lower, upper)
    shown = f"{indicator.lower.value}/{indicator.upper.value}"
    if ok.all():
        return f"{indicator.code} thresholds {shown} ({indicator.lower.status}): every one of {int(usable.sum()):,} practices agrees"
    return (f"{indicator.code} thresholds {shown} ({indicator.lower.status}): {int((~ok).sum()):,} of "
            f"{int(usable.sum()):,} practices' published points disagree")


# ------------------------------------------------------------------ the overrides file

def label(inference: Inference) -> str:
    kind = "SYNTHETIC data" if inference.synthetic else "practice data"
    return (f"Derived by qofrules contracts infer from {inference.data_name} ({kind}): NOT published national "
            "figures")


def overrides_text(inference: Inference, data_shown: str) -> str:
    """The overrides file (docs/contracts.md), every figure with its provenance beside it as a
    comment, and every figure that could not be recovered said in a comment."""
    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def number(value) -> str:
        text = format(value, "f") if isinstance(value, Decimal) else str(value)
        return text if "." not in text else q(text)

    contract = inference.contract
    out = [f"# Figures derived by 'qofrules contracts infer {data_shown}' for {contract.key}.",
           f"# Derived from {inference.basis}.",
           "# DERIVED FROM PRACTICE DATA, NOT PUBLISHED NATIONAL FIGURES: qofrules marks each one 'supplied' wherever",
           "# it is used. Each figure's provenance is the comment beside it; figures the data could not give are",
           "# listed at the end."]
    if inference.synthetic:
        out.append("# The data is SYNTHETIC: so are these figures.")
    out += [f"overrides: {contract.key}", f"label: {q(label(inference))}"]
    found = {f.key: f for f in inference.recovered}
    if ("zero_denominator",) in found:
        f = found["zero_denominator",]
        out.append(f"zero_denominator: {f.value}  # {f.provenance}")
    groups = [f for f in inference.recovered if f.key[0] == "groups"]
    if groups:
        out.append("groups:")
        for f in groups:
            out.append(f"  {f.key[1]}: {{national_prevalence: {q(format(f.value, 'f'))}}}  # {f.provenance}")
    indicators: dict[str, list[Finding]] = {}
    for f in inference.recovered:
        if f.key[0] == "indicators":
            indicators.setdefault(f.key[1], []).append(f)
    if indicators:
        out.append("indicators:")
        for code in contract.indicators:
            if code not in indicators:
                continue
            parts, notes = [], []
            for f in indicators[code]:
                if f.key[2] == "kind":
                    parts.append(f"kind: {f.value}")
                    notes.append(f"kind: {f.provenance}")
                else:
                    parts.append(f"thresholds: {{lower: {number(f.value['lower'])}, upper: {number(f.value['upper'])}}}")
                    notes.append(f"thresholds: {f.provenance}")
            out.append(f"  {code}: {{{', '.join(parts)}}}  # {'; '.join(notes)}")
    missing = [f for f in inference.findings if not f.recovered]
    if missing:
        out.append("# Not recoverable from this data (still unknown):")
        out += [f"#   {f.figure}: {f.provenance}" for f in missing]
    if inference.checks:
        out.append("# Figures the contract year already has, checked against the data:")
        out += [f"#   {c}" for c in inference.checks]
    return "\n".join(out) + "\n"
