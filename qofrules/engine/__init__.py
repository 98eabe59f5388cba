"""The evaluation engine: a compiled scheme (an :class:`~qofrules.compiler.EvaluationTree`) and
practice data in, every practice's scheme and national payment out.

One engine, one way in (:func:`evaluate`):

- :mod:`.vectorised` is the one definition of what each node of a rule's basis computes: for every
  practice at once, in exact whole-number fractions (:mod:`.ratios`); :mod:`.indicator` reads an
  indicator's measures and prices its points; :mod:`.fastpath` runs every indicator, keeps every
  cell in whole hundredths and pence (``fastpath.CellDetail``, which ``report``, ``diff --impact``
  and ``run --format json`` read) and makes the run's result.
- :mod:`.exact` is one practice in full — its trace, its top-ups and floors, what is missing from
  a cell and why — as the same evaluation on a one-practice data set, each node's
  :class:`~.nodes.Outcome` read from its column (:mod:`.trace`); and what every run shares
  (eligibility, notes, the result). A data set the exact reader read is turned into columns
  (:mod:`.datacolumns`) and computed the same way.

The adjustments after the points (:mod:`.adjustments`: top-ups, caps, floors) and the money rules
(:mod:`qofrules.money`) are shared the same way. :mod:`.cells` gives ``contracts infer`` and
``reconcile`` a year's achievement as arrays.

This package imports the compiler, the data and contract models, money and results, and nothing
above them: not the CLI, the API or the review commands (tests/test_layers.py). The compiler in
turn builds its tree of :mod:`.nodes`, which import nothing of the compiler's. Submodules load lazily: ``check``
never pays for numpy.
"""
from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def no_cyclic_gc():
    """Reading and evaluation allocate millions of small, acyclic objects beside a large live data
    set; the cyclic collector would rescan that data set over and over (measured: a third of a
    national run, half of a report). Collection is back on when the block ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def evaluate(tree, dataset, deferred_because: str | None = None):
    """The :class:`~qofrules.results.RunResult` of ``tree`` over ``dataset``.

    ``dataset`` is either columns (:class:`~qofrules.data.columnar.ColumnarData`, every practice at
    once) or a :class:`~qofrules.data.model.Dataset` (practice by practice, exactly). Where the
    columnar reader handed the data set to the exact reader, ``deferred_because`` says why, and the
    result's notes tell the user (the same pennies, but much slower)."""
    from ..data.model import Dataset
    if not isinstance(dataset, Dataset):
        from .fastpath import evaluate_columns
        with no_cyclic_gc():
            return evaluate_columns(tree, dataset)
    from .exact import evaluate as evaluate_exactly
    result = evaluate_exactly(tree, dataset)
    if deferred_because is None:
        return result
    from dataclasses import replace
    return replace(result, notes=result.notes + (
        f"the data set was read practice by practice by the exact reader (the same pennies, but several "
        f"times slower for a national data set), because the fast columnar reader found "
        f"something only the exact reader judges: {deferred_because}",))
