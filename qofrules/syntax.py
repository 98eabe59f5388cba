"""Scheme text → AST: the Lark parser, friendly syntax errors, and the tree builder.

The builder only builds: it turns Lark's tree into :mod:`qofrules.ast` nodes and reports values
that cannot be values at all (2014-02-30, 2013/15). Whether the scheme makes sense is for
:mod:`qofrules.checks`. Lark's errors are translated into the language's own words here, so a
user never sees a terminal name such as ``__ANON_3``.
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from . import ast
from .dates import DAY, MONTH, YEAR, parse_when
from .diagnostics import Diagnostic, QofError, did_you_mean, error
from .packaged import shipped
from .reading import MAX_LINE_LENGTH
from .source import Source, Span, split_lines

#: The deepest nesting a scheme may use: parentheses on a line, and conditions or bases inside
#: one another. Limits are documented, with their reasons, in docs/limits.md.
MAX_NESTING = 32
#: The most rules one scheme may have.
MAX_RULES = 1000


# ------------------------------------------------------------------ the parser

#: The parser built from grammar/qof.lark, saved by Lark (``python -m qofrules.syntax``), which
#: ships beside the grammar: loading it takes a few milliseconds where building the grammar took
#: a fifth of a cold ``qofrules check``.
PARSER_FILE = "qof.lark.parser"


def _grammar_file(name: str):
    """A file of the grammar directory: inside the installed package or, in a source checkout, grammar/."""
    packaged = shipped("qofrules", "grammar", name)
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "grammar" / name


def grammar_text() -> str:
    """The grammar, from inside the installed package or, in a source checkout, from grammar/."""
    return _grammar_file("qof.lark").read_text(encoding="utf-8")


def build_parser(text: str | None = None) -> Lark:
    """The parser, built from the grammar's text (what the shipped one was saved from)."""
    return Lark(grammar_text() if text is None else text, parser="lalr", lexer="contextual",
                propagate_positions=True, maybe_placeholders=False)


def parser_header(text: str) -> bytes:
    """The first line of a saved parser: the SHA-256 of the grammar it was built from and the
    Lark version that built it. A saved parser is used only when both are this grammar's and
    this Lark's; otherwise the grammar is built, as if none shipped."""
    import hashlib
    import lark
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"qofrules parser: grammar sha256 {digest}, lark {lark.__version__}\n".encode("ascii")


@functools.lru_cache(maxsize=1)
def parser() -> Lark:
    """The parser: the saved one shipped in the package when it was built from this very grammar
    by this Lark (:func:`parser_header`), else built now. It is read only from the package's own
    directory — never from a cache a user or another program could write to — since loading a
    saved parser unpickles it, which could run code a tampered file held."""
    text = grammar_text()
    shipped = _grammar_file(PARSER_FILE)
    if shipped.is_file():
        import io
        saved, header = shipped.read_bytes(), parser_header(text)
        if saved.startswith(header):
            return Lark.load(io.BytesIO(saved[len(header):]))
    return build_parser(text)


def save_parser(path: str | Path) -> None:
    """Build the parser and save it, with its header, to ``path`` (grammar/qof.lark.parser)."""
    import io
    text = grammar_text()
    out = io.BytesIO()
    build_parser(text).save(out)
    from .writing import write_atomic
    write_atomic(path, parser_header(text) + out.getvalue())


# What each named terminal is, in the language's words.
_TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": 'a quoted text ("...")',
    "DATE": "a date (YYYY-MM-DD)",
    "MONTH": "a month (YYYY-MM)",
    "CALENDAR_YEAR": "a year (YYYY)",
    "YEAR": "a financial year (e.g. 2013/14)",
    "NUMBER": "a number",
    "PERCENT": "a percentage (e.g. 80%)",
    "MONEY": "an amount of money (e.g. £125 or £1,250.50)",
    "COMPARISON": "a comparison (=, !=, <, <=, >, >=)",
    "_NL": "the end of the line",
    "COMMENT": "a comment",
    "$END": "the end of the file",
}


