"""Reading a zip archive that anyone may have made, within bounds (docs/limits.md, "Zip archives").

NHS Digital ships its QOF publication as a zip. A zip is also the classic way to attack a reader:
a few kilobytes that expand to petabytes (a "zip bomb", made of one highly compressed member or
of many members sharing the same compressed bytes), member names that climb out of the folder
they are unpacked into (``../../.bashrc``, ``/etc/passwd``), symbolic links, encrypted or
malformed members. This module is the one place qofrules opens a zip, and it refuses all of that
before a byte is unpacked:

* the archive itself is at most ``MAX_ARCHIVE_BYTES`` and lists at most ``MAX_MEMBERS`` entries;
* no member's name is absolute, names a drive, holds ``..``, a NUL or a backslash-escaped climb;
  no name is given twice; no member is a symbolic link (Unix mode bits) or encrypted;
* no two members' compressed data overlap (the overlapping-member bomb), and each member's
  declared size is at most ``MAX_MEMBER_BYTES`` and at most ``MAX_RATIO`` times its compressed
  size (plus ``RATIO_ALLOWANCE`` for small members);
* what is unpacked is counted as it is unpacked, never trusted from the header: a member that
  unpacks to more than it declared, or the members read together to more than
  ``MAX_UNPACKED_BYTES``, are refused at that byte.

Members are only ever read into memory (a header) or copied into a private temporary directory
under names qofrules makes (``member-0001.csv``), never under the member's own name, so no name
can make qofrules write anywhere else. Nested archives are not opened.
"""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..diagnostics import QofError, error
from ..reading import MAX_DATA_BYTES
from ..source import Source

#: The archive file itself: NHS Digital's national publication is about 40 MB zipped.
MAX_ARCHIVE_BYTES = 4 * 1024 ** 3
#: Entries (files and folders) an archive may list: a publication has about 20.
MAX_MEMBERS = 1000
#: One member, unpacked: the exact reader's limit for one CSV file (reading.MAX_DATA_BYTES).
MAX_MEMBER_BYTES = MAX_DATA_BYTES
#: Everything unpacked from one archive together (the national publication unpacks to ~200 MB).
MAX_UNPACKED_BYTES = 8 * 1024 ** 3
#: How much larger than its compressed bytes a member may be. CSV files of the publication's long
#: layout compress about 10 times (the generated national publication: 164 MB in 15.9 MB, 13 times at most for one file); deflate can reach
#: about 1,030 times, which only a file of one byte repeated (a bomb) comes near.
MAX_RATIO = 200
#: A small member may exceed the ratio by this much (a 20 KB file of one repeated value is no threat).
RATIO_ALLOWANCE = 1024 * 1024
#: Bytes copied at a time when unpacking.
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Member:
    """One file in the archive, after its name and sizes were checked."""

    name: str            # as the archive names it, '/'-separated
    size: int            # declared unpacked size (never more is unpacked)
    compressed: int
    info: zipfile.ZipInfo

    @property
    def basename(self) -> str:
        return PurePosixPath(self.name).name


def _refuse(archive: str, message: str, hint: str | None = None, code: str = "QD030") -> QofError:
    return QofError([error(code, message, source=Source(archive, ""), hint=hint)])


def looks_like_zip(path: Path) -> bool:
    """A regular file that starts as a zip does (a local file header, or an empty archive's end
    record), whatever its name: a publication renamed from .zip is still read as one."""
    try:
        with path.open("rb") as handle:
            start = handle.read(4)
    except OSError:
        return False
    return start in (b"PK\x03\x04", b"PK\x05\x06")


def _bad_name(name: str) -> str | None:
    """Why a member's name is refused, or None. Names are checked as both '/' and '\\' paths,
    since some zip writers on Windows use backslashes and some unpackers honour them."""
    if "\x00" in name:
        return "holds a NUL character"
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "is an absolute path (it would be unpacked outside any folder)"
    if ".." in parts:
        return "climbs out of the archive's folder ('..')"
    return None


