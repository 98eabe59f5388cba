"""`qofrules report`: its figures are run's figures, it is self-contained, and the markdown is golden.

(The HTML is also rendered in a real browser: tests/test_report_browser.py.)"""
from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from conftest import CASES, ROOT, assert_golden
from qofrules import api
from qofrules.charts import histogram_bins, nice_step
from qofrules.cli import cli
from qofrules.report import build_report, render

RUNS = {
    "lincs": ("schemes/2014-lincolnshire-llr.qof", "examples/lincolnshire-2014"),
    "somerset": ("schemes/2014-somerset.qof", "examples/south-west-2014"),
    "leeds": ("schemes/2017-leeds.qof", "examples/leeds-2017"),
    "essex": ("schemes/2020-21-mid-and-south-essex-top-up.qof", "examples/mid-south-essex-2021"),
    "local": ("examples/local-indicator-on-top-2021.qof", "examples/mid-south-essex-2021"),
}
SCOTLAND = ("schemes/2016-17-scotland-core-funding.qof", "examples/scotland-2016")


def _invoke(args, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture(scope="module")
def reports():
    out = {}
    for name, (scheme, data) in RUNS.items():
        tree, dataset = api.prepared(str(ROOT / scheme), str(ROOT / data))
        out[name] = (build_report(tree, dataset, str(ROOT / scheme), validate=api.validate), api.run(str(ROOT / scheme), str(ROOT / data)))
    return out


@pytest.mark.parametrize("name", RUNS)
def test_report_figures_are_runs_figures(reports, name):
    plain, ran = reports[name]
    for key in ("practices", "eligible", "scheme_payment", "national_payment", "difference"):
        assert plain["totals"][key] == ran["totals"][key]
    by_code = {p["practice"]: p for p in ran["practices"]}
    shown = plain["practices"] + plain["outside_practices"]
    assert sorted(p["practice"] for p in shown) == sorted(by_code)
    assert len(plain["practices"]) == plain["scope"]["in_area"]
    for row in shown:
        for key in ("scheme_payment", "national_payment", "difference", "eligible"):
            assert row[key] == by_code[row["practice"]][key]
    total_difference = Decimal(ran["totals"]["difference"])
    for column, areas in plain["areas"].items():
        assert sum(a["practices"] for a in areas) == ran["totals"]["practices"]
        assert sum(Decimal(a["difference"]) for a in areas) == total_difference, column
        assert sum(Decimal(a["scheme_payment"]) for a in areas) == Decimal(ran["totals"]["scheme_payment"])
    # indicator groups and the top-ups and floors beside them add up to the difference
    assert (sum(Decimal(g["difference"]) for g in plain["groups"])
            + sum(Decimal(a["payment"]) for a in plain["adjustments"])) == total_difference
    changes = plain["changes"]
    # eligible practices whose change is known (an unknown payment has no change to chart)
    known = sum(1 for p in ran["practices"] if p["eligible"] and p["difference"] is not None)
    assert (sum(b["count"] for b in changes["bins"]) + changes["unchanged"] == changes["eligible_with_change"]
            == known)
    nonzero = [p for p in shown if p["eligible"] and p["difference"] is not None
               and Decimal(p["difference"]) != 0]
    assert sum(b["count"] for b in changes["bins"]) == len(nonzero)


def test_area_tables_follow_the_schemes_own_area_column(reports):
    plain, _ = reports["lincs"]
    assert plain["area_columns"][0] == "LMC"
    assert {a["area"] for a in plain["areas"]["LMC"]} == {"Lincolnshire", "Leicester, Leicestershire and Rutland"}
    assert "REGION" not in plain["area_columns"], "a single-area table only repeats the total"


def test_scheme_summary_says_who_what_when_approval_and_sources_in_plain_words(reports):
    summary = reports["lincs"][0]["scheme"]
    assert summary["area"] == ["Lincolnshire LMC", "Leicester, Leicestershire and Rutland LMC"]
    assert summary["approved"] == {"by": "NHS England's Leicestershire and Lincolnshire area team", "when": None}
    assert summary["runs"] == {"from": "1 February 2014", "to": "31 March 2014"}
    assert summary["eligible_when"] == "the practice opted in"
    assert len(summary["sources"]) == 2
    assert [(r["title"], r["applies_to"], r["pay"], r["reporting"]) for r in summary["rules"]] == [
        ("Retiring points paid in full", "the indicators retiring on 1 April 2014", "full points",
         "not required: practices need not report"),
        ("Everything else as usual", "every other indicator", "this year's achievement", "as usual")]
    leeds = reports["leeds"][0]["scheme"]
    assert leeds["rules"][0]["pay"] == "the higher of 2015/16 achievement and this year's"
    assert leeds["approved"]["by"] == "NHS Leeds North CCG, NHS Leeds South and East CCG and NHS Leeds West CCG"


@pytest.mark.parametrize("name", RUNS)
def test_no_scheme_syntax_in_what_the_report_says(reports, name):
    """The words of the scheme language (bodies as `lmc "X"`, bases as `higher of (...)`) stay out of
    the report's own text in both formats; the validator's findings quote the scheme and are left out here."""
    plain = reports[name][0]
    ours = dict(plain, validation={"available": False, "reason": "left out of this test"})
    for text in (render(ours, "html"), render(ours, "markdown")):
        for syntax in ('lmc "', 'ccg "', "nhs-england", "area-team", "higher of (",
                       "practice opted in by", "all other indicators", "(group list:", "SYNTHETIC DATA:"):
            assert syntax not in text, (name, syntax)


def test_banner_says_synthetic_once(reports):
    html = render(reports["somerset"][0], "html")
    banner = html.split('id="notices"')[1].split("</section>")[0]
    assert banner.lower().count("synthetic data") == 1
    assert "<strong>Synthetic data:</strong> no value here is a real practice&#39;s achievement." in banner


def test_group_names_not_bare_codes_and_no_source_tails(reports):
    groups = {g["group"]: g for g in reports["somerset"][0]["groups"]}
    assert groups["AF"]["label"] == "Atrial fibrillation (AF)"
    assert groups["PE"]["label"] == "Patient experience (PE) domain", "the code is not said twice"
    html = render(reports["somerset"][0], "html")
    chart = html.split('id="chart-groups"')[1].split("</svg>")[0]
    assert "no indicator group&#39;s payment changes" in chart, "Somerset's known payments do not change"
    chart = render(reports["lincs"][0], "html").split('id="chart-groups"')[1].split("</svg>")[0]
    assert ">Hypertension (HYP)</text>" in chart and ">Patient experience (PE) domain</text>" in chart
    assert ">PE</text>" not in chart and "Asthma" not in chart, "an unchanged group is in the table only"


def test_validation_uses_the_reports_data(reports):
    verdict = reports["somerset"][0]["validation"]
    assert verdict["available"] and verdict["with_data"]
    assert [f["code"] for f in verdict["findings"]] == ["QV103"], "no QV108 'without practice data'"
    alone = api.validate(str(ROOT / RUNS["somerset"][0]))
    assert "QV108" in [f["code"] for f in alone[0]["findings"]], "validate without data does warn"


def test_geography_of_the_data_is_said(reports):
    notes = {n["column"]: n["text"] for n in reports["somerset"][0]["geography"]["notes"]}
    assert notes["ICB"].startswith("ICBs were set up on 1 July 2022 (The Integrated Care Boards (Establishment) "
                                   "Order 2022 (SI 2022/634)), so none existed while the scheme ran "
                                   "(1 January 2014 to 31 March 2014)")
    assert "sub-ICB locations" in notes["CCG"]
    html = render(reports["somerset"][0], "html")
    assert "<caption>By ICB (a later geography: see above)</caption>" in html
    assert reports["leeds"][0]["geography"]["notes"] == [], "an LMC column is not dated"


def test_scope_shows_the_areas_practices_and_counts_the_rest(reports):
    plain = reports["somerset"][0]
    assert plain["scope"]["in_area"] == 62 and plain["scope"]["outside"] == 176
    assert plain["scope"]["outside_by_area"] == [{"area": "Devon", "practices": 120},
                                                 {"area": "Cornwall and Isles of Scilly", "practices": 56}]
    assert {p["reason"] for p in plain["outside_practices"]} == {"outside the area (LMC Devon)",
                                                                "outside the area (LMC Cornwall and Isles of Scilly)"}
    assert reports["leeds"][0]["scope"]["outside"] == 0


def test_top_ups_floors_and_local_indicators_are_shown(reports):
    local = reports["local"][0]
    assert [(a["kind"], a["title"], a["says"], a["practices_paid"]) for a in local["adjustments"]] == [
        ("top-up", "Per patient", "£0.10 per patient", 148)]
    assert local["scheme"]["local_indicators"][0]["code"] == "LOC-BP150"
    assert local["scheme"]["local_indicators"][0]["thresholds"] == "60% to 85%"
    html = render(local, "html")
    assert 'data-local="LOC-BP150"' in html and 'data-adjustment="Per patient"' in html
    assert "<td>The scheme&#39;s local indicators</td>" in html
    # In markdown each is its own bullet (the local indicator's line once ran on into the top-up's).
    bullets = [line for line in render(local, "markdown").splitlines() if line.startswith("- **")]
    assert any(b.startswith("- **Local indicator `LOC-BP150`") and b.endswith("per QOF point") for b in bullets)
    assert any(b.startswith("- **Top-up “Per patient”:**") for b in bullets)
    essex = reports["essex"][0]
    floor = essex["adjustments"][0]
    assert floor["kind"] == "floor" and floor["says"] == "at least each practice's own sum, from its QOF_INCOME_2019_20 column"
    ran = reports["essex"][1]
    paid = sum(Decimal(a["payment"]) for p in ran["practices"] for a in p.get("adjustments", []))
    assert Decimal(floor["payment"]) == paid and floor["practices_paid"] == sum(
        1 for p in ran["practices"] for a in p.get("adjustments", []) if Decimal(a["payment"]))
    markdown = render(essex, "markdown")
    assert "- **Floor “Topped up to the 2019/20 level”:** at least each practice's own sum, from its QOF_INCOME_2019_20 column" in markdown


class _Resources(HTMLParser):
    """Every tag and attribute that could fetch something from outside the file."""

    def __init__(self):
        super().__init__()
        self.fetches, self.scripts, self.tags = [], 0, set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if "src" in attrs:
                self.fetches.append(("script", attrs["src"]))
        if tag in {"link", "img", "iframe", "object", "embed", "video", "audio", "source"}:
            self.fetches.append((tag, attrs))
        for name in ("href", "src", "xlink:href"):
            if name in attrs and not str(attrs[name]).startswith("#"):
                self.fetches.append((tag, attrs[name]))


@pytest.mark.parametrize("name", RUNS)
def test_html_is_self_contained(reports, name):
    html = render(reports[name][0], "html")
    found = _Resources()
    found.feed(html)
    assert found.fetches == []
    assert found.scripts == 1 and {"svg", "table", "rect"} <= found.tags
    for fetching in ("@import", "url(", "@font-face", "http://", "https://"):
        assert fetching not in html.split("<body>")[0], fetching


def test_html_escapes_what_it_shows(reports):
    plain = dict(reports["leeds"][0])
    plain["practices"] = [dict(plain["practices"][0], name="<script>alert(1)</script> & Partners")] + plain["practices"][1:]
    html = render(plain, "html")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Partners" in html


def test_markdown_summary_is_golden(monkeypatch):
    result = _invoke(["report", RUNS["lincs"][0], "--data", RUNS["lincs"][1], "--format", "markdown"], monkeypatch)
    got = f"# exit {result.exit_code}\n{result.output}"
    expected = CASES / "report" / "lincs.md.expected"
    assert_golden(got, expected)


def test_html_report_is_written_to_a_file_and_only_to_a_file(tmp_path, monkeypatch):
    result = _invoke(["report", RUNS["leeds"][0], "--data", RUNS["leeds"][1]], monkeypatch)
    assert result.exit_code == 2 and "name it with -o report.html" in result.output
    target = tmp_path / "report.html"
    result = _invoke(["report", RUNS["leeds"][0], "--data", RUNS["leeds"][1], "-o", str(target)], monkeypatch)
    assert result.exit_code == 0 and f"wrote {target}" in result.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"], "no temporary file left behind"
    bad = _invoke(["report", RUNS["leeds"][0], "--data", RUNS["leeds"][1], "-o", str(tmp_path / "no" / "r.html")],
                  monkeypatch)
    assert bad.exit_code == 2 and "error[QR008] cannot write" in bad.output


def test_validator_verdict_is_shown_when_there_is_one(monkeypatch):
    scheme, data = (str(ROOT / p) for p in RUNS["leeds"])
    monkeypatch.setattr(api, "validate", lambda *paths: {
        "ok": False, "findings": [{"code": "QV101", "severity": "error", "line": 24,
                                   "message": "pays on a year before the scheme started"}]}, raising=False)
    html = api.report(scheme, data)
    assert "Does not pass validation" in html and "QV101" in html and "(line 24)" in html
    markdown = api.report(scheme, data, fmt="markdown")
    assert "**does not pass**" in markdown and "`QV101` pays on a year before the scheme started (line 24)" in markdown

    class Verdict:  # a validator may return an object with to_plain(), as CheckReport does
        def to_plain(self):
            return {"ok": True, "summary": "lawful under the 2013/14 directions", "findings": []}
    monkeypatch.setattr(api, "validate", lambda *paths: Verdict())
    assert "Passes validation</strong>: lawful under the 2013/14 directions" in api.report(scheme, data)

    def broken(*paths):
        raise RuntimeError("validator exploded")
    monkeypatch.setattr(api, "validate", broken)
    html = api.report(scheme, data)
    assert "No validator verdict: the validator could not run: validator exploded" in html
    assert "Passes validation" not in html


def test_histogram_bins_are_round_and_cover_every_value():
    values = [Decimal(v) for v in ("0", "0", "12.50", "999.99", "1000", "4321.09", "-250")]
    bins = histogram_bins(values)
    assert sum(b.count for b in bins) == len(values)
    assert bins[0].low <= min(values) and bins[-1].high > max(values)
    assert {b.high - b.low for b in bins} == {Decimal(500)}
    assert nice_step(Decimal("9.5")) == Decimal("1") and nice_step(Decimal("0.3")) == Decimal("0.05")
    assert histogram_bins([]) == []
    assert [b.count for b in histogram_bins([Decimal(0)] * 3)] == [3]


def test_a_scheme_of_top_ups_alone_shows_no_empty_rule_table_and_no_blank_areas():
    scheme, data = (str(ROOT / p) for p in SCOTLAND)
    tree, dataset = api.prepared(scheme, data)
    plain = build_report(tree, dataset, scheme)
    assert plain["scheme"]["rules"] == [] and plain["area_columns"] == [], "the data leaves every area blank"
    html = render(plain, "html")
    assert 'id="rules"' not in html and 'id="adjustments"' in html
    assert "each practice&#39;s own sum, from its QOF_TRANSFER column" in html