_SELECTOR_WORDS = {"indicator", "indicators", "group", "groups", "domain", "domains"}


@functools.lru_cache(maxsize=1)
def _terminal_words() -> dict[str, str]:
    words = dict(_TERMINAL_WORDS)
    for terminal in parser().terminals:
        if isinstance(terminal.pattern, PatternStr):
            words[terminal.name] = f"'{terminal.pattern.value}'"
    return words


def _phrases(exc, names) -> dict[str, str]:
    """Each keyword the parser expects, with the keywords that must follow it here: 'on request'
    and 'top up', not 'on' and 'top' (the grammar spells them as two words). Found by feeding the
    keyword to a copy of the parser that stopped and asking what it then accepts."""
    interactive = getattr(exc, "interactive_parser", None)
    words = _terminal_words()
    found = {}
    for name in names:
        word = words.get(name, "")
        if interactive is None or not word.startswith("'"):
            continue
        phrase, current = [word[1:-1]], name
        try:
            attempt = interactive.copy()
            for _ in range(3):  # the longest keyword phrase is three words
                attempt.feed_token(Token(current, words[current][1:-1]))
                following = [n for n in attempt.accepts() if not n.startswith("__")]
                if len(following) != 1 or not words.get(following[0], "").startswith("'") or \
                        words[following[0]][1:-1] in (":", "(", ","):
                    break
                current = following[0]
                phrase.append(words[current][1:-1])
        except Exception:  # noqa: BLE001 - a longer phrase is a help, never a second error
            pass
        found[name] = " ".join(phrase)
    return found


def _describe_expected(names, exc=None) -> str:
    words = dict(_terminal_words())
    words.update({name: f"'{phrase}'" for name, phrase in _phrases(exc, names).items()})
    described = sorted({words.get(n, n.lower()) for n in names if not n.startswith("__")},
                       key=lambda w: (not w.startswith("'"), w))
    if not described:
        return "something else"
    if len(described) > 10:
        described = described[:10] + ["..."]
    if len(described) == 1:
        return described[0]
    return ", ".join(described[:-1]) + " or " + described[-1]


def _describe_token(token: Token) -> str:
    return f"'{token.value}'"


def _expected_words(expected, exc=None) -> list[str]:
    """The keywords among the terminals the parser would accept here ('eligible', 'achievement'),
    each with the words that must follow it ('on request')."""
    words = _terminal_words()
    phrases = _phrases(exc, expected)
    return [phrases.get(name, words[name][1:-1]) for name in expected if words.get(name, "").startswith("'")]


#: Hints for syntax errors on lines whose rules are easy to get wrong, by the line's keyword.
_LINE_HINTS = {
    "amount:": "a top-up says its unit: amount: £1.50 per patient (or per practice, or per point), or takes "
               "each practice's own sum from the data: amount: £ from practice attribute NAME",
    "at least:": "a floor is a basis, e.g. at least: achievement in 2019/20 (or 95% of achievement in "
                 "2018/19); amounts and points are never negative",
    "price:": "price: as a QOF point, price: £125 per point, or price: £2,000 for full points",
    "thresholds:": "thresholds: 40% to 90% (for one threshold: target: 90%)",
}


def _line_hint(source: Source, line: int) -> str | None:
    """A hint for the line's construct: a choice needs two candidates; a top-up's amount a unit."""
    text = source.line_text(line).strip()
    if "practice choice" in text:
        return "a practice's choice needs two or more candidates: practice choice NAME of (achievement, " \
               "achievement in 2015/16)"
    return next((hint for keyword, hint in _LINE_HINTS.items() if text.startswith(keyword)), None)


def _syntax_diagnostic(source: Source, exc: UnexpectedInput) -> Diagnostic:
    found = _bare_syntax_diagnostic(source, exc)
    if found.hint is None and found.span is not None and found.code == "QR001":
        hint = _line_hint(source, found.span.line)
        if hint is not None:
            from dataclasses import replace
            found = replace(found, hint=hint)
    return found


