"""Writes: ``fmt --write`` and every ``-o FILE`` (docs/limits.md, "Writing files").

* A regular file (or a new one) is replaced atomically: a temporary file is written beside it,
  synced, then renamed over it, so a failure never leaves a half-written file where a good one
  stood.
* A symbolic link is followed: its target is written (atomically, beside the target), and the
  link stays a link.
* A file that is not a regular file (a named pipe, a device such as ``/dev/null``) is written
  directly, as a shell's ``>`` would, and never replaced by a regular file; one that cannot be
  opened for writing (a socket) is refused with QR008.
* Temporary files are named ``.NAME.qofrules-PID.RANDOM.tmp``. A write that is interrupted by an
  exception, Ctrl-C or SIGTERM removes its own; one that is killed outright (SIGKILL, a power cut)
  cannot, so each later write to the same target first removes the temporary files of that name
  whose writer process is gone, or that are older than :data:`STALE_AFTER_SECONDS`.
* Versions before the PID was in the name made ``.NAME.XXXXXXXX.tmp`` (``tempfile.mkstemp``'s
  eight characters). Such a name carries no PID to ask about, and another program could make one
  like it, so it is removed only when everything says it is a killed write of ours: exactly that
  name, a regular file (not a link) with no other name, owned by this user, and older than
  :data:`STALE_AFTER_SECONDS`.
"""
from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path

from .diagnostics import QofError, error
from .source import Source

#: A temporary file older than this is stale even if a process with its writer's pid runs (pids
#: are reused); no write of ours takes anywhere near this long.
STALE_AFTER_SECONDS = 3600

_OURS = re.compile(r"\.qofrules-(\d+)\.[^.]+\.tmp")
#: What follows ``.NAME`` in an earlier version's temporary file: mkstemp's eight characters,
#: drawn from its alphabet (lower-case letters, digits, '_'), then '.tmp'.
_OLD_STYLE = re.compile(r"\.[a-z0-9_]{8}\.tmp")


def _fail(target: str | os.PathLike, why: str) -> QofError:
    return QofError([error("QR008", f"cannot write {target}: {why}", source=Source(str(target), ""))])


def _mode_for(target: Path) -> int:
    """The existing file's permissions, or the usual ones for a new file (mkstemp's are 0600)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _writer_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, but not ours to signal
        return False
    return False


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove temporary files a killed write to ``target`` left beside it; return them."""
    prefix = f".{target.name}."
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        rest = entry.name[len(target.name) + 1:]
        ours, old_style = _OURS.fullmatch(rest), _OLD_STYLE.fullmatch(rest)
        if ours is None and old_style is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        old = now - info.st_mtime > STALE_AFTER_SECONDS
        if ours is not None:
            pid = int(ours.group(1))
            stale = pid != os.getpid() and (_writer_gone(pid) or old)
        else:  # no PID to ask: only every other sign together says it is a killed write of ours
            stale = old and info.st_nlink == 1 and info.st_uid == os.getuid()
        if stale:
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


def _write(out, text) -> None:
    """``text`` as it is, or streamed: an iterable of str pieces written one by one, so that a
    national run's JSON is never held whole in memory."""
    if isinstance(text, (str, bytes)):
        out.write(text)
    else:
        for piece in text:
            out.write(piece)


def _write_special(target: Path, text) -> None:
    """Write to a pipe or device as it is: never replace it with a regular file."""
    try:
        with _opened(target, text) as out:
            _write(out, text)
    except OSError as exc:
        raise _fail(target, exc.strerror or str(exc)) from None


def _opened(target, text: str | bytes, handle=None):
    """A file object for ``text``: UTF-8 text as it is, or bytes (an Excel or Parquet file)."""
    if isinstance(text, bytes):
        return os.fdopen(handle, "wb") if handle is not None else open(target, "wb")
    if handle is not None:
        return os.fdopen(handle, "w", encoding="utf-8", newline="")
    return open(target, "w", encoding="utf-8", newline="")


def write_atomic(path: str | os.PathLike, text) -> None:
    """Write ``text`` (str, bytes, or an iterable of str pieces) to ``path`` through a temporary
    file in its directory, renamed over it only when complete."""
    if str(path) == "":
        raise _fail("''", "no file name given")
    given = Path(path)
    try:
        info = os.stat(given)  # through any links, as open() would go
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _fail(given, exc.strerror or str(exc)) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise _fail(given, "it is a directory")
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_special(given, text)  # by its own name: /dev/stdout's target has no path to resolve
        return
    target = Path(os.path.realpath(given)) if given.is_symlink() else given
    directory = target.parent if str(target.parent) else Path(".")
    remove_stale_temporaries(target)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.qofrules-{os.getpid()}.", suffix=".tmp",
                                             dir=directory)
    except OSError as exc:
        raise _fail(given, exc.strerror or str(exc)) from None
    done = False
    try:
        os.chmod(temporary, _mode_for(target))
        with _opened(None, text, handle) as out:
            _write(out, text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
        done = True
    except OSError as exc:
        raise _fail(given, exc.strerror or str(exc)) from None
    finally:  # also on Ctrl-C and on SIGTERM (which qofrules.cli turns into an exit)
        if not done:
            try:
                os.unlink(temporary)
            except OSError:
                pass
