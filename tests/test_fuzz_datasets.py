"""A data-set fuzzer: whole copies of examples/lincolnshire-2014 with hostile edits to the manifest,
the CSV headers and values, and the contract overrides, each run through the real command
(``qofrules run``) in a separate process with a time limit and resource limits. For every input:

* the exit code is 0, 1 or 2, and nothing says "Traceback" or "internal error";
* the run ends within its time and memory limits;
* the default (columnar, vectorised) path and ``--exact`` give the same stdout, stderr and exit
  (less the note the default path adds when it hands the data to the exact reader).

The edits of a CSV file include rows the columnar reader must judge and report itself in the exact
reader's words (a hostile last row, a short one, a repeated one) and what makes a line no longer
one row (a blank line, a quoted field, CRLF).

The suite runs a few examples (QOFRULES_FUZZ_EXAMPLES, default 10, ~11 s; derandomized, so the
same ones every time). A larger run by hand,
which does not stop at the first finding but lists every one with the edit that caused it:

    python tests/test_fuzz_datasets.py 300            # 300 inputs, seed 0
    python tests/test_fuzz_datasets.py 300 --seed 7
"""
from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "lincolnshire-2014"
SCHEME = ROOT / "schemes" / "2014-lincolnshire-llr.qof"
TIME_LIMIT = 120          # seconds of wall time for both runs of one input
CPU_LIMIT = 120           # seconds of CPU
MEMORY_LIMIT = 4 << 30    # bytes of address space (pyarrow and numpy reserve much they never touch)

CSV_FILES = ["practices.csv", "achievement-2013-14.csv", "achievement-2012-13.csv", "prevalence-2013-14.csv"]
YAML_FILES = ["dataset.yaml", "contract-overrides.yaml"]

HOSTILE_VALUES = [
    "", " ", "-1", "0", "-0", "1.5", "12.0", "1e3", "1e400", "nan", "NaN", "inf", "-inf", "١٢", "1_000",
    "0x10", "9" * 30, "9" * 5000, "2014-02-30", "2014-13-01", "14/02/2014", "yes", "no", "maybe", "TRUE",
    '"', '""', "a,b", "x\ny", "\u00e9", "\u202e", "C82001", "c82001", "DM002", "REGISTER", "null", "~",
    "${HOME}", "../x", "x" * 200_000,
]
YAML_VALUES = [
    "", "~", "null", "-1", "0", "1e400", ".nan", ".inf", "'12'", "[]", "{}", "[1, 2]", "yes", "2014-02-30",
    "2013/14", "2013/15", "'../practices.csv'", "/etc/passwd", "practices.csv", "missing.csv", "*ref",
    "!!python/object/apply:os.system ['true']", "9" * 5000, "'x'", '"\\u0000"',
]


# ------------------------------------------------------------------ mutations (plain random, so the
# same code serves hypothesis, which hands us a Random it can replay and shrink, and the by-hand run)

def _split_csv_line(line: str) -> list[str]:
    import csv
    return next(csv.reader([line]))


def _join_csv(cells: list[str]) -> str:
    import csv
    import io
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()


