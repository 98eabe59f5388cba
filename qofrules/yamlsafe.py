"""YAML for untrusted files: safe tags only, no aliases (so no 'billion laughs' expansion).

Contract overrides and compact data sets are written by users; a YAML alias bomb would expand a
few hundred bytes into gigabytes. Anchors and aliases have no use in our formats, so we refuse
them outright instead of trying to bound their expansion.
"""
from __future__ import annotations

import re

import yaml

from .diagnostics import QofError, Related, error
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
    """The same plain data and dates-as-text, read by libyaml where PyYAML has it (about ten
    times faster: the 2023/24 contract file took 0.15 s in pure Python, a sixth of a national
    run). For the files qofrules ships; a file a user supplies is read by it only once its events
    show no alias and no nesting to MAX_YAML_DEPTH (:func:`_located_by_libyaml`)."""


_ShippedLoader.yaml_implicit_resolvers = _NoAliasLoader.yaml_implicit_resolvers


class Positions:
    """Where each value of a parsed file was written: ``span("achievement", "2013/14")`` is the
    position of that value (None for a path the file does not have), so a problem found in the
    data after parsing (a path that leads outside the data set) can still be shown at its line."""

    def __init__(self, spans: dict[tuple, Span]):
        self._spans = spans

    def span(self, *keys) -> Span | None:
        return self._spans.get(tuple(str(k) for k in keys))


class _DuplicateKey(Exception):
    def __init__(self, key, first, second):
        self.key, self.first, self.second = key, first, second


