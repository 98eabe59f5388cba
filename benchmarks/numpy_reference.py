"""An independent, vectorised NumPy computation of national payments: the reference point for speed
and a second opinion on the pennies.

    python3 benchmarks/numpy_reference.py [DATA_DIR] [--compare QOFRULES_JSON] [--naive]

DATA_DIR defaults to benchmarks/out/national-2023 (``python3 examples/generate.py --out
benchmarks/out/national-2023 --scenario national-2023``). It computes, for every practice, the
2023/24 payment under (1) the national rules and (2) the benchmark scheme
benchmarks/schemes/higher-of-2023.qof (every practice, every indicator: the higher of the 2022/23
achieved points and 2023/24 achievement), and prints the totals, the time to read the files and the
time to compute. ``--compare`` reads the JSON that ``qofrules run benchmarks/schemes/higher-of-2023.qof
--data DATA_DIR --format json`` wrote and reports how many practices and pennies differ.

Independent on purpose: nothing of qofrules is imported. The formula is implemented from
docs/evaluation.md; the contract figures are read with PyYAML from
qofrules/contracts/data/england-2023-24.yaml and the data set's contract-overrides.yaml; the CSV
files are read with pyarrow.csv. Arithmetic is float64 with round half up (floor(x + 0.5), all
values being non-negative):

* points: register indicators score G when a REGISTER is given; fraction indicators 0 at or below
  the lower threshold E, G at or above the upper F, G × (D − E) / (F − E) between, D = 100 × N / d
  unrounded; d = 0 scores by the year's zero_denominator; no N or d: unknown. Rounded to 2 dp.
* pounds: rounded points × £ per point × CPI × APDF, CPI = LIST_SIZE / national average list
  size, APDF = (REGISTER / PRACTICE_LIST_SIZE × 100) / national prevalence for prevalence-adjusted
  groups (1 otherwise). Rounded to the penny per indicator. Totals are sums of the rounded parts;
  a practice with any unknown part has an unknown total and is left out of the run total.
* scheme: the higher of min(ACHIEVED_POINTS 2022/23, G) and the national points, a candidate that
  cannot be computed being left out.

How the float64 is arranged (the default): each rounded quantity is computed as ONE division of two
products of the inputs, for example centipoints = 100·G·(100·N − E·d) / ((F − E)·d). With whole
thresholds and register/list counts the products are integers below 2**53, exactly representable,
so the one correctly rounded division lands exactly on a half when the true value is a half, and
round half up then agrees with exact decimal arithmetic. (Pounds of a prevalence-adjusted group
need a numerator above 2**53; there a tie could in principle be misjudged, and --compare counts
any difference.) ``--naive`` instead multiplies the factors one by one as the docs write them
(D, then points; CPI × APDF as separate floats), so you can see what that costs in pennies.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "qofrules" / "contracts" / "data" / "england-2023-24.yaml"
DEFAULT_DATA = ROOT / "benchmarks" / "out" / "national-2023"
YEAR, PRIOR = "2023/24", "2022/23"
DICT = pa.dictionary(pa.int32(), pa.string())
MEASURES = ("REGISTER", "NUMERATOR", "DENOMINATOR")
# libyaml's safe loader when PyYAML has it (ten times faster on the contract file); same results.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader


# ------------------------------------------------------------------ contract figures

def _value(raw):
    """A contract-file figure's value (``{value: ...}``) or an overrides-file plain value."""
    return raw.get("value") if isinstance(raw, dict) else raw