def mutate_csv(text: str, rnd: random.Random) -> tuple[str, str]:
    lines = text.split("\n")
    header = _split_csv_line(lines[0]) if lines[0] else []
    if not header:  # emptied by an earlier edit
        return text, "unchanged"
    kind = rnd.choice(["cell", "cell", "cell", "header", "drop-column", "duplicate-row", "delete-row",
                       "truncate", "extra-column", "bom", "crlf", "empty", "last-row", "blank-line", "quote"])
    if kind == "cell" and len(lines) > 2:
        row = rnd.randrange(1, len(lines) - 1)
        cells = _split_csv_line(lines[row]) if lines[row] else []
        if cells:
            column = rnd.randrange(len(cells))
            value = rnd.choice(HOSTILE_VALUES)
            cells[column] = value
            lines[row] = _join_csv(cells)
            return "\n".join(lines), f"line {row + 1}, column {header[column] if column < len(header) else column}: {value[:40]!r}"
    if kind == "header":
        column = rnd.randrange(len(header))
        new = rnd.choice([header[column].lower(), header[column] + " ", " " + header[column], "",
                          header[(column + 1) % len(header)], header[column] + "_X", "\ufeff" + header[column]])
        header[column] = new
        lines[0] = _join_csv(header)
        return "\n".join(lines), f"header column {column} renamed to {new!r}"
    if kind == "drop-column":
        column = rnd.randrange(len(header))
        out = []
        for line in lines:
            cells = _split_csv_line(line) if line else None
            out.append(_join_csv(cells[:column] + cells[column + 1:]) if cells else line)
        return "\n".join(out), f"column {header[column]} removed"
    if kind == "duplicate-row" and len(lines) > 2:
        row = rnd.randrange(1, len(lines) - 1)
        lines.insert(row, lines[row])
        return "\n".join(lines), f"line {row + 1} given twice"
    if kind == "delete-row" and len(lines) > 2:
        row = rnd.randrange(1, len(lines) - 1)
        del lines[row]
        return "\n".join(lines), f"line {row + 1} deleted"
    if kind == "truncate":
        cut = rnd.randrange(len(text))
        return text[:cut], f"truncated at character {cut}"
    if kind == "extra-column":
        return "\n".join(line + ",extra" if line else line for line in lines), "an extra column on every line"
    if kind == "bom":
        return "\ufeff" + text, "a byte-order mark"
    if kind == "crlf":
        return text.replace("\n", "\r\n"), "CRLF line ends"
    if kind == "empty":
        return "", "emptied"
    if kind == "last-row" and len(lines) > 2:  # a hostile row at the very end (the columnar reader's last block)
        base = lines[-1] if lines[-1] else lines[-2]
        cells = _split_csv_line(base) if base else []
        if cells:
            column = rnd.randrange(len(cells))
            value = rnd.choice(HOSTILE_VALUES + ["ZZZ999"])
            cells = rnd.choice([cells[:column] + [value] + cells[column + 1:], cells[:-1], cells])
            row = _join_csv(cells)
            return text.rstrip("\n") + "\n" + row + "\n", f"a last row {row[:60]!r}"
    if kind == "blank-line" and len(lines) > 2:
        row = rnd.randrange(1, len(lines) - 1)
        lines.insert(row, rnd.choice(["", " ", ","]))
        return "\n".join(lines), f"a blank line before line {row + 1}"
    if kind == "quote" and len(lines) > 2:
        row = rnd.randrange(1, len(lines) - 1)
        cells = _split_csv_line(lines[row]) if lines[row] else []
        if cells:
            column = rnd.randrange(len(cells))
            lines[row] = ",".join('"' + c.replace('"', '""') + '"' if i == column else _join_csv([c])
                                  for i, c in enumerate(cells))
            return "\n".join(lines), f"line {row + 1}, column {column} quoted"
    return text, "unchanged"


def mutate_yaml(text: str, rnd: random.Random) -> tuple[str, str]:
    lines = text.split("\n")
    keyed = [i for i, line in enumerate(lines) if ":" in line and not line.lstrip().startswith("#")]
    kind = rnd.choice(["value", "value", "value", "delete", "duplicate", "truncate", "indent"])
    if not keyed or not text:
        return text, "unchanged"
    i = rnd.choice(keyed)
    if kind == "value":
        key = lines[i].split(":", 1)[0]
        value = rnd.choice(YAML_VALUES)
        lines[i] = f"{key}: {value}"
        return "\n".join(lines), f"line {i + 1}: {key.strip()}: {value[:40]}"
    if kind == "delete":
        removed = lines.pop(i)
        return "\n".join(lines), f"line {i + 1} deleted ({removed.strip()[:40]})"
    if kind == "duplicate":
        lines.insert(i, lines[i])
        return "\n".join(lines), f"line {i + 1} given twice ({lines[i].strip()[:40]})"
    if kind == "truncate":
        cut = rnd.randrange(len(text))
        return text[:cut], f"truncated at character {cut}"
    lines[i] = "   " + lines[i]
    return "\n".join(lines), f"line {i + 1} indented"


def mutated_copy(directory: Path, rnd: random.Random, edits: int) -> list[str]:
    """Copy the example into ``directory`` and apply ``edits`` random edits; say what they were."""
    shutil.copytree(EXAMPLE, directory)
    said = []
    for _ in range(edits):
        name = rnd.choice(CSV_FILES + CSV_FILES + YAML_FILES)
        path = directory / name
        text = path.read_text(encoding="utf-8")
        text, what = (mutate_csv if name.endswith(".csv") else mutate_yaml)(text, rnd)
        path.write_text(text, encoding="utf-8")
        said.append(f"{name}: {what}")
    return said


# ------------------------------------------------------------------ running one input

