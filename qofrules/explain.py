"""Why is practice X paid £Y? The per-practice trace, from scheme line to pound.

Everything here is read from the evaluation itself: :func:`qofrules.engine.exact.evaluate_practice`
runs exactly as ``run`` runs it, and the trace is its :class:`~qofrules.engine.nodes.Outcome` tree (each
node's account and figures, written as it computed), its rounded points and pounds, the
practice's CPI and each indicator's APDF. Nothing is recalculated here, so the explanation
cannot disagree with the payment it explains; the only figures this module looks up itself are
the inputs it names (list sizes, prevalence counts, the £ per point), to show them beside the
factors they made.

:func:`explain` returns plain data (the JSON form); :func:`explain_text` writes it for people.
"""
from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from . import ast, eligibility
from .compiler import EvaluationTree, RulePlan
from .data.model import Dataset, Practice
from .diagnostics import QofError, did_you_mean, error
from .engine.exact import evaluate_practice
from .money import decimal_text, exact, minus, pounds
from .engine.nodes import Outcome, as_decimal, shown_value
from .printer import basis_text, condition_text, selector_text
from .render import _relative
from .source import Source
from .results import IndicatorResult, PracticeResult, Side

FOUR_DP = Decimal("0.0001")


def _s(value) -> str | None:
    return decimal_text(value) if isinstance(value, Decimal) else None if value is None else str(value)


def _thousands(text: str) -> str:
    """'9639' as '9,639' (a decimal part, if any, kept as written)."""
    whole, dot, rest = text.partition(".")
    return f"{int(whole):,}{dot}{rest}" if whole.lstrip("-").isdigit() else text


# ------------------------------------------------------------------ finding what to explain

def find_practice(dataset: Dataset, code: str) -> Practice:
    """The practice with ``code`` (case-insensitive), with all its data, or a QE020 error naming
    close matches. ``dataset`` may be columnar (data/columnar.py): only that practice is built."""
    wanted = code.strip().upper()
    for index, practice in enumerate(dataset.practices):
        if practice.code.upper() == wanted:
            return dataset.practice_in_full(index) if hasattr(dataset, "practice_in_full") else practice
    codes = [p.code for p in dataset.practices]
    by_name = [p.code for p in dataset.practices if wanted and wanted.casefold() in p.name.casefold()]
    hint = did_you_mean(code, codes)
    if by_name:
        named = ", ".join(by_name[:5]) + (f" and {len(by_name) - 5} more" if len(by_name) > 5 else "")
        hint = (hint + " " if hint else "") + f"practices whose name contains '{code}': {named}"
    if hint is None:
        hint = f"the data set's practice codes run {min(codes)} … {max(codes)}" if codes else "the data set has no practices"
    raise QofError([error("QE020", f"no practice '{code}' in the data set {dataset.name} "
                                   f"({len(codes)} practices)", hint=hint,
                          source=Source(_relative(dataset.origin)) if dataset.origin else None)])


def _check_indicator(tree: EvaluationTree, code: str) -> str:
    known = list(tree.contract.indicators)
    for candidate in known:
        if candidate.upper() == code.strip().upper():
            return candidate
    hint = did_you_mean(code, known) or f"contract {tree.contract.key} lists: {', '.join(known)}"
    raise QofError([error("QE021", f"no indicator '{code}' in contract year {tree.contract.key}", hint=hint,
                          source=Source(f"qofrules explain --indicator {code}", ""))])


# ------------------------------------------------------------------ eligibility

def _answer(answer: eligibility.Answer) -> dict:
    out = {"value": answer.value, "reason": answer.reason}
    if answer.parts:
        out["parts"] = [_answer(p) for p in answer.parts]
    return out


def _eligibility(tree: EvaluationTree, practice: Practice, result: PracticeResult) -> dict:
    """Each condition with the value it looked at. The answers come from the same functions
    ``evaluate_practice`` calls; the overall verdict is the evaluation's own."""
    scheme = tree.scheme
    scope = eligibility.in_scope(practice, scheme.areas)
    out = {"eligible": result.eligible, "reason": result.reason, "area": _answer(scope)}
    field = next((f for f in scheme.header if isinstance(f, ast.EligibleField)), None)
    if scheme.eligibility is not None and scope.value:
        out["condition"] = {"text": condition_text(scheme.eligibility),
                            "line": field.span.line if field else None,
                            "answer": _answer(eligibility.evaluate(scheme.eligibility, practice))}
    elif scheme.eligibility is not None:
        out["condition"] = {"text": condition_text(scheme.eligibility),
                            "line": field.span.line if field else None, "answer": None}
    return out


