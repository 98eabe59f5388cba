"""The HTML report in a real browser (Debian's chromium, headless), for every shipped example: the
numbers on the page are `run --format json`'s, axe-core finds no accessibility violation, and a
keyboard user can reach the filter and every sort button with Tab and sort with Enter and Space.

The page is driven by tests/axe/drive.js (puppeteer-core over the installed chromium, axe-core;
pinned in tests/axe/package-lock.json). Skips, saying why, where chromium or node is not
installed; .ci/run installs both, and `npm ci --prefix tests/axe`, so CI runs this test.
Set QOFRULES_KEEP_SCREENSHOT=DIR to keep each report's screenshot for a person to look at.
"""
from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from conftest import EXAMPLE_RUNS as EXAMPLES, ROOT
from qofrules.cli import cli

CHROMIUM = next((p for p in (shutil.which("chromium"), "/usr/bin/chromium") if p and os.path.exists(p)), None)
NODE = shutil.which("node")
HARNESS = ROOT / "tests" / "axe"
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; "
                                                          ".ci/run installs it in CI)")


def _chromium(tmp_path, *args) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=True)


def _harness_installed() -> bool:
    return all((HARNESS / "node_modules" / name / "package.json").is_file() for name in ("axe-core", "puppeteer-core"))


class _Page(HTMLParser):
    """The figures the rendered page shows: totals, the practice tables' rows, the charts' bars."""

    def __init__(self):
        super().__init__()
        self.totals, self.rows, self.bins, self.group_bars = {}, [], [], {}
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-total" in a:
            self._cell = ("total", a["data-total"])
        if tag == "tr" and "data-practice" in a:
            self._row = {"practice": a["data-practice"], "cells": [], "text": []}
        if tag == "td" and self._row is not None:
            self._row["cells"].append(a.get("data-value"))
            self._cell = ("td", len(self._row["cells"]) - 1)
            self._row["text"].append("")
        if tag == "rect" and "data-count" in a:
            self.bins.append(int(a["data-count"]))
        if tag == "rect" and "data-label" in a:
            self.group_bars[a["data-label"]] = a["data-value"]

    def handle_data(self, data):
        if self._cell and self._cell[0] == "total":
            self.totals[self._cell[1]] = self.totals.get(self._cell[1], "") + data
        elif self._cell and self._row is not None:
            self._row["text"][self._cell[1]] += data

    def handle_endtag(self, tag):
        if tag in {"div", "td"}:
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None


