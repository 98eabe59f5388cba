"""The vocabulary of bodies (CCG, ICB, LMC, NHS England …), read from contracts/bodies.yaml."""
from __future__ import annotations

import functools

from . import ast, yamlsafe
from .packaged import shipped
from .source import Source


@functools.lru_cache(maxsize=1)
def _vocabulary() -> dict:
    """contracts/bodies.yaml, read once by libyaml (yamlsafe.load_shipped): every ``check`` reads
    it, and PyYAML's pure loader took a tenth of a cold check's time over it."""
    path = shipped("qofrules.contracts", "bodies.yaml")
    return yamlsafe.load_shipped(Source(str(path), path.read_text(encoding="utf-8")), code="QR301")


def kinds() -> dict[str, dict]:
    return _vocabulary()["kinds"]


def aliases() -> dict[str, str]:
    """Other names for a kind (``primary-care-trust`` for ``pct``), for QR215's hint."""
    return _vocabulary().get("aliases", {})


def levels(kind: str) -> list[str]:
    return kinds().get(kind, {}).get("levels", [])


def area_column(body: ast.Body) -> str | None:
    """The practices-table column that places a practice in ``body`` (None: every practice / not an area)."""
    spec = kinds().get(body.kind.text, {})
    if "area_column_by_level" in spec:
        level = body.level.text if body.level else "national"
        return spec["area_column_by_level"].get(level)
    return spec.get("area_column")