# ------------------------------------------------------------------ the outcome tree, labelled

def _children_bases(basis) -> list:
    if isinstance(basis, (ast.HigherOf, ast.LowerOf, ast.AverageOf)):
        return list(basis.items)
    if isinstance(basis, ast.PercentOf):
        return [basis.basis]
    return []


def _trace(outcome: Outcome, basis, label: str | None = None) -> dict:
    """The outcome tree as plain data, each node labelled with the scheme words it came from.

    The compiled nodes mirror the basis AST (compiler.basis_node), so the n-th child outcome of
    a ``higher of`` is the n-th candidate as written."""
    node = {"basis": label if label is not None else (basis_text(basis) if basis is not None else None),
            "points": _s(outcome.points), "account": outcome.account}
    if outcome.details:
        node["details"] = {k: shown_value(v) for k, v in outcome.details.items()}
    if outcome.missing:
        node["missing"] = list(outcome.missing)
    bases = _children_bases(basis)
    if outcome.children:
        node["children"] = [_trace(child, bases[i] if i < len(bases) else None)
                            for i, child in enumerate(outcome.children)]
        if isinstance(basis, (ast.HigherOf, ast.LowerOf)) and "chosen" in outcome.details:
            for number, child in enumerate(node["children"], start=1):
                child["chosen"] = number == outcome.details["chosen"]
    return node


def _scheme_trace(tree: EvaluationTree, plan: RulePlan | None, item: IndicatorResult) -> dict:
    if plan is None or item.rule is None:
        return _trace(item.scheme.outcome, None, "national rules")
    field = plan.rule.on_request if item.on_request else plan.rule.pay
    outcome = item.scheme.outcome
    if tree.months_run is not None and outcome.details.get("months_run") is not None and len(outcome.children) == 2:
        # ``pays for: months run``: the blend's children are (the scheme's basis, the national rules).
        node = _trace(outcome, None, f"months run: {tree.months_run} of 12 on the scheme's basis")
        node["children"] = [_trace(outcome.children[0], field.basis),
                            _trace(outcome.children[1], None, "national rules")]
        return node
    return _trace(outcome, field.basis)


# ------------------------------------------------------------------ one indicator

def _line(tree: EvaluationTree, node) -> dict | None:
    if node is None or node.span is None or node.span.line < 1:
        return None
    return {"line": node.span.line, "text": tree.source.line_text(node.span.line).strip()}


def _rule(tree: EvaluationTree, plan: RulePlan | None, item: IndicatorResult) -> dict | None:
    if plan is None or item.rule is None:
        return None
    rule = plan.rule
    applies = next((f for f in rule.fields if isinstance(f, ast.AppliesField)), None)
    reporting = next((f for f in rule.fields if isinstance(f, ast.ReportingField)), None)
    pay = rule.on_request if item.on_request else rule.pay
    only_when = next((f for f in rule.fields if isinstance(f, ast.OnlyWhenField)), None)
    return {"title": rule.title.value, "line": rule.span.line, "text": _line(tree, rule)["text"],
            "applies_to": selector_text(applies.selector) if applies else None,
            "applies_line": _line(tree, applies), "only_when_line": _line(tree, only_when),
            "reporting": rule.reporting, "reporting_line": _line(tree, reporting),
            "points_line": _line(tree, rule.points), "pay_line": _line(tree, pay),
            "lines": _block(tree, rule), "on_request": item.on_request}


def _block(tree: EvaluationTree, node) -> list[dict]:
    """Every line of a rule as written, indentation kept (blank lines left out): the excerpt a
    reader compares with their scheme, with no field skipped."""
    end = node.span.end_line or node.span.line
    header = tree.source.line_text(node.span.line)
    depth = len(header) - len(header.lstrip())
    lines = [{"line": node.span.line, "text": header.rstrip()}]
    for number in range(node.span.line + 1, end + 1):
        text = tree.source.line_text(number).rstrip()
        if not text.strip():
            continue
        if len(text) - len(text.lstrip()) <= depth:  # the block has ended (its span reaches the next one)
            break
        lines.append({"line": number, "text": text})
    return lines


#: An internal source tag in a description of the contract data ("... every 12/12 [clay-1314]",
#: "[bma-qof-1516; patientinfo-1516]"): the keys of its sources list, which mean nothing to a reader;
#: the figures' sources are named in words where they are shown, so a heading leaves the tags out.
_SOURCE_TAG = re.compile(r"\s*\[[a-z0-9][a-z0-9-]*(?:;\s*[a-z0-9][a-z0-9-]*)*\]")