def contract_figures(overrides_path: Path | None) -> dict:
    """The 2023/24 figures with the data set's overrides applied (later replaces earlier).

    Refuses, as qofrules does, to go on with an unknown figure.
    """
    raw = _yaml(CONTRACT)
    over = _yaml(overrides_path) if overrides_path else {}
    figures = {key: over.get(key, _value(raw.get(key))) for key in ("point_value", "average_list_size",
                                                                      "zero_denominator")}
    groups = {}
    for code, group in raw["groups"].items():
        supplied = (over.get("groups") or {}).get(code, {})
        groups[code] = {"adjusted": bool(group.get("prevalence_adjusted")),
                        "national": supplied.get("national_prevalence", _value(group.get("national_prevalence")))}
    indicators = []
    for ind in raw["indicators"]:
        supplied = (over.get("indicators") or {}).get(ind["code"], {})
        thresholds = supplied.get("thresholds") or {
            side: _value(value) for side, value in (ind.get("thresholds") or {}).items()}
        indicators.append({"code": ind["code"], "group": ind["group"], "kind": ind["kind"],
                           "points": supplied.get("points", _value(ind.get("points"))),
                           "lower": thresholds.get("lower"), "upper": thresholds.get("upper")})
    missing = [k for k, v in figures.items() if v is None]
    missing += [f"{i['code']} {k}" for i in indicators for k in ("points", "lower", "upper")
                if i[k] is None and (k == "points" or i["kind"] == "fraction")]
    used = {i["group"] for i in indicators}
    missing += [f"{g} national prevalence" for g, v in groups.items() if v["adjusted"] and g in used
                and v["national"] is None]
    if missing:
        raise SystemExit(f"numpy_reference: unknown figures: {', '.join(missing)}")
    figures.update(groups=groups, indicators=indicators)
    return figures


def _ratio(value) -> Fraction:
    """A figure ("213.43", 9639, 35) as an exact fraction, so its numerator and denominator are integers."""
    return Fraction(Decimal(str(value)))


# ------------------------------------------------------------------ reading

def _read(path: Path, types: dict) -> pa.Table:
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types))


def _lookup(column: pa.ChunkedArray, values: list[str]) -> np.ndarray:
    """Each row's position in ``values`` (-1: not there), via the column's small dictionary."""
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    positions = pc.index_in(array.dictionary, value_set=pa.array(values, pa.string()))
    table = positions.to_numpy(zero_copy_only=False)
    table = np.where(np.isnan(table), -1, table).astype(np.int64) if table.dtype.kind == "f" else table
    return table[array.indices.to_numpy(zero_copy_only=False)]


def _pivot(table: pa.Table, codes: list[str], columns: list[str], measures: tuple[str, ...]) -> np.ndarray:
    """Long rows -> array [measure, practice, column] of VALUE (NaN where no row or a blank VALUE)."""
    p = _lookup(table.column("PRACTICE_CODE"), codes)
    i = _lookup(table.column("INDICATOR_CODE"), columns)
    m = _lookup(table.column("MEASURE"), list(measures))
    v = table.column("VALUE").to_numpy()  # nulls become NaN
    keep = (p >= 0) & (i >= 0) & (m >= 0)
    out = np.full((len(measures), len(codes), len(columns)), np.nan)
    out[m[keep], p[keep], i[keep]] = v[keep]
    return out


# ------------------------------------------------------------------ the formula

def _half_up(x: np.ndarray) -> np.ndarray:
    """Round half up to a whole number; NaN (unknown) stays NaN."""
    return np.floor(x + 0.5)


def national_centipoints(reg, num, den, figures, naive: bool) -> np.ndarray:
    """Points × 100, rounded half up, per practice and indicator; NaN where not computable."""
    inds = figures["indicators"]
    g = np.array([i["points"] for i in inds], float)
    register = np.array([i["kind"] == "register" for i in inds])
    e = np.array([float(_ratio(i["lower"])) if i["lower"] is not None else 0.0 for i in inds])
    f = np.array([float(_ratio(i["upper"])) if i["upper"] is not None else 100.0 for i in inds])
    zero = g * 100 if figures["zero_denominator"] == "full-points" else np.zeros_like(g)
    with np.errstate(divide="ignore", invalid="ignore"):
        if naive:
            d = num * 100 / den
            below, above = d <= e, d >= f
            between = _half_up(g * (d - e) / (f - e) * 100)
        else:
            scaled = 100 * num                       # D <= E  <=>  100 N <= E d, in whole numbers
            below, above = scaled <= e * den, scaled >= f * den
            between = _half_up(g * 100 * (scaled - e * den) / ((f - e) * den))
        fraction = np.where(below, 0.0, np.where(above, g * 100, between))
    fraction = np.where(den == 0, zero, fraction)
    fraction = np.where(np.isnan(num) | np.isnan(den), np.nan, fraction)
    return np.where(register, np.where(np.isnan(reg), np.nan, g * 100), fraction)


