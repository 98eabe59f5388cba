"""What ``validate --data`` needs to know of a data set, read no more deeply than the schemes need.

A scheme that ``validate`` accepts with the data it will be run on should also run on it: the
years of achievement the data holds (QV108), the practice columns it has (QE002, QE003: an area or
attribute the scheme tests) and, for a scheme with local indicators, whether the data reports them
at all (QE030). The years come from the manifest and the columns from the practices table, which
cost next to nothing for the whole of England; only where a scheme defines local indicators are the
achievement files read, by the same readers ``run`` uses, so each question is answered as ``run``
answers it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable


@dataclass(frozen=True)
class DataFacts:
    name: str
    years: tuple[str, ...]
    contract_overrides: str | None
    area_columns: frozenset[str]
    attribute_names: frozenset[str]
    #: year -> the indicator codes the data gives for it (read on first use: the achievement files)
    _codes: Callable[[str], set[str]] = field(repr=False, compare=False)

    def codes(self, year: str) -> set[str]:
        return self._codes(year)

    @cached_property
    def overrides_key(self) -> tuple[str, object] | None:
        """(the contract year the data set's own overrides file is for, the file's Source), or None;
        read once, however many schemes are validated."""
        if not self.contract_overrides:
            return None
        from ..contracts import load_overrides
        data, source = load_overrides(self.contract_overrides)
        return data["overrides"], source


def of_loaded(dataset) -> DataFacts:
    """The facts of a data set already loaded (columns, or the exact reader's Dataset)."""
    return DataFacts(name=dataset.name, years=tuple(dataset.years), contract_overrides=dataset.contract_overrides,
                     area_columns=dataset.area_columns, attribute_names=dataset.attribute_names,
                     _codes=dataset.codes)


def read_facts(path: str) -> DataFacts:
    """The facts of the data set at ``path``: a directory's manifest and practices table now, its
    achievement files only if :meth:`DataFacts.codes` is asked. A compact file, or NHS Digital's
    publication as published (whose years are in its files), is loaded whole."""
    from . import csvfiles, is_compact, load, publication, read_manifest
    from ..reading import MAX_DATA_BYTES, read_text
    if publication.applies(path):
        return of_loaded(_loaded(path))
    manifest, _, _, files = read_manifest(path)
    if is_compact(manifest):
        return of_loaded(load(path))
    practices = read_text(files["practices"], max_bytes=MAX_DATA_BYTES, what="practices table")
    _, area_columns, attribute_names = csvfiles.read_practices(practices)
    loaded: list = []

    def codes(year: str) -> set[str]:
        if not loaded:
            loaded.append(_loaded(path).codes)
        return loaded[0](year)

    overrides = files.get("contract_overrides")
    return DataFacts(name=manifest["dataset"], years=tuple(sorted(manifest.get("achievement", {}))),
                     contract_overrides=str(overrides) if overrides else None, area_columns=area_columns,
                     attribute_names=attribute_names, _codes=codes)


def _loaded(path: str):
    """The data set as ``run`` reads it: as columns where it can be, else by the exact reader."""
    from . import columnar, load
    try:
        found = columnar.load(path)
    except columnar.Deferred:
        found = None
    return found if found is not None else load(path)
