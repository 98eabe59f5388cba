"""Commands that live in their own modules: each module here defines click commands and lists
them in ``COMMANDS``; :func:`register` adds every one to the ``qofrules`` group. A new command is
a new module, with no edit to a shared file."""
from __future__ import annotations

import importlib
import pkgutil

import click


def register(group: click.Group) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            group.add_command(command)
