"""YAML for untrusted files: safe tags only, no aliases (so no 'billion laughs' expansion).

Contract overrides and compact data sets are written by users; a YAML alias bomb would expand a
few hundred bytes into gigabytes. Anchors and aliases have no use in our formats, so we refuse
them outright instead of trying to bound their expansion.
"""
from __future__ import annotations

import yaml

from .diagnostics import QofError, error
from .source import Source, Span


#: The deepest nesting of lists and mappings a YAML file may use. Our formats need six levels
#: (a compact data set: practices, a practice, achievement, a year, an indicator, a measure); the
#: composer recurses, so without a limit the depth at which a file fails would depend on the stack.
MAX_YAML_DEPTH = 32


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader (plain data only: no python/object tags, so loading a file can never
    import or run code), refusing aliases and nesting deeper than MAX_YAML_DEPTH."""

    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in qofrules files", event.start_mark)
        if self._depth >= MAX_YAML_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"the YAML nests more than {MAX_YAML_DEPTH} deep", self.peek_event().start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# Dates stay text: our schemas say which fields are dates and we parse them ourselves, so that a
# malformed date gets our message rather than PyYAML's (and 2014-02-30 is not silently a string).
_NoAliasLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _ShippedLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """For the files qofrules ships (contract years): the same plain data and dates-as-text, read
    by libyaml where PyYAML has it (about ten times faster: the 2023/24 file took 0.15 s in pure
    Python, a sixth of a national run). Never used for a file a user supplies."""


_ShippedLoader.yaml_implicit_resolvers = _NoAliasLoader.yaml_implicit_resolvers


def load_shipped(source: Source, *, code: str):
    """Parse one of qofrules' own data files (see _ShippedLoader); problems as :func:`load`'s."""
    return load(source, code=code, loader=_ShippedLoader)


def load(source: Source, *, code: str = "QD001", loader=None):
    """Parse ``source`` as YAML; a syntax problem becomes a located diagnostic, not a traceback."""
    try:
        return yaml.load(source.text, Loader=loader or _NoAliasLoader)  # noqa: S506 - safe loaders only
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        span = Span.point(mark.line + 1, mark.column + 1) if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise QofError([error(code, f"not valid YAML: {problem}", source=source, span=span)]) from None
    except RecursionError:
        raise QofError([error(code, "the YAML nests too deeply", source=source)]) from None
