"""Hostile writes and misplaced diagnostics (issue: writes, locations, diff exit codes, CSV
notices). Every test runs the command as a user meets it: through click's CliRunner, or, where the
file system or a signal matters (a named pipe, a file-size limit), a real process.
"""
from __future__ import annotations

import csv
import io
import itertools
import os
import resource
import shutil
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from qofrules.cli import cli

SCHEME = ROOT / "schemes" / "2014-lincolnshire-llr.qof"
EXAMPLE = ROOT / "examples" / "lincolnshire-2014"


def _invoke(args: list[str]):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _process(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qofrules.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=120, cwd=ROOT, **kwargs)


def _unformatted(path: Path) -> Path:
    """A copy of the shipped scheme laid out badly (three spaces where two belong)."""
    text = SCHEME.read_text(encoding="utf-8").replace("\n  ", "\n   ")
    path.write_text(text, encoding="utf-8")
    return path


def _run_csv(output) -> list[str]:
    return ["run", SCHEME, "--data", EXAMPLE, "--format", "csv", "-o", output]


# ------------------------------------------------------------------ writes: links, pipes, devices

def test_fmt_write_through_a_symlink_formats_its_target_and_keeps_the_link(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = _unformatted(elsewhere / "real.qof")
    link = tmp_path / "link.qof"
    link.symlink_to(target)
    result = _invoke(["fmt", "--write", link])
    assert result.exit_code == 0, result.output
    assert f"reformatted {link}" in result.output
    assert link.is_symlink() and os.readlink(link) == str(target), "the link is still a link to its target"
    assert target.read_text(encoding="utf-8") == SCHEME.read_text(encoding="utf-8"), "the target is formatted"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["real.qof"], "no temporary file beside the target"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "link.qof"]
    assert _invoke(["fmt", "--check", link]).exit_code == 0