DRIVER = r"""
import io, json, sys
from contextlib import redirect_stderr, redirect_stdout
from qofrules.cli import main
out = {}
for mode, extra in (("default", []), ("exact", ["--exact"])):
    sys.argv = ["qofrules", "run", sys.argv_scheme, "--data", sys.argv_data] + extra
    stdout, stderr = io.StringIO(), io.StringIO()
    code = None
    with redirect_stdout(stdout), redirect_stderr(stderr):
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException as exc:
            import traceback
            stderr.write("Traceback (escaped main):\n" + traceback.format_exc())
            code = -1
    out[mode] = [code, stdout.getvalue(), stderr.getvalue()]
print(json.dumps(out))
"""


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT, CPU_LIMIT))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_both(data: Path) -> dict:
    """Both paths over ``data`` in one fresh, limited process: {mode: [exit, stdout, stderr]}."""
    code = (f"import sys; sys.argv_scheme = {str(SCHEME)!r}; sys.argv_data = {str(data)!r}\n" + DRIVER)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIME_LIMIT,
                          cwd=ROOT, preexec_fn=_limits)
    if done.returncode != 0:
        return {"process": [done.returncode, done.stdout[-2000:], done.stderr[-4000:]]}
    return json.loads(done.stdout)


FALLBACK_NOTE = "Note: the data set was read practice by practice by the exact reader"


def without_fallback_note(text: str) -> str:
    """The output less the one line (wrapped) the default path adds, by design, when it hands data
    the columnar reader cannot judge to the exact reader (qofrules.api.run_result)."""
    out, skipping = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith(FALLBACK_NOTE):
            skipping = True
            continue
        if skipping and line.startswith("  "):
            continue
        skipping = False
        out.append(line)
    return "".join(out)


def problems(outcome: dict) -> list[str]:
    """What is wrong with one input's outcome (empty: nothing)."""
    if "process" in outcome:
        code, _, err = outcome["process"]
        return [f"the process died (exit {code}; limits: {CPU_LIMIT} s CPU, {MEMORY_LIMIT >> 30} GiB): {err[-500:]}"]
    found = []
    for mode, (code, out, err) in outcome.items():
        if code not in (0, 1, 2):
            found.append(f"{mode}: exit {code}")
        for bad in ("Traceback", "internal error"):
            if bad in out or bad in err:
                found.append(f"{mode}: {bad!r} in the output: {(err or out)[-600:]}")
    d, e = outcome["default"], outcome["exact"]
    if [d[0], without_fallback_note(d[1]), d[2]] != e:
        found.append(f"the default and --exact paths differ: exit {d[0]} vs {e[0]}; stderr {d[2][:400]!r} vs "
                     f"{e[2][:400]!r}; stdout equal: {d[1] == e[1]}")
    return found


# ------------------------------------------------------------------ the test

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    given = None

if given is not None:
    @settings(max_examples=int(os.environ.get("QOFRULES_FUZZ_EXAMPLES", "10")), deadline=None, database=None,
              derandomize=True, suppress_health_check=list(HealthCheck))
    @given(rnd=st.randoms(use_true_random=False), edits=st.integers(min_value=1, max_value=3))
    def test_a_mutated_data_set_gives_a_clean_answer_the_same_on_both_paths(rnd, edits):
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            said = mutated_copy(data, rnd, edits)
            found = problems(run_both(data))
            assert not found, "edits: " + "; ".join(said) + "\n" + "\n".join(found)


# ------------------------------------------------------------------ by hand: many inputs, every finding

def main(argv: list[str]) -> None:
    import argparse
    parser = argparse.ArgumentParser(description="run the data-set fuzzer by hand")
    parser.add_argument("count", type=int, nargs="?", default=300)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args(argv)
    findings, exits = [], {}
    for number in range(options.count):
        rnd = random.Random(f"{options.seed}-{number}")
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            said = mutated_copy(data, rnd, rnd.randint(1, 3))
            try:
                outcome = run_both(data)
            except subprocess.TimeoutExpired:
                outcome = {"process": [None, "", f"timed out after {TIME_LIMIT} s"]}
            found = problems(outcome)
            if "default" in outcome:
                exits[outcome["default"][0]] = exits.get(outcome["default"][0], 0) + 1
            if found:
                findings.append((number, said, found))
                print(f"[{number}] seed {options.seed}-{number}: " + "; ".join(said), flush=True)
                for line in found:
                    print("    " + line.replace("\n", "\n    "), flush=True)
    print(f"{options.count} inputs run (seed {options.seed}); exit codes of the default path: "
          f"{dict(sorted(exits.items(), key=str))}; {len(findings)} with findings")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
