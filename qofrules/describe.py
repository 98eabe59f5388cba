"""``qofrules data describe DATA``: what a data set holds — years, practices, indicators, measures,
geography levels — and, for NHS Digital's publication, which file gives what and which files
could not be used, with the reason for each."""
from __future__ import annotations

import numpy as np

from .data import publication
from .data.columnar import ColumnarData
from .loading import Loaded

LEVELS = (("PCN", "PCNs"), ("CCG", "sub-ICB locations (CCG)"), ("ICB", "ICBs"), ("STP", "STPs"),
          ("REGION", "regions"), ("LMC", "LMCs"), ("AREA_TEAM", "area teams"))
FIELD_MEASURES = {"register": "REGISTER", "numerator": "NUMERATOR", "denominator": "DENOMINATOR",
                  "exceptions": "PCAS/EXCEPTIONS", "achieved_points": "ACHIEVED_POINTS"}


def _measures(data, year: str) -> tuple[set[str], list[str]]:
    """(indicator codes given, measures given) for one year."""
    if isinstance(data, ColumnarData):
        columns = data.achievement[year]
        names = [FIELD_MEASURES[f] for f in FIELD_MEASURES if f in columns.matrices
                 and not np.isnan(columns.matrices[f]).all()]
        return data.codes(year), names
    codes, fields = set(), set()
    for practice in data.practices:
        for code, measures in practice.achievement.get(year, {}).items():
            codes.add(code)
            fields.update(f for f in FIELD_MEASURES if getattr(measures, f) is not None)
    return codes, [FIELD_MEASURES[f] for f in FIELD_MEASURES if f in fields]


def _groups(data, year: str) -> list[str]:
    if isinstance(data, ColumnarData):
        found = data.prevalence.get(year)
        return sorted(found.groups) if found else []
    return sorted({g for p in data.practices for g in p.prevalence.get(year, {})})


def describe(loaded: Loaded) -> dict:
    data, survey = loaded.data, loaded.survey
    plain: dict = {"data": loaded.path, "name": data.name, "synthetic": data.synthetic, "notice": data.notice,
                   "layout": ("NHS Digital QOF publication, " + ("zip" if survey.archive else "folder"))
                   if survey else "qofrules data set (dataset.yaml or compact file)",
                   "practices": len(data.practices), "geography": {}, "years": []}
    for column, words in LEVELS:
        if column in data.area_columns:
            plain["geography"][column] = len({p.areas.get(column, "") for p in data.practices})
    years = sorted(set(data.years) | (set(survey.years) if survey else set()), reverse=True)
    for year in years:
        entry: dict = {"year": year}
        if year in data.years:
            codes, measures = _measures(data, year)
            entry["indicators"] = len(codes)
            entry["measures"] = measures
            if year in loaded.rows:
                entry["achievement_rows"] = loaded.rows[year]
        groups = _groups(data, year)
        if groups:
            entry["prevalence_groups"] = groups
        if loaded.read and loaded.read.closed.get(year):
            entry["not_in_data_set"] = len(loaded.read.closed[year])
        if survey:
            entry["files"] = [{"file": f.member, "kind": f.kind} for f in survey.files if f.year == year
                              and f.kind in (publication.ACHIEVEMENT, publication.PREVALENCE, publication.GEOGRAPHY)]
        plain["years"].append(entry)
    if survey:
        plain["practices_from"] = survey.of(publication.GEOGRAPHY, survey.practices_year)[0].member
        plain["list_sizes_from"] = survey.of(publication.PREVALENCE, survey.practices_year)[0].member + " (TOTAL)"
        plain["not_used"] = [{"file": f.member, "why": f.why} for f in survey.unused]
    if loaded.deferred:
        plain["read_exactly_because"] = loaded.deferred
    return plain


def text(plain: dict) -> str:
    out = [f"{plain['data']}: {plain['layout']}", f"  name: {plain['name']}"]
    if plain["synthetic"]:
        out.append("  SYNTHETIC DATA")
    if plain["notice"]:
        out.append(f"  notice: {plain['notice']}")
    practices = f"  practices: {plain['practices']:,}"
    if "practices_from" in plain:
        practices += f" (from {plain['practices_from']}; list sizes from {plain['list_sizes_from']})"
    out.append(practices)
    if plain["geography"]:
        words = dict(LEVELS)
        out.append("  geography: " + ", ".join(f"{count:,} {words[column]}" for column, count in plain["geography"].items()))
    for entry in plain["years"]:
        out.append(f"  {entry['year']}:")
        if "indicators" in entry:
            rows = f", {entry['achievement_rows']:,} rows" if "achievement_rows" in entry else ""
            out.append(f"    achievement: {entry['indicators']} indicators{rows}; measures "
                       + (", ".join(entry["measures"]) or "none"))
        else:
            out.append("    achievement: none")
        if "prevalence_groups" in entry:
            out.append(f"    prevalence: {len(entry['prevalence_groups'])} groups ({', '.join(entry['prevalence_groups'])})")
        if entry.get("not_in_data_set"):
            out.append(f"    {entry['not_in_data_set']:,} practices in this year's files are not in the data set "
                       "(not in the latest geography mapping: closed or merged) and are left out")
        for f in entry.get("files", []):
            out.append(f"    {f['kind']}: {f['file']}")
    if plain.get("not_used"):
        out.append("  not used:")
        out += [f"    {f['file']}: {f['why']}" for f in plain["not_used"]]
    if plain.get("read_exactly_because"):
        out.append(f"  read by the exact reader, because the columnar reader found: {plain['read_exactly_because']}")
    return "\n".join(out) + "\n"
