"""What a name in a scheme stands for, in words, for hover and completion (markdown).

Everything said comes from qofrules' own data: the contract year the scheme names (an indicator's
points, thresholds, retirement and their sources; a group; a domain), the bodies vocabulary
(contracts/bodies.yaml) and the validation rules (qofrules/rules). A figure qofrules does not know
is said to be unknown, with why, never guessed.
"""
from __future__ import annotations

from .. import bodies
from .. import contracts as contract_data
from ..contracts.model import ContractYear, Figure
from ..diagnostics import QofError, did_you_mean
from ..rules import all_rules, find_rule
from ..rules.registry import WAIVER_CODES


def load_contract(country: str, year: str) -> ContractYear | None:
    """The shipped contract year, or None where it does not ship (check reports that, QR210/QR211)."""
    try:
        return contract_data.load(country, year)
    except QofError:
        return None


def _figure(figure: Figure | None, unit: str = "") -> str:
    if figure is None:
        return "not recorded"
    if figure.value is None:
        why = f": {figure.note}" if figure.note else ""
        return f"unknown{why} (qofrules refuses to compute with it until it is supplied: --contract-overrides)"
    said = f"{figure.value}{unit} ({figure.status}"
    if figure.source:
        said += f"; source: {figure.source}"
    return said + ")"


def indicator(contract: ContractYear | None, code: str, local: dict | None = None) -> str | None:
    """``local``: the scheme's own indicators (code → (title, 0-based line)), which a scheme
    names as it names national ones."""
    if local and code in local:
        title, line = local[code]
        return f"**{code}**: the scheme's own indicator, \"{title}\" (a local indicator, line {line + 1})"
    if contract is None:
        return None
    found = contract.indicators.get(code)
    if found is None:
        listed = "" if contract.complete else f" (its list is incomplete: {contract.listed} indicators)"
        hint = did_you_mean(code, contract.indicators)
        return (f"**{code}**: not an indicator qofrules lists for {contract.key}{listed}."
                + (f" {hint[0].upper()}{hint[1:]}" if hint else ""))
    group = contract.groups.get(found.group)
    kind = {"register": "a register", "fraction": "a fraction (achievement between thresholds)"}.get(
        found.kind, "unknown (no source read says whether it is a register or a fraction)")
    lines = [f"**{found.code}**: indicator, {contract.key}", "", found.description, "",
             f"- group: {found.group}" + (f" ({group.description})" if group else ""),
             f"- domain: {found.domain}",
             f"- kind: {kind}",
             f"- points: {_figure(found.points)}"]
    if found.lower is not None or found.upper is not None:
        lines.append(f"- lower threshold: {_figure(found.lower, '%')}")
        lines.append(f"- upper threshold: {_figure(found.upper, '%')}")
    if found.stays:
        lines.append(f"- retires: does not retire at the year's end ({found.retires.source})")
    elif found.retires is not None:
        lines.append(f"- retires: {_figure(found.retires)}")
    return "\n".join(lines)


def group(contract: ContractYear | None, code: str) -> str | None:
    if contract is None:
        return None
    found = contract.groups.get(code)
    if found is None:
        hint = did_you_mean(code, contract.groups)
        return (f"**{code}**: not a group of {contract.key}." + (f" {hint[0].upper()}{hint[1:]}" if hint else ""))
    members = [i for i in contract.indicators.values() if i.group == code]
    points = [i.points.value for i in members]
    total = "unknown" if any(p is None for p in points) else str(sum(points))
    lines = [f"**{code}**: indicator group, {contract.key}", "", found.description, "",
             f"- indicators listed: {', '.join(i.code for i in members) or 'none'}",
             f"- points of those listed: {total}",
             f"- prevalence-adjusted: {'yes' if found.prevalence_adjusted else 'no'}"]
    if found.prevalence_adjusted:
        lines.append(f"- national prevalence: {_figure(found.national_prevalence, '%')}")
    return "\n".join(lines)


def domain(contract: ContractYear | None, name: str) -> str | None:
    if contract is None:
        return None
    members = [i for i in contract.indicators.values() if i.domain == name]
    if not members:
        hint = did_you_mean(name, contract.domains)
        return (f"**{name}**: not a domain of {contract.key} (domains: {', '.join(contract.domains)})."
                + (f" {hint[0].upper()}{hint[1:]}" if hint else ""))
    groups = sorted({i.group for i in members})
    return "\n".join([f"**{name}**: domain, {contract.key}", "",
                      f"- groups: {', '.join(groups)}",
                      f"- indicators listed: {len(members)}"])


def rule(key: str) -> str:
    found = find_rule(key)
    if found is not None:
        return "\n".join([f"**{found.code}** ({found.name}): {found.title}", "",
                          f"A validation rule (`qofrules rules {found.code}`); a breach is {_article(found.severity)}.",
                          "", found.explanation, "", f"Source: {found.source}"])
    if key.upper() in WAIVER_CODES:
        return f"**{key.upper()}**: {WAIVER_CODES[key.upper()]} (a finding of the validator about waivers)."
    codes = [r.code for r in all_rules()] + [r.name for r in all_rules()]
    hint = did_you_mean(key, codes)
    return (f"**{key}**: no validation rule has this code or name (`qofrules rules` lists them)."
            + (f" {hint[0].upper()}{hint[1:]}" if hint else ""))


def _article(severity: str) -> str:
    return ("an " if severity[:1] in "aeiou" else "a ") + severity


def body_kind(kind: str) -> str:
    spec = bodies.kinds().get(kind)
    if spec is None:
        hint = did_you_mean(kind, bodies.kinds())
        return (f"**{kind}**: not a kind of body qofrules knows (contracts/bodies.yaml)."
                + (f" {hint[0].upper()}{hint[1:]}" if hint else ""))
    lines = [f"**{kind}**: body kind", "", spec["description"]]
    if spec.get("levels"):
        lines += ["", f"- levels: {', '.join(spec['levels'])}"]
    return "\n".join(lines)


def body_level(kind: str, level: str) -> str | None:
    levels = bodies.levels(kind)
    if not levels:
        return None
    if level not in levels:
        return f"**{level}**: not a level of {kind} (levels: {', '.join(levels)})."
    return f"**{level}**: a level of {kind} (levels: {', '.join(levels)})."


def contract_year(contract: ContractYear | None) -> str | None:
    if contract is None:
        return None
    total = contract.total_points
    lines = [f"**{contract.title}**", "",
             f"- indicators listed: {contract.listed}" + ("" if contract.complete else " (incomplete)"),
             f"- points: {'unknown' if total is None else total} of {contract.published_total_points.value}",
             f"- £ per point: {_figure(contract.point_value)}",
             "", f"`qofrules contracts {contract.country} {contract.year}` lists every figure and its source."]
    return "\n".join(lines)