def _bare_syntax_diagnostic(source: Source, exc: UnexpectedInput) -> Diagnostic:
    line, column = exc.line, exc.column
    if line is None or line < 1:  # end of input: point just past the last line
        line, column = max(source.line_count, 1), len(source.line_text(source.line_count)) + 1
    span = Span.point(line, column)
    if isinstance(exc, UnexpectedCharacters):
        char = source.text[exc.pos_in_stream] if exc.pos_in_stream < len(source.text) else ""
        if char == "#":
            return error("QR004", "a comment must be on a line of its own", source=source, span=span,
                         hint="move the comment to the line above")
        if char == '"':
            return error("QR001", "this quoted text is not closed on its line", source=source, span=span,
                         hint='a quoted text starts and ends with " on the same line')
        if char == "\t" or char == "\r":
            char_text = repr(char)
        else:
            char_text = f"'{char}'"
        return error("QR001", f"unexpected character {char_text}; expected {_describe_expected(exc.allowed)}",
                     source=source, span=span)
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type != "$END" and token.end_column:
            span = Span(line=token.line, column=token.column, end_line=token.line,
                        end_column=token.end_column if token.end_line == token.line else token.column + 1)
        if token.type == "COMMENT":
            return error("QR004", "a comment must be on a line of its own", source=source, span=span,
                         hint="move the comment to the line above")
        hint = None
        if token.type == "NAME":  # a misspelt keyword: suggest from the words that may stand here
            hint = did_you_mean(token.value, _expected_words(exc.expected, exc), quote=True)
        elif token.value in _SELECTOR_WORDS and "NAME" in exc.expected:
            hint = f"join selections with 'and', e.g. groups DM and {token.value} ..."
        expected = _describe_expected(exc.expected, exc)
        if token.type in ("_NL", "$END"):
            what = "line" if token.type == "_NL" else "file"
            return error("QR001", f"the {what} ends too early; expected {expected}",
                         source=source, span=span, hint=hint)
        return error("QR001", f"unexpected {_describe_token(token)}; expected {expected}",
                     source=source, span=span, hint=hint)
    if isinstance(exc, UnexpectedEOF):
        return error("QR001", f"unexpected end of the file; expected {_describe_expected(exc.expected)}",
                     source=source, span=span)
    return error("QR001", "syntax error", source=source, span=span)


def _precheck(source: Source) -> list[Diagnostic]:
    """Refuse, before Lark sees them, inputs that are empty, have absurd lines, nest parentheses
    too deeply or hold too many rules: each is cheap to spot here and costly (or, for nesting,
    recursive) later. The figures are documented, with their reasons, in docs/limits.md."""
    lines = split_lines(source.text)
    statements = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not statements:
        if any(line.strip() for line in lines):
            return [error("QR003", "the scheme file has no scheme, only comments", source=source,
                          hint='after the comments, start the scheme with: scheme my-scheme "Title"')]
        return [error("QR003", "the scheme file is empty", source=source,
                      hint='a scheme starts with: scheme my-scheme "Title"')]
    for number, line in enumerate(lines, start=1):
        if "(" in line:
            column = _too_deep(line)
            if column is not None:
                return [error("QR005", f"parentheses nest more than {MAX_NESTING} deep", source=source,
                              span=Span.point(number, column),
                              hint="split the condition or basis into simpler parts")]
        if len(line) > MAX_LINE_LENGTH:
            return [error("QR005", f"line {number} is {len(line):,} characters long; the limit is "
                          f"{MAX_LINE_LENGTH:,}", source=source, span=Span.point(number, MAX_LINE_LENGTH))]
    rules = [m.start() for m in _RULE_LINE.finditer(source.text)]
    if len(rules) > MAX_RULES:
        number = source.text.count("\n", 0, rules[MAX_RULES]) + 1
        column = len(lines[number - 1]) - len(lines[number - 1].lstrip()) + 1
        return [error("QR005", f"the scheme has {len(rules):,} rules; the limit is {MAX_RULES:,}",
                      source=source, span=Span.point(number, column),
                      hint="one rule can apply to many indicators (applies to: indicators A, B, C)")]
    return []


