"""The public Python API: everything the CLI does, returning plain data (dicts, lists, strings).

Two layers:

* ``check``, ``run``, ``contracts`` — what the CLI commands do, as plain data ready for JSON;
* ``parse``, ``check_source``, ``load_contract``, ``compile``, ``evaluate``, ``load_data`` — the
  pipeline's stages, returning the typed objects the stages pass to one another.

Every user-caused failure is a :class:`~qofrules.diagnostics.QofError` carrying diagnostics.
"""
from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import ast, checks, syntax
from . import contracts as contract_data
from .contracts.model import ContractYear
from .diagnostics import Diagnostic, QofError, cap, did_you_mean, error
from .localindicators import with_local_indicators
from .reading import MAX_SCHEME_BYTES, read_text
from .source import Source

if TYPE_CHECKING:  # the data readers, the compiler and results load when a command computes (check is quicker)
    from . import data as data_module
    from .compiler import EvaluationTree
    from .results import RunResult

__all__ = ["QofError", "CheckReport", "parse", "check_source", "check_file", "check", "load_contract",
           "compile", "evaluate", "load_data", "run_result", "run", "contracts_summary", "contracts", "contract_figures"]


# ------------------------------------------------------------------ stages

def parse(text: str, name: str = "<string>") -> ast.Scheme:
    """Parse scheme text into its AST; raises QofError on a syntax error or an impossible value."""
    return syntax.parse_text(text, name)


@dataclass(frozen=True)
class CheckReport:
    source: Source
    scheme: ast.Scheme | None          # None when the file did not parse
    contract: ContractYear | None
    diagnostics: tuple[Diagnostic, ...]
    syntax_error: bool = False

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_plain(self) -> dict:
        return {"file": self.source.name, "ok": self.ok, "syntax_error": self.syntax_error,
                "diagnostics": [d.to_json() for d in self.diagnostics]}


def _contract_for(scheme: ast.Scheme, source: Source) -> tuple[ContractYear | None, list[Diagnostic]]:
    field = scheme.contract
    if field is None or field.year.start is None:
        return None, []
    try:
        return contract_data.load(field.country.text, field.year.text), []
    except QofError as exc:
        return None, [error(d.code, d.message, source=source, span=field.span, hint=d.hint) for d in exc.diagnostics]


def check_source(source: Source, contract: ContractYear | None = None) -> CheckReport:
    """Parse and check one scheme: every problem found, located, with hints.

    ``contract`` replaces the shipped contract year the scheme names (tests use fixture years).
    """
    try:
        scheme, found = syntax.parse(source)
    except QofError as exc:
        return CheckReport(source=source, scheme=None, contract=None, diagnostics=exc.diagnostics, syntax_error=True)
    if contract is not None:
        problems = []
    else:
        contract, problems = _contract_for(scheme, source)
    found = found + problems
    if contract is not None:
        contract = with_local_indicators(contract, scheme)
    found += checks.run_checks(checks.CheckContext(source=source, scheme=scheme, contract=contract))
    found.sort(key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0))
    return CheckReport(source=source, scheme=scheme, contract=contract, diagnostics=tuple(cap(found)))


def scheme_source(path) -> Source:
    """The text of a scheme named by a path (``-`` for standard input), a
    :class:`~qofrules.inputs.SchemeInput` (a path with the name to show, e.g. stdin's
    ``--stdin-filename``), or already read (a Source); QofError when it cannot be read."""
    if isinstance(path, Source):
        return path
    from .inputs import SchemeInput, read_scheme
    if isinstance(path, SchemeInput):
        return read_scheme(path)
    return read_text(path, max_bytes=MAX_SCHEME_BYTES, what="scheme file")


def check_file(path, overrides: dict | None = None) -> CheckReport:
    """Check one scheme file (a path, a SchemeInput or a Source: ``scheme_source``). ``overrides``:
    parsed ``--contract-overrides`` files by the contract year they are for
    (``load_overrides_by_year``); those for the scheme's year are applied."""
    try:
        source = scheme_source(path)
    except QofError as exc:
        from .inputs import SchemeInput
        name = path.name if isinstance(path, (SchemeInput, Source)) else str(path)
        return CheckReport(source=Source(name, ""), scheme=None, contract=None, diagnostics=exc.diagnostics,
                           syntax_error=True)
    if overrides:
        try:
            scheme = parse(source.text, source.name)
        except QofError:
            return check_source(source)  # reports the syntax error
        field = scheme.contract
        key = f"{field.country.text} {field.year.text}" if field is not None else None
        if key in overrides:
            try:
                contract = contract_data.load(field.country.text, field.year.text)
            except QofError:
                return check_source(source)  # reports the year that does not ship
            for data, overrides_source in overrides[key]:
                contract = contract_data.apply_overrides(contract, data, overrides_source)
            return check_source(source, contract)
    return check_source(source)


