"""A ×K copy of a generated data set, made at disk speed, for growth measurements.

    python3 benchmarks/scale.py SRC_DIR OUT_DIR --times K

``examples/generate.py --scale K`` draws every copy afresh (about 24 s per 6,410 practices, so
40 minutes for ×100). This script instead repeats an existing data set K times: copy 1 is the
original, and copy k (2..K) of practice ``A81001`` is ``A81001-k`` (the generator's convention,
``make_practices``) named ``NAME (SYNTHETIC COPY k)``, with exactly the original's values: list
size, scheme columns, every achievement and prevalence row. The output has the generator's layout:
the same files, columns and header; ``\\n`` line ends; rows in the generator's order for
``--scale`` (all practices of copy 1, then all of copy 2, ...), so each practice's rows stay
together. ``dataset.yaml`` is rewritten to say the copies are synthetic and how they were made.

Why it is fast: the long files are handled as bytes, never parsed row by row. One regular
expression pass finds each practice's block of consecutive rows (``\\nCODE,...`` lines); each copy
is then one ``bytes.replace`` of ``\\nCODE,`` by ``\\nCODE-k,`` per block, in C. practices.csv
(a few thousand rows) goes through the csv module so quoted names stay correctly quoted.

Every file goes through a temporary file in OUT_DIR and is renamed into place; ``dataset.yaml`` is
removed first and written last, so an interrupted run leaves no loadable half-made data set.
Prints rows, bytes and seconds per file and in total.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import functools
import importlib.util
import io
import re
import shutil
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BUFFER = 8 * 1024 * 1024

# One practice's run of consecutive rows, each starting at a newline: "\nCODE,...(\nCODE,...)*".
# The backreference makes the run stop at the first row of another practice.
_BLOCK = re.compile(rb"\n([^,\n\"]+),[^\n]*(?:\n\1,[^\n]*)*")


class ScaleError(Exception):
    """Input this script cannot copy faithfully; the message names the file and line."""


@functools.lru_cache(maxsize=1)
def _generator():
    """examples/generate.py, loaded once: its YAML style (folded prose, key order kept) and atomic writes."""
    spec = importlib.util.spec_from_file_location("qofrules_examples_generate", ROOT / "examples" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def atomic_binary(path: Path):
    """A binary file written through a temporary file and renamed into place (generate.py's atomic_open)."""
    return _generator().atomic_open(path, binary=True, buffering=BUFFER)


def copy_code(code: str, copy: int) -> str:
    """``A81001`` -> ``A81001-3`` for copy 3; copy 1 is the original (as generate.py's make_practices)."""
    return code if copy == 1 else f"{code}-{copy}"


def copy_name(name: str, copy: int) -> str:
    return name if copy == 1 else f"{name} (SYNTHETIC COPY {copy})"


def practice_blocks(data: bytes, name: str) -> tuple[bytes, list[tuple[int, int, bytes]]]:
    """(header line, [(start, end, code)]): the blocks tile ``data`` after the header exactly.

    Each block starts at the newline before its first row and ends before the newline after its
    last, so ``data[start:end].replace(b"\\n" + code + b",", ...)`` renames every row of it.
    """
    if b"\r" in data:
        raise ScaleError(f"{name}: CRLF line ends; this script copies generator output (\\n line ends) only")
    if not data.endswith(b"\n"):
        raise ScaleError(f"{name}: the last line has no newline; not a file the generator wrote")
    header_end = data.index(b"\n")
    end_of_rows = len(data) - 1
    blocks = []
    position = header_end
    for match in _BLOCK.finditer(data, header_end, end_of_rows):
        if match.start() != position:
            break
        blocks.append((match.start(), match.end(), match.group(1)))
        position = match.end()
    if position != end_of_rows:
        line = data.count(b"\n", 0, position + 1) + 1
        raise ScaleError(f"{name}, line {line}: not 'PRACTICE_CODE,...' (an empty line, a quoted code, "
                         f"or a code with a newline); cannot copy it")
    return data[:header_end], blocks


def scale_long_file(source: Path, target: Path, times: int) -> int:
    """An achievement or prevalence file, K times over. Returns the number of data rows written."""
    data = source.read_bytes()
    header, blocks = practice_blocks(data, source.name)
    rows = data.count(b"\n") - 1
    with atomic_binary(target) as out:
        out.write(header)
        out.write(data[len(header):len(data) - 1])     # copy 1: the original rows, as they are
        for copy in range(2, times + 1):
            suffix = f"-{copy},".encode()
            for start, end, code in blocks:
                out.write(data[start:end].replace(b"\n" + code + b",", b"\n" + code + suffix))
        out.write(b"\n")
    return rows * times


def scale_practices(source: Path, target: Path, times: int) -> int:
    """practices.csv K times over: codes suffixed, names marked as synthetic copies, values kept."""
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    if header[:2] != ["PRACTICE_CODE", "PRACTICE_NAME"]:
        raise ScaleError(f"{source.name}: expected PRACTICE_CODE,PRACTICE_NAME first, found {','.join(header[:2])}")
    with atomic_binary(target) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(header)
        for copy in range(1, times + 1):
            writer.writerows([copy_code(row[0], copy), copy_name(row[1], copy), *row[2:]] for row in rows)
        text.flush()
        text.detach()
    return len(rows) * times


def scaled_manifest(manifest: dict, source: Path, times: int) -> dict:
    """The source's manifest, renamed and with notice and description saying what the copies are."""
    how = (f"This is a x{times} copy of the data set '{manifest.get('dataset')}', made by benchmarks/scale.py "
           f"--times {times}: every practice appears {times} times. Practices with a suffixed code (e.g. A81001-2, "
           f"up to -{times}) are SYNTHETIC COPIES of the practice without the suffix: their codes and names "
           f"(marked '(SYNTHETIC COPY k)') are not real, and they repeat the original's values exactly (list size, "
           f"scheme columns, every achievement and prevalence row).")
    out = dict(manifest)
    out["dataset"] = f"{manifest.get('dataset')}-x{times}"
    out["description"] = f"{how} Description of the original: {manifest.get('description', '').strip()}"
    out["synthetic"] = True
    out["notice"] = f"{manifest.get('notice', 'SYNTHETIC DATA.').strip()} {how}"
    return out


def tables(manifest: dict) -> list[tuple[str, str]]:
    """(kind, file name) of every file the manifest names, practices first."""
    if not isinstance(manifest, dict) or not manifest.get("practices"):
        raise ScaleError("dataset.yaml names no practices file; not a data set directory the generator wrote")
    named = [("practices", manifest["practices"])]
    for kind in ("achievement", "prevalence"):
        named += [(kind, name) for name in (manifest.get(kind) or {}).values()]
    return named


def scale(source: Path, out: Path, times: int, show=print) -> tuple[int, int]:
    """Write the ×``times`` copy of ``source`` into ``out``. Returns (rows, bytes) written."""
    if times < 1:
        raise ScaleError("--times must be at least 1")
    manifest_path = source / "dataset.yaml"
    if not manifest_path.is_file():
        raise ScaleError(f"{source}: no dataset.yaml (give a data set directory the generator wrote)")
    if out.resolve() == source.resolve():
        raise ScaleError("OUT_DIR is SRC_DIR; the copy would overwrite the files it reads")
    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        (out / "dataset.yaml").unlink()
    total_rows = total_bytes = 0
    for kind, name in tables(manifest):
        started = time.perf_counter()
        copier = scale_practices if kind == "practices" else scale_long_file
        rows = copier(source / name, out / name, times)
        size = (out / name).stat().st_size
        total_rows, total_bytes = total_rows + rows, total_bytes + size
        show(f"{rows:>13,} rows {size:>15,} bytes {time.perf_counter() - started:7.2f} s  {name}")
    if manifest.get("contract_overrides"):
        name = manifest["contract_overrides"]
        with (source / name).open("rb") as reader, atomic_binary(out / name) as writer:
            shutil.copyfileobj(reader, writer)
        show(f"{'':>18} {(out / name).stat().st_size:>15,} bytes {'':>9}  {name} (copied as it is)")
    gen = _generator()
    comment = (f"SYNTHETIC DATA: a x{times} copy of {source.name} made by benchmarks/scale.py.\n"
               f"Do not edit by hand; remake with: python3 benchmarks/scale.py SRC_DIR OUT_DIR --times {times}\n"
               f"What the copies are, and which columns are real and which synthetic: see below.")
    gen.write_yaml(out / "dataset.yaml", comment, scaled_manifest(manifest, source, times), gen.DATASET_SCHEMA)
    return total_rows, total_bytes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Copy a generated data set K times (synthetic copies), fast.")
    parser.add_argument("source", type=Path, metavar="SRC_DIR")
    parser.add_argument("out", type=Path, metavar="OUT_DIR")
    parser.add_argument("--times", type=int, required=True, metavar="K", help="how many copies of each practice")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        rows, size = scale(args.source, args.out, args.times)
    except (ScaleError, OSError, yaml.YAMLError) as error:
        print(f"scale.py: {error}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    print(f"total: {rows:,} rows, {size:,} bytes ({size / 1e9:.2f} GB) in {seconds:.1f} s "
          f"({size / 1e6 / max(seconds, 1e-9):.0f} MB/s) -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
