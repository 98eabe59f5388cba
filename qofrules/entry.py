"""The ``qofrules`` command's entry point: the command's modules imported with Python's cyclic
garbage collector paused, and then set aside from it.

Importing them (click, Lark, PyYAML and qofrules' own) makes some 35,000 tracked objects that
live as long as the process and hold next to no garbage; the collector still ran dozens of times
over them while they were made, and once more over all of them as the process ended: together
about a tenth of a cold ``qofrules check``. So the collector is off while they are imported, and
they then move to its permanent generation (``gc.freeze``), which no collection scans. What a
command makes afterwards is collected as ever.
"""
from __future__ import annotations

import gc
import sys

from .engine import no_cyclic_gc


def main() -> None:
    first = "qofrules.cli" not in sys.modules  # called again in one process (tests): freeze nothing more
    with no_cyclic_gc():
        from .cli import main as run_command
        if first:
            gc.freeze()
    run_command()
