"""The shipped .pre-commit-hooks.yaml, run by the real pre-commit in a scratch scheme repository.

The hook repository is a copy of this project's package files committed to a scratch git
repository in a temporary directory, named by its path in .pre-commit-config.yaml exactly as a
scheme repository names qofrules' (a URL there, a path here: no network). pre-commit clones it
and pip-installs it into a virtual environment of its own, once for the whole module (about 20
seconds here: PRE_COMMIT_HOME is shared by the tests below). That install is pip's, from the
package index the machine is set up with, as it is for a user: the only network the test uses.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

#: What a built qofrules needs from the repository (setup.py copies grammar/ into the wheel).
PACKAGE_FILES = ["pyproject.toml", "setup.py", "README.md", ".pre-commit-hooks.yaml", "qofrules", "grammar"]
HOOKS = ["qofrules-fmt", "qofrules-check", "qofrules-validate"]


def _git(cwd: Path, *args: str, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """(the hook repository's path, its commit, an environment for git and pre-commit)."""
    base = tmp_path_factory.mktemp("precommit")
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org", PRE_COMMIT_HOME=str(base / "cache"))
    env.pop("PRE_COMMIT", None)
    hooks = base / "qofrules-hooks"
    hooks.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in PACKAGE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, hooks / name, ignore=ignore)
        else:
            shutil.copy2(source, hooks / name)
    _git(hooks, "init", "-q", env=env)
    _git(hooks, "add", "-A", env=env)
    _git(hooks, "commit", "-q", "-m", "qofrules", env=env)
    return hooks, _git(hooks, "rev-parse", "HEAD", env=env).stdout.strip(), env


def _scheme_repo(tmp_path: Path, hook_repo, hooks: list[str], settings: str | None = None) -> Path:
    path, rev, env = hook_repo
    repo = tmp_path / "schemes-repo"
    repo.mkdir()
    _git(repo, "init", "-q", env=env)
    config = {"repos": [{"repo": str(path), "rev": rev, "hooks": [{"id": h} for h in hooks]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    if settings is not None:
        (repo / "qofrules.toml").write_text(settings, encoding="utf-8")
    return repo


def _pre_commit(repo: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=600)


def test_the_manifest_lists_the_three_hooks():
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in manifest] == HOOKS
    for hook in manifest:
        assert hook["language"] == "python" and hook["files"] == r"\.qof$"
        assert hook["entry"].startswith("qofrules ")


def test_hooks_pass_clean_schemes_and_stop_broken_ones(tmp_path, hook_repo):
    _, _, env = hook_repo
    repo = _scheme_repo(tmp_path, hook_repo, ["qofrules-check"])
    shutil.copy(ROOT / "schemes" / "2014-somerset.qof", repo / "somerset.qof")
    _git(repo, "add", "-A", env=env)
    passed = _pre_commit(repo, env, "run", "--all-files")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "qofrules check" in passed.stdout and "Passed" in passed.stdout
    (repo / "broken.qof").write_text('scheme x "X"\n  contract england 2023/24\n', encoding="utf-8")
    _git(repo, "add", "-A", env=env)
    failed = _pre_commit(repo, env, "run", "--all-files")
    assert failed.returncode == 1
    assert "broken.qof:2:12: error[QR001] unexpected 'england'; expected ':'" in failed.stdout


def test_fmt_hook_rewrites_and_the_commit_stops_until_added(tmp_path, hook_repo):
    _, _, env = hook_repo
    repo = _scheme_repo(tmp_path, hook_repo, ["qofrules-fmt"])
    text = (ROOT / "schemes" / "2014-somerset.qof").read_text(encoding="utf-8")
    (repo / "somerset.qof").write_text(text.replace("  contract: ", "  contract:    "), encoding="utf-8")
    _git(repo, "add", "-A", env=env)
    first = _pre_commit(repo, env, "run", "--all-files")
    assert first.returncode == 1 and "files were modified by this hook" in first.stdout
    assert (repo / "somerset.qof").read_text(encoding="utf-8") == text
    _git(repo, "add", "-A", env=env)
    assert _pre_commit(repo, env, "run", "--all-files").returncode == 0


def test_validate_hook_uses_the_repository_settings_and_runs_on_commit(tmp_path, hook_repo):
    _, _, env = hook_repo
    repo = _scheme_repo(tmp_path, hook_repo, ["qofrules-validate"], settings='format = "github"\n')
    shutil.copy(ROOT / "schemes" / "2014-somerset.qof", repo / "somerset.qof")
    installed = _pre_commit(repo, env, "install")
    assert installed.returncode == 0, installed.stderr
    _git(repo, "add", "-A", env=env)
    _git(repo, "commit", "-q", "-m", "an accepted scheme", env=env)
    shutil.copy(ROOT / "schemes" / "2017-leeds.qof", repo / "leeds.qof")
    _git(repo, "add", "leeds.qof", env=env)
    refused = subprocess.run(["git", "commit", "-m", "a rejected scheme"], cwd=repo, env=env, capture_output=True,
                             text=True, timeout=600)
    assert refused.returncode != 0
    output = refused.stdout + refused.stderr
    assert "::error file=leeds.qof,line=17,col=3" in output and "title=QV105" in output
    assert "leeds.qof: rejected" in output
    assert "somerset.qof" not in output  # hooks see the files the commit changes
