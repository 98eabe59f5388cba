"""``qofrules diff``: what changed between two versions of a scheme, by meaning, and what it does
to each practice's payment (docs/diff.md). Also a git external diff driver (seven arguments)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from .. import api
from ..cli import emit, fail
from ..diagnostics import QofError, error
from ..inputs import SchemeInput, read_scheme, schemes_under
from ..source import Source
from ..money import pounds
from ..config import Settings
from .options import OVERRIDES_HELP, setting_format, settings, settings_options

#: git runs an external diff driver with these seven arguments (git help git: GIT_EXTERNAL_DIFF).
GIT_ARGUMENTS = 7
NULL_FILE = "/dev/null"


def _money(value: str | None) -> str:
    from decimal import Decimal
    return pounds(None if value is None else Decimal(value))


def _signed(value: str | None) -> str:
    if value is None:
        return "—"
    text = _money(value)
    return text if text.startswith("-") or value.strip("0.") == "" else "+" + text


def _causes(entry: dict) -> str:
    return "; ".join(f"{c['cause']} ({_signed(c['amount'])})" for c in entry["caused_by"])


def _contract_line(plain: dict) -> str:
    contract = plain["contract"]
    if contract["same"]:
        return f"contract year: {contract['new'] or '(not stated)'} (both versions)"
    return (f"different contract years: {plain['old']} is {contract['old'] or '(not stated)'}, "
            f"{plain['new']} is {contract['new'] or '(not stated)'}")


def _impact_rows(impact: dict) -> list[dict]:
    return [p for p in impact["practices"] if p["difference"] != "0" and p["difference"] != "0.00"]


def _impact_unavailable(plain: dict) -> list[str]:
    lines = []
    for side, diagnostics in plain.get("impact_unavailable", {}).items():
        for d in diagnostics:
            # The file and the code, as run would print them: the user has to find what to fix.
            where = (f"{d['file']}:{d['line']}: " if d.get("file") and d.get("line")
                     else f"{d['file']}: " if d.get("file") else "")
            code = f"{d.get('severity') or 'error'}[{d['code']}] " if d.get("code") else ""
            lines.append(f"payment impact: the {side} version could not be evaluated on this data: "
                         f"{where}{code}{d['message']}")
    return lines


def _coverage_gaps(impact: dict) -> list[str]:
    lines = []
    for key, words in (("only_in_old", "only in the old version's results"), ("only_in_new", "only in the new version's results"),
                       ("eligible_only_under_old", "eligible under the old version only"),
                       ("eligible_only_under_new", "eligible under the new version only")):
        if impact[key]:
            lines.append(f"{len(impact[key])} practice(s) {words}: " + ", ".join(impact[key]))
    return lines


def render_text(plain: dict) -> str:
    lines = [f"{plain['old']} → {plain['new']}", _contract_line(plain)]
    lines += [f"note: {n}" for n in plain["notes"]]
    changes = plain["changes"]
    if not changes:
        lines.append("no semantic changes (the versions differ at most in layout, comments or order)")
    from ..differ import GROUPS  # imported when used: start-up of every command
    for group, heading in GROUPS.items():
        mine = [c for c in changes if c["group"] == group]
        if mine:
            lines += ["", heading]
            lines += [f"  {c['message']}" for c in mine]
    if changes:
        lines += ["", f"{len(changes)} semantic change(s)"]
    lines += _impact_unavailable(plain)
    impact = plain.get("impact")
    if impact:
        totals = impact["totals"]
        lines += ["", f"Payment impact on {impact['dataset']} ({len(impact['practices'])} practice(s))"]
        if impact["synthetic"]:
            lines.append(f"  {impact['notice']}")
        rows = _impact_rows(impact)
        for p in rows:
            lines.append(f"  {p['practice']} {p['name']}: {_money(p['old_payment'])} → {_money(p['new_payment'])} "
                         f"({_signed(p['difference'])})")
            if p["caused_by"]:
                lines.append(f"    caused by: {_causes(p)}")
        if not rows:
            lines.append("  no practice's payment changes")
        lines.append(f"  total: {_money(totals['old_payment'])} → {_money(totals['new_payment'])} "
                     f"({_signed(totals['change'])}); better off {totals['better_off']}, worse off {totals['worse_off']}, "
                     f"unchanged {totals['unchanged']}" + (f", unknown {totals['unknown']}" if totals["unknown"] else ""))
        lines += [f"  {line}" for line in _coverage_gaps(impact)]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(plain: dict) -> str:
    lines = [f"### Scheme changes: `{plain['old']}` → `{plain['new']}`", "", f"_{_contract_line(plain)}_", ""]
    lines += [f"> {n}" for n in plain["notes"]]
    changes = plain["changes"]
    if not changes:
        lines.append("No semantic changes (layout, comments or order only).")
    from ..differ import GROUPS  # imported when used: start-up of every command
    for group, heading in GROUPS.items():
        mine = [c for c in changes if c["group"] == group]
        if mine:
            lines += [f"**{heading}**", ""] + [f"- {_md(c['message'])}" for c in mine] + [""]
    lines += [f"> {line}" for line in _impact_unavailable(plain)]
    impact = plain.get("impact")
    if impact:
        totals = impact["totals"]
        lines += ["", f"**Payment impact** on `{impact['dataset']}` ({len(impact['practices'])} practices)"
                  + (" — synthetic data" if impact["synthetic"] else ""), ""]
        lines += [f"Total {_money(totals['old_payment'])} → {_money(totals['new_payment'])} "
                  f"(**{_signed(totals['change'])}**); better off {totals['better_off']}, worse off "
                  f"{totals['worse_off']}, unchanged {totals['unchanged']}"
                  + (f", unknown {totals['unknown']}" if totals["unknown"] else ""), ""]
        rows = _impact_rows(impact)
        if rows:
            lines += ["| Practice | Old | New | Difference | Caused by |", "|---|---:|---:|---:|---|"]
            for p in rows:
                lines.append(f"| {p['practice']} {_md(p['name'])} | {_money(p['old_payment'])} | "
                             f"{_money(p['new_payment'])} | {_signed(p['difference'])} | {_md(_causes(p))} |")
        lines += [""] + [f"- {line}" for line in _coverage_gaps(impact)]
    return "\n".join(lines).rstrip("\n") + "\n"


def _git_side(path: str) -> bool:
    return path != NULL_FILE


@click.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--impact", "data_path", type=click.Path(),
              help="Also evaluate both versions on this practice data set and show the payment change per practice.")
@click.option("--contract-overrides", "overrides", multiple=True, type=click.Path(dir_okay=False),
              help=OVERRIDES_HELP.replace("(repeatable;", "(for --impact; repeatable;"))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "csv", "xlsx", "parquet"]),
              default=None, help="Default text (or the format setting, if json or markdown); markdown is fit to paste "
                                 "into a pull-request comment; csv, xlsx and parquet (with --impact, or chosen by "
                                 "-o's suffix) give the impact per practice.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (atomically).")
@click.option("--stdin-filename", metavar="PATH", help="The file standard input (-) holds, to name that side by.")
@settings_options
def diff(files: tuple[str, ...], data_path: str | None, overrides: tuple[str, ...], fmt: str,
         output: str | None, stdin_filename: str | None, config_file: str | None, isolated: bool) -> None:
    """Show what changed from OLD to NEW by meaning: who is eligible, which indicators are covered,
    how they are paid, dates, approval, metadata. Usage: qofrules diff OLD NEW.

    Exit 0 when nothing changed in meaning (layout and comments do not count), 1 when something
    did, 2 when a version cannot be read, does not parse or holds an impossible value (2014-02-30),
    and 2 when --impact was asked and a version cannot be evaluated on the data (the diff and the
    reason are still shown).
    Given git's seven external-diff arguments, it acts as git's diff driver and always exits 0
    (see docs/diff.md). Either version may be - (standard input); two directories compare the
    schemes at the same paths under each, and list those only one has.

    --contract-overrides and --format may come from the repository's settings (docs/repository.md);
    the data for --impact is always named, since a diff without it evaluates nothing.
    """
    git_mode = len(files) == GIT_ARGUMENTS
    # git's driver shows layout, never impact: no settings, so none can stop git's output
    shared = Settings() if git_mode else settings(files, stdin_filename, config_file, isolated, fail)
    shared_overrides = () if overrides else shared.contract_overrides
    setting_fmt = setting_format(shared, ("text", "json", "markdown", "csv") if data_path else ("text", "json", "markdown"))
    if len(files) == 2 and all(f != "-" and Path(f).is_dir() for f in files):
        from ..outputs import TABLE_FORMATS
        chosen = fmt or ""  # a setting that cannot apply here is not an error: the default serves
        if chosen in TABLE_FORMATS or (output and Path(output).suffix.lstrip(".").lower() in TABLE_FORMATS):
            raise click.UsageError("csv, xlsx and parquet hold one pair's payment impact: give two scheme files "
                                   "(qofrules diff OLD NEW --impact DATASET), not two directories")
        directory_diff(files[0], files[1], data_path, overrides, fmt or setting_fmt, output, shared_overrides)
    if stdin_filename is not None and "-" not in files:
        raise click.UsageError("--stdin-filename names standard input: give - as OLD or NEW too")
    if len(files) == 2 and "-" in files:
        if files[0] == files[1]:
            raise click.UsageError("- (standard input) can be one side only: it can be read only once")
        try:
            stdin = read_scheme(SchemeInput("-", stdin_filename or "<stdin>"))
        except QofError as exc:
            fail(exc, 2)
        files = tuple(stdin if f == "-" else f for f in files)
    from .. import outputs
    fmt = "text" if git_mode else outputs.choose_format(fmt, output, default=setting_fmt or "text",
                                                        allowed=("json", "markdown", "csv", "xlsx", "parquet"))
    if fmt in outputs.TABLE_FORMATS:
        if len(files) != 2 or data_path is None:
            raise click.UsageError(f"--format {fmt} writes the payment impact per practice: give OLD NEW --impact DATASET")
        try:
            tables, changed = outputs.impact_tables_for(
                files[0], files[1], data_path, overrides or api.shared_overrides_for(files[1], shared_overrides))
            outputs.write_tables(tables, fmt, output)
        except QofError as exc:
            fail(exc, 2)
        sys.exit(1 if changed else 0)
    if git_mode:
        path, old, new = files[0], files[1], files[4]
    elif len(files) == 2:
        path, (old, new) = None, files
    else:
        raise click.UsageError("give two scheme files: qofrules diff OLD NEW")
    if git_mode and not (_git_side(old) and _git_side(new)):
        click.echo(f"{path}: scheme file {'added' if _git_side(new) else 'deleted'}")
        sys.exit(0)
    if git_mode:  # git passes temporary files; findings and headings name the path, as git does
        old, new = SchemeInput(old, f"a/{path}"), SchemeInput(new, f"b/{path}")
    try:
        plain = api.diff(old, new, data_path, overrides, shared_overrides=shared_overrides)
    except QofError as exc:
        if git_mode:  # shown in git's output; a non-zero exit would stop git at this file
            click.echo(f"{path}: cannot show a semantic diff:")
            for diagnostic in exc.diagnostics:
                click.echo(diagnostic.render())
            sys.exit(0)
        # 1 means "the versions differ": a version that cannot be read, parsed or built (an
        # impossible date, 2014-02-30) is an input problem, and says nothing about difference.
        fail(exc, 2)
    text = _rendered(plain, fmt)
    try:
        emit(text, output)
    except QofError as exc:
        fail(exc, 2)
    sys.exit(0 if git_mode else exit_code(plain["changed"], [plain]))


def exit_code(changed: bool, plains: list[dict]) -> int:
    """1 when something changed in meaning, 0 when nothing did; but 2 when ``--impact`` was asked
    for and a version could not be evaluated on the data: the diff is still written, and the
    reason with it, but a script reading 0 or 1 would take the missing impact for none."""
    if any("impact_unavailable" in plain for plain in plains):
        return 2
    return 1 if changed else 0


def _rendered(plain: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(plain, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(plain)
    return render_text(plain)


def directory_diff(old_dir: str, new_dir: str, data_path, overrides, fmt: str, output, shared_overrides=()) -> None:
    """Two directories of schemes: each pair of files at the same path diffed; the files only one
    side has listed. Exit 0 when nothing changed in meaning, 1 when anything did, 2 on an error."""
    old = {os.path.relpath(p, old_dir): p for p in schemes_under(old_dir)}
    new = {os.path.relpath(p, new_dir): p for p in schemes_under(new_dir)}
    if not old and not new:
        fail(QofError([error("QR520", f"the directories {old_dir} and {new_dir} hold no .qof files",
                             source=Source(old_dir))]), 2)
    pairs, plains = sorted(set(old) & set(new)), []
    try:
        for relative in pairs:
            plains.append(api.diff(old[relative], new[relative], data_path, overrides,
                                   shared_overrides=shared_overrides))
    except QofError as exc:
        fail(exc, 2)
    removed, added = sorted(set(old) - set(new)), sorted(set(new) - set(old))
    changed = bool(removed or added) or any(p["changed"] for p in plains)
    if fmt == "json":
        text = json.dumps({"old": old_dir, "new": new_dir, "changed": changed, "diffs": plains,
                           "removed": [old[r] for r in removed], "added": [new[a] for a in added]},
                          indent=2, ensure_ascii=False) + "\n"
    else:
        # An unchanged pair is named in one line, unless its impact could not be computed: that
        # reason is shown in full, never folded away.
        parts = [_rendered(p, fmt) for p in plains if p["changed"] or "impact_unavailable" in p]
        same = [p["new"] for p in plains if not p["changed"] and "impact_unavailable" not in p]
        lines = [f"scheme file removed: {old[r]}" for r in removed] + [f"scheme file added: {new[a]}" for a in added]
        if same:
            lines.append(f"no semantic changes: {', '.join(same)}")
        bullet = "- " if fmt == "markdown" else ""
        text = "\n".join(parts + ["\n".join(bullet + line for line in lines) + "\n"]) if lines else "\n".join(parts)
    try:
        emit(text, output)
    except QofError as exc:
        fail(exc, 2)
    sys.exit(exit_code(changed, plains))


COMMANDS = [diff]