def _heading_description(text: str) -> str:
    return _SOURCE_TAG.sub("", text).strip()


def _apdf(tree: EvaluationTree, practice: Practice, item: IndicatorResult) -> dict:
    price = tree.pricing[item.code]
    if not item.apdf_applies:
        if tree.contract.indicators[item.code].is_local:
            return {"applies": False, "value": None, "note": "the local indicator's price is not adjusted for "
                    "prevalence: factor 1"}
        return {"applies": False, "value": None, "note": f"group {item.group} is not prevalence-adjusted: factor 1"}
    group = tree.contract.groups[price.prevalence_group]
    out = {"applies": True, "value": _s(item.apdf), "national_prevalence": _s(group.national_prevalence.value)}
    found = practice.prevalence.get(tree.contract.year, {}).get(price.prevalence_group)
    if found is not None:
        out.update(register=found.register, list_size=found.list_size)
    return out


def _side(side: Side) -> dict:
    out = {"points": _s(side.points), "payment": _s(side.payment)}
    if side.outcome.missing:
        out["missing"] = list(side.outcome.missing)
    return out


def _pound_formula(points, payment, point_value, cpi, apdf) -> str | None:
    """'10.00 points × £100 × CPI 1.0000 = £1,000.00'; ``cpi`` None where the price is not
    adjusted for list size (a local indicator's own price)."""
    if points is None:
        return None
    text = f"{points} points × £{point_value}" + (f" × CPI {cpi.quantize(FOUR_DP)}" if cpi is not None else "")
    if apdf is not None:
        text += f" × APDF {apdf.quantize(FOUR_DP)}"
    return text + (f" = {pounds(payment)}" if payment is not None else " (£ not computable)")


def _indicator(tree: EvaluationTree, practice: Practice, result: PracticeResult, item: IndicatorResult) -> dict:
    indicator = tree.contract.indicators[item.code]
    plan = tree.plan_for(item.code, practice) if result.eligible else None
    apdf = item.apdf if item.apdf_applies else None
    price = tree.pricing[item.code]
    point_value = decimal_text(as_decimal(price.per_point).quantize(Decimal("0.0001")).normalize()) \
        if indicator.is_local else tree.contract.point_value.value
    cpi = result.cpi if price.list_size else None
    scheme, national = _side(item.scheme), _side(item.national)
    scheme["formula"] = _pound_formula(item.scheme.points, item.scheme.payment, point_value, cpi, apdf)
    national["formula"] = ("a local indicator: national rules pay nothing for it" if indicator.is_local else
                           _pound_formula(item.national.points, item.national.payment, point_value, cpi, apdf))
    scheme["trace"] = _scheme_trace(tree, plan, item)
    national["trace"] = _trace(item.national.outcome, None, "national rules")
    difference = (None if item.scheme.payment is None or item.national.payment is None
                  else minus(item.scheme.payment, item.national.payment))
    maximum = plan.maximum if plan is not None and plan.maximum is not None else indicator.points.value
    return {"indicator": item.code, "description": indicator.description, "group": item.group,
            "local": indicator.is_local, "price": price.account,
            "maximum": decimal_text(as_decimal(Fraction(maximum))), "rule": _rule(tree, plan, item), "basis": item.basis,
            "apdf": _apdf(tree, practice, item), "scheme": scheme, "national": national,
            "difference": _s(difference), "supplied": _supplied(tree, indicator, item)}


def _supplied(tree: EvaluationTree, indicator, item: IndicatorResult) -> list[str]:
    """The figures this indicator's payment used that are not national data (from overrides)."""
    figures = [("points", indicator.points), ("lower threshold", indicator.lower),
               ("upper threshold", indicator.upper)]
    if item.apdf_applies:
        figures.append(("national prevalence", tree.contract.groups[item.group].national_prevalence))
    # the source reads "FILE: LABEL"; the file is named once in the header, the label here
    return [f"{name} {figure.value} (supplied: {figure.source.partition(': ')[2] or figure.source})"
            for name, figure in figures if figure is not None and figure.status == "supplied"]


# ------------------------------------------------------------------ the whole explanation

