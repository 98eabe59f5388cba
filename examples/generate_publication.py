"""Synthetic data in the layout of NHS Digital's QOF publication, as it is downloaded: a zip (or a
folder) of CSV files with no qofrules manifest, for tests, benchmarks and the README's walk-through.

What is real and what is not:

* **Real layout**: file names and headers as NHS Digital's publication code writes them
  (``examples/reference/PUBLICATION_LAYOUT.md`` gives each with its source): regional
  ``ACHIEVEMENT_<REGION>_YYZZ.csv`` long files with the region columns first, ``PREVALENCE_YYZZ.csv``,
  ``MAPPING_NHS_GEOGRAPHIES_YYZZ.csv``, ``MAPPING_INDICATORS_YYZZ.csv`` and
  ``ORGANISATION_REFERENCE_YYZZ.csv``.
* **Real reference data**: practice codes, names, PCN, sub-ICB location, ICB and region from
  ``examples/reference/QOF_MANUAL_MAPPINGS.csv`` (2023/24 geography, used for both years), and the
  2023/24 indicators, points, groups and patient list types from
  ``examples/reference/INDICATOR_REFERENCE_CONTROL.csv`` (both NHS Digital, public_metadata).
* **Synthetic**: every value: list sizes, registers, numerators, denominators, PCA counts and
  achieved points; the thresholds and zero-denominator rule the points are scored with (which are
  NOT national figures). A ``SYNTHETIC.txt`` file inside says so, and qofrules shows it with every
  result.

Beside the publication the generator writes ``generator-figures.yaml``: the synthetic thresholds,
zero-denominator rule and national registers and lists it used — the answers that
``qofrules contracts infer`` must recover, kept *outside* the publication so that nothing reads them
by mistake. With ``--few-between`` two indicators are made to have too few practices between their
thresholds (``FEW_BETWEEN``), so that inference must say they cannot be recovered.

Values are drawn with numpy's PCG64 generator seeded from (seed, year, indicator), so output is
byte-for-byte reproducible. Points are scored here in whole numbers, written out independently
of the engine they test.

Usage::

    python examples/generate_publication.py --out DIR [--seed N] [--limit N] [--folder]
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "examples" / "reference"
MAPPINGS = REFERENCE / "QOF_MANUAL_MAPPINGS.csv"
INDICATOR_CONTROL = REFERENCE / "INDICATOR_REFERENCE_CONTROL.csv"
CONTRACTS = ROOT / "qofrules" / "contracts" / "data"

sys.path.insert(0, str(ROOT / "examples"))
from generate import BAND_SHARE, GROUP_MEAN, DEFAULT_GROUP_MEAN  # noqa: E402  (the shared synthetic shapes)

YEAR, PRIOR_YEAR = "2023/24", "2022/23"
SEED = 20240829  # the day NHS Digital published QOF 2023-24 (CONTROL_FILE.csv PubDate)
#: Synthetic thresholds (lower, upper) in percent, some with decimals; picked per indicator by its code.
THRESHOLDS = ((40, 90), (45, 80), (50, 90), (40, 80), (35, 75), (45, 70), (50, 80), (40, 70),
              ("37.5", "72.5"), ("42.25", "85.75"), ("55.5", 90), (30, "60.25"))
ZERO_DENOMINATOR = "no-points"
#: Indicators made to have exactly this many practices strictly between their thresholds.
FEW_BETWEEN = {"CS006": 1, "VI004": 0}
LIST_MEDIAN = 8700
ZIP_TIME = (2024, 8, 29, 9, 30, 0)

GEOGRAPHY_HEADER = ("NAT_ONS_CODE", "NAT_CODE", "NAT_COUNTRY", "REGION_ODS_CODE", "REGION_ONS_CODE", "REGION_NAME",
                    "ICB_ODS_CODE", "ICB_ONS_CODE", "ICB_NAME", "SUB_ICB_ODS_CODE", "SUB_ICB_ONS_CODE", "SUB_ICB_NAME",
                    "PCN_ODS_CODE", "PCN_NAME", "PRACTICE_CODE", "PRACTICE_NAME")
#: MAPPING_NHS_GEOGRAPHIES renames QOF_MANUAL_MAPPINGS' STP_* to ICB_* and CCG_* to SUB_ICB_*.
GEOGRAPHY_FROM = {"ICB_ODS_CODE": "STP_ODS_CODE", "ICB_ONS_CODE": "STP_ONS_CODE", "ICB_NAME": "STP_NAME",
                  "SUB_ICB_ODS_CODE": "CCG_ODS_CODE", "SUB_ICB_ONS_CODE": "CCG_ONS_CODE", "SUB_ICB_NAME": "CCG_NAME"}
ACHIEVEMENT_HEADER = ("REGION_ODS_CODE", "REGION_ONS_CODE", "REGION_NAME", "PRACTICE_CODE", "INDICATOR_CODE",
                      "MEASURE", "VALUE")
PREVALENCE_HEADER = ("PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PATIENT_LIST_TYPE", "PRACTICE_LIST_SIZE")
INDICATORS_HEADER = ("INDICATOR_CODE", "INDICATOR_POINT_VALUE", "GROUP_CODE", "GROUP_DESCRIPTION", "DOMAIN_CODE",
                     "DOMAIN_DESCRIPTION", "PATIENT_LIST_TYPE")
ORGANISATION_HEADER = ("PRACTICE_CODE", "REVISED_MAX_POINTS")


# ------------------------------------------------------------------ reference data

@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    kind: str              # register | fraction
    points: int
    all_or_nothing: bool   # the QI declarations: 1/1 or 0/1


def short(year: str) -> str:
    """'2023/24' -> '2324', as NHS Digital's file names spell a year."""
    return year[2:4] + year[5:7]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def contract(year: str) -> dict:
    return yaml.safe_load((CONTRACTS / f"england-{year.replace('/', '-')}.yaml").read_text(encoding="utf-8"))