def _key(loader, node):
    """A mapping key's value as the constructor will build it (so `1` and `0x1`, or `a` and
    `"a"`, are the same key); None for a key that is not a plain scalar."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    construct = loader.yaml_constructors.get(node.tag) or loader.yaml_constructors.get(None)
    try:
        value = construct(loader, node)
        hash(value)
    except Exception:  # noqa: BLE001 - a bad key is the constructor's to report, with its message
        return None
    return value


def _walk(loader, node, path: tuple, spans: dict) -> None:
    """Refuse a key given twice in any mapping (YAML says keys are unique; PyYAML keeps the last
    silently) and note where each value is. Depth is bounded by MAX_YAML_DEPTH, so recursion is safe."""
    if isinstance(node, yaml.MappingNode):
        seen: dict = {}
        for key_node, value_node in node.value:
            key = _key(loader, key_node)
            if key is not None:
                if key in seen:
                    raise _DuplicateKey(key_node.value, seen[key], key_node.start_mark)
                seen[key] = key_node.start_mark
                here = path + (str(key),)
                spans[here] = Span.point(value_node.start_mark.line + 1, value_node.start_mark.column + 1)
                _walk(loader, value_node, here, spans)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            spans[path + (str(i),)] = Span.point(item.start_mark.line + 1, item.start_mark.column + 1)
            _walk(loader, item, path + (str(i),), spans)


#: PyYAML's words for a problem, and a user's: (what it says starts with, what to say instead).
_PLAIN = (
    ("expected ',' or ']'", "a list opened with '[' is not closed: a ']' is missing, or a ',' between items"),
    ("expected ',' or '}'", "a mapping opened with '{' is not closed: a '}' is missing, or a ',' between items"),
    ("expected the node content", "a value is missing here (the file ends, or a line stops, where a value "
                                  "should be)"),
    ("found character '\\t' that cannot start any token", "a tab: YAML indents with spaces only"),
    ("found character '\t' that cannot start any token", "a tab: YAML indents with spaces only"),
    ("mapping values are not allowed here", "a ':' where a value was expected: put a value that holds ': ' "
                                            "in quotes, or start the key on a line of its own"),
    ("could not find expected ':'", "a line without 'key: value' inside a mapping"),
    ("found unexpected end of stream", "a quoted text is not closed: its closing quote is missing"),
    ("found unknown escape character", "an unknown escape (\\) in double quotes: use single quotes, or write \\\\"),
    ("expected <block end>", "the indentation does not match the lines above: each key of a mapping starts at "
                             "the same column"),
    ("did not find expected key", "the indentation does not match the lines above: each key of a mapping starts "
                                  "at the same column"),
    ("did not find expected '-' indicator", "a list item without its '-', or indented differently from the "
                                            "items above"),
    ("found duplicate anchor", "an anchor (&name) given twice"),
)


def _unclosed_bracket(text: str) -> tuple[str, int, int] | None:
    """The last '[' or '{' of a flow collection still open at the end of ``text`` (bracket, line,
    column), skipping quoted text and comments; None if every one is closed. PyYAML says only
    "expected the node content, but found '<stream end>'" at the end, not where the list began."""
    stack: list[tuple[str, int, int]] = []
    quote = None
    for number, line in enumerate(text.splitlines(), start=1):
        previous = " "
        for column, char in enumerate(line, start=1):
            if quote:
                if char == quote:
                    quote = None
            elif char in "'\"" and previous in " \t[{,:":
                quote = char
            elif char == "#" and previous in " \t":
                break
            elif char in "[{":
                stack.append((char, number, column))
            elif char in "]}" and stack:
                stack.pop()
            previous = char
    return stack[-1] if stack else None


def plain_problem(problem: str, exc=None) -> str:
    """PyYAML's description of a syntax problem in a user's words (its own, where none fits), and
    never its token names: '<stream end>' is the end of the file."""
    context = getattr(exc, "context", None) or ""
    opened = getattr(exc, "context_mark", None)
    if opened is not None and context.startswith(("while parsing a flow sequence", "while parsing a flow mapping")):
        what, closer = ("list", "]") if "sequence" in context else ("mapping", "}")
        return (f"the {what} opened on line {opened.line + 1} (column {opened.column + 1}) is not closed: "
                f"a '{closer}' is missing, or a ',' between its items")
    for start, words in _PLAIN:
        if problem.startswith(start):
            return words
    return (problem.replace("'<stream end>'", "the end of the file").replace("<stream end>", "the end of the file")
            .replace("<block end>", "the end of the block").replace("<block mapping start>", "a mapping")
            .replace("<scalar>", "a value"))


def _located(loader, text: str) -> tuple[object, Positions]:
    """(data, positions) of ``text`` read by ``loader``; raises its YAMLError, or _DuplicateKey."""
    reader = loader(text)
    try:
        node = reader.get_single_node()
        spans: dict = {}
        if node is not None:
            _walk(reader, node, (), spans)
        data = reader.construct_document(node) if node is not None else None
    finally:
        reader.dispose()
    return data, Positions(spans)


_LIBYAML = hasattr(yaml, "CSafeLoader")
_NODE_EVENTS = (yaml.events.ScalarEvent, yaml.events.CollectionStartEvent)
#: In a plain (unquoted) scalar inside a flow collection, characters where libyaml is more lenient
#: than PyYAML's pure loader: ``{a: b?c}`` is a string to libyaml, an unclosed mapping to PyYAML.
_FLOW_DOUBTS = frozenset("?:#")
#: Block scalars (``>``, ``|``), whose header libyaml reads more leniently (``>#-``: a comment to
#: libyaml, refused by PyYAML's pure loader) ...
_BLOCK_STYLES = frozenset(">|")
#: ... so a block scalar's header must be one PyYAML reads: the style, its chomping and
#: indentation indicators, then spaces and a comment or nothing, to the line's end.
_BLOCK_HEADER = re.compile("[|>](?:[+-][1-9]?|[1-9][+-]?)?(?: +(?:#[^\r\n\x85\u2028\u2029]*)?)?"
                           "(?:[\r\n\x85\u2028\u2029]|\\Z)")
#: Characters anywhere in a file where libyaml is more lenient: a tab (a space to libyaml, refused
#: by PyYAML's pure loader), a byte-order mark (ignored by libyaml beyond the file's start).
_LIBYAML_DIFFERS = frozenset("\t\ufeff")


def _located_by_libyaml(text: str) -> tuple[object, Positions] | None:
    """(data, positions) read by libyaml, in about a sixth of the pure loader's time (a national
    data set's 4 KB of contract overrides: 16 ms, 3 ms so); None where the pure loader must read
    the file. A first pass over libyaml's events, before anything is composed, hands it over at
    an alias, at nesting to MAX_YAML_DEPTH, and wherever the two were found to read text
    differently: a tab or a byte-order mark anywhere (_LIBYAML_DIFFERS), a block scalar's
    header PyYAML would not read (_BLOCK_HEADER), and, in a flow collection, a plain scalar that is empty (libyaml places it at
    the next token, not after the ':') or holds one of _FLOW_DOUBTS. Any problem at all is the
    pure loader's to word. A key given twice is found alike either way (:func:`_walk`).
    tests/test_yamlsafe.py holds the two readings equal for every YAML file in the repository,
    generated YAML, and those files with hostile characters put in at random."""
    if not _LIBYAML or not _LIBYAML_DIFFERS.isdisjoint(text):
        return None
    try:
        events = yaml.CSafeLoader(text)
        try:
            flows: list[bool] = []  # per open collection: whether it is a flow one ([...], {...})
            for event in iter(events.get_event, None):
                if isinstance(event, yaml.events.AliasEvent):
                    return None
                if isinstance(event, _NODE_EVENTS):
                    if len(flows) >= MAX_YAML_DEPTH:
                        return None
                    if isinstance(event, yaml.events.CollectionStartEvent):
                        flows.append(bool(event.flow_style))
                    elif event.style in _BLOCK_STYLES:
                        if not _BLOCK_HEADER.match(text, event.start_mark.index):
                            return None
                    elif flows and flows[-1] and not event.style \
                            and (not event.value or not _FLOW_DOUBTS.isdisjoint(event.value)):
                        return None
                elif isinstance(event, yaml.events.CollectionEndEvent):
                    flows.pop()
        finally:
            events.dispose()
        return _located(_ShippedLoader, text)
    except (yaml.YAMLError, UnicodeError):  # UnicodeError: a lone surrogate, which libyaml cannot encode
        return None


def load_shipped(source: Source, *, code: str):
    """Parse one of qofrules' own data files (see _ShippedLoader); problems as :func:`load`'s."""
    return load(source, code=code, loader=_ShippedLoader)


def load(source: Source, *, code: str = "QD001", loader=None):
    """Parse ``source`` as YAML; a syntax problem becomes a located diagnostic, not a traceback."""
    return load_located(source, code=code, loader=loader)[0]


def load_located(source: Source, *, code: str = "QD001", loader=None) -> tuple[object, Positions]:
    """:func:`load`, with where each value was written. Every YAML file qofrules reads comes
    through here, so a key given twice is refused in all of them alike (at the second key, with
    a note at the first). A user's file is read by libyaml where it can be
    (:func:`_located_by_libyaml`), else, and for every problem, by PyYAML's own loader: its
    words, and its positions, are the ones this module puts in a user's."""
    try:
        found = _located_by_libyaml(source.text) if loader is None else None
        return _located(loader or _NoAliasLoader, source.text) if found is None else found
    except _DuplicateKey as dup:
        first = Span.point(dup.first.line + 1, dup.first.column + 1)
        raise QofError([error(
            code, f"not valid YAML: the key '{dup.key}' is given twice (first on line {first.line})",
            source=source, span=Span.point(dup.second.line + 1, dup.second.column + 1),
            related=[Related(message=f"'{dup.key}' is first given here", span=first)],
            hint="keep one: a YAML key may appear once in each mapping")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        span = Span.point(mark.line + 1, mark.column + 1) if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        unclosed = _unclosed_bracket(source.text) if "<stream end>" in problem else None
        if unclosed is not None:
            bracket, line, column = unclosed
            what, closer = ("list", "]") if bracket == "[" else ("mapping", "}")
            words = (f"the {what} opened with '{bracket}' on line {line} is not closed: the file ends before its "
                     f"'{closer}'")
            raise QofError([error(code, f"not valid YAML: {words}", source=source, span=Span.point(line, column),
                                  hint=f"close it with '{closer}', with a ',' between its items")]) from None
        raise QofError([error(code, f"not valid YAML: {plain_problem(problem, exc)}", source=source,
                              span=span)]) from None
    except RecursionError:
        raise QofError([error(code, "the YAML nests too deeply", source=source)]) from None