def explain(tree: EvaluationTree, dataset: Dataset, code: str, indicator: str | None = None) -> dict:
    """The full trace for one practice (optionally one indicator), as plain data."""
    practice = find_practice(dataset, code)
    wanted = _check_indicator(tree, indicator) if indicator else None
    eligibility.check_data_has(tree.scheme, dataset.area_columns, dataset.attribute_names, dataset.name, tree.source)
    with exact():
        result = evaluate_practice(tree, practice)
    contract = tree.contract
    items = [i for i in result.indicators if wanted is None or i.code == wanted]
    supplied = sorted({_relative(f.source) for _, f in contract.figures() if f.status == "supplied"})
    return {
        "scheme": tree.scheme.id.text, "title": tree.scheme.title.value, "file": tree.source.name,
        "contract": contract.key, "dataset": dataset.name, "synthetic": dataset.synthetic,
        "supplied_figures": supplied, "months_run": tree.months_run,
        "practice": {"code": practice.code, "name": practice.name, "list_size": practice.list_size,
                     "areas": dict(practice.areas)},
        "eligibility": _eligibility(tree, practice, result),
        "factors": {
            "point_value": str(contract.point_value.value), "point_value_status": contract.point_value.status,
            "point_value_source": contract.point_value.source,
            "average_list_size": str(contract.average_list_size.value),
            "average_list_size_status": contract.average_list_size.status,
            "cpi": None if result.cpi is None else str(result.cpi),
        },
        "indicator_filter": wanted,
        "indicators": [_indicator(tree, practice, result, i) for i in items],
        "totals": {"indicators": len(result.indicators),
                   "scheme_points": _s(result.scheme_points), "scheme_payment": _s(result.scheme_payment),
                   "national_points": _s(result.national_points), "national_payment": _s(result.national_payment),
                   "difference": _s(result.difference)},
        "adjustments": [a.to_plain() for a in result.adjustments],
        "missing": result.missing,
    }


# ------------------------------------------------------------------ as text

def _signed(value: str | None) -> str:
    if value is None:
        return "—"
    amount = Decimal(value)
    return ("+" if amount > 0 else "") + pounds(amount)


def _money(value: str | None) -> str:
    return pounds(None if value is None else Decimal(value))


def _answer_lines(answer: dict, indent: str) -> list[str]:
    if "parts" in answer and len(answer["parts"]) > 1:
        lines = [f"{indent}{'yes' if answer['value'] else 'no'}, because:"]
        for part in answer["parts"]:
            lines += _answer_lines(part, indent + "  ")
        return lines
    return [f"{indent}{answer['reason']}: {'yes' if answer['value'] else 'no'}"]


def _exceptions(count) -> str:
    """'1 exception', '3 exceptions', or 'unreported exceptions' when the data does not say."""
    if count is None:
        return "unreported exceptions"
    return f"{count} exception" + ("" if count == 1 else "s")


def _trace_lines(node: dict, indent: str) -> list[str]:
    head = node["basis"] or ""
    mark = ""
    if "chosen" in node:
        mark = "✓ chosen: " if node["chosen"] else "  not chosen: "
    lines = [f"{indent}{mark}{head}" + (f" → {node['account']}" if node["account"] and node["account"] != head else "")]
    details = node.get("details", {})
    if "numerator" in details:
        percent = details.get("achievement_percent")
        shown = f"{Decimal(percent).quantize(Decimal('0.01'))}%" if percent is not None else "not a percentage"
        lines.append(f"{indent}    achievement: numerator {details['numerator']}, denominator {details['denominator']}"
                     f" (after {_exceptions(details['exceptions'])})"
                     f" = {shown}; thresholds {details['lower']}% to {details['upper']}%, maximum {details['maximum']} points")
    for child in node.get("children", ()):
        lines += _trace_lines(child, indent + "    ")
    return lines