def _money(value) -> str:
    return "—" if value is None else f"£{Decimal(value):,.2f}"


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Per example: the report's DOM after its scripts ran (chromium --dump-dom) and run's JSON."""
    tmp_path = tmp_path_factory.mktemp("browser")
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(ROOT)
    out = {}
    try:
        for name, (scheme, data) in EXAMPLES.items():
            report = tmp_path / f"{name}.html"
            result = runner.invoke(cli, ["report", scheme, "--data", data, "-o", str(report)])
            assert result.exit_code == 0, result.output
            ran = runner.invoke(cli, ["run", scheme, "--data", data, "--format", "json"])
            assert ran.exit_code == 0, ran.output
            out[name] = (report, json.loads(ran.output))
    finally:
        os.chdir(cwd)
    return tmp_path, out


@pytest.fixture(scope="module")
def driven(pages):
    """Per example: what tests/axe/drive.js saw (axe-core's violations, Tab stops, sorting, filtering)."""
    if NODE is None:
        pytest.skip("node is not installed (apt-get install nodejs npm); .ci/run installs it")
    if not _harness_installed():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed, so axe-core and puppeteer-core cannot be (apt-get install npm)")
        subprocess.run([npm, "ci", "--prefix", str(HARNESS), "--no-audit", "--no-fund"], check=True,
                       capture_output=True, timeout=300)
    tmp_path, reports = pages
    seen = {}
    for name, (report, _) in reports.items():
        done = subprocess.run([NODE, str(HARNESS / "drive.js"), CHROMIUM, str(report), str(tmp_path / f"drive-{name}")],
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr
        seen[name] = json.loads(done.stdout)
    return seen


_DOMS: dict[tuple[str, str], _Page] = {}


def _dom(pages, name: str, fragment: str = "") -> _Page:
    """The page's figures after its scripts ran (one chromium run per example and fragment)."""
    if (name, fragment) not in _DOMS:
        tmp_path, reports = pages
        report, _ = reports[name]
        page = _Page()
        page.feed(_chromium(tmp_path, "--virtual-time-budget=2000", "--dump-dom", report.as_uri() + fragment).stdout)
        _DOMS[(name, fragment)] = page
    return _DOMS[(name, fragment)]


@pytest.mark.parametrize("name", EXAMPLES)
def test_page_shows_runs_figures_for_every_practice(pages, name):
    page = _dom(pages, name)
    ran = pages[1][name][1]
    totals = ran["totals"]
    assert page.totals["practices"].strip() == str(totals["practices"])
    assert page.totals["eligible"].strip() == str(totals["eligible"])
    for key in ("national_payment", "scheme_payment"):
        assert page.totals[key].strip() == _money(totals[key])
    difference = Decimal(totals["difference"])
    assert page.totals["difference"].strip() == ("£0.00" if difference == 0 else
                                                 f"{'+' if difference > 0 else '-'}£{abs(difference):,.2f}")
    by_code = {p["practice"]: p for p in ran["practices"]}
    # every practice once: those in the scheme's area in the table, the rest in the collapsed section
    assert sorted(r["practice"] for r in page.rows) == sorted(by_code)
    for row in page.rows:
        expected = by_code[row["practice"]]
        cells, text = row["cells"], [t.strip() for t in row["text"]]
        # columns: code, name, [one area column], list size, eligible, national, scheme, difference, why
        assert cells[0] == expected["practice"] and text[1] == expected["name"]
        assert text[-5] == ("yes" if expected["eligible"] else "no")
        assert [c or None for c in cells[-4:-1]] == [expected["national_payment"], expected["scheme_payment"],
                                                     expected["difference"]]
        assert text[-4] == _money(expected["national_payment"])
        assert text[-3] == _money(expected["scheme_payment"])


def test_hash_sorts_the_table_when_the_page_opens(pages):
    page = _dom(pages, "lincs", "#sort=difference:desc")
    differences = [Decimal(r["cells"][-2]) for r in page.rows if r["cells"][-2]][:133]
    assert differences == sorted(differences, reverse=True) and differences[0] > 0


@pytest.mark.parametrize("name", EXAMPLES)
def test_charts_are_drawn_with_runs_figures(pages, name):
    page = _dom(pages, name)
    ran = pages[1][name][1]
    known = [p for p in ran["practices"] if p["difference"] is not None]
    assert sum(page.bins) == sum(1 for p in known if p["eligible"])
    by_bar: dict[str, Decimal] = {}
    for practice in known:
        for item in practice["indicators"]:
            change = Decimal(item["scheme"]["payment"]) - Decimal(item["national"]["payment"])
            by_bar[item["group"]] = by_bar.get(item["group"], Decimal(0)) + change
        for adjustment in practice.get("adjustments", []):
            by_bar[adjustment["title"]] = by_bar.get(adjustment["title"], Decimal(0)) + Decimal(adjustment["payment"])
    assert {k: Decimal(v) for k, v in page.group_bars.items()} == {k: v for k, v in by_bar.items() if v != 0}
    assert sum(by_bar.values()) == Decimal(ran["totals"]["difference"])


@pytest.mark.parametrize("name", EXAMPLES)
def test_axe_core_finds_no_violations(driven, name):
    seen = driven[name]
    assert seen["axe"] == [], seen["axe"]
    if seen["has_outside"]:
        assert seen["axe_open"] == [], seen["axe_open"]
    assert seen["landmarks"] == {"main": 1, "outside_main": []}
    assert seen["errors"] == []


@pytest.mark.parametrize("name", EXAMPLES)
def test_tab_reaches_the_filter_then_every_sort_button(driven, name):
    seen = driven[name]
    stops = [(t["tag"], t["id"] or t["key"]) for t in seen["tabs"]]
    assert ("input", "filter") in stops, "Tab never reached the filter"
    buttons = [t["key"] for t in seen["tabs"] if t["table"] == "practices" and t["tag"] == "button"]
    assert buttons == seen["sort_keys"], "each heading's button, in order"
    assert stops.index(("input", "filter")) < stops.index(("button", "practice"))
    assert len(seen["tabs"]) <= 20, "the table is a few presses from the top of the page, not 40"


def _ordered(values: list[str | None], descending: bool) -> bool:
    known = [Decimal(v) for v in values if v]
    blanks_last = all(not v for v in values[len(known):])
    return blanks_last and known == sorted(known, reverse=descending)


@pytest.mark.parametrize("name", EXAMPLES)
def test_enter_and_space_sort_by_the_focused_column(driven, name):
    seen = driven[name]
    assert seen["difference_focused"]
    assert seen["after_enter"]["aria_sort"] == "ascending" and seen["after_enter"]["others"] == 0
    assert _ordered(seen["after_enter"]["values"], descending=False)
    assert seen["after_space"]["aria_sort"] == "descending" and seen["after_space"]["others"] == 0
    assert _ordered(seen["after_space"]["values"], descending=True)
    assert sorted(seen["after_space"]["codes"]) == sorted(seen["before"]["codes"]), "sorting keeps every row"


def test_sorting_really_reorders_rows(driven):
    seen = driven["lincs"]  # gains differ from practice to practice here
    assert seen["after_enter"]["codes"] != seen["before"]["codes"]
    assert seen["after_space"]["values"][0] == max(seen["after_space"]["values"], key=lambda v: Decimal(v or "-1e9"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_typing_in_the_filter_shows_only_matching_practices(driven, name):
    seen = driven[name]
    assert seen["filter_focused"]
    found = seen["filtered"]
    words = seen["query"].lower().split()  # a practice's whole name: every word must be found
    assert sorted(found["shown"]) == sorted(code for code, text in found["search"].items()
                                            if all(word in text for word in words))
    assert found["shown"] and len(found["shown"]) < len(found["search"])
    assert found["status"] == f"Showing {len(found['shown'])} of {len(found['search'])} practices"
    assert found["role"] == "status"


def test_somerset_shows_its_own_practices_and_only_counts_the_rest(pages, tmp_path):
    _, reports = pages
    report, ran = reports["somerset"]
    html = report.read_text(encoding="utf-8")
    practices_table = html.split('id="practices"')[1].split("</table>")[0]
    assert practices_table.count("<tr data-practice=") == 62
    assert '<details class="outside" id="outside">' in html
    assert "176 other practices in the data, outside Somerset LMC (LMC Devon: 120, LMC Cornwall and Isles of Scilly: 56)" in html
    shot = tmp_path / "somerset.png"
    _chromium(tmp_path, "--window-size=1200,900", f"--screenshot={shot}", report.as_uri())
    keep = os.environ.get("QOFRULES_KEEP_SCREENSHOT")
    if keep:
        for name, (path, _) in reports.items():
            _chromium(tmp_path, "--window-size=1200,6000", f"--screenshot={os.path.join(keep, name + '.png')}",
                      path.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1200, 900)
    assert len(data) > 50_000, "a blank page compresses to a few kilobytes"