def indicators(year: str) -> list[Indicator]:
    """The year's indicators; kinds and points from the 2023/24 contract file (NHS Digital's metadata),
    for an earlier year only the indicators it shares with 2023/24."""
    current = {i["code"]: i for i in contract(YEAR)["indicators"]}
    wanted = current if year == YEAR else {i["code"] for i in contract(year)["indicators"]}
    out = []
    for code, raw in current.items():
        if code in wanted:
            out.append(Indicator(code=code, group=raw["group"], kind=raw["kind"], points=int(raw["points"]["value"]),
                                 all_or_nothing=raw["domain"] == "quality-improvement"))
    return out


def thresholds_of(indicator: Indicator, known: dict) -> tuple[int, int]:
    """(lower, upper) in hundredths of a percent: the contract year's own where it has one or both,
    the rest synthetic from THRESHOLDS by the code alone (not the seed), so every draw scores alike."""
    if indicator.all_or_nothing:
        lower, upper = 0, 100
    else:
        lower, upper = THRESHOLDS[zlib.crc32(indicator.code.encode()) % len(THRESHOLDS)]
    given_lower, given_upper = known.get(indicator.code, (None, None))
    lower = lower if given_lower is None else given_lower
    upper = upper if given_upper is None else given_upper
    low, high = round(float(lower) * 100), round(float(upper) * 100)
    if low >= high:  # a synthetic lower above the contract's upper: keep them 30 points apart
        low = max(0, high - 3000)
    return low, high


def known_thresholds() -> dict[str, tuple]:
    """The thresholds the 2023/24 contract file gives (either may be None: unknown)."""
    found = {}
    for raw in contract(YEAR)["indicators"]:
        bounds = raw.get("thresholds") or {}
        low, high = (bounds.get("lower") or {}).get("value"), (bounds.get("upper") or {}).get("value")
        if low is not None or high is not None:
            found[raw["code"]] = (low, high)
    return found


def groups() -> dict[str, dict]:
    """Prevalence-adjusted groups of 2023/24 and the patient list each is measured against."""
    return {code: raw for code, raw in contract(YEAR)["groups"].items() if raw["prevalence_adjusted"]}


# ------------------------------------------------------------------ drawing

def rng(seed: int, *parts: str) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed] + [zlib.crc32(p.encode()) for p in parts])))


def band(lists: np.ndarray, age: np.ndarray, kind: str) -> np.ndarray:
    """Each practice's patient list of one type (the share of its whole list, moved by its age mix)."""
    share = BAND_SHARE.get(kind, 1.0)
    if share >= 1.0:
        return lists
    weight = 1.0 if share < 0.7 else 0.05 / share
    shares = np.clip(share * (1 + (age - 1) * weight), 0.05, 0.995)
    return np.maximum(1, np.rint(lists * shares)).astype(np.int64)


