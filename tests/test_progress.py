"""Long commands draw a progress bar on a terminal and nothing on a pipe (tqdm, on standard
error; the output itself is never touched). The delay is set to 0 here so that even the small
example draws one: whether a bar shows never depends on the machine's speed."""
from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

from conftest import ROOT

COMMAND = [sys.executable, "-m", "qofrules", "run", "schemes/2014-lincolnshire-llr.qof", "--data",
           "examples/lincolnshire-2014", "--format", "json"]


def _run(stderr_on_terminal: bool, tmp_path, **env):
    out = tmp_path / "out.json"
    environment = {**os.environ, "QOFRULES_PROGRESS_DELAY": "0", **env}
    if not stderr_on_terminal:
        done = subprocess.run(COMMAND + ["-o", str(out)], cwd=ROOT, env=environment, capture_output=True, timeout=300)
        return done.returncode, done.stderr.decode(), out.read_text(encoding="utf-8")
    primary, secondary = pty.openpty()
    # a terminal 100 columns wide (a new pty has none, and a bar on no columns is drawn empty)
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(COMMAND + ["-o", str(out)], cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
                               stderr=secondary, stdin=subprocess.DEVNULL)
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the command has closed its end
            break
        if not chunk:
            break
        seen += chunk
    os.close(primary)
    return process.wait(timeout=300), seen.decode(errors="replace"), out.read_text(encoding="utf-8")


def test_a_terminal_sees_a_bar_a_pipe_sees_none_and_the_output_is_the_same(tmp_path):
    code, terminal, output = _run(True, tmp_path)
    assert code == 0 and "writing JSON" in terminal and "practices" in terminal and "%|" in terminal
    code, piped, same_output = _run(False, tmp_path)
    assert code == 0 and "writing JSON" not in piped and "%|" not in piped
    assert output == same_output


def test_no_bar_when_asked_for_none(tmp_path):
    code, terminal, _ = _run(True, tmp_path, QOFRULES_NO_PROGRESS="1")
    assert code == 0 and "writing JSON" not in terminal