def pence(centipoints, list_size, prev_register, prev_list, figures, naive: bool) -> np.ndarray:
    """Pounds × 100 per practice and indicator, rounded half up; NaN where not computable."""
    inds, groups = figures["indicators"], figures["groups"]
    group_codes = list(groups)
    column = np.array([group_codes.index(i["group"]) for i in inds])
    adjusted = np.array([groups[i["group"]]["adjusted"] for i in inds])
    national = np.array([float(_ratio(groups[i["group"]]["national"])) if groups[i["group"]]["adjusted"]
                         else 1.0 for i in inds])
    value, average = _ratio(figures["point_value"]), _ratio(figures["average_list_size"])
    reg, lst = prev_register[:, column], prev_list[:, column]        # [practice, indicator]
    size = list_size[:, None].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if naive:
            cpi = size / float(average)
            apdf = np.where(adjusted, (reg / lst * 100) / national, 1.0)
            out = _half_up(centipoints / 100 * float(value) * cpi * apdf * 100)
        else:
            # pence = cp/100 × (a/b) × 100 × size/(s/t) × (reg/lst × 100)/(n/m), as one division
            top = centipoints * value.numerator * average.denominator * size
            bottom = np.full_like(top, float(value.denominator * average.numerator))
            nat = [_ratio(groups[i["group"]]["national"]) if groups[i["group"]]["adjusted"] else Fraction(1)
                   for i in inds]
            n_num = np.array([float(x.numerator) for x in nat])
            n_den = np.array([float(x.denominator) for x in nat])
            top = np.where(adjusted, top * reg * 100 * n_den, top)
            bottom = np.where(adjusted, bottom * lst * n_num, bottom)
            out = _half_up(top / bottom)
    # a prevalence-adjusted group without a prevalence row (or with an empty list): payment unknown
    return np.where(adjusted & (np.isnan(reg) | np.isnan(lst) | (lst == 0)), np.nan, out)


