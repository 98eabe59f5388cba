"""Hostile input (issue 6): each attack a user's file could carry, one test each, asserting what
the user sees (the message, located) and the exit code. The limits are in docs/limits.md.

Every test here runs the real command through click's CliRunner, so a traceback would surface as
``result.exception``; ``_invoke`` fails on any exception but the command's own exit.
"""
from __future__ import annotations

import builtins
import importlib.util
import os
import shutil
import signal
import socket
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT
from qofrules import api, yamlsafe
from qofrules import data as data_module
from qofrules.cli import cli
from qofrules.data import csvfiles
from qofrules.diagnostics import MAX_DIAGNOSTICS_PER_FILE, QofError
from qofrules.reading import MAX_SCHEME_BYTES
from qofrules.source import Source
from qofrules.syntax import MAX_NESTING, MAX_RULES

SCHEME = ROOT / "schemes" / "2014-lincolnshire-llr.qof"
EXAMPLE = ROOT / "examples" / "lincolnshire-2014"
TINY = ROOT / "examples" / "tiny.yaml"
OVERRIDES = EXAMPLE / "contract-overrides.yaml"
HEADER = 'scheme hostile "Hostile"\n  contract: england 2013/14\n'
ONE_RULE = '\n  rule "All":\n    applies to: all indicators\n    pay: achievement\n'

