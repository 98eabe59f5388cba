"""A plain `pip install .` (not editable) must work from any directory: the grammar, schemas and
contract data travel inside the wheel. Builds the wheel, installs it into a scratch directory, and
checks a seed scheme from somewhere else."""
from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import ROOT


def test_installed_wheel_checks_a_scheme_from_any_directory(tmp_path):
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q",
                    "-w", str(wheels)], check=True, cwd=tmp_path, timeout=300)
    wheel = next(wheels.glob("qofrules-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, cwd=tmp_path, timeout=300)
    scheme = tmp_path / "leeds.qof"
    scheme.write_text((ROOT / "schemes" / "2017-leeds.qof").read_text(encoding="utf-8"), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(target))
    command = [sys.executable, "-c", "from qofrules.entry import main; main()"]  # what the script runs
    entry_points = next(target.glob("qofrules-*.dist-info")) / "entry_points.txt"
    assert "qofrules = qofrules.entry:main" in entry_points.read_text(encoding="utf-8")
    done = subprocess.run([*command, "check", str(scheme)],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 clean" in done.stdout
    listing = subprocess.run([*command, "contracts"],
                             capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert "england 2023/24" in listing.stdout, listing.stderr
    template = subprocess.run([*command, "new", "-"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert template.returncode == 0 and template.stdout.startswith("# A new scheme."), template.stderr
    # and it really ran from the wheel, not from the checkout
    where = subprocess.run([sys.executable, "-c", "import qofrules; print(qofrules.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert where.stdout.strip().startswith(str(target))
    # the parser saved from the grammar travels with it, and is the one the installed package loads
    shipped = target / "qofrules" / "grammar" / "qof.lark.parser"
    assert shipped.read_bytes() == (ROOT / "grammar" / "qof.lark.parser").read_bytes()
    loaded = subprocess.run([sys.executable, "-c", "from qofrules import syntax; import lark; "
                             "print(syntax._grammar_file(syntax.PARSER_FILE)); "
                             "syntax.build_parser = None; "  # were it built instead of loaded, this would fail
                             "print(isinstance(syntax.parser(), lark.Lark))"],
                            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert loaded.stdout.split() == [str(shipped), "True"], loaded.stderr


def _readme_commands() -> list[str]:
    """The shell commands of the README's "Set-up" section, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL)]


def test_ci_runs_the_readmes_test_command_exactly():
    setup = _readme_commands()
    assert len(setup) == 2, setup
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").rstrip("\n").splitlines()
    assert ci[-1] == setup[1]


def test_the_readmes_set_up_commands_work_on_an_externally_managed_python():
    """Debian and Ubuntu mark the system Python externally managed (PEP 668): pip refuses to
    install into it. Each set-up command makes a virtual environment first and runs everything
    from it, so nothing is installed into the system Python."""
    for command in _readme_commands():
        steps = [step.strip() for step in command.split("&&")]
        assert steps[0] == "python3 -m venv .venv", command
        assert all(step.startswith(".venv/bin/") for step in steps[1:]), command
    # .venv is the checkout's own, and never committed
    assert "/.venv/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_ci_script_installs_what_the_tests_need_on_a_bare_machine():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for package in ("python3-venv", "git", "chromium", "nodejs npm"):
        assert f"missing+=({package})" in script, package
    done = subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_shipped_files_are_where_importlib_resources_finds_them():
    """qofrules.packaged.shipped stands in for importlib.resources (cheaper to import): the same
    file for every package qofrules reads shipped files from, and nothing outside qofrules."""
    import importlib.resources
    from pathlib import Path

    import pytest

    from qofrules.packaged import shipped
    for package, parts in [("qofrules", ("diagnostic-codes.json",)), ("qofrules", ("templates",)),
                           ("qofrules.contracts", ("bodies.yaml",)), ("qofrules.contracts", ("authorities.yaml",)),
                           ("qofrules.data", ("reference",)), ("qofrules.contracts", ())]:
        found = shipped(package, *parts)
        assert found == Path(str(importlib.resources.files(package).joinpath(*parts)))
        assert found.exists(), found
    with pytest.raises(ValueError):
        shipped("yaml", "__init__.py")
