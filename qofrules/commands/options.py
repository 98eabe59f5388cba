"""Options every command that reads schemes shares: standard input's name, and which settings
file to use (qofrules.config). Not a command module: it lists no COMMANDS."""
from __future__ import annotations

import click

from .. import config as config_module
from ..diagnostics import QofError
from ..inputs import UsageProblem, expand

#: The help of --data and --contract-overrides where a command evaluates a scheme over data.
DATA_HELP = ("A data set: a directory with dataset.yaml, NHS Digital's publication (zip or folder), or a compact "
             ".yaml/.json file. Default: the data setting (docs/repository.md).")
OVERRIDES_HELP = ("A YAML file of figures the contract year lacks (repeatable; replaces the contract-overrides "
                  "setting). See docs/contracts.md.")

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


def data_path(flag, shared: config_module.Settings, what: str = "--data") -> str:
    """The data set: ``--data`` if given, else the ``data`` setting; neither is a usage error that
    says both ways of giving it."""
    chosen = config_module.choose(flag, shared.data, None)
    if chosen is None:
        raise click.UsageError(f"give the practice data with {what} DATASET (a directory with dataset.yaml, "
                               "NHS Digital's publication zip, or a compact .yaml/.json file), or set "
                               "data = \"...\" in qofrules.toml (docs/repository.md)")
    return chosen


def setting_format(shared: config_module.Settings, allowed) -> str | None:
    """The ``format`` setting where this command writes that format, else None: a repository's
    ``format = "github"`` is for check and validate, and leaves run's text as it is."""
    return shared.format if shared.format in allowed else None


def overrides_for(flags, shared: config_module.Settings, scheme) -> tuple[str, ...]:
    """``--contract-overrides`` if given (they replace the setting); else the setting's files that
    are for the scheme's contract year (a repository may keep one per year, as check applies them)."""
    if flags:
        return tuple(flags)
    from .. import api
    from ..cli import fail  # the command module's helper; cli is loaded by the time a command runs
    try:
        return api.shared_overrides_for(scheme, shared.contract_overrides)
    except QofError as exc:  # a settings' overrides file that cannot be read: its own located error
        fail(exc)
