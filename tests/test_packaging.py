"""A plain `pip install .` (not editable) must work from any directory: the grammar, schemas and
contract data travel inside the wheel. Builds the wheel, installs it into a scratch directory, and
checks a seed scheme from somewhere else."""
from __future__ import annotations

import os
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
    done = subprocess.run([sys.executable, "-c", "from qofrules.cli import main; main()", "check", str(scheme)],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 clean" in done.stdout
    listing = subprocess.run([sys.executable, "-c", "from qofrules.cli import main; main()", "contracts"],
                             capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert "england 2023/24" in listing.stdout, listing.stderr
    # and it really ran from the wheel, not from the checkout
    where = subprocess.run([sys.executable, "-c", "import qofrules; print(qofrules.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert where.stdout.strip().startswith(str(target))
