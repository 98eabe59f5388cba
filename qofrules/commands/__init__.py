"""Commands that live in their own modules: each module here defines click commands and lists
them in ``COMMANDS``. :data:`COMMAND_MODULES` says which module defines each command, so that
``qofrules check`` imports only the module that defines ``check`` (importing all nine took some
6 ms of every cold start). A new command is a new module and a line in :data:`COMMAND_MODULES`;
tests/test_cli.py fails when the two disagree."""
from __future__ import annotations

import importlib

import click

#: Each command a module of this package defines, by name: the module's name.
COMMAND_MODULES = {
    "check": "check",
    "contracts": "publication",  # the cli's ``contracts``, with its ``infer`` subcommand
    "data": "publication",
    "diff": "diff",
    "explain": "explain",
    "fmt": "fmt",
    "lsp": "lsp",
    "new": "new",
    "reconcile": "publication",
    "report": "report",
    "rules": "validate",
    "validate": "validate",
}


def module_commands(module_name: str) -> list[click.Command]:
    """The commands that ``module_name`` (a module of this package) lists in ``COMMANDS``."""
    return list(importlib.import_module(f"{__name__}.{module_name}").COMMANDS)


class LazyGroup(click.Group):
    """A group whose commands in :data:`COMMAND_MODULES` are imported when one of them is asked
    for (run, completed or listed in ``--help``), and only then (click's lazy-loading pattern).
    So ``.commands`` holds only the commands loaded so far: ask ``get_command`` for one by name."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._loaded: set[str] = set()

    def _load(self, module_name: str) -> None:
        if module_name not in self._loaded:
            self._loaded.add(module_name)
            for command in module_commands(module_name):
                self.add_command(command)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMAND_MODULES})

    def resolve_command(self, ctx: click.Context, args: list[str]):
        """A mistyped command is told of the nearest names among all the commands, not only those
        loaded so far (click suggests from ``self.commands``)."""
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            raise click.exceptions.NoSuchCommand(exc.command_name, possibilities=self.list_commands(ctx),
                                                 ctx=ctx) from None

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMAND_MODULES:
            self._load(COMMAND_MODULES[name])
        return super().get_command(ctx, name)