#: A line that starts a rule (a statement always starts its own line, and a quoted text never
#: spans lines, so this cannot match inside a text or a comment).
_RULE_LINE = re.compile(r'^[ \t]*rule(?=[ \t"])', re.MULTILINE)


def _too_deep(line: str) -> int | None:
    """The 1-based column where parentheses on ``line`` first nest deeper than MAX_NESTING, or
    None. Parentheses inside a quoted text, or after a ``#``, are text, not nesting."""
    depth, quoted, escaped = 0, False, False
    for column, char in enumerate(line, start=1):
        if quoted:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "#":
            return None
        elif char == "(":
            depth += 1
            if depth > MAX_NESTING:
                return column
        elif char == ")":
            depth -= 1
    return None


#: Tree nodes that nest a condition or a basis inside another (parentheses alone add none).
_NESTING_NODES = {"negation": "condition", "any_of": "condition", "all_of": "condition",
                  "higher_of": "payment basis", "lower_of": "payment basis", "average_of": "payment basis",
                  "percent_of": "payment basis", "sum_of": "payment basis", "practice_choice": "payment basis"}


def _nesting_problem(source: Source, tree: Tree) -> Diagnostic | None:
    """A condition or basis nested more than MAX_NESTING deep (``not not not ...`` needs no
    parentheses), found without recursion, so that later stages, which recurse, never meet one."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if node.data in _NESTING_NODES:
            depth += 1
            if depth > MAX_NESTING:
                return error("QR005", f"the {_NESTING_NODES[node.data]} nests more than {MAX_NESTING} deep",
                             source=source, span=Span.point(node.meta.line, node.meta.column),
                             hint="split the condition or basis into simpler parts")
        stack.extend((child, depth) for child in node.children if isinstance(child, Tree))
    return None


def parse_tree(source: Source) -> Tree:
    """Lark's tree for ``source``, or a :class:`QofError` with one located syntax diagnostic."""
    problems = _precheck(source)
    if problems:
        raise QofError(problems)
    text = source.text if source.text.endswith("\n") else source.text + "\n"
    try:
        tree = parser().parse(text)
    except UnexpectedInput as exc:
        raise QofError([_syntax_diagnostic(source, exc)]) from None
    too_deep = _nesting_problem(source, tree)
    if too_deep is not None:
        raise QofError([too_deep])
    return tree


# ------------------------------------------------------------------ the builder

def _span(item) -> Span:
    if isinstance(item, Token):
        return Span(line=item.line, column=item.column, end_line=item.end_line, end_column=item.end_column)
    meta = item.meta
    if getattr(meta, "empty", True):
        return ast._NO_SPAN
    if item.data.endswith("_field"):
        # A field is one line; Lark's end would include the newline (and any comment lines) after it.
        last = _span(item.children[-1]) if item.children else None
        if last is None or last is ast._NO_SPAN:
            return Span(line=meta.line, column=meta.column, end_line=meta.line, end_column=meta.column + 1)
        return Span(line=meta.line, column=meta.column, end_line=last.end_line, end_column=last.end_column)
    return Span(line=meta.line, column=meta.column, end_line=meta.end_line, end_column=meta.end_column)



def _unquote(token: Token) -> str:
    body = token.value[1:-1]
    return body.replace('\\"', '"').replace("\\\\", "\\")


