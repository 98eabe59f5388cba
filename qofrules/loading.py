"""Loading a data set for the commands that look at all of it (``data describe``, ``contracts
infer``, ``reconcile``): as columns where the columnar reader can judge it, else exactly, with
what a publication says beyond the data set itself (patient list types, files, row counts)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .data import columnar, publication


@dataclass
class Loaded:
    data: object                              # ColumnarData or Dataset
    path: str
    survey: publication.Survey | None = None  # for a publication: its files
    read: publication.Read | None = None
    deferred: str | None = None               # why the columnar reader handed over, if it did
    rows: dict[str, int] = field(default_factory=dict)  # achievement rows per year (a publication)

    def list_types(self, year: str) -> dict[str, str] | None:
        if self.read is None or year not in self.read.facts:
            return None
        return self.read.facts[year].list_types

    def basis(self, year: str) -> str:
        name = Path(self.path).name
        count = len(self.data.practices)
        if year in self.rows:
            files = len(self.survey.of(publication.ACHIEVEMENT, year))
            return (f"{name}: {count:,} practices, {self.rows[year]:,} rows of {year} achievement "
                    f"({files} file{'' if files == 1 else 's'})")
        return f"{name}: {count:,} practices"


def load(path: str, exact: bool = False) -> Loaded:
    """The data set at ``path``, with its survey when it is NHS Digital's publication."""
    if publication.applies(path):
        with publication.opened(path) as survey:
            deferred = None
            if not exact:
                try:
                    data, read = publication.read_columns(survey)
                except columnar.Deferred as why:
                    deferred = str(why)
                    data, read = publication.read_exact(survey)
            else:
                data, read = publication.read_exact(survey)
            rows = {}
            for year in data.years:
                rows[year] = sum(publication.data_rows(f) for f in survey.of(publication.ACHIEVEMENT, year))
            return Loaded(data=data, path=path, survey=survey, read=read, deferred=deferred, rows=rows)
    from . import api
    if exact:
        return Loaded(data=api.load_data(path), path=path)
    data, why = api._columns_or_why(path)
    if data is None:
        data = api.load_data(path)
    return Loaded(data=data, path=path, deferred=why)
