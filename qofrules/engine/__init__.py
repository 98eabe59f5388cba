"""The evaluation engine: a compiled scheme (an :class:`~qofrules.compiler.EvaluationTree`) and
practice data in, every practice's scheme and national payment out.

One way in, :func:`evaluate`, and two ways through, which mean the same pennies:

- **columns** (:mod:`.fastpath`): a data set read as columns (:mod:`qofrules.data.columnar`) is
  computed for every practice at once. :mod:`.vectorised` holds the column form of each node of
  :mod:`.nodes`, :mod:`.cells` the per-year arrays of points and prevalence they read. Every cell
  is kept in whole hundredths and pence (``fastpath.CellDetail``), which ``report``, ``diff
  --impact`` and ``run --format json`` read. A cell whose rounding the floats cannot settle, or
  whose figures are unknown (what is missing, and why), is computed on the exact path.
- **exact** (:mod:`.exact`): one practice at a time in fractions, the reference and the way of a
  compact file, ``run --exact`` and ``explain``'s trace (the :class:`~.nodes.Outcome` tree).

Both share the nodes' definitions (:mod:`.nodes`), the adjustments after the points
(:mod:`.adjustments`: top-ups, caps, floors) and the money rules (:mod:`qofrules.money`).
tests/test_fastpath.py holds the two paths to equal pennies, practice by practice.

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
        f"the data set was read and computed practice by practice, in exact arithmetic (the same pennies, "
        f"but about 40 times slower for a national data set), because the fast columnar reader found "
        f"something only the exact reader judges: {deferred_because}",))