class Builder:
    """Walks Lark's tree and returns the AST, collecting value diagnostics on the way."""

    def __init__(self, source: Source):
        self.source = source
        self.diagnostics: list[Diagnostic] = []

    # leaves
    def name(self, token: Token) -> ast.Name:
        return ast.Name(text=token.value, span=_span(token))

    def text(self, token: Token) -> ast.Text:
        return ast.Text(value=_unquote(token), span=_span(token))

    def date(self, token: Token) -> ast.Date:
        """A day, a month or a year, as written; QR101 if the calendar has no such day or month."""
        precision = _PRECISION_OF_TOKEN.get(token.type, DAY)
        value = None
        try:
            when = parse_when(token.value)
        except ValueError:
            self.diagnostics.append(error("QR101", f"{token.value} is not a real date", source=self.source,
                                          span=_span(token), hint=_date_hint(token.value)))
        else:
            value = when.earliest if precision == DAY else None
        return ast.Date(text=token.value, value=value, precision=precision, span=_span(token))

    def dated(self, tree: Tree) -> ast.Date:
        """``on DAY`` or ``in MONTH-OR-YEAR``: the word must fit the date (QR103), so that a line
        reads as English and says plainly what is known ("approved ... in 2014-06")."""
        token = tree.children[0]
        date = self.date(token)
        if tree.data == "on_date" and date.precision != DAY:
            what = "a month" if date.precision == MONTH else "a year"
            self.diagnostics.append(error(
                "QR103", f"'on' takes a day, but {token.value} is {what}", source=self.source, span=_span(tree),
                hint=f"write: in {token.value} (a date known only to the {date.precision}); 'on' is for a day, "
                     "on YYYY-MM-DD"))
        elif tree.data == "in_period" and date.precision == DAY:
            self.diagnostics.append(error(
                "QR103", f"'in' takes a month or a year, but {token.value} is a day", source=self.source,
                span=_span(tree), hint=f"write: on {token.value}"))
        return date

    def day(self, token: Token, where: str, hint: str) -> ast.Date:
        """A date that must be a day, because what it decides would depend on the missing day
        (QR104): an opt-in deadline, a retirement date, the end of a waiver."""
        date = self.date(token)
        if date.precision != DAY:
            what = "a month" if date.precision == MONTH else "a year"
            self.diagnostics.append(error("QR104", f"{where} needs a day, not {what} ({token.value})",
                                          source=self.source, span=_span(token), hint=hint))
        return date

    def year(self, token: Token) -> ast.Year:
        first, second = token.value.split("/")
        start = int(first)
        if (start + 1) % 100 != int(second):
            self.diagnostics.append(error(
                "QR102", f"{token.value} is not a financial year", source=self.source, span=_span(token),
                hint=f"a financial year runs 1 April to 31 March: {start}/{(start + 1) % 100:02d}"))
            start = None
        return ast.Year(text=token.value, start=start, span=_span(token))

    def body(self, tree: Tree) -> ast.Body:
        names = [c for c in tree.children if c.type == "NAME"]
        strings = [c for c in tree.children if c.type == "STRING"]
        return ast.Body(kind=self.name(names[0]), level=self.name(names[1]) if len(names) > 1 else None,
                        name=self.text(strings[0]) if strings else None, span=_span(tree))

    def bodies(self, tree: Tree) -> tuple[ast.Body, ...]:
        return tuple(self.body(child) for child in tree.children)

    # the scheme
    def scheme(self, tree: Tree) -> ast.Scheme:
        ident, title, *rest = tree.children
        parts = {"rule", "local_indicator", "top_up", "floor"}
        header = tuple(self.header_field(c) for c in rest if c.data not in parts)
        rules = tuple(self.rule(c) for c in rest if c.data == "rule")
        local = tuple(self.local_indicator(c) for c in rest if c.data == "local_indicator")
        adjustments = tuple(self.adjustment(c) for c in rest if c.data in ("top_up", "floor"))
        return ast.Scheme(id=self.name(ident), title=self.text(title), header=header, rules=rules,
                          local_indicators=local, adjustments=adjustments, span=_span(tree))

    # local indicators and payments beside them
    def local_indicator(self, tree: Tree) -> ast.LocalIndicator:
        code, title, *fields = tree.children
        return ast.LocalIndicator(code=self.name(code), title=self.text(title),
                                  fields=tuple(self.local_field(f) for f in fields), span=_span(tree))

    def local_field(self, tree: Tree):
        kind, kids, span = tree.data, tree.children, _span(tree)
        if kind == "measure_field":
            measure = ast.REGISTER if kids[0].data == "register_measure" else ast.PERCENTAGE
            return ast.MeasureField(measure=measure, span=span)
        if kind == "thresholds_field":
            return ast.ThresholdsField(lower=_percent(kids[0]), upper=_percent(kids[1]), span=span)
        if kind == "target_field":
            return ast.TargetField(target=_percent(kids[0]), span=span)
        if kind == "local_points_field":
            return ast.LocalPointsField(points=Decimal(kids[0].value), span=span)
        if kind == "price_field":
            price = kids[0]
            if price.data == "national_price":
                return ast.PriceField(kind=ast.NATIONAL_PRICE, span=span)
            money = price.children[0]
            unit = ast.PER_POINT if price.data == "per_point_price" else ast.FOR_FULL_POINTS
            return ast.PriceField(kind=unit, pounds=money_value(money.value), text=money.value, span=span)
        if kind == "adjusted_field":
            if kids[0].data == "adjusted_nothing":
                return ast.AdjustedField(span=span)
            items = kids[0].children
            group = next((self.name(i.children[0]) for i in items if i.data == "prevalence_adjustment"), None)
            return ast.AdjustedField(list_size=any(i.data == "list_size_adjustment" for i in items),
                                     prevalence_group=group, span=span)
        raise AssertionError(f"unknown local indicator field {kind}")

    def adjustment(self, tree: Tree):
        title, *fields = tree.children
        built = tuple(self.adjustment_field(f) for f in fields)
        cls = ast.TopUp if tree.data == "top_up" else ast.Floor
        return cls(title=self.text(title), fields=built, span=_span(tree))

    def adjustment_field(self, tree: Tree):
        kind, kids, span = tree.data, tree.children, _span(tree)
        if kind == "amount_field" and isinstance(kids[0], Tree) and kids[0].data == "attribute_amount":
            attribute = self.name(kids[0].children[0])
            return ast.AmountField(pounds=None, unit=ast.FROM_ATTRIBUTE, attribute=attribute, span=span)
        if kind == "amount_field":
            unit = {"per_patient": ast.PER_PATIENT, "per_practice": ast.PER_PRACTICE,
                    "per_point": ast.PER_POINT}[kids[1].data]
            return ast.AmountField(pounds=money_value(kids[0].value), unit=unit, text=kids[0].value, span=span)
        if kind == "at_least_field" and isinstance(kids[0], Tree) and kids[0].data == "attribute_amount":
            return ast.AtLeastField(basis=None, attribute=self.name(kids[0].children[0]), span=span)
        if kind == "at_least_field":
            return ast.AtLeastField(basis=self.basis(kids[0]), span=span)
        if kind == "only_when_field":
            return ast.OnlyWhenField(condition=self.condition(kids[0]), span=span)
        raise AssertionError(f"unknown field {kind}")

    def header_field(self, tree: Tree):
        kids = tree.children
        span = _span(tree)
        kind = tree.data
        if kind == "contract_field":
            return ast.ContractField(country=self.name(kids[0]), year=self.year(kids[1]), span=span)
        if kind == "area_field":
            return ast.AreaField(bodies=self.bodies(kids[0]), span=span)
        if kind in ("approved_field", "consulted_field"):
            bodies = () if kids[0].data == "no_body" else self.bodies(kids[0])
            date = self.dated(kids[1].children[0]) if len(kids) > 1 else None
            cls = ast.ApprovedField if kind == "approved_field" else ast.ConsultedField
            return cls(bodies=bodies, date=date, span=span)
        if kind == "runs_field":
            return ast.RunsField(start=self.date(kids[0]), end=self.date(kids[1]), span=span)
        if kind == "pays_for_field":
            mode = ast.WHOLE_YEAR if kids[0].data == "whole_year" else ast.MONTHS_RUN
            return ast.PaysForField(mode=mode, span=span)
        if kind == "source_field":
            return ast.SourceField(text=self.text(kids[0]), span=span)
        if kind == "instrument_field":
            date = self.dated(kids[1].children[0]) if len(kids) > 1 else None
            return ast.InstrumentField(title=self.text(kids[0]), date=date, span=span)
        if kind == "eligible_field":
            return ast.EligibleField(condition=self.condition(kids[0]), span=span)
        if kind == "waiver_field":
            rule, bodies, granted, *rest = kids
            until = self.day(rest[0], "a waiver's 'until'",
                             "a waiver counts only if it lasts until the scheme ends, which a month or a year "
                             "cannot show: give the day (until YYYY-MM-DD)") if len(rest) == 2 else None
            return ast.WaiverField(rule=self.name(rule), granted_by=self.bodies(bodies),
                                   granted_on=self.dated(granted.children[0]),
                                   until=until, reason=self.text(rest[-1]), span=span)
        raise AssertionError(f"unknown header field {kind}")  # the grammar has no other

    # eligibility
    def condition(self, tree: Tree):
        kind, kids, span = tree.data, tree.children, _span(tree)
        if kind == "any_of":
            return ast.AnyOf(items=tuple(self.condition(c) for c in kids), span=span)
        if kind == "all_of":
            return ast.AllOf(items=tuple(self.condition(c) for c in kids), span=span)
        if kind == "negation":
            return ast.Not(item=self.condition(kids[0]), span=span)
        if kind == "opted_in":
            by = self.day(kids[0], "'practice opted in by'",
                          "whether a practice that opted in during that month or year opted in by then depends on "
                          "the day: give the deadline to the day (practice opted in by YYYY-MM-DD)") if kids else None
            return ast.OptedIn(by=by, span=span)
        if kind == "in_pilot":
            return ast.InPilot(pilot=self.text(kids[0]), span=span)
        if kind == "in_area":
            return ast.InArea(area=self.body(kids[0]), span=span)
        if kind == "attribute_test":
            return ast.AttributeTest(attribute=self.name(kids[0]), comparison=kids[1].value,
                                     value=self.value(kids[2]), span=span)
        if kind == "every_practice":
            return ast.EveryPractice(span=span)
        raise AssertionError(f"unknown condition {kind}")

    def value(self, item):
        if isinstance(item, Tree):
            return item.data == "yes"
        if item.type == "STRING":
            return _unquote(item)
        if item.type == "NUMBER":
            return Decimal(item.value)
        date = self.date(item)
        return date.value

    # rules
    def rule(self, tree: Tree) -> ast.Rule:
        title, *fields = tree.children
        return ast.Rule(title=self.text(title), fields=tuple(self.rule_field(f) for f in fields),
                        span=_span(tree))

    def rule_field(self, tree: Tree):
        kind, kids, span = tree.data, tree.children, _span(tree)
        if kind == "applies_field":
            return ast.AppliesField(selector=self.selector(kids[0]), span=span)
        if kind == "reporting_field":
            requirement = {"as_usual": ast.AS_USUAL, "not_required": ast.NOT_REQUIRED,
                           "monitoring_only": ast.MONITORING_ONLY}[kids[0].data]
            return ast.ReportingField(requirement=requirement, span=span)
        if kind == "pay_field":
            return ast.PayField(basis=self.basis(kids[0]), span=span)
        if kind == "on_request_field":
            return ast.OnRequestField(basis=self.basis(kids[0]), span=span)
        if kind == "only_when_field":
            return ast.OnlyWhenField(condition=self.condition(kids[0]), span=span)
        if kind == "points_field":
            return ast.PointsField(points=Decimal(kids[0].value), span=span)
        raise AssertionError(f"unknown rule field {kind}")

    def selector(self, tree: Tree) -> ast.Selector:
        parts = [tuple(self.selector_term(t) for t in selection.children) for selection in tree.children]
        return ast.Selector(include=parts[0], exclude=parts[1] if len(parts) > 1 else (), span=_span(tree))

    def selector_term(self, tree: Tree):
        kind, kids, span = tree.data, tree.children, _span(tree)
        if kind in ("codes", "groups", "domains"):
            names = tuple(self.name(t) for t in kids[0].children)
            if kind == "codes":
                return ast.Codes(codes=names, span=span)
            if kind == "groups":
                return ast.Groups(groups=names, span=span)
            return ast.Domains(domains=names, span=span)
        if kind == "retiring":
            year = kids[0].value[:4]
            return ast.Retiring(date=self.day(kids[0], "'indicators retiring'",
                                              "indicators retire on a day, the 1 April that begins a year: "
                                              f"e.g. indicators retiring {year}-04-01"), span=span)
        if kind == "all_indicators":
            return ast.AllIndicators(span=span)
        if kind == "all_other_indicators":
            return ast.AllOtherIndicators(span=span)
        raise AssertionError(f"unknown selector {kind}")

    def basis(self, tree: Tree):
        kind, kids, span = tree.data, tree.children, _span(tree)
        if kind == "achievement":
            return ast.Achievement(year=self.year(kids[0]) if kids else None, span=span)
        if kind == "full_points":
            return ast.FullPoints(span=span)
        if kind == "no_points":
            return ast.NoPoints(span=span)
        if kind == "fixed_points":
            return ast.FixedPoints(points=Decimal(kids[0].value), span=span)
        if kind in ("higher_of", "lower_of", "average_of"):
            items = tuple(self.basis(c) for c in kids[0].children)
            cls = {"higher_of": ast.HigherOf, "lower_of": ast.LowerOf, "average_of": ast.AverageOf}[kind]
            return cls(items=items, span=span)
        if kind == "percent_of":
            return ast.PercentOf(percent=Decimal(kids[0].value[:-1]), basis=self.basis(kids[1]), span=span)
        if kind == "sum_of":
            return ast.SumOf(items=tuple(self.basis(c) for c in kids[0].children), span=span)
        if kind == "once_lower_passed":
            return ast.OnceLowerPassed(points=Decimal(kids[0].value), span=span)
        if kind == "practice_choice":
            return ast.PracticeChoice(attribute=self.name(kids[0]),
                                      items=tuple(self.basis(c) for c in kids[1].children), span=span)
        raise AssertionError(f"unknown basis {kind}")


