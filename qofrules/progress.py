"""Progress for long national commands: a bar on a terminal, nothing on a pipe or in a file.

A national ``report``, ``diff --impact`` or ``run --format json`` works through 6,410 practices for
several seconds; on a terminal the user sees how far it has got (tqdm draws the bar, on standard
error, so the output itself is untouched). Nothing is drawn when standard error is not a terminal
(CI logs, pipes, redirection), when ``QOFRULES_NO_PROGRESS`` is set, or when the work finishes
within ``DELAY_SECONDS`` (a small data set shows nothing at all).
"""
from __future__ import annotations

import os
import sys

#: Work shorter than this shows no bar: only a wait a user would notice is worth one.
DELAY_SECONDS = 1.0


def each(items, *, total: int | None = None, what: str):
    """``items`` unchanged, with a progress bar over them where one is wanted (see the module)."""
    if not sys.stderr.isatty() or os.environ.get("QOFRULES_NO_PROGRESS"):
        return items
    from tqdm import tqdm
    delay = float(os.environ.get("QOFRULES_PROGRESS_DELAY", DELAY_SECONDS))
    return tqdm(items, total=total, desc=what, unit=" practices", leave=False, delay=delay, file=sys.stderr,
                dynamic_ncols=True)
