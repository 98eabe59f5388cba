"""Results as tables: the one shape every analysts' format is written from (docs/data-formats.md,
"Results as CSV, Excel and Parquet"), so CSV, Excel and Parquet hold the same rows, columns and
notices, and differ only in how they store them.

A :class:`Tables` is the notices every output must carry (the run's heading: scheme, data set and
that it is synthetic, files of figures not from national data, notes) and one or more
:class:`Table` — a view such as ``practices`` or ``indicators``. Values are Python values:
text, whole numbers, Decimals of two places (points and pounds, exact), other Decimals, booleans,
or None for "not known".
"""
from __future__ import annotations

from dataclasses import dataclass, field

TEXT, INTEGER, HUNDREDTHS, DECIMAL, BOOLEAN = "text", "integer", "hundredths", "decimal", "boolean"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT
    width: int = 14  # characters, for Excel


@dataclass
class Table:
    name: str                     # the sheet's name: 'practices', 'indicators', 'by ICB'
    columns: list[Column]
    rows: list[list] = field(default_factory=list)

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass
class Tables:
    notices: list[str]
    tables: list[Table]
    main: str                     # the view a one-table format (CSV, Parquet) writes

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    @property
    def primary(self) -> Table:
        return self.table(self.main)
