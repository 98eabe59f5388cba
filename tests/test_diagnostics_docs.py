"""Every diagnostic code qofrules can raise is documented, so a user who meets one can look it up."""
from __future__ import annotations

import re

from conftest import ROOT

CODE = re.compile(r"[\"'](Q[A-Z][0-9]{3})[\"']")


def test_every_code_raised_is_documented():
    raised = {code for path in (ROOT / "qofrules").rglob("*.py") for code in CODE.findall(path.read_text(encoding="utf-8"))}
    documented = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8") + \
        (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")  # validation rules (QV...) are documented there
    assert {"QR210", "QR211", "QE004"} <= raised
    assert sorted(code for code in raised if code not in documented) == []
