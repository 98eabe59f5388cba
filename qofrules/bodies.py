"""The vocabulary of bodies (CCG, ICB, LMC, NHS England …), read from contracts/bodies.yaml."""
from __future__ import annotations

import functools
import importlib.resources

import yaml

from . import ast


@functools.lru_cache(maxsize=1)
def kinds() -> dict[str, dict]:
    text = importlib.resources.files("qofrules.contracts").joinpath("bodies.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["kinds"]


@functools.lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    """Other names for a kind (``primary-care-trust`` for ``pct``), for QR215's hint."""
    text = importlib.resources.files("qofrules.contracts").joinpath("bodies.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text).get("aliases", {})


def levels(kind: str) -> list[str]:
    return kinds().get(kind, {}).get("levels", [])


def area_column(body: ast.Body) -> str | None:
    """The practices-table column that places a practice in ``body`` (None: every practice / not an area)."""
    spec = kinds().get(body.kind.text, {})
    if "area_column_by_level" in spec:
        level = body.level.text if body.level else "national"
        return spec["area_column_by_level"].get(level)
    return spec.get("area_column")