def load_overrides_by_year(paths: list[str] | tuple[str, ...]) -> dict:
    """``--contract-overrides`` files, parsed and checked, grouped by the contract year each is for."""
    found: dict = {}
    for path in paths:
        data, source = contract_data.load_overrides(path)
        found.setdefault(data["overrides"], []).append((data, source))
    return found


def shared_overrides_for(scheme_path, shared: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Of a repository's ``contract-overrides`` setting, the files for the contract year the scheme
    names (each file says its year: ``overrides: england 2013/14``). A scheme that cannot be read
    or names no year gets none, and its own error is reported when it is run."""
    if not shared:
        return ()
    try:
        scheme = parse(scheme_source(scheme_path).text)
    except QofError:
        return ()
    field = scheme.contract
    if field is None:
        return ()
    key = f"{field.country.text} {field.year.text}"
    return tuple(path for path in shared if contract_data.load_overrides(path)[0]["overrides"] == key)


def load_contract(country: str, year: str, overrides: list[str] | tuple[str, ...] = ()) -> ContractYear:
    """A shipped contract year with any user-supplied figures (``--contract-overrides``) applied."""
    contract = contract_data.load(country, year)
    for path in overrides:
        overrides_data, overrides_source = contract_data.load_overrides(path)
        contract = contract_data.apply_overrides(contract, overrides_data, overrides_source)
    return contract


def compile(scheme: ast.Scheme, contract: ContractYear, source: Source | None = None,  # noqa: A001
            code_changes=None) -> EvaluationTree:
    """``code_changes`` (contracts.codechanges.CodeChanges) replaces the shipped code-changes file."""
    from .compiler import compile_scheme
    return compile_scheme(scheme, contract, source or Source("<scheme>", ""), code_changes)


def evaluate(tree: EvaluationTree, dataset: data_module.Dataset) -> RunResult:
    from .engine.exact import evaluate as _evaluate
    return _evaluate(tree, dataset)


def load_data(path: str) -> data_module.Dataset:
    from . import data as data_module
    return data_module.load(path)


def _checked_scheme(path: str) -> CheckReport:
    report = check_file(path)
    if not report.ok:
        raise QofError(report.errors)
    return report


def load_columns(path: str):
    """The data set as columns, read by the columnar reader, or None where only the exact reader can
    read it (a compact file, or files with anything the columnar reader cannot judge exactly)."""
    return _columns_or_why(path)[0]


def _columns_or_why(path: str):
    """(columns or None, why the columnar reader handed the data set to the exact reader, if it did)."""
    from .data import columnar
    try:
        return columnar.load(path), None
    except columnar.Deferred as exc:
        return None, str(exc)


def run_result(scheme_path: str, data_path: str, overrides: list[str] | tuple[str, ...] = (), *,
               exact: bool = False) -> RunResult:
    """Check the scheme, load the data, apply overrides (the data set's own, then the user's), evaluate.

    A data set directory is read as columns; ``exact`` (``run --exact``), a compact file, or data
    the columnar reader defers on, are read by the exact reader, practice by practice, and turned
    into the same columns. Either way one engine evaluates every practice at once (qofrules.engine)."""
    return run_result_and_data(scheme_path, data_path, overrides, exact=exact)[0]


def run_result_and_data(scheme_path: str, data_path: str, overrides: list[str] | tuple[str, ...] = (), *,
                        exact: bool = False):
    """``run_result`` and the data set it was computed over (outputs show each practice's geography)."""
    tree, dataset, why = _prepared(scheme_path, data_path, overrides, columns=not exact)
    return _evaluated(tree, dataset, why)


def _evaluated(tree: EvaluationTree, dataset, why: str | None):
    """(result, data set): the engine's result (columns at once, or a Dataset practice by practice)."""
    from .engine import evaluate as evaluate_any
    return evaluate_any(tree, dataset, why), dataset


# ------------------------------------------------------------------ what the CLI commands return

def check(paths: list[str]) -> list[dict]:
    """``qofrules check``: one report per file, as plain data."""
    return [check_file(p).to_plain() for p in paths]


def run(scheme_path: str, data_path: str, overrides: list[str] | tuple[str, ...] = (), *,
        indicators: bool = True, trace: bool = False, exact: bool = False) -> dict:
    """``qofrules run``: per-practice results and totals, as plain data (money as decimal strings)."""
    return run_result(scheme_path, data_path, overrides, exact=exact).to_plain(indicators=indicators, trace=trace)


def _missing_figures(contract: ContractYear) -> list[str]:
    from .compiler import missing_figures
    return missing_figures(contract)


def contracts_summary(contract: ContractYear) -> dict:
    """How complete one contract year's data is: indicators listed of published, points known of
    published, £ per point, and how many figures are checked, unchecked and unknown."""
    counts = contract.status_counts()
    total = contract.total_points
    return {
        "country": contract.country, "year": contract.year, "title": contract.title,
        "indicators": len(contract.indicators),
        "published_indicator_count": contract.published_indicator_count.value,
        "listed": contract.listed,
        "total_points": total,
        "known_points": sum(i.points.value for i in contract.indicators.values() if i.points.known),
        "published_total_points": contract.published_total_points.value,
        "point_value": None if contract.point_value.value is None else str(contract.point_value.value),
        "complete": contract.complete,
        "figures": {k: counts.get(k, 0) for k in ("checked", "unchecked", "unknown", "supplied")},
        "missing_for_payment": _missing_figures(contract),
    }


def _plain(value):
    return value if value is None or isinstance(value, (int, str, bool)) else str(value)


def contract_figures(country: str, year: str) -> dict:
    """``qofrules contracts COUNTRY YEAR``: one year's summary, notes and every figure with its value,
    status and source (QR210/QR211 for a country or year that does not ship)."""
    contract = contract_data.load(country, year)
    summary = contracts_summary(contract)
    summary["notes"] = contract.notes
    summary["figures_list"] = [{"figure": label, "value": _plain(f.value), "status": f.status, "source": f.source,
                                "note": f.note} for label, f in contract.figures()]
    return summary


def contracts(country: str | None = None, year: str | None = None) -> list[dict]:
    """``qofrules contracts [COUNTRY] [YEAR]``: the shipped contract years (of one country, or of one
    year in every country) and how complete their data is. A country or year that does not ship is
    a QofError (QR210, QR211) with a did-you-mean."""
    shipped = contract_data.available()
    if country is not None and country not in contract_data.COUNTRIES:
        raise contract_data.country_error(country)
    if country is not None and year is not None:
        return [contracts_summary(contract_data.load(country, year))]
    if year is not None and not any(y == year for _, y in shipped):
        years = sorted({y for _, y in shipped})
        raise QofError([error("QR211", f"no contract year {year} ships with qofrules, for any country",
                              hint=did_you_mean(year, years) or "years that ship: " + ", ".join(years))])
    chosen = [(c, y) for c, y in shipped if (country is None or c == country) and (year is None or y == year)]
    order = {c: i for i, c in enumerate(contract_data.COUNTRIES)}
    chosen.sort(key=lambda cy: (order[cy[0]], cy[1]))
    return [contracts_summary(contract_data.load(c, y)) for c, y in chosen]


# ------------------------------------------------------------------ explanations and reports (issue 5)

def prepared(scheme_path: str, data_path: str, overrides: list[str] | tuple[str, ...] = (), *,
             columns: bool = False):
    """The compiled tree and the loaded data set, exactly as ``run_result`` prepares them;
    ``columns``: as columns where the columnar reader can read it (see ``load_columns``)."""
    tree, dataset, _ = _prepared(scheme_path, data_path, overrides, columns=columns)
    return tree, dataset


def _prepared(scheme_path: str, data_path: str, overrides, *, columns: bool):
    """(compiled tree, data set, why the columnar reader deferred or None): check the scheme, load the
    data (as columns if asked and possible), apply overrides (the data set's own, then the user's)."""
    from .engine import no_cyclic_gc
    # Reading makes millions of small objects and no cycles; with them alive, the cyclic collector
    # would scan the growing data set again and again, while reading and while the contract year
    # and the scheme are compiled after it (a tenth of a national run, more as the data grows).
    with no_cyclic_gc():
        report = _checked_scheme(scheme_path)
        dataset, why = _columns_or_why(data_path) if columns else (None, None)
        if dataset is None:
            dataset = load_data(data_path)
        field = report.scheme.contract
        files = ([dataset.contract_overrides] if dataset.contract_overrides else []) + list(overrides)
        contract = load_contract(field.country.text, field.year.text, files)
        tree = compile(report.scheme, contract, report.source)
        # and not afterwards either: the objects alive now (the data set above all) move to the
        # collector's permanent generation, so that a collection while the results are written
        # does not scan them. Freed by reference counting as ever: they hold no cycles.
        gc.freeze()
        return tree, dataset, why


def explain(scheme_path: str, data_path: str, practice: str, indicator: str | None = None,
            overrides: list[str] | tuple[str, ...] = ()) -> dict:
    """``qofrules explain``: why one practice is paid what it is, as the full trace (plain data)."""
    from .explain import explain as _explain
    tree, dataset = prepared(scheme_path, data_path, overrides, columns=True)  # one practice: no need for all
    return _explain(tree, dataset, practice, indicator)


def report(scheme_path: str, data_path: str, overrides: list[str] | tuple[str, ...] = (), *,
           fmt: str = "html") -> str:
    """``qofrules report``: a commissioner's report of a scheme over a data set (HTML or markdown)."""
    from .report import build_report, render
    tree, dataset, result = report_inputs(scheme_path, data_path, overrides)
    return render(build_report(tree, dataset, scheme_path, result, data_path=data_path, overrides=overrides,
                               validate=validate), fmt)


def report_inputs(scheme_path: str, data_path: str, overrides: list[str] | tuple[str, ...] = ()):
    """(compiled tree, data set, run result) a report is made from: evaluated as ``run`` evaluates
    (every practice at once over columns where the data set can be read so), so that the report's
    figures are run's figures, and as fast."""
    tree, dataset, why = _prepared(scheme_path, data_path, overrides, columns=True)
    return (tree, dataset, *_evaluated(tree, dataset, why)[:1])


# ------------------------------------------------------------------ reviewer tools: fmt and diff (issue 4)

def format_text(text: str, name: str = "<string>") -> str:
    """``qofrules fmt``: the canonical form of scheme text, proved to mean the same and to be stable.

    Raises QofError: the text's syntax error, or QR601 when the formatter refuses (a formatter bug).
    """
    from .formatter import format_text as _format_text
    return _format_text(text, name)


def diff_result(old_path: str, new_path: str):
    """The typed :class:`~qofrules.differ.SchemeDiff` of two scheme files (either may be ``-``, or
    anything ``scheme_source`` reads)."""
    from .differ import diff_schemes
    schemes = []
    for path in (old_path, new_path):
        source = scheme_source(path)
        schemes.append((syntax.parse_text(source.text, source.name), source.name))
    (old, old_name), (new, new_name) = schemes
    return diff_schemes(old, new, old_name, new_name)


def diff(old_path: str, new_path: str, data: str | None = None,
         overrides: list[str] | tuple[str, ...] = (), *, shared_overrides: list[str] | tuple[str, ...] = ()) -> dict:
    """``qofrules diff``: the semantic changes from OLD to NEW as plain data; with ``data``, also the
    payment impact per practice (``impact``), or why one side could not be evaluated on it
    (``impact_unavailable``: side → the diagnostics). ``shared_overrides`` (the repository's
    ``contract-overrides`` setting, used when ``overrides`` is empty) apply to each side by its year."""
    from .differ import impact
    found = diff_result(old_path, new_path)
    plain = found.to_plain()
    if data is not None:
        results, problems = {}, {}
        for side, path in (("old", old_path), ("new", new_path)):
            try:
                results[side] = run_result(path, data, overrides or shared_overrides_for(path, shared_overrides))
            except QofError as exc:
                problems[side] = [d.to_json() for d in exc.diagnostics]
        if problems:
            plain["impact_unavailable"] = problems
        else:
            plain["impact"] = impact(found, results["old"], results["new"])
    return plain


# ------------------------------------------------------------------ validation (issue 3)

def validation_reports(paths: list[str] | str, data_path: str | None = None,
                       overrides: list[str] | tuple[str, ...] = (), *,
                       shared_overrides: list[str] | tuple[str, ...] = ()) -> list:
    """``qofrules validate``: check, then validate, each scheme (typed :class:`~qofrules.validate.ValidationReport`).

    ``data_path`` is the practice data the schemes will use, so that prior-year bases can be
    checked against the years it holds; its own contract overrides apply, as in ``run``.
    ``overrides`` are ``--contract-overrides`` files: each applies to the schemes of the contract
    year it is for, so that a rule needing a figure qofrules lacks can judge. A data set or an
    overrides file that cannot be loaded, or an overrides file for a year no scheme names, raises
    QofError. ``shared_overrides`` (a repository's ``contract-overrides`` setting) apply as the
    data set's own do: each to the schemes of its year, and no error when no scheme given is of it.
    """
    from .validate import validate_report
    if isinstance(paths, str):
        paths = [paths]
    files = list(shared_overrides) + list(overrides)
    facts = None
    if data_path:
        from .data.facts import read_facts
        facts = read_facts(data_path)
        files = ([facts.contract_overrides] if facts.contract_overrides else []) + files
    by_year = load_overrides_by_year(files)
    reports = [check_file(p, by_year) for p in paths]
    named = {f"{r.scheme.contract.country.text} {r.scheme.contract.year.text}"
             for r in reports if r.scheme is not None and r.scheme.contract is not None}
    for key, loaded in by_year.items():
        if key not in named and any(source.name in overrides for _, source in loaded):
            raise QofError([error("QR312", f"these overrides are for '{key}', but no scheme given names that "
                                  "contract year", source=loaded[0][1],
                                  hint="schemes name: " + (", ".join(sorted(named)) or "no contract year"))])
    return [validate_report(r, data=facts) for r in reports]


def data_years(path: str) -> tuple[tuple[str, ...], str | None]:
    """(the years of achievement a data set holds, its own contract overrides file or None), as
    ``load_data`` would find them: for a data set directory, from its manifest and practices table,
    without its achievement rows (:mod:`qofrules.data.facts`)."""
    from .data.facts import read_facts
    facts = read_facts(path)
    return facts.years, facts.contract_overrides


def validate(paths: list[str] | str, data_path: str | None = None,
             overrides: list[str] | tuple[str, ...] = ()) -> list[dict]:
    """Per scheme: verdict (accepted / accepted with warnings / cannot judge / rejected), ``ok`` and
    every finding, as plain data."""
    return [r.to_plain() for r in validation_reports(paths, data_path, overrides)]


def rules() -> list[dict]:
    """``qofrules rules``: every validation rule with its text, source and examples, as plain data."""
    from .rules import all_rules
    return [r.to_plain() for r in all_rules()]


# ------------------------------------------------------------------ a scheme repository (issue 15)

def settings(paths: list[str] | tuple[str, ...] = (), stdin_filename: str | None = None,
             config: str | None = None) -> dict:
    """The shared settings (qofrules.toml, pyproject.toml [tool.qofrules]) in force for these paths,
    found as the commands find them (docs/repository.md), as plain data; ``file`` is None when none."""
    from dataclasses import asdict

    from .config import settings_for
    return asdict(settings_for(list(paths), stdin_filename, config))


def check_sarif(paths: list[str] | str, overrides: list[str] | tuple[str, ...] = ()) -> dict:
    """``qofrules check --format sarif``: the SARIF 2.1.0 log of checking these files and directories."""
    from .inputs import expand
    from .sarif import check_sarif as _check_sarif
    by_year = load_overrides_by_year(overrides)
    return _check_sarif([check_file(item, by_year) for item in expand([paths] if isinstance(paths, str) else paths)])


def validate_sarif(paths: list[str] | str, data_path: str | None = None,
                   overrides: list[str] | tuple[str, ...] = ()) -> dict:
    """``qofrules validate --format sarif``: the SARIF 2.1.0 log of validating these files and directories."""
    from .inputs import expand
    from .sarif import to_sarif
    return to_sarif(validation_reports(expand([paths] if isinstance(paths, str) else paths), data_path, overrides))


def new_scheme(scheme_id: str = "my-scheme", title: str = "Title of the scheme", contract: str | None = None) -> str:
    """``qofrules new``: the commented template of a new scheme, checked clean and in canonical form."""
    from .newscheme import new_scheme as _new_scheme
    return _new_scheme(scheme_id, title, contract)[0]
