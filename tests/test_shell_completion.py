"""Shell completion as docs/editors.md documents it: the installed ``qofrules`` command prints its
completion script for bash, zsh and fish, and answers a completion request. For bash the script
is loaded into a real bash and its completion function run, as pressing Tab would."""
from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

from conftest import ROOT


def _qofrules() -> str:
    """The installed console script (completion keys on the program's name, so not ``python -c``)."""
    beside = Path(sysconfig.get_path("scripts")) / "qofrules"
    found = str(beside) if beside.exists() else shutil.which("qofrules")
    assert found, "the qofrules command is not installed"
    return found


def _complete(shell: str, words: str, cword: str) -> list[str]:
    env = dict(os.environ, _QOFRULES_COMPLETE=f"{shell}_complete", COMP_WORDS=words, COMP_CWORD=cword)
    done = subprocess.run([_qofrules()], capture_output=True, text=True, env=env, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.mark.parametrize("shell, defines", [("bash", "_qofrules_completion()"), ("zsh", "#compdef qofrules"),
                                            ("fish", "complete --no-files --command qofrules")])
def test_each_shell_gets_a_script(shell, defines):
    env = dict(os.environ, _QOFRULES_COMPLETE=f"{shell}_source")
    done = subprocess.run([_qofrules()], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0 and defines in done.stdout, done.stdout + done.stderr


def test_docs_give_the_commands_this_test_runs():
    text = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    for line in ('eval "$(_QOFRULES_COMPLETE=bash_source qofrules)"', 'eval "$(_QOFRULES_COMPLETE=zsh_source qofrules)"',
                 "_QOFRULES_COMPLETE=fish_source qofrules > ~/.config/fish/completions/qofrules.fish"):
        assert line in text


def test_bash_completes_a_command_in_a_real_bash():
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    script = (f'eval "$(_QOFRULES_COMPLETE=bash_source {_qofrules()})"\n'
              f'COMP_WORDS=(qofrules ch); COMP_CWORD=1; _qofrules_completion {_qofrules()}\n'
              'printf "%s\\n" "${COMPREPLY[@]}"\n'
              f'COMPREPLY=(); COMP_WORDS=(qofrules run --format ""); COMP_CWORD=3; _qofrules_completion {_qofrules()}\n'
              'printf "%s\\n" "${COMPREPLY[@]}"\n')
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["check", "text", "json", "csv", "xlsx", "parquet"]


def test_zsh_and_fish_are_answered_with_commands_and_their_help():
    assert _complete("zsh", "qofrules val", "1") == ["plain", "validate", _help("validate")]
    fish = _complete("fish", "qofrules val", "val")
    # click 8.5 answers fish on one line ("plain,validate<TAB>help"); 8.4 and earlier on three, as zsh
    assert fish in ([f"plain,validate\t{_help('validate')}"], ["plain", "validate", _help("validate")])


def test_every_command_is_offered():
    offered = {line.split(",", 1)[1] for line in _complete("bash", "qofrules ", "1")}
    assert {"check", "run", "validate", "fmt", "lsp", "contracts", "rules", "diff", "explain", "report"} <= offered


def _help(command: str) -> str:
    """The command's short help, as click shows it beside a completion."""
    from qofrules.cli import cli
    import click
    return cli.get_command(click.Context(cli), command).get_short_help_str(limit=45)