def _totals(per_indicator: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(per-practice sums as int64, known mask): a practice with any unknown part is unknown."""
    known = ~np.isnan(per_indicator).any(axis=1)
    return np.where(known, np.nansum(per_indicator, axis=1), 0).astype(np.int64), known


# ------------------------------------------------------------------ the whole run

def reference(data_dir: str | Path = DEFAULT_DATA, naive: bool = False) -> dict:
    """National and scheme payments for every practice of ``data_dir`` (a national-2023 data set).

    Returns ``codes`` (practice codes, practices.csv order); ``national_pence``/``scheme_pence``
    (int64 per practice, 0 where unknown) with ``national_known``/``scheme_known`` masks; the
    same for centipoints (``*_centipoints``); ``totals`` (Decimal pounds and points over the
    known practices, with the counts left out); ``seconds`` {read, compute, total};
    ``per_indicator``: the [practice, indicator] float arrays behind the totals.
    """
    data_dir = Path(data_dir)
    started = time.perf_counter()
    manifest = _yaml(data_dir / "dataset.yaml")
    overrides = manifest.get("contract_overrides")
    figures = contract_figures(data_dir / overrides if overrides else None)
    practices = _read(data_dir / manifest["practices"], {"PRACTICE_CODE": pa.string(), "LIST_SIZE": pa.int64()})
    long_types = {"PRACTICE_CODE": DICT, "INDICATOR_CODE": DICT, "MEASURE": DICT, "VALUE": pa.float64()}
    current = _read(data_dir / manifest["achievement"][YEAR], long_types)
    prior = _read(data_dir / manifest["achievement"][PRIOR], long_types)
    prevalence = _read(data_dir / manifest["prevalence"][YEAR],
                       {"PRACTICE_CODE": DICT, "GROUP_CODE": DICT, "REGISTER": pa.float64(),
                        "PRACTICE_LIST_SIZE": pa.float64()})
    read_done = time.perf_counter()

    codes = practices.column("PRACTICE_CODE").to_pylist()
    if len(set(codes)) != len(codes):
        raise SystemExit("numpy_reference: practices.csv repeats a practice code")
    list_size = practices.column("LIST_SIZE").to_numpy()
    indicators = [i["code"] for i in figures["indicators"]]
    reg, num, den = _pivot(current, codes, indicators, MEASURES)
    (prior_points,) = _pivot(prior, codes, indicators, ("ACHIEVED_POINTS",))
    group_codes = list(figures["groups"])
    p = _lookup(prevalence.column("PRACTICE_CODE"), codes)
    g = _lookup(prevalence.column("GROUP_CODE"), group_codes)
    keep = (p >= 0) & (g >= 0)
    prev_register = np.full((len(codes), len(group_codes)), np.nan)
    prev_list = np.full_like(prev_register, np.nan)
    prev_register[p[keep], g[keep]] = prevalence.column("REGISTER").to_numpy()[keep]
    prev_list[p[keep], g[keep]] = prevalence.column("PRACTICE_LIST_SIZE").to_numpy()[keep]

    national_cp = national_centipoints(reg, num, den, figures, naive)
    maximum = np.array([i["points"] for i in figures["indicators"]], float) * 100
    prior_cp = np.minimum(np.rint(prior_points * 100), maximum)     # 2 dp in the file: exact hundredths
    scheme_cp = np.fmax(national_cp, prior_cp)                      # a NaN candidate is left out
    national_p = pence(national_cp, list_size, prev_register, prev_list, figures, naive)
    scheme_p = pence(scheme_cp, list_size, prev_register, prev_list, figures, naive)

    out = {"codes": codes}
    for side, cp, money in (("national", national_cp, national_p), ("scheme", scheme_cp, scheme_p)):
        out[f"{side}_centipoints"], out[f"{side}_points_known"] = _totals(cp)
        out[f"{side}_pence"], out[f"{side}_known"] = _totals(money)
    both = out["national_known"] & out["scheme_known"]
    difference = int((out["scheme_pence"] - out["national_pence"])[both].sum())
    out["totals"] = {
        "practices": len(codes),
        "national_payment": Decimal(int(out["national_pence"][out["national_known"]].sum())) / 100,
        "scheme_payment": Decimal(int(out["scheme_pence"][out["scheme_known"]].sum())) / 100,
        "difference": Decimal(difference) / 100,
        "national_points": Decimal(int(out["national_centipoints"][out["national_points_known"]].sum())) / 100,
        "scheme_points": Decimal(int(out["scheme_centipoints"][out["scheme_points_known"]].sum())) / 100,
        "national_payment_unknown": int((~out["national_known"]).sum()),
        "scheme_payment_unknown": int((~out["scheme_known"]).sum()),
    }
    done = time.perf_counter()
    out["seconds"] = {"read": read_done - started, "compute": done - read_done, "total": done - started}
    out["indicators"] = len(indicators)
    # [practice, indicator] arrays (NaN: unknown), for finding where a difference comes from
    out["per_indicator"] = {"codes": indicators, "national_centipoints": national_cp, "scheme_centipoints": scheme_cp,
                            "national_pence": national_p, "scheme_pence": scheme_p}
    out["rows"] = current.num_rows + prior.num_rows + prevalence.num_rows + practices.num_rows
    return out


# ------------------------------------------------------------------ comparing with qofrules

def _pence_of(text) -> int | None:
    return None if text is None else int(Decimal(str(text)) * 100)


def compare(result: dict, qofrules_json: Path) -> dict:
    """Per-practice and total differences, in pennies, between this and a qofrules JSON result."""
    theirs = json.loads(qofrules_json.read_text(encoding="utf-8"))
    by_code = {p["practice"]: p for p in theirs["practices"]}
    report = {"practices_compared": 0, "missing_in_qofrules": 0}
    for side in ("national", "scheme"):
        differ, pennies = [], 0
        for n, code in enumerate(result["codes"]):
            other = by_code.get(code)
            if other is None:
                continue
            mine = int(result[f"{side}_pence"][n]) if result[f"{side}_known"][n] else None
            their = _pence_of(other[f"{side}_payment"])
            if mine != their:
                differ.append(code)
                pennies += abs((mine or 0) - (their or 0))
        report[side] = {"practices_differing": len(differ), "pennies_apart": pennies, "first": differ[:5],
                        "total_qofrules": str(theirs["totals"][f"{side}_payment"]),
                        "total_numpy": str(result["totals"][f"{side}_payment"]),
                        "total_difference_pence": (_pence_of(theirs["totals"][f"{side}_payment"]) or 0)
                        - int(result["totals"][f"{side}_payment"] * 100)}
    report["cells"] = _differing_cells(result, by_code)
    report["practices_compared"] = sum(1 for c in result["codes"] if c in by_code)
    report["missing_in_qofrules"] = len(result["codes"]) - report["practices_compared"]
    return report


def _differing_cells(result: dict, by_code: dict) -> list[str]:
    """Each (practice, indicator, side) whose points or pence differ, when the JSON has indicators."""
    detail = result["per_indicator"]
    column = {code: k for k, code in enumerate(detail["codes"])}
    cells = []
    for n, code in enumerate(result["codes"]):
        for indicator in (by_code.get(code) or {}).get("indicators", []):
            k = column.get(indicator["indicator"])
            for side in ("national", "scheme"):
                mine = (detail[f"{side}_centipoints"][n, k], detail[f"{side}_pence"][n, k]) if k is not None else None
                mine = tuple(None if np.isnan(x) else int(x) for x in mine) if mine else None
                theirs = (_pence_of(indicator[side]["points"]), _pence_of(indicator[side]["payment"]))
                if mine != theirs:
                    cells.append(f"{code} {indicator['indicator']} {side}: points x100 numpy {mine and mine[0]} "
                                 f"qofrules {theirs[0]}, pence numpy {mine and mine[1]} qofrules {theirs[1]}")
    return cells


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="NumPy reference computation of national-2023 payments.")
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA, help="data set directory")
    parser.add_argument("--compare", type=Path, metavar="JSON",
                        help="a `qofrules run benchmarks/schemes/higher-of-2023.qof --format json` output to compare")
    parser.add_argument("--naive", action="store_true", help="multiply the factors one by one (see the docstring)")
    args = parser.parse_args(argv)
    if not (args.data / "dataset.yaml").exists():
        print(f"numpy_reference: no data set at {args.data}; make it with: python3 examples/generate.py "
              f"--out benchmarks/out/national-2023 --scenario national-2023", file=sys.stderr)
        return 1
    reference(args.data, args.naive)   # warm: imports, page cache
    result = reference(args.data, args.naive)
    totals, seconds = result["totals"], result["seconds"]
    print(f"numpy reference ({'naive' if args.naive else 'one-division'} float64), {args.data}")
    print(f"  {totals['practices']:,} practices x {result['indicators']} indicators, "
          f"{result['rows']:,} CSV rows")
    print("  (second run in this process: files in the page cache, imports done)")
    print(f"  read {seconds['read']:.3f} s   compute {seconds['compute']:.3f} s   total {seconds['total']:.3f} s")
    print(f"  national: {totals['national_points']:,} points  £{totals['national_payment']:,}  "
          f"({totals['national_payment_unknown']} practices unknown)")
    print(f"  scheme:   {totals['scheme_points']:,} points  £{totals['scheme_payment']:,}  "
          f"({totals['scheme_payment_unknown']} practices unknown)")
    print(f"  difference £{totals['difference']:,}")
    if args.compare:
        report = compare(result, args.compare)
        print(f"  compared with {args.compare}: {report['practices_compared']:,} practices "
              f"({report['missing_in_qofrules']} not in it)")
        for side in ("national", "scheme"):
            r = report[side]
            print(f"    {side:8}: qofrules £{r['total_qofrules']}, numpy £{r['total_numpy']}, totals "
                  f"{r['total_difference_pence']} p apart; {r['practices_differing']} practices differ "
                  f"({r['pennies_apart']} p in all){' e.g. ' + ', '.join(r['first']) if r['first'] else ''}")
        print(f"  indicator results that differ: {len(report['cells'])}")
        for line in report["cells"][:40]:
            print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
