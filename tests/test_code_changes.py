"""The shipped code-changes file (qofrules/contracts/england-code-changes.yaml) and its lookup.

What a user relies on: every link is well formed and sourced, names codes that exist in the years
it names (where the project knows those years' lists), and a malformed file is a clear QR305/QR306
error, never a traceback.
"""
from __future__ import annotations

import importlib.resources
from pathlib import Path

import pytest
import yaml

from qofrules import jsonschemas
from qofrules.contracts import codechanges
from qofrules.diagnostics import QofError
from qofrules.source import Source

ROOT = Path(__file__).resolve().parent.parent
KNOWN = yaml.safe_load((ROOT / "tests" / "reference" / "indicator-codes.yaml").read_text(encoding="utf-8"))


def _shipped() -> dict:
    text = importlib.resources.files("qofrules.contracts").joinpath("england-code-changes.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def test_the_shipped_file_matches_its_schema_and_loads():
    data = _shipped()
    jsonschemas.validate(data, "qofrules.contracts", codechanges.SCHEMA, Source("shipped", ""), "QR305")
    changes = codechanges.load("england")
    assert len(changes.changes) == len(data["changes"]) > 0
    assert all(c.source and c.status in ("checked", "unchecked") for c in changes.changes)
    assert all(c.status == "unchecked" for c in changes.changes if c.inferred)


def test_the_shipped_file_names_only_codes_its_years_are_known_to_have():
    """Both sides of each link: the code in its year, the earlier code in the earlier year."""
    absent = []
    for change in codechanges.load("england").changes:
        for year, code in ((change.year, change.code), (change.earlier_year, change.earlier_code)):
            if code is not None and year in KNOWN and code not in KNOWN[year]["codes"]:
                absent.append((year, code))
    assert absent == []


def test_a_code_renumbered_in_2013_14_is_read_under_its_2012_13_code():
    found = codechanges.load("england").lookup("2013/14", "DM007", "2012/13")
    assert found.earlier_code == "DM26" and not found.is_new
    assert "DM007 of 2013/14 was DM26 in 2012/13 [unchecked; Pulse" in found.account()


def test_an_indicator_new_in_2013_14_has_no_2012_13_points():
    found = codechanges.load("england").lookup("2013/14", "HYP003", "2012/13")
    assert found.is_new
    assert found.missing_points().startswith("HYP003 was new in 2013/14: it had no points in 2012/13 [unchecked;")


def test_links_are_followed_back_through_years_and_a_stated_no_change_is_named():
    changes = codechanges.load("england")
    assert changes.lookup("2016/17", "DEM004", "2014/15").earlier_code == "DEM002"  # via 2015/16's renumbering
    same = changes.lookup("2016/17", "DEM004", "2015/16")
    assert same.earlier_code == "DEM004" and same.unchanged is not None
    assert "no codes changed from 2015/16 to 2016/17 [checked; NHS Employers" in same.account()
    assert changes.lookup("2016/17", "AF006", "2013/14").is_new  # new in 2015/16, so none in 2013/14
    nothing = changes.lookup("2013/14", "PE001", "2012/13")
    assert nothing.earlier_code == "PE001" and nothing.account() == "as PE001: no code change recorded"


def _file(*changes, unchanged=()):
    data = {"country": "england", "sources": {"s": {"title": "A source"}}, "changes": list(changes)}
    if unchanged:
        data["unchanged"] = list(unchanged)
    return data


LINK = {"year": "2013/14", "code": "DM007", "earlier_year": "2012/13", "earlier_code": "DM26",
        "status": "unchecked", "source": "s"}


@pytest.mark.parametrize("data,code,words", [
    ("not a mapping", "QR305", "must be a YAML mapping"),
    (_file({**LINK, "source": None}), "QR305", "changes[0].source"),
    (_file({**LINK, "new": True}), "QR305", "changes[0]"),  # both an earlier code and new
    (_file({k: v for k, v in LINK.items() if k != "earlier_code"}), "QR305", "changes[0]"),  # neither
    (_file({**LINK, "status": "unknown"}), "QR305", "changes[0].status"),
    (_file(LINK, {**LINK, "earlier_code": "DM27"}), "QR306", "DM007 of 2013/14 is given a 2012/13 code twice"),
    (_file(LINK, {**LINK, "code": "DM008"}), "QR306", "DM26 of 2012/13 is already the earlier code of DM007"),
    (_file({**LINK, "source": "nowhere"}), "QR306", "cites source 'nowhere'"),
    (_file({**LINK, "earlier_year": "2014/15"}), "QR306", "earlier_year 2014/15 is not before 2013/14"),
    (_file({**LINK, "inferred": "by wording", "status": "checked"}), "QR306", "an inferred link cannot be 'checked'"),
    (_file(LINK, unchanged=[{"year": "2013/14", "earlier_year": "2012/13", "status": "checked", "source": "s"}]),
     "QR306", "says no indicator changed, but changes records DM007"),
])
def test_a_malformed_file_is_a_clear_error(data, code, words):
    with pytest.raises(QofError) as raised:
        codechanges.from_data(data, Source("changes.yaml", ""))
    messages = [(d.code, d.message) for d in raised.value.diagnostics]
    assert any(c == code and words in m for c, m in messages), messages


def test_a_run_says_which_indicators_are_read_under_an_unrecorded_code():
    from qofrules import api
    somerset = api.run(str(ROOT / "schemes" / "2014-somerset.qof"), str(ROOT / "examples" / "south-west-2014"),
                       indicators=False)
    (note,) = [n for n in somerset["notes"] if n.startswith("achievement in 2012/13 is read under")]
    assert "the 2013/14 code for 15 of the 35 indicators" in note and "records code changes for 20 of them" in note
    leeds = api.run(str(ROOT / "schemes" / "2017-leeds.qof"), str(ROOT / "examples" / "leeds-2017"), indicators=False)
    assert not [n for n in leeds["notes"] if "is read under" in n], "2016/17 <- 2015/16: a source says nothing changed"


def test_a_code_the_earlier_years_complete_list_lacks_is_not_read_there():
    """2023/24's COPD015 is not a 2022/23 code (qofrules' 2022/23 list is complete) and no change is
    recorded: 'achievement in 2022/23' reads nothing for it (rows or no rows) and the run says why;
    a code 2022/23 has is read as before. Both paths read tree.earlier, which this decides."""
    from types import SimpleNamespace

    from qofrules import api
    from qofrules.compiler import complete_list, earlier_lookups, unless_absent
    from qofrules.engine.exact import unrecorded_code_changes
    listed = complete_list("england", "2022/23")
    assert listed is not None and "COPD015" not in listed and "AF006" in listed
    changes = codechanges.load("england")
    absent = unless_absent(changes.lookup("2023/24", "COPD015", "2022/23"), listed)
    assert absent.is_new and absent.absent and absent.earlier_code is None
    assert "COPD015 is not in qofrules' complete list of 2022/23's indicators" in absent.missing_points()
    assert unless_absent(changes.lookup("2023/24", "AF006", "2022/23"), listed).earlier_code == "AF006"
    assert complete_list("england", "2018/19") is None  # lists no indicators: nothing to compare with
    scheme = api.parse('scheme p "Protected"\n  contract: england 2023/24\n  eligible when: every practice\n'
                       '  rule "On 2022/23":\n    applies to: all indicators\n    pay: achievement in 2022/23\n')
    contract = api.load_contract("england", "2023/24")
    earlier = earlier_lookups(scheme, contract)
    assert earlier["2022/23"]["COPD015"].absent and not earlier["2022/23"]["AF006"].absent
    (note, *_) = unrecorded_code_changes(SimpleNamespace(earlier=earlier, contract=contract))
    missing = sorted(set(contract.indicators) - listed)
    assert note.startswith(f"{len(missing)} of the {len(contract.indicators)} indicators are not in qofrules' "
                           "complete list of 2022/23's indicators")
