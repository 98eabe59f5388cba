"""``qofrules fmt``: print, check or rewrite schemes in canonical form (docs/formatting.md)."""
from __future__ import annotations

import difflib
import sys

import click

from ..cli import fail
from ..diagnostics import QofError
from ..inputs import read_scheme
from ..writing import write_atomic
from .options import scheme_inputs, settings, settings_options, stdin_filename


def _show(exc: QofError) -> None:
    for diagnostic in exc.diagnostics:
        click.echo(diagnostic.render(), err=True)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 and list the files that would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Change nothing; print a unified diff of what would change.")
@click.option("--write", "-w", is_flag=True, help="Rewrite the files in place (atomically).")
@click.option("--textconv", is_flag=True,
              help="For git's textconv (docs/diff.md): print the canonical form, or, for a version that cannot "
                   "be formatted, a marker line and the text as it is; always exit 0.")
@stdin_filename
@settings_options
def fmt(paths: tuple[str, ...], check: bool, show_diff: bool, write: bool, textconv: bool,
        stdin_filename: str | None, config_file: str | None, isolated: bool) -> None:
    """Print schemes in canonical form (comments kept). PATHS are .qof files, directories of them,
    or - for standard input (printed to standard output, for editors).

    Every run proves its output safe first: it must parse to the same scheme and be stable under
    formatting again; otherwise the file is left alone and the refusal is reported.
    Exit 0 ok; 1 with --check when a file would change, or on a refusal; 2 on a syntax error.
    """
    if textconv:
        if check or show_diff or write or len(paths) != 1:
            raise click.UsageError("--textconv prints one file, as git's textconv runs it: qofrules fmt --textconv FILE")
        from ..textconv import textconv_output
        click.echo(textconv_output(paths[0]), nl=False)
        sys.exit(0)
    shared = settings(paths, stdin_filename, config_file, isolated, fail)
    files = scheme_inputs(paths, stdin_filename, shared.exclude, fail)
    if check and write:
        raise click.UsageError("--check and --write do not go together: --check changes nothing")
    printing = not (check or show_diff or write)
    if printing and len(files) > 1:
        raise click.UsageError("give --write, --check or --diff to format several files "
                               "(without them fmt prints one file's canonical form)")
    changed: list[str] = []
    failed = 0
    worst = 0
    for item in files:
        path = item.path
        try:
            source = read_scheme(item)
            from ..formatter import format_source  # imported when used: start-up of every command
            output = format_source(source)
        except QofError as exc:
            _show(exc)
            failed += 1
            worst = max(worst, exc.exit_code)
            continue
        if printing or (write and path == "-"):
            click.echo(output, nl=False)
            continue
        if output == source.text:
            continue
        changed.append(item.name)
        if show_diff:
            diff = "".join(difflib.unified_diff(source.text.splitlines(keepends=True),
                                                output.splitlines(keepends=True),
                                                fromfile=f"{source.name} (original)",
                                                tofile=f"{source.name} (formatted)"))
            # a last context line read without its newline must not run into the next file's diff
            click.echo(diff if diff.endswith("\n") else diff + "\n", nl=False)
        if check:
            click.echo(f"would reformat {source.name}", err=True)
        if write:
            try:
                write_atomic(path, output)
            except QofError as exc:
                _show(exc)
                changed.pop()  # not reformatted after all: counted once, as a failure
                failed += 1
                worst = max(worst, 2)
                continue
            click.echo(f"reformatted {item.name}", err=True)
    if not printing:
        verb = "reformatted" if write else "would be reformatted"
        unchanged = len(files) - len(changed) - failed
        summary = f"{len(changed)} file(s) {verb}, {unchanged} left unchanged"
        if failed:
            summary += f", {failed} could not be formatted (see above)"
        click.echo(summary, err=True)
    if check and changed:
        worst = max(worst, 1)
    sys.exit(worst)


COMMANDS = [fmt]