def _percent(token: Token) -> Decimal:
    return Decimal(token.value[:-1])


def money_value(text: str) -> Decimal:
    """'£1,250.50' as Decimal('1250.50')."""
    return Decimal(text.lstrip("£").replace(",", ""))


def build(source: Source, tree: Tree) -> tuple[ast.Scheme, list[Diagnostic]]:
    builder = Builder(source)
    scheme_tree = next(c for c in tree.children if isinstance(c, Tree) and c.data == "scheme")
    return builder.scheme(scheme_tree), builder.diagnostics


def parse(source: Source) -> tuple[ast.Scheme, list[Diagnostic]]:
    """Parse and build: the AST and the value diagnostics. Raises :class:`QofError` on a syntax error."""
    return build(source, parse_tree(source))


def parse_text(text: str, name: str = "<string>") -> ast.Scheme:
    """Parse a scheme from a string; raise :class:`QofError` on any syntax or value error."""
    source = Source(name, text)
    scheme, diagnostics = parse(source)
    errors = [d for d in diagnostics if d.is_error]
    if errors:
        raise QofError(errors)
    return scheme


#: The precision each date terminal of the grammar writes.
_PRECISION_OF_TOKEN = {"DATE": DAY, "MONTH": MONTH, "CALENDAR_YEAR": YEAR}


def _date_hint(text: str) -> str:
    """Why a date that looks like YYYY-MM-DD (or YYYY-MM, YYYY) is not one: the year, the month,
    or the month's length."""
    import calendar
    parts = [int(part) for part in text.split("-")]
    year, month, day = parts + [1] * (3 - len(parts))
    if year < 1:
        return "the calendar has no year 0000"
    if not 1 <= month <= 12:
        return f"a month is 01 to 12, not {month:02d}"
    days = calendar.monthrange(year, month)[1]
    return f"{calendar.month_name[month]} {year} has {days} days" if day > days or day < 1 else "dates are YYYY-MM-DD"


if __name__ == "__main__":  # python -m qofrules.syntax grammar/qof.lark.parser (after changing the grammar)
    import sys
    save_parser(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "grammar" / PARSER_FILE)
