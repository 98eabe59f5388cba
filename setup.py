"""Build hook: ship the top-level grammar/ inside the wheel.

The grammar lives at the repository's top level (grammar/qof.lark) where reviewers expect it;
an installed qofrules cannot see the repository, so the build copies it to qofrules/grammar/,
with the parser saved from it (qof.lark.parser, made by ``python -m qofrules.syntax``; used only
when its header names this grammar's hash: qofrules.syntax.parser).
"""
import pathlib
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithGrammar(build_py):
    def run(self):
        super().run()
        source = pathlib.Path(__file__).parent / "grammar"
        target = pathlib.Path(self.build_lib) / "qofrules" / "grammar"
        target.mkdir(parents=True, exist_ok=True)
        for grammar_file in [*source.glob("*.lark"), *source.glob("*.lark.parser")]:
            shutil.copy2(grammar_file, target / grammar_file.name)


setup(cmdclass={"build_py": BuildWithGrammar})