def test_output_to_a_symlink_writes_its_target(tmp_path):
    target = tmp_path / "results.csv"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "latest.csv"
    link.symlink_to(target.name)  # a relative link, as people make them
    result = _invoke(_run_csv(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == "results.csv"
    assert "PRACTICE_CODE" in target.read_text(encoding="utf-8").upper()


def test_output_to_a_named_pipe_writes_into_the_pipe(tmp_path):
    fifo = tmp_path / "results.fifo"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    done = _process(_run_csv(fifo))
    reader.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the pipe is still a pipe, not a regular file"
    assert received and "synthetic" in received[0].lower()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.fifo"]


def test_output_to_a_device_writes_to_the_device(tmp_path):
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a copy of /dev/null
    except (PermissionError, OSError):
        pytest.skip("making a device needs root")
    result = _invoke(_run_csv(device))
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.lstat(device).st_mode), "the device is still a device"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_output_to_dev_stdout_reaches_standard_output():
    """/dev/stdout is a link to /proc/self/fd/1, whose target (a pipe here) has no path: written
    by its own name, never resolved, and never replaced."""
    done = _process(["run", SCHEME, "--data", EXAMPLE, "--format", "csv", "-o", "/dev/stdout"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Scheme lincs-llr-2014") and "wrote /dev/stdout" in done.stderr
    assert os.path.islink("/dev/stdout") or not os.path.isfile("/dev/stdout")


def test_output_to_a_socket_is_refused_clearly(tmp_path):
    import socket
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        result = _invoke(_run_csv(path))
    finally:
        server.close()
    assert result.exit_code == 2
    assert f"{path}: error[QR008] cannot write {path}:" in result.output
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_empty_output_name_is_a_usage_error():
    result = _invoke(_run_csv(""))
    assert result.exit_code == 2
    assert "-o/--output needs a file name" in result.output
    assert "PRACTICE_CODE" not in result.output.upper(), "nothing is printed instead"


def test_a_write_error_names_the_file_it_could_not_write(tmp_path):
    missing = tmp_path / "no" / "such" / "dir" / "out.csv"
    result = _invoke(_run_csv(missing))
    assert result.exit_code == 2
    assert result.output.splitlines()[0].startswith(f"{missing}: error[QR008] cannot write {missing}:")
    assert "<input>" not in result.output


# ------------------------------------------------------------------ writes: temporary files

def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_later_write_removes_temporary_files_killed_writers_left(tmp_path):
    out = tmp_path / "results.csv"
    dead = tmp_path / f".results.csv.qofrules-{_dead_pid()}.k1ll3d.tmp"
    old = tmp_path / f".results.csv.qofrules-{os.getppid()}.0ld0ld.tmp"  # a live pid, but hours old
    live = tmp_path / f".results.csv.qofrules-{os.getppid()}.l1v3l1.tmp"  # a writer still at work
    unrelated = tmp_path / ".results.csv.abcdefgh.tmp"  # not a name qofrules makes: never touched
    other = tmp_path / f".other.csv.qofrules-{_dead_pid()}.x.tmp"  # another target's: not this write's
    for path in (dead, old, live, unrelated, other):
        path.write_text("partial", encoding="utf-8")
    hours_ago = time.time() - 3 * 3600
    os.utime(old, (hours_ago, hours_ago))
    result = _invoke(_run_csv(out))
    assert result.exit_code == 0, result.output
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([out.name, live.name, unrelated.name, other.name])


def test_a_later_write_removes_old_style_temporary_files_only_when_all_says_they_are_ours(tmp_path):
    """Versions before the PID was in the name made ``.NAME.XXXXXXXX.tmp`` (tempfile.mkstemp's eight
    characters). With no PID to ask about, such a file is removed only when everything else says it
    is a killed write of ours: that exact name, a plain file with one link, the user's own, hours old."""
    out = tmp_path / "results.csv"
    hours_ago = time.time() - 3 * 3600

    def left_by_an_old_version(name: str, age: float = hours_ago) -> Path:
        path = tmp_path / name
        path.write_text("PRACTICE_CODE,partial", encoding="utf-8")
        os.utime(path, (age, age))
        return path

    killed = left_by_an_old_version(".results.csv.k1ll_3dx.tmp")
    young = left_by_an_old_version(".results.csv.w0rking1.tmp", age=time.time())  # may be a writer at work
    seven = left_by_an_old_version(".results.csv.abcdefg.tmp")      # not mkstemp's eight characters
    capitals = left_by_an_old_version(".results.csv.ABCDEFGH.tmp")  # not mkstemp's alphabet
    other = left_by_an_old_version(".other.csv.k1ll3dxy.tmp")       # another target's
    linked = left_by_an_old_version(".results.csv.l1nked00.tmp")
    os.link(linked, tmp_path / "kept-copy")                         # someone keeps it under another name
    pointing = tmp_path / ".results.csv.p01nt3rs.tmp"
    pointing.symlink_to(tmp_path / "kept-copy")                     # a link is never ours
    result = _invoke(_run_csv(out))
    assert result.exit_code == 0, result.output
    assert not killed.exists()
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([out.name, young.name, seven.name, capitals.name, other.name, linked.name,
                           "kept-copy", pointing.name])


def test_fmt_counts_a_file_it_could_not_write_once(tmp_path):
    bad = _unformatted(tmp_path / "a.qof")
    good = tmp_path / "b.qof"
    shutil.copy(SCHEME, good)

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))  # the formatted file cannot be written

    done = _process(["fmt", "--write", bad, good], preexec_fn=small_files)
    assert done.returncode == 2
    assert f"{bad}: error[QR008] cannot write {bad}: File too large" in done.stderr
    assert "0 file(s) reformatted, 1 left unchanged, 1 could not be formatted (see above)" in done.stderr
    assert bad.read_text(encoding="utf-8").startswith(SCHEME.read_text(encoding="utf-8")[:10])
    assert "   contract:" in bad.read_text(encoding="utf-8"), "the unwritten file is as it was"
    done = _process(["fmt", "--write", bad], preexec_fn=small_files)
    assert "0 file(s) reformatted, 0 left unchanged, 1 could not be formatted (see above)" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.qof", "b.qof"]


# ------------------------------------------------------------------ QE002 / QE003 located in the scheme

MISSING_COLUMNS = '''scheme where "Where"
  contract: england 2013/14
  area: icb "Somewhere"
  eligible when: practice in area-team "North" and practice attribute colour = "blue"

  rule "All":
    applies to: all indicators
    pay: achievement
'''


@pytest.mark.parametrize("exact", [False, True])
def test_a_column_the_data_lacks_is_reported_where_the_scheme_asks_for_it(tmp_path, exact):
    scheme = tmp_path / "where.qof"
    scheme.write_text(MISSING_COLUMNS, encoding="utf-8")
    result = _invoke(["run", scheme, "--data", EXAMPLE, "--contract-overrides", EXAMPLE / "contract-overrides.yaml"]
                     + (["--exact"] if exact else []))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{scheme}:4:30: error[QE002] the scheme places practices by AREA_TEAM, but the data set " \
           "lincolnshire-2014-example has no AREA_TEAM column" in lines
    assert f"{scheme}:4:71: error[QE003] the scheme tests practice attribute 'colour', which the data set " \
           "lincolnshire-2014-example does not have (its attributes: none)" in lines
    assert '    4 |   eligible when: practice in area-team "North" and practice attribute colour = "blue"' in lines
    assert "<input>" not in result.output


def test_explain_locates_a_missing_attribute_too(tmp_path):
    scheme = tmp_path / "where.qof"
    scheme.write_text(MISSING_COLUMNS.replace('  area: icb "Somewhere"\n', ""), encoding="utf-8")
    result = _invoke(["explain", scheme, "--data", EXAMPLE, "--practice", "C82001"])
    assert result.exit_code == 1
    assert f"{scheme}:3:71: error[QE003]" in result.output and "<input>" not in result.output


# ------------------------------------------------------------------ diff: a file with itself

def test_diff_of_a_scheme_with_an_impossible_date_is_an_input_problem(tmp_path):
    scheme = tmp_path / "x.qof"
    scheme.write_text(SCHEME.read_text(encoding="utf-8").replace("2014-02-01", "2014-02-30"), encoding="utf-8")
    result = _invoke(["diff", scheme, scheme])
    assert result.exit_code == 2, "1 would say the versions differ"
    assert f"{scheme}:16:9: error[QR101] 2014-02-30 is not a real date" in result.output
    assert _invoke(["diff", SCHEME, scheme]).exit_code == 2
    assert _invoke(["diff", SCHEME, SCHEME]).exit_code == 0


# ------------------------------------------------------------------ CSV output carries its notices

def _notices_and_rows(text: str) -> tuple[list[str], list[dict]]:
    """As docs/data-formats.md says to read it: the lines before the header start with '#'."""
    lines = io.StringIO(text)
    notices = [line[1:].strip() for line in itertools.takewhile(lambda line: line.startswith("#"), io.StringIO(text))]
    return notices, list(csv.DictReader(itertools.dropwhile(lambda line: line.startswith("#"), lines)))


def test_csv_output_carries_the_synthetic_and_illustrative_notices(tmp_path):
    out = tmp_path / "results.csv"
    result = _invoke(_run_csv(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    notices, rows = _notices_and_rows(text)
    assert any(n.startswith("SYNTHETIC DATA") for n in notices), notices
    assert any("illustrative" in n.lower() and "not national" in n.lower() for n in notices), notices
    assert text.startswith("#"), "the notices come first, where a reader sees them"
    assert len(rows) == text.count("\n") - len(notices) - 1 and rows[0]["practice"]
    assert all(r["practice"] and not r["practice"].startswith("#") for r in rows)


def test_csv_output_reads_back_with_pandas(tmp_path):
    pandas = pytest.importorskip("pandas")
    out = tmp_path / "results.csv"
    assert _invoke(_run_csv(out)).exit_code == 0
    frame = pandas.read_csv(out, comment="#")  # no value of this data set holds a '#'
    assert "#" not in "".join(line for line in out.read_text(encoding="utf-8").splitlines() if line[:1] != "#")
    _, rows = _notices_and_rows(out.read_text(encoding="utf-8"))
    assert list(frame.columns) == list(rows[0]) and len(frame) == len(rows)