def score(numerator: np.ndarray, denominator: np.ndarray, points: int, lower: int, upper: int) -> np.ndarray:
    """Achieved points in hundredths: points × (100n/d − L)/(U − L), L and U in hundredths of a
    percent, 2 dp half up; a zero denominator scores ZERO_DENOMINATOR."""
    n, d = numerator.astype(np.int64), denominator.astype(np.int64)
    safe = np.where(d > 0, d, 1)
    top = 200 * points * (10000 * n - lower * safe) + safe * (upper - lower)
    between = (top // (2 * safe * (upper - lower)))
    out = np.where(10000 * n <= lower * safe, 0, np.where(10000 * n >= upper * safe, 100 * points, between))
    zero = 100 * points if ZERO_DENOMINATOR == "full-points" else 0
    return np.where(d == 0, zero, out)


def hundredths_text(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


# ------------------------------------------------------------------ one year

@dataclass
class Year:
    year: str
    registers: dict[str, np.ndarray]      # group -> register per practice
    lists: dict[str, np.ndarray]          # list type -> size per practice
    cells: dict[str, dict[str, np.ndarray]]  # indicator -> measure -> values (NaN-free int arrays)


def draw_year(year: str, practices: list[dict], seed: int, list_sizes: np.ndarray, age: np.ndarray,
              quality: np.ndarray, few_between: bool = False) -> Year:
    count = len(practices)
    prevalence_groups = groups()
    types = {raw.get("patient_list", "TOTAL") for raw in prevalence_groups.values()} | {"TOTAL"}
    lists = {kind: band(list_sizes, age, kind) for kind in sorted(types)}
    registers: dict[str, np.ndarray] = {}
    all_groups = sorted({i.group for i in indicators(year)} | set(prevalence_groups))
    for group in all_groups:
        percent, natural = GROUP_MEAN.get(group, DEFAULT_GROUP_MEAN)
        kind = prevalence_groups.get(group, {}).get("patient_list", natural)
        base = lists.get(kind, band(list_sizes, age, kind))
        draw = rng(seed, year, "register", group)
        factor = draw.lognormal(-0.03125, 0.25, count)
        share = BAND_SHARE.get(natural, 1.0) / BAND_SHARE.get(kind, 1.0)
        registers[group] = np.minimum(base, np.rint(base * float(percent) / 100 * share * factor)).astype(np.int64)
    cells: dict[str, dict[str, np.ndarray]] = {}
    known = known_thresholds()
    for indicator in indicators(year):
        draw = rng(seed, year, "achievement", indicator.code)
        if indicator.kind == "register":
            register = np.ones(count, dtype=np.int64) if indicator.all_or_nothing else registers[indicator.group]
            cells[indicator.code] = {"REGISTER": register, "ACHIEVED_POINTS": np.full(count, 100 * indicator.points)}
            continue
        lower, upper = thresholds_of(indicator, known)
        if indicator.all_or_nothing:
            denominator = np.ones(count, dtype=np.int64)
            numerator = (draw.random(count) < 0.93).astype(np.int64)
            exceptions = np.zeros(count, dtype=np.int64)
        else:
            cohort = draw.uniform(0.45, 1.0)
            eligible = np.minimum(registers[indicator.group],
                                  np.rint(registers[indicator.group] * cohort * draw.uniform(0.92, 1.08, count)))
            rate = np.where(draw.random(count) < 0.05, draw.uniform(0.06, 0.15, count), draw.uniform(0.005, 0.06, count))
            exceptions = np.rint(eligible * rate).astype(np.int64)
            exceptions = np.where(draw.random(count) < 0.004, eligible, exceptions).astype(np.int64)  # all excepted
            denominator = (eligible - exceptions).astype(np.int64)
            mean = (lower + upper) / 20000 + draw.uniform(-0.05, 0.1)
            achieved = np.clip(mean + quality + draw.normal(0, 0.08, count), 0, 1)
            low = draw.random(count) < 0.025
            achieved = np.where(low, draw.uniform(0.1, 0.5, count), achieved)
            numerator = np.minimum(denominator, np.rint(denominator * achieved)).astype(np.int64)
            if few_between and indicator.code in FEW_BETWEEN:
                numerator = _few_between(numerator, denominator, lower, upper, FEW_BETWEEN[indicator.code])
        points = score(numerator, denominator, indicator.points, lower, upper)
        cells[indicator.code] = {"NUMERATOR": numerator, "DENOMINATOR": denominator, "PCAS": exceptions,
                                 "ACHIEVED_POINTS": points}
    return Year(year=year, registers=registers, lists=lists, cells=cells)


def _few_between(numerator: np.ndarray, denominator: np.ndarray, lower: int, upper: int, keep: int) -> np.ndarray:
    """Move every practice strictly between the thresholds to the upper one, but the first ``keep``."""
    d = denominator.astype(np.int64)
    between = (d > 0) & (10000 * numerator > lower * d) & (10000 * numerator < upper * d)
    at_upper = np.minimum(d, -((-upper * d) // 10000))  # ⌈U·d/10000⌉: at or above the upper threshold
    moved = np.where(between, at_upper, numerator)
    for i in np.flatnonzero(between)[:keep].tolist():
        moved[i] = numerator[i]
    return moved


# ------------------------------------------------------------------ writing

def csv_text(header, rows) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")  # as pandas' to_csv on Windows writes them
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def region_file_name(region: str) -> str:
    return region.upper().replace(" ", "_")


def year_files(drawn: Year, practices: list[dict], year_indicators: list[Indicator]) -> dict[str, bytes]:
    """The files of one year of the publication, by name."""
    tag = short(drawn.year)
    files: dict[str, bytes] = {}
    files[f"MAPPING_NHS_GEOGRAPHIES_{tag}.csv"] = csv_text(
        GEOGRAPHY_HEADER, ([row[GEOGRAPHY_FROM.get(c, c)] for c in GEOGRAPHY_HEADER] for row in practices))
    prevalence_groups = groups()
    prevalence_rows = []
    for i, row in enumerate(practices):
        for group in sorted(prevalence_groups):
            kind = prevalence_groups[group].get("patient_list", "TOTAL")
            prevalence_rows.append((row["PRACTICE_CODE"], group, int(drawn.registers[group][i]), kind,
                                    int(drawn.lists[kind][i])))
    files[f"PREVALENCE_{tag}.csv"] = csv_text(PREVALENCE_HEADER, prevalence_rows)
    regions: dict[str, list[int]] = {}
    for i, row in enumerate(practices):
        regions.setdefault(row["REGION_NAME"], []).append(i)
    for region, members in sorted(regions.items()):
        name = region_file_name(region)
        rows = []
        for i in members:
            row = practices[i]
            lead = (row["REGION_ODS_CODE"], row["REGION_ONS_CODE"], name, row["PRACTICE_CODE"])
            for indicator in year_indicators:
                for measure, values in drawn.cells[indicator.code].items():
                    if indicator.code == "DEP004" and measure == "REGISTER":
                        measure = "NEWLY_DIAGNOSED"
                    value = int(values[i])
                    text = hundredths_text(value) if measure == "ACHIEVED_POINTS" else str(value)
                    rows.append(lead + (indicator.code, measure, text))
        files[f"ACHIEVEMENT_{name}_{tag}.csv"] = csv_text(ACHIEVEMENT_HEADER, rows)
    return files


def reference_files(practices: list[dict]) -> dict[str, bytes]:
    """MAPPING_INDICATORS and ORGANISATION_REFERENCE of 2023/24, from NHS Digital's own metadata."""
    control = read_csv(INDICATOR_CONTROL)
    rows = []
    for raw in control:
        patient_list = raw["ADD_PAT_LIST"] or raw["ALT_PAT_LIST"] or "TOTAL"
        rows.append((raw["INDICATOR_CODE"], raw["INDICATOR_POINT_VALUE"], raw["GROUP_CODE"], raw["GROUP_DESCRIPTION"],
                     raw["DOMAIN_CODE"], raw["DOMAIN_DESCRIPTION"], patient_list))
    total = sum(int(r["INDICATOR_POINT_VALUE"]) for r in control)
    tag = short(YEAR)
    return {f"MAPPING_INDICATORS_{tag}.csv": csv_text(INDICATORS_HEADER, rows),
            f"ORGANISATION_REFERENCE_{tag}.csv": csv_text(ORGANISATION_HEADER,
                                                         ((p["PRACTICE_CODE"], total) for p in practices))}


def notice(seed: int, limit: int | None) -> str:
    subset = (f" Only the first {limit:,} practices of the mappings file are included, so this is NOT a national "
              "data set." if limit else " Every practice of the mappings file (all of England's 2023/24 QOF "
              "practices) is included.")
    return (f"SYNTHETIC DATA made by examples/generate_publication.py (seed {seed}) in the layout of NHS Digital's "
            f"QOF publication. Real: file names and headers; practice codes, names, PCN, sub-ICB, ICB and region "
            f"(NHS Digital QOF_MANUAL_MAPPINGS.csv, 2023/24 geography, used for {PRIOR_YEAR} too); indicator codes, "
            f"points and groups (NHS Digital INDICATOR_REFERENCE_CONTROL.csv). Synthetic: every list size, register, "
            f"numerator, denominator, PCA count and achieved points; achieved points are scored with synthetic "
            f"thresholds and a synthetic zero-denominator rule, NOT national figures.{subset}\n")


def figures(drawn: Year, year_indicators: list[Indicator], seed: int, limit: int | None, few_between: bool) -> dict:
    """The answers: what the points were scored with, and the data's national totals."""
    known = known_thresholds()
    thresholds = {}
    for indicator in year_indicators:
        if indicator.kind == "fraction":
            lower, upper = thresholds_of(indicator, known)
            thresholds[indicator.code] = {"lower": _percent(lower), "upper": _percent(upper)}
    national = {}
    for group, raw in sorted(groups().items()):
        kind = raw.get("patient_list", "TOTAL")
        national[group] = {"register": int(drawn.registers[group].sum()), "list": int(drawn.lists[kind].sum()),
                           "patient_list": kind}
    return {"synthetic": True, "made_by": f"examples/generate_publication.py --seed {seed}"
            + (f" --limit {limit}" if limit else "") + (" --few-between" if few_between else ""),
            "note": "The synthetic figures this publication's ACHIEVED_POINTS were scored with: NOT national figures.",
            "year": drawn.year, "zero_denominator": ZERO_DENOMINATOR, "few_between": dict(FEW_BETWEEN) if few_between else {},
            "thresholds": thresholds, "national": national}


def _percent(hundredths: int) -> int | str:
    return hundredths // 100 if hundredths % 100 == 0 else f"{hundredths // 100}.{hundredths % 100:02d}".rstrip("0")


def generate(out: Path, seed: int = SEED, limit: int | None = None, folder: bool = False,
             few_between: bool = False) -> Path:
    """Write the publication (``out/qof-2324-synthetic.zip``, or that folder) and the figures file."""
    practices = read_csv(MAPPINGS)
    if limit:
        practices = practices[:limit]
    count = len(practices)
    base = rng(seed, "practices")
    list_sizes = np.clip(np.rint(base.lognormal(0, 0.45, count) * LIST_MEDIAN), 2000, 30000).astype(np.int64)
    age = base.uniform(0.85, 1.15, count)
    quality = base.normal(0, 0.035, count)
    files: dict[str, bytes] = {"SYNTHETIC.txt": notice(seed, limit).encode("utf-8")}
    current = None
    for year in (YEAR, PRIOR_YEAR):
        drawn = draw_year(year, practices, seed, list_sizes, age, quality, few_between)
        files.update(year_files(drawn, practices, indicators(year)))
        if year == YEAR:
            current = drawn
    files.update(reference_files(practices))
    out.mkdir(parents=True, exist_ok=True)
    name = f"qof-{short(YEAR)}-synthetic"
    if folder:
        target = out / name
        target.mkdir(exist_ok=True)
        for member, data in sorted(files.items()):
            (target / member).write_bytes(data)
    else:
        target = out / f"{name}.zip"
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for member, data in sorted(files.items()):
                info = zipfile.ZipInfo(f"{name}/{member}", date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
    with (out / "generator-figures.yaml").open("w", encoding="utf-8") as handle:
        handle.write("# SYNTHETIC: the figures examples/generate_publication.py scored the publication beside this\n"
                     "# file with, and the national totals of its data. NOT national figures. Kept outside the\n"
                     "# publication: they are the answers qofrules contracts infer must find on its own.\n")
        yaml.safe_dump(figures(current, indicators(YEAR), seed, limit, few_between), handle, sort_keys=False)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic data set in NHS Digital's QOF publication layout.")
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--limit", type=int, help="keep only the first N practices (then it is not national)")
    parser.add_argument("--folder", action="store_true", help="write a folder of CSV files instead of a zip")
    parser.add_argument("--few-between", action="store_true",
                        help=f"leave {', '.join(FEW_BETWEEN)} with too few practices between their thresholds to infer them")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    target = generate(args.out, seed=args.seed, limit=args.limit, folder=args.folder, few_between=args.few_between)
    print(f"wrote {target} and {args.out / 'generator-figures.yaml'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