def explain_text(plain: dict) -> str:
    p = plain["practice"]
    out = [f"Practice {p['code']} {p['name']} (list size {p['list_size']:,})",
           f"Scheme {plain['scheme']} \"{plain['title']}\" ({plain['file']}) — contract {plain['contract']}",
           f"Data: {plain['dataset']}" + (" (SYNTHETIC: no value is a real practice's achievement)"
                                          if plain["synthetic"] else "")]
    for supplied in plain["supplied_figures"]:
        out.append(f"Figures not from national data, supplied by {supplied}")
    if plain["months_run"] is not None:
        out.append(f"Pays for the months run: {plain['months_run']} of 12 on the scheme's basis, the rest on national rules")
    out.append("")
    e = plain["eligibility"]
    out.append(f"Eligible: {'yes' if e['eligible'] else 'no'}")
    out.append("  In the scheme's area?")
    out += _answer_lines(e["area"], "    ")
    if "condition" in e:
        c = e["condition"]
        where = f" (line {c['line']})" if c["line"] else ""
        out.append(f"  Eligible when: {c['text']}{where}")
        if c["answer"] is None:
            out.append("    not tested: the practice is outside the scheme's area")
        else:
            out += _answer_lines(c["answer"], "    ")
    if not e["eligible"]:
        out.append("  Not eligible, so the national rules pay every indicator; the scheme changes nothing.")
    f = plain["factors"]
    out.append("")
    out.append("Payment factors")
    if f["cpi"] is None:  # a year with no QOF, a scheme of top-ups alone: no point is priced
        out.append(f"  No QOF point is priced: contract year {plain['contract']} has no QOF indicators")
    else:
        out.append(f"  £ per point: £{f['point_value']} ({f['point_value_status']}"
                   + (f", {f['point_value_source']}" if f["point_value_source"] else "") + ")")
        out.append(f"  CPI = list size {p['list_size']:,} / national average list size "
                   f"{_thousands(f['average_list_size'])} = {Decimal(f['cpi']).quantize(FOUR_DP)}")
    for item in plain["indicators"]:
        out.append("")
        out += _indicator_lines(item)
    if plain.get("adjustments"):
        out.append("")
        out.append("Paid beside the indicators (top-ups and floors, in the order the scheme gives them)")
        for adjustment in plain["adjustments"]:
            out.append(f"  {adjustment['kind']} \"{adjustment['title']}\": {_money(adjustment['payment'])} — "
                       f"{adjustment['account']}")
    t = plain["totals"]
    out.append("")
    scope = f" (all {t['indicators']} indicator{'' if t['indicators'] == 1 else 's'}" + (f"; shown: {plain['indicator_filter']}" if plain["indicator_filter"] else "") + ")"
    out.append("Totals for the practice" + scope)
    out.append(f"  scheme:         {t['scheme_points'] or '—'} points  {_money(t['scheme_payment'])}")
    out.append(f"  national rules: {t['national_points'] or '—'} points  {_money(t['national_payment'])}")
    out.append(f"  difference the scheme makes: {_signed(t['difference'])}")
    if plain["missing"]:
        out.append("  missing: " + "; ".join(plain["missing"]))
    out.append("Points are rounded to 2 dp and pounds to the penny per indicator; totals are sums of those parts.")
    return "\n".join(out) + "\n"


def _indicator_lines(item: dict) -> list[str]:
    out = [f"{item['indicator']} — {_heading_description(item['description'])} (group {item['group']}, "
           f"maximum {item['maximum']} points)"]
    rule = item["rule"]
    if rule is None:
        out.append("  Rule: none — the practice is not eligible, so the national rules pay it")
    else:
        out.append(f"  Rule: \"{rule['title']}\" (line {rule['line']})"
                   + (" — paid on its 'on request' basis, as the practice asked" if rule["on_request"] else ""))
        width = max(len(str(line["line"])) for line in rule["lines"])
        indent = min(len(line["text"]) - len(line["text"].lstrip()) for line in rule["lines"])
        for line in rule["lines"]:
            out.append(f"    {line['line']:>{max(width, 4)}} | {line['text'][indent:]}")
    for supplied in item.get("supplied", ()):
        out.append(f"  NOT a national figure: {supplied}")
    out.append(f"  Basis: {item['basis']}")
    out += _trace_lines(item["scheme"]["trace"], "    ")
    apdf = item["apdf"]
    if apdf["applies"]:
        if apdf["value"] is None:
            out.append(f"  APDF: not computable ({'; '.join(item['scheme'].get('missing', ())) or 'no prevalence data'})")
        else:
            shown = Decimal(apdf["value"]).quantize(FOUR_DP)
            if "register" in apdf:
                prevalence = Decimal(apdf["register"]) * 100 / Decimal(apdf["list_size"])
                out.append(f"  APDF = practice prevalence {apdf['register']}/{apdf['list_size']} = "
                           f"{prevalence.quantize(FOUR_DP)}% / national {apdf['national_prevalence']}% = {shown}")
            else:
                out.append(f"  APDF = {shown}")
    else:
        out.append(f"  APDF: {apdf['note']}")
    scheme, national = item["scheme"], item["national"]
    if rule is None:
        out.append(f"  Pays (national rules): {national['formula'] or 'not computable: ' + '; '.join(national.get('missing', ()))}")
        return out
    out.append(f"  Scheme pays:   {scheme['formula'] or 'not computable: ' + '; '.join(scheme.get('missing', ()))}")
    out.append("  National rules:")
    out += _trace_lines(national["trace"], "    ")
    out.append(f"  National pays: {national['formula'] or 'not computable: ' + '; '.join(national.get('missing', ()))}")
    out.append(f"  Difference: {_signed(item['difference'])}")
    return out
