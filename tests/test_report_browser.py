"""The HTML report in a real browser (Debian's chromium, headless): it renders, its charts are
drawn, its sorting script runs, and the numbers on the page are `run --format json`'s.

Skips, saying why, where chromium is not installed; .ci/run installs it so CI runs this test.
Set QOFRULES_KEEP_SCREENSHOT=DIR to keep the screenshot for a person to look at.
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

from conftest import ROOT
from qofrules.cli import cli

SCHEME, DATA = "schemes/2014-lincolnshire-llr.qof", "examples/lincolnshire-2014"
CHROMIUM = next((p for p in (shutil.which("chromium"), "/usr/bin/chromium") if p and os.path.exists(p)), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; "
                                                          ".ci/run installs it in CI)")


def _chromium(tmp_path, *args) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)


class _Page(HTMLParser):
    """The figures the rendered page shows: totals, the practice table's rows, the chart's bars."""

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
            self._row = {"practice": a["data-practice"], "cells": []}
        if tag == "td" and self._row is not None:
            self._row["cells"].append(a.get("data-value"))
            self._cell = ("td", len(self._row["cells"]) - 1)
            self._row.setdefault("text", []).append("")
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


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("browser")
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        report = tmp_path / "report.html"
        result = runner.invoke(cli, ["report", SCHEME, "--data", DATA, "-o", str(report)])
        assert result.exit_code == 0, result.output
        ran = runner.invoke(cli, ["run", SCHEME, "--data", DATA, "--format", "json"])
        assert ran.exit_code == 0, ran.output
    finally:
        os.chdir(cwd)
    # One browser run: the page opened sorted by difference, largest first, its DOM after scripts ran.
    dom = _chromium(tmp_path, "--virtual-time-budget=2000", "--dump-dom", f"{report.as_uri()}#sort=difference:desc").stdout
    shot = tmp_path / "report.png"
    _chromium(tmp_path, "--window-size=1200,2400", f"--screenshot={shot}", report.as_uri())
    keep = os.environ.get("QOFRULES_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(shot, os.path.join(keep, "report.png"))
    page = _Page()
    page.feed(dom)
    return page, json.loads(ran.output), shot


def test_page_totals_are_runs_totals(rendered):
    page, ran, _ = rendered
    totals = ran["totals"]
    assert page.totals["practices"].strip() == str(totals["practices"])
    assert page.totals["eligible"].strip() == str(totals["eligible"])
    for key in ("national_payment", "scheme_payment"):
        assert page.totals[key].strip() == f"£{Decimal(totals[key]):,.2f}"
    assert page.totals["difference"].strip() == f"+£{Decimal(totals['difference']):,.2f}"


def test_every_practice_row_shows_runs_figures_and_the_script_sorted_them(rendered):
    page, ran, _ = rendered
    by_code = {p["practice"]: p for p in ran["practices"]}
    assert sorted(r["practice"] for r in page.rows) == sorted(by_code)
    differences = []
    for row in page.rows:
        expected = by_code[row["practice"]]
        # columns: code, name, LMC, CCG, list size, eligible, national, scheme, difference, why
        cells, text = row["cells"], [t.strip() for t in row["text"]]
        assert cells[0] == expected["practice"] and text[1] == expected["name"]
        assert text[5] == ("yes" if expected["eligible"] else "no")
        assert cells[6:9] == [expected["national_payment"], expected["scheme_payment"], expected["difference"]]
        assert text[6] == f"£{Decimal(expected['national_payment']):,.2f}"
        assert text[7] == f"£{Decimal(expected['scheme_payment']):,.2f}"
        differences.append(Decimal(cells[8]))
    assert differences == sorted(differences, reverse=True), "#sort=difference:desc should order the table"
    assert differences[0] > 0


def test_charts_are_drawn_with_runs_figures(rendered):
    page, ran, _ = rendered
    assert sum(page.bins) == ran["totals"]["eligible"]
    by_group: dict[str, Decimal] = {}
    for practice in ran["practices"]:
        for item in practice["indicators"]:
            change = Decimal(item["scheme"]["payment"]) - Decimal(item["national"]["payment"])
            by_group[item["group"]] = by_group.get(item["group"], Decimal(0)) + change
    assert {k: Decimal(v) for k, v in page.group_bars.items()} == by_group


def test_screenshot_is_a_real_picture(rendered):
    _, _, shot = rendered
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 2400)
    assert len(data) > 50_000, "a blank page compresses to a few kilobytes"