BOMB = ('a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n")


def _invoke(*args, input=None):
    result = CliRunner().invoke(cli, [str(a) for a in args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def _check(tmp_path, text: str, name: str = "hostile.qof"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return _invoke("check", path), path


# ------------------------------------------------------------------ YAML bombs


def test_yaml_bomb_in_a_compact_data_set(tmp_path):
    data = tmp_path / "bomb.yaml"
    data.write_text("dataset: bomb\nsynthetic: true\n" + BOMB, encoding="utf-8")
    result = _invoke("run", SCHEME, "--data", data)
    assert result.exit_code == 1
    assert f"{data}:4:8: error[QD001] not valid YAML: YAML aliases (*name) are not allowed in qofrules files" \
        in result.output


def test_yaml_bomb_in_a_manifest(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "data")
    manifest = tmp_path / "data" / "dataset.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "x-" + BOMB.replace("\n", "\nx-", 4),
                        encoding="utf-8")
    result = _invoke("run", SCHEME, "--data", tmp_path / "data")
    assert result.exit_code == 1
    assert "error[QD001] not valid YAML: YAML aliases (*name) are not allowed in qofrules files" in result.output
    assert f"{manifest}:" in result.output


def test_yaml_bomb_in_contract_overrides(tmp_path):
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("overrides: england 2013/14\nlabel: bomb\n" + BOMB, encoding="utf-8")
    result = _invoke("run", SCHEME, "--data", TINY, "--contract-overrides", overrides)
    assert result.exit_code == 1
    assert f"{overrides}:4:8: error[QR311] not valid YAML: YAML aliases (*name) are not allowed" in result.output


def test_deeply_nested_yaml_is_a_located_limit(tmp_path):
    data = tmp_path / "deep.yaml"
    data.write_text("dataset: deep\nsynthetic: true\ndescription: " + "[" * 100_000 + "]" * 100_000 + "\n",
                    encoding="utf-8")
    result = _invoke("run", SCHEME, "--data", data)
    assert result.exit_code == 1
    assert f"{data}:3:{14 + yamlsafe.MAX_YAML_DEPTH - 1}: error[QD001] not valid YAML: the YAML nests more " \
           f"than {yamlsafe.MAX_YAML_DEPTH} deep" in result.output
    assert len(result.output) < 1000  # the 200,000-character line is shown as a window, not whole


# ------------------------------------------------------------------ schemes: nesting, size, lines, rules


def test_ten_thousand_parentheses_in_a_condition(tmp_path):
    text = HEADER + "  eligible when: " + "(" * 10_000 + "practice opted in" + ")" * 10_000 + "\n" + ONE_RULE
    result, path = _check(tmp_path, text)
    assert result.exit_code == 2
    assert f"{path}:3:{17 + MAX_NESTING + 1}: error[QR005] parentheses nest more than {MAX_NESTING} deep" \
        in result.output
    report = api.check_source(Source("x.qof", text))  # the API: a report, no RecursionError
    assert [d.code for d in report.diagnostics] == ["QR005"]


def test_ten_thousand_parentheses_in_a_basis(tmp_path):
    text = HEADER + ONE_RULE.replace("pay: achievement", "pay: " + "(" * 10_000 + "full points" + ")" * 10_000)
    result, path = _check(tmp_path, text)
    assert result.exit_code == 2
    assert f"{path}:6:{9 + MAX_NESTING + 1}: error[QR005] parentheses nest more than {MAX_NESTING} deep" \
        in result.output


@pytest.mark.parametrize("nesting, what", [("not " * 400 + "every practice", "condition"),
                                           ("50% of " * 280 + "full points", "payment basis")])
def test_nesting_without_parentheses_is_limited_too(tmp_path, nesting, what):
    """'not not not ...' and '50% of 50% of ...' nest without a bracket, within the line limit."""
    if what == "condition":
        text = HEADER + f"  eligible when: {nesting}\n" + ONE_RULE
    else:
        text = HEADER + ONE_RULE.replace("pay: achievement", f"pay: {nesting}")
    result, _ = _check(tmp_path, text)
    assert result.exit_code == 2
    assert f"error[QR005] the {what} nests more than {MAX_NESTING} deep" in result.output
    fmt = _invoke("fmt", "--check", tmp_path / "hostile.qof")  # fmt recursed and crashed on these
    assert fmt.exit_code == 2 and "QR005" in fmt.output


def test_parentheses_in_quoted_text_are_not_nesting(tmp_path):
    text = HEADER + '  source: "' + "(" * 100 + '"\n' + "  # " + "(" * 100 + "\n" + ONE_RULE
    result, _ = _check(tmp_path, text)
    assert "QR005" not in result.output


def test_a_fifty_megabyte_scheme_is_refused_by_its_size(tmp_path):
    path = tmp_path / "huge.qof"
    with path.open("wb") as handle:  # sparse: the size is set, no 50 MB is written
        handle.write((HEADER + ONE_RULE).encode())
        handle.truncate(50 * 1024 * 1024)
    result = _invoke("check", path)
    assert result.exit_code == 2
    assert (f"{path}: error[QR005] the file is 52,428,800 bytes; a scheme file may be at most "
            f"{MAX_SCHEME_BYTES:,}") in result.output


def test_an_oversize_scheme_on_standard_input_is_refused(tmp_path):
    result = _invoke("check", "-", input=HEADER + "#" * (2 * 1024 * 1024) + "\n")
    assert result.exit_code == 2
    assert f"<stdin>: error[QR005] larger than {MAX_SCHEME_BYTES:,} bytes, the limit for a scheme file" \
        in result.output


def test_a_very_long_line(tmp_path):
    text = HEADER + '  source: "' + "x" * 100_000 + '"\n' + ONE_RULE
    result, path = _check(tmp_path, text)
    assert result.exit_code == 2
    assert f"{path}:3:2000: error[QR005] line 3 is 100,012 characters long; the limit is 2,000" in result.output
    assert len(result.output) < 1000


def test_too_many_rules(tmp_path):
    rules = "".join(f'\n  rule "R{i}":\n    applies to: all indicators\n    pay: achievement\n'
                    for i in range(MAX_RULES + 1))
    result, path = _check(tmp_path, HEADER + rules)
    assert result.exit_code == 2
    rule_line = 4 * MAX_RULES + 4  # the first rule over the limit (each rule is 4 lines, after 3)
    assert f"{path}:{rule_line}:3: error[QR005] the scheme has 1,001 rules; the limit is 1,000" in result.output


def test_the_rule_limit_itself_is_allowed(tmp_path):
    rules = "".join(f'\n  rule "R{i}":\n    applies to: indicator HYP002\n    pay: achievement\n'
                    for i in range(MAX_RULES))
    result, _ = _check(tmp_path, HEADER + rules)
    assert "QR005" not in result.output
    assert result.exit_code == 1 and "QR221" in result.output  # HYP002 paid by many rules: findings
    assert "... and " in result.output and "more problem(s) of this file not shown" in result.output


def test_a_file_of_only_comments_says_so(tmp_path):
    result, path = _check(tmp_path, "# notes for a scheme\n\n# to come\n")
    assert result.exit_code == 2
    assert f"{path}: error[QR003] the scheme file has no scheme, only comments" in result.output


# ------------------------------------------------------------------ data: a million bad rows, encodings


def _bad_rows_data_set(tmp_path, row: str, count: int) -> Path:
    (tmp_path / "practices.csv").write_text("PRACTICE_CODE,PRACTICE_NAME,LIST_SIZE,LMC\n"
                                            "A00001,First,5000,Lincolnshire\n", encoding="utf-8")
    with (tmp_path / "achievement.csv").open("w", encoding="utf-8") as handle:
        handle.write("PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\n")
        handle.write(row * count)
    (tmp_path / "dataset.yaml").write_text("dataset: bad\nsynthetic: true\npractices: practices.csv\n"
                                           "achievement: {2013/14: achievement.csv}\n", encoding="utf-8")
    return tmp_path / "achievement.csv"


def test_a_million_bad_rows_are_capped_and_summarised(tmp_path):
    """Through run's own path: the columnar reader stops at the first short row and hands the file
    to the exact reader's checks, streamed (the CLI prints exactly these renderings)."""
    csv_path = _bad_rows_data_set(tmp_path, "A00001,HYP002,NUMERATOR\n", 1_000_000)  # a field short
    with pytest.raises(QofError) as caught:
        api.run_result(SCHEME, str(tmp_path))
    shown = [d.render() for d in caught.value.diagnostics]
    assert caught.value.exit_code == 1
    assert len(shown) == MAX_DIAGNOSTICS_PER_FILE + 1
    assert shown[0].startswith(f"{csv_path}:2:1: error[QD013] line 2 has 3 fields; the header has 4")
    assert shown[49].startswith(f"{csv_path}:51:1: error[QD013] line 51 has 3 fields")
    assert shown[50] == f"{csv_path}: error[QR009] ... and 999,950 more problem(s) of this file not shown"


def test_a_bad_rows_report_on_the_command_line(tmp_path):
    csv_path = _bad_rows_data_set(tmp_path, "A00001,HYP002,NUMERATOR,x\n", 10_000)
    result = _invoke("run", SCHEME, "--data", tmp_path)
    assert result.exit_code == 1
    assert f"{csv_path}:2:{len('A00001,HYP002,NUMERATOR,') + 1}: error[QD021] line 2: NUMERATOR of A00001 HYP002 " \
           "is 'x', not a whole, " \
           "non-negative number" in result.output
    assert f"{csv_path}: error[QR009] ... and 9,950 more problem(s) of this file not shown" in result.output
    assert result.output.count("error[") == MAX_DIAGNOSTICS_PER_FILE + 1


def test_hints_are_worked_out_only_for_the_problems_shown(tmp_path, monkeypatch):
    """'did you mean' over every practice code is costly; a million rows naming an unknown practice
    computed it a million times (hours, at national scale) before the fix."""
    calls = []
    real = csvfiles.did_you_mean
    monkeypatch.setattr(csvfiles, "did_you_mean", lambda *a, **k: calls.append(a) or real(*a, **k))
    _bad_rows_data_set(tmp_path, "A00002,HYP002,NUMERATOR,1\n", 5_000)
    with pytest.raises(QofError) as caught:
        api.load_data(str(tmp_path))
    assert caught.value.diagnostics[0].hint == "did you mean A00001?"
    assert len(calls) == MAX_DIAGNOSTICS_PER_FILE


def _example_copy(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(EXAMPLE, target)
    return target


def test_latin1_bytes_in_a_utf8_csv_are_located(tmp_path):
    data = _example_copy(tmp_path)
    practices = data / "practices.csv"
    lines = practices.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"MEDICAL", "MÉDICAL".encode("latin-1"), 1)
    practices.write_bytes(b"\n".join(lines))
    column = lines[3].index(b"\xc9") + 1
    result = _invoke("run", SCHEME, "--data", data)
    assert result.exit_code == 2
    assert f"{practices}:4:{column}: error[QR002] line 4 is not valid UTF-8 (byte 0xc9" in result.output
    assert "hint: save the file as UTF-8" in result.output


def test_latin1_bytes_in_a_scheme_are_located(tmp_path):
    path = tmp_path / "latin1.qof"
    path.write_bytes((HEADER + '  source: "Café"\n' + ONE_RULE).encode("latin-1"))
    result = _invoke("check", path)
    assert result.exit_code == 2
    assert f"{path}:3:15: error[QR002] line 3 is not valid UTF-8 (byte 0xe9 at offset 67)" in result.output


def test_nul_bytes_in_a_csv_are_located(tmp_path):
    data = _example_copy(tmp_path)
    prevalence = data / "prevalence-2013-14.csv"
    lines = prevalence.read_bytes().split(b"\n")
    lines[9] = lines[9].replace(b",", b",\x00", 1)
    prevalence.write_bytes(b"\n".join(lines))
    result = _invoke("run", SCHEME, "--data", data)
    assert result.exit_code == 2
    assert (f"{prevalence}:10:8: error[QR002] this looks like a binary file, not a prevalence file "
            "(it contains NUL bytes, the first on line 10)") in result.output


def _rewrite(path: Path, newline: str, bom: bool) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if newline == "mixed":
        out = "".join(line + ("\r\n", "\n", "\r")[i % 3] for i, line in enumerate(lines[:-1])) + lines[-1]
    else:
        out = newline.join(lines)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.encode("utf-8"))


@pytest.mark.parametrize("newline", ["\r\n", "mixed"])
def test_bom_and_crlf_files_load_and_give_the_same_results(tmp_path, newline):
    """Every file of the example (scheme, manifest, CSVs, overrides) with a BOM and CRLF (or LF, CRLF
    and bare CR mixed in the CSV files) gives exactly the results of the original."""
    plain = _invoke("run", SCHEME, "--data", EXAMPLE, "--format", "csv")
    assert plain.exit_code == 0
    data = _example_copy(tmp_path)
    for path in data.iterdir():
        _rewrite(path, newline if path.suffix == ".csv" else "\r\n", bom=True)
    scheme = tmp_path / "scheme.qof"
    shutil.copy(SCHEME, scheme)
    _rewrite(scheme, "\r\n", bom=True)
    assert _invoke("check", scheme).exit_code == 0
    again = _invoke("run", scheme, "--data", data, "--format", "csv")
    assert again.exit_code == 0, again.output
    # the CSV's notices name the overrides file, which is the copy's (docs/data-formats.md, section 3)
    assert again.stdout.replace(os.path.relpath(data / "contract-overrides.yaml"),
                                os.path.relpath(EXAMPLE / "contract-overrides.yaml")) == plain.stdout


# ------------------------------------------------------------------ paths a data set names


def _manifest(directory: Path, practices: str, **extra: str) -> Path:
    shutil.copy(EXAMPLE / "practices.csv", directory / "practices.csv")
    lines = ["dataset: paths", "synthetic: true", f"practices: {practices}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    (directory / "dataset.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


@pytest.mark.parametrize("path", ["../practices.csv", "/etc/passwd", "sub/../../practices.csv", "C:practices.csv"])
def test_a_manifest_cannot_name_a_path_outside_its_directory(tmp_path, path):
    inner = tmp_path / "inner"
    inner.mkdir()
    _manifest(inner, path)
    result = _invoke("run", SCHEME, "--data", inner)
    assert result.exit_code == 1
    assert f"{inner / 'dataset.yaml'}:" in result.output  # at the line naming it
    assert f": error[QD004] practices: '{path}' lies outside the data set's directory" in result.output


@pytest.mark.parametrize("field", ["practices", "achievement", "contract_overrides"])
def test_a_symlink_out_of_the_directory_is_refused(tmp_path, field):
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("practices.csv", "achievement-2013-14.csv", "contract-overrides.yaml"):
        shutil.copy(EXAMPLE / name, outside / name)
    inner = tmp_path / "inner"
    inner.mkdir()
    target = {"practices": "practices.csv", "achievement": "achievement-2013-14.csv",
              "contract_overrides": "contract-overrides.yaml"}[field]
    (inner / "link").symlink_to(outside / target)
    if field == "practices":
        _manifest(inner, "link")
    elif field == "achievement":
        _manifest(inner, "practices.csv", achievement="{2013/14: link}")
    else:
        _manifest(inner, "practices.csv", contract_overrides="link")
    result = _invoke("run", SCHEME, "--data", inner)
    assert result.exit_code == 1
    named = {"achievement": "achievement.2013/14"}.get(field, field)
    assert f"{inner / 'dataset.yaml'}:" in result.output  # at the line naming it
    assert f": error[QD005] {named}: 'link' lies outside the data set's directory" in result.output


def test_a_symlinked_directory_out_of_the_data_set_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(EXAMPLE / "practices.csv", outside / "practices.csv")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "sub").symlink_to(outside, target_is_directory=True)
    _manifest(inner, "sub/practices.csv")
    result = _invoke("run", SCHEME, "--data", inner)
    assert result.exit_code == 1
    assert "error[QD005] practices: 'sub/practices.csv' lies outside the data set's directory" in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_in_a_data_set_is_refused_not_waited_on(tmp_path):
    inner = _manifest(tmp_path, "pipe.csv")
    os.mkfifo(tmp_path / "pipe.csv")

    def hung(signum, frame):
        raise AssertionError("reading the data set hung on a named pipe")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    try:
        result = _invoke("run", SCHEME, "--data", inner)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert result.exit_code == 1
    assert "error[QD005] practices: 'pipe.csv' is not a regular file (a pipe, socket or device)" in result.output


# ------------------------------------------------------------------ no code, no other files, no network


def test_yaml_python_tags_are_refused_and_run_nothing(tmp_path):
    marker = tmp_path / "pwned"
    data = tmp_path / "evil.yaml"
    data.write_text(f'dataset: !!python/object/apply:os.system ["touch {marker}"]\nsynthetic: true\n'
                    "practices: []\n", encoding="utf-8")
    result = _invoke("run", SCHEME, "--data", data)
    assert result.exit_code == 1
    assert (f"{data}:1:10: error[QD001] not valid YAML: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system'") in result.output
    overrides = tmp_path / "evil-overrides.yaml"
    overrides.write_text("overrides: !!python/name:os.system\nlabel: x\n", encoding="utf-8")
    result = _invoke("run", SCHEME, "--data", TINY, "--contract-overrides", overrides)
    assert result.exit_code == 1 and "error[QR311] not valid YAML: could not determine a constructor" in result.output
    assert not marker.exists()


@pytest.mark.parametrize("loader", [yamlsafe._NoAliasLoader, yamlsafe._ShippedLoader])
def test_the_yaml_loaders_are_safe_loaders(loader):
    """Both read users' files: the pure one, and libyaml's once a file's events show no alias."""
    assert issubclass(loader, yaml.constructor.SafeConstructor)
    assert not issubclass(loader, (yaml.FullLoader, yaml.UnsafeLoader, yaml.constructor.FullConstructor))
    tags = list(loader.yaml_constructors) + list(loader.yaml_multi_constructors)
    assert not [t for t in tags if t and "python" in t]


class _Recorder:
    """Records, through an audit hook (PEP 578: it sees os.open, io.open, socket and subprocess
    calls however made), what the code under test opens, connects to or runs, while active.
    Audit hooks cannot be removed, so one hook serves every test and only records when asked."""

    active: list | None = None
    installed = False

    @classmethod
    def hook(cls, event, args):
        if cls.active is None:
            return
        if event == "open":
            cls.active.append(("open", args[0], args[1], args[2]))
        elif event.startswith(("socket.", "subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                               "urllib.", "http.", "ctypes.")) or event == "import":
            cls.active.append((event, args[0] if args else None))

    def __enter__(self):
        if not _Recorder.installed:
            sys.addaudithook(_Recorder.hook)
            _Recorder.installed = True
        _Recorder.active = self.events = []
        return self

    def __exit__(self, *exc):
        _Recorder.active = None


def _guard_imports_and_sockets(monkeypatch, blocked: list) -> None:
    """From now on, importing a module not already loaded fails, and so does making a socket."""
    loaded = set(sys.modules)
    real_import = builtins.__import__

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        absolute = name
        if level:
            absolute = importlib.util.resolve_name("." * level + name, (globals or {}).get("__package__"))
        if absolute not in loaded:
            blocked.append(absolute)
            raise ImportError(f"test: importing {absolute} after start-up is not allowed")
        return real_import(name, globals, locals, fromlist, level)

    def no_network(*args, **kwargs):
        blocked.append("socket")
        raise OSError("test: no network")

    monkeypatch.setattr(builtins, "__import__", guarded_import)
    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)


def _allowed(path) -> bool:
    if isinstance(path, int):  # a descriptor already open
        return True
    resolved = Path(os.fsdecode(path)).resolve()
    # the settings search (docs/repository.md) reads a qofrules.toml or pyproject.toml at or above the scheme
    settings = resolved.name in ("qofrules.toml", "pyproject.toml") and SCHEME.resolve().is_relative_to(resolved.parent)
    return settings or any(resolved.is_relative_to(base) for base in (EXAMPLE.resolve(), SCHEME.resolve(),
                                                                      (ROOT / "qofrules").resolve()))


def test_a_run_imports_nothing_opens_only_its_inputs_and_never_reaches_the_network(monkeypatch):
    """A full run of a shipped example, after one warm-up run has done every import start-up needs:
    no new module is imported, no socket made, no process started, and only the scheme, the data
    set's own files, qofrules' package data and the settings files above the scheme are opened,
    each for reading."""
    args = ("run", SCHEME, "--data", EXAMPLE, "--format", "json")
    warm = _invoke(*args)
    assert warm.exit_code == 0, warm.output
    modules = set(sys.modules)
    blocked: list = []
    _guard_imports_and_sockets(monkeypatch, blocked)
    probe = next(m for m in ("wave", "sndhdr", "mailbox", "ftplib", "imaplib") if m not in sys.modules)
    with pytest.raises(ImportError):  # the guard is live: a new import fails
        __import__(probe)
    blocked.clear()
    with _Recorder() as recorder:
        again = _invoke(*args)
    monkeypatch.undo()
    assert again.exit_code == 0 and again.stdout == warm.stdout, again.output[-2000:]
    assert blocked == []
    assert set(sys.modules) - modules == set()
    opened = [e for e in recorder.events if e[0] == "open"]
    others = [e for e in recorder.events if e[0] != "open"]
    assert others == []
    assert any(str(e[1]).endswith("achievement-2013-14.csv") for e in opened)  # the recorder sees opens
    assert [e for e in opened if not _allowed(e[1])] == []
    writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    assert [e for e in opened if (e[3] or 0) & writes or (e[2] and any(c in e[2] for c in "wax+"))] == []


def test_paths_in_a_scheme_are_only_text(tmp_path):
    """A scheme's quoted texts are never paths: checking one that names files opens nothing else."""
    secret = tmp_path / "secret.txt"
    secret.write_text("secret", encoding="utf-8")
    text = HEADER + f'  source: "{secret}"\n  source: "../../etc/passwd"\n  source: "http://example.com/x"\n' \
        + ONE_RULE
    result, path = _check(tmp_path, text)  # warm-up: loads the contract year once
    assert result.exit_code == 0
    with _Recorder() as recorder:
        result = _invoke("check", path)
    assert result.exit_code == 0
    opened = {Path(os.fsdecode(e[1])).resolve() for e in recorder.events if e[0] == "open" and not isinstance(e[1], int)}
    assert opened <= {path.resolve()} | {p for p in opened if p.is_relative_to((ROOT / "qofrules").resolve())}
    assert secret.resolve() not in opened
    assert [e for e in recorder.events if e[0] != "open"] == []


# ------------------------------------------------------------------ size limits of the other files


def _sparse(path: Path, start: bytes, size: int) -> Path:
    with path.open("wb") as handle:
        handle.write(start)
        handle.truncate(size)
    return path


def test_an_oversize_data_set_file_is_refused(tmp_path):
    data = _sparse(tmp_path / "big.yaml", b"dataset: big\n", data_module.MAX_COMPACT_BYTES + 1)
    result = _invoke("run", SCHEME, "--data", data)
    assert result.exit_code == 2
    assert (f"{data}: error[QR005] the file is 20,971,521 bytes; a data set file may be at most 20,971,520"
            in result.output)


def test_an_oversize_manifest_is_refused(tmp_path):
    data = _example_copy(tmp_path)
    manifest = data / "dataset.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "# " + "x" * (1024 * 1024) + "\n",
                        encoding="utf-8")
    result = _invoke("run", SCHEME, "--data", data)
    assert result.exit_code == 2
    assert (f"{manifest}: error[QR005] the file is {manifest.stat().st_size:,} bytes; a data set manifest may "
            "be at most 1,048,576") in result.output


def test_an_oversize_overrides_file_is_refused(tmp_path):
    overrides = _sparse(tmp_path / "big.yaml", b"overrides: england 2013/14\n", 1024 * 1024 + 1)
    result = _invoke("run", SCHEME, "--data", TINY, "--contract-overrides", overrides)
    assert result.exit_code == 2
    assert (f"{overrides}: error[QR005] the file is 1,048,577 bytes; a contract overrides file may be at most "
            "1,048,576") in result.output


def test_a_quote_never_closed_is_reported_where_it_opens(tmp_path):
    csv_path = _bad_rows_data_set(tmp_path, "x\n", 200_000)
    csv_path.write_text("PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\nA00001,HYP002,NUMERATOR,\"1\n"
                        + "x\n" * 200_000, encoding="utf-8")
    with pytest.raises(QofError) as caught:
        api.load_data(str(tmp_path))
    assert caught.value.diagnostics[0].render().splitlines() == [
        f"{csv_path}:2:1: error[QD011] line 2: not readable as CSV: field larger than field limit (131072)",
        '    2 | A00001,HYP002,NUMERATOR,"1',
        "      | ^",
        '  hint: a field runs on for more than 131,072 characters: usually a " that is never closed']


@pytest.mark.parametrize("figure", ["point_value: .inf", "point_value: .nan", "groups: {HYP: {national_prevalence: .nan}}",
                                    "indicators: {HYP002: {thresholds: {lower: .nan, upper: 80}}}"])
def test_infinite_or_nan_figures_in_overrides_are_refused(tmp_path, figure):
    """YAML's .inf and .nan pass a JSON Schema's 'minimum: 0'; a point value of .inf was an
    internal error (exit 70) when the money was computed."""
    overrides = tmp_path / "overrides.yaml"  # applied after the example's, which fill every other figure
    overrides.write_text(f"overrides: england 2013/14\nlabel: hostile\n{figure}\n", encoding="utf-8")
    result = _invoke("run", SCHEME, "--data", TINY, "--contract-overrides", OVERRIDES,
                     "--contract-overrides", overrides)
    assert result.exit_code == 1
    # bounded like every national figure (docs/limits.md, "National figures"), located at the value
    assert f"{overrides}:3:" in result.output and "error[QR314]" in result.output
    assert " is not a number; " in result.output


# ------------------------------------------------------------------ values that load, then are computed with

PRIOR = ('scheme prior "Every practice on its 2012/13 points"\n  contract: england 2013/14\n  area: lmc "Lincolnshire"\n'
         '  eligible when: every practice\n\n  rule "All":\n    applies to: all indicators\n'
         '    pay: achievement in 2012/13\n')


def _run_tiny(tmp_path, data: str, scheme: str = PRIOR):
    (tmp_path / "prior.qof").write_text(scheme, encoding="utf-8")
    (tmp_path / "tiny.yaml").write_text(data, encoding="utf-8")
    return _invoke("run", tmp_path / "prior.qof", "--data", tmp_path / "tiny.yaml", "--contract-overrides",
                   OVERRIDES, "--format", "csv")


@pytest.mark.parametrize("value", [".nan", ".inf"])
def test_non_finite_points_in_a_compact_data_set_are_refused(tmp_path, value):
    """They passed the schema ('number, minimum 0') and were an internal error when paid on."""
    result = _run_tiny(tmp_path, TINY.read_text(encoding="utf-8").replace("HYP002: {points: 10}",
                                                                           f"HYP002: {{points: {value}}}", 1))
    assert result.exit_code == 1
    if value == ".inf":  # above the bound on points (docs/limits.md), which dataset.schema.json now sets
        assert "error[QD004] practices[0].achievement.2012/13.HYP002.points is inf, but must be at most 1000" \
               in result.output
        return
    assert (f"{tmp_path / 'tiny.yaml'}: error[QD021] C83001 HYP002 2012/13: points {value[1:]} is not a finite "
            "number") in result.output


def test_whole_numbers_written_as_floats_in_a_compact_data_set_are_counts(tmp_path):
    """JSON Schema's 'integer' admits 2911.0; it was an internal error (Fraction and float mixed)."""
    plain = _run_tiny(tmp_path, TINY.read_text(encoding="utf-8"))
    floats = _run_tiny(tmp_path, TINY.read_text(encoding="utf-8").replace("list_size: 2911", "list_size: 2911.0")
                       .replace("numerator: 351", "numerator: 351.0"))
    assert plain.exit_code == floats.exit_code == 0
    assert floats.stdout == plain.stdout


def test_a_nan_attribute_is_not_comparable(tmp_path):
    """'NaN' (or .nan) in an attribute column raised InvalidOperation when compared: an internal error."""
    data = TINY.read_text(encoding="utf-8").replace("    list_size: 2911", "    list_size: 2911\n    attributes: {beds: .nan}", 1)
    scheme = PRIOR.replace("eligible when: every practice", "eligible when: practice attribute beds > 5")
    result = _run_tiny(tmp_path, data, scheme)
    assert result.exit_code == 0
    assert "C83001,HEART OF LINCOLN HEALTH GROUP,2911,no,\"attribute beds is 'nan', which cannot be compared " \
           "with 5\"" in result.stdout