class Archive:
    """An opened, checked zip archive. Use as a context manager; :meth:`unpack` copies chosen
    members into a private temporary directory that is removed on close."""

    def __init__(self, path: str):
        self.path = path
        self.shown = str(path)
        self._zip: zipfile.ZipFile | None = None
        self._temporary: Path | None = None
        self.unpacked_bytes = 0
        self.members: list[Member] = []
        self.skipped: list[tuple[str, str]] = []  # (name, why not read): folders, nested archives

    # -------------------------------------------------------------- opening and checking

    def __enter__(self) -> "Archive":
        try:
            size = os.stat(self.path).st_size
        except OSError as exc:
            raise _refuse(self.shown, f"cannot read the archive ({exc.strerror or exc})", code="QR002") from None
        if size > MAX_ARCHIVE_BYTES:
            raise _refuse(self.shown, f"the archive is {size:,} bytes; a zip archive may be at most "
                          f"{MAX_ARCHIVE_BYTES:,}", code="QR005")
        try:
            self._zip = zipfile.ZipFile(self.path)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise _refuse(self.shown, f"not a readable zip archive ({exc})",
                          "unpack it with another tool to see what is wrong, or download it again") from None
        try:
            self.members = self._checked(infos)
        except BaseException:
            self.close()
            raise
        return self

    def _checked(self, infos: list[zipfile.ZipInfo]) -> list[Member]:
        if len(infos) > MAX_MEMBERS:
            raise _refuse(self.shown, f"the archive lists {len(infos):,} entries; a zip archive may list at most "
                          f"{MAX_MEMBERS:,}", "a QOF publication has about 20 files", code="QR005")
        seen: set[str] = set()
        members = []
        for info in infos:
            name = info.filename
            why = _bad_name(name)
            if why:
                raise _refuse(self.shown, f"member '{_printable(name)}' {why}; the archive is refused",
                              "a zip made by anyone may try to write outside the folder it is unpacked into; "
                              "qofrules reads none of an archive that tries")
            folded = name.replace("\\", "/").rstrip("/").casefold()
            if folded in seen:
                raise _refuse(self.shown, f"member '{_printable(name)}' is given twice; which one is meant would be "
                              "a guess, so the archive is refused")
            seen.add(folded)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise _refuse(self.shown, f"member '{_printable(name)}' is a symbolic link; the archive is refused",
                              "a link in an archive can point anywhere on the machine that unpacks it")
            if info.is_dir():
                self.skipped.append((name, "a folder"))
                continue
            if info.flag_bits & 0x1:
                raise _refuse(self.shown, f"member '{_printable(name)}' is encrypted; qofrules reads only plain "
                              "archives")
            if info.file_size > MAX_MEMBER_BYTES:
                raise _refuse(self.shown, f"member '{_printable(name)}' unpacks to {info.file_size:,} bytes; one "
                              f"member may be at most {MAX_MEMBER_BYTES:,}", code="QR005")
            if info.file_size > MAX_RATIO * info.compress_size + RATIO_ALLOWANCE:
                raise _refuse(self.shown, f"member '{_printable(name)}' unpacks to {info.file_size:,} bytes from "
                              f"{info.compress_size:,}: more than {MAX_RATIO} times its compressed size, as only a "
                              "zip bomb does; the archive is refused",
                              "real CSV files compress 5 to 20 times (docs/limits.md, \"Zip archives\")")
            members.append(Member(name=name.replace("\\", "/"), size=info.file_size, compressed=info.compress_size,
                                  info=info))
        self._refuse_overlaps(infos)
        return members

    def _refuse_overlaps(self, infos: list[zipfile.ZipInfo]) -> None:
        """Each member's compressed bytes lie between its header and the next member's header: two
        entries pointing into the same bytes are the overlapping-member zip bomb."""
        entries = sorted((i for i in infos), key=lambda i: i.header_offset)
        for first, second in zip(entries, entries[1:]):
            if first.header_offset + 30 + len(first.filename.encode("utf-8", "replace")) + first.compress_size \
                    > second.header_offset:
                raise _refuse(self.shown, f"members '{_printable(first.filename)}' and "
                              f"'{_printable(second.filename)}' share compressed bytes (overlapping entries, as "
                              "a zip bomb is made); the archive is refused")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)
            self._temporary = None

    def __exit__(self, *exc) -> None:
        self.close()

    # -------------------------------------------------------------- reading members

    def shown_name(self, member: Member) -> str:
        """How messages name a member: 'publication.zip/ACHIEVEMENT_LONDON_2324.csv' (as Python's
        own zipimport names files inside an archive)."""
        return f"{self.shown}/{member.name}"

    def _count(self, member: Member, more: int) -> None:
        self.unpacked_bytes += more
        if self.unpacked_bytes > MAX_UNPACKED_BYTES:
            raise _refuse(self.shown, f"unpacking '{_printable(member.name)}' takes what has been unpacked from the "
                          f"archive past {MAX_UNPACKED_BYTES:,} bytes, the most qofrules unpacks from one archive",
                          code="QR005")

    def head(self, member: Member, limit: int) -> bytes:
        """The first ``limit`` bytes of a member (its header line), unpacking no more than that."""
        try:
            with self._zip.open(member.info) as handle:
                data = handle.read(limit)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise self._unreadable(member, exc) from None
        self._count(member, len(data))
        return data

    def unpack(self, member: Member) -> Path:
        """A private copy of ``member`` on disk (for the readers, which read files), counted byte by
        byte against the member's declared size and the archive's total."""
        if self._temporary is None:
            self._temporary = Path(tempfile.mkdtemp(prefix="qofrules-archive-"))
        target = self._temporary / f"member-{len(list(self._temporary.iterdir())) + 1:04d}{_suffix(member.name)}"
        written = 0
        try:
            with self._zip.open(member.info) as source, open(target, "xb") as out:
                while True:
                    chunk = source.read(CHUNK)
                    if not chunk:
                        break
                    written += len(chunk)
                    if written > member.size:
                        raise _refuse(self.shown, f"member '{_printable(member.name)}' unpacks to more than the "
                                      f"{member.size:,} bytes it declares; the archive is refused")
                    self._count(member, len(chunk))
                    out.write(chunk)
        except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
            raise self._unreadable(member, exc) from None
        except OSError as exc:
            raise _refuse(self.shown, f"cannot unpack '{_printable(member.name)}' ({exc.strerror or exc})",
                          "qofrules unpacks the files it reads into the system's temporary directory: "
                          "check there is room", code="QR002") from None
        return target

    def _unreadable(self, member: Member, exc: Exception) -> QofError:
        return _refuse(self.shown, f"member '{_printable(member.name)}' cannot be unpacked ({exc})",
                       "the archive may be damaged: download it again")


def _suffix(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    return suffix if suffix in (".csv", ".txt") else ".bin"


def _printable(name: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)
