"""Options every command that reads schemes shares: standard input's name, and which settings
file to use (qofrules.config). Not a command module: it lists no COMMANDS."""
from __future__ import annotations

import click

from .. import config as config_module
from ..diagnostics import QofError
from ..inputs import UsageProblem, expand

#: The formats of check and validate.
REPORT_FORMATS = ("text", "json", "sarif", "github", "junit")


def stdin_filename(command):
    return click.option("--stdin-filename", metavar="PATH",
                        help="The file standard input (-) holds: findings are located there, and the "
                             "settings are found from there.")(command)


def settings_options(command):
    command = click.option("--isolated", is_flag=True,
                           help="Read no settings file (qofrules.toml, pyproject.toml [tool.qofrules]).")(command)
    return click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE",
                        help="Read the settings from FILE instead of the nearest qofrules.toml or "
                             "pyproject.toml with [tool.qofrules] (docs/repository.md).")(command)


def settings(paths, stdin_name, config_file, isolated, fail) -> config_module.Settings:
    """The settings in force for these paths; a bad settings file is reported (exit 2)."""
    try:
        return config_module.settings_for(paths, stdin_name, config_file, isolated)
    except QofError as exc:
        fail(exc, 2)


def scheme_inputs(paths, stdin_name, exclude, fail):
    """``inputs.expand``, with its usage problems as click usage errors (exit 2)."""
    try:
        return expand(paths, stdin_name, exclude)
    except UsageProblem as exc:
        raise click.UsageError(str(exc)) from None
    except QofError as exc:
        fail(exc, 2)
