"""Files shipped inside the qofrules package: contract years, schemas, the grammar, templates.

pip installs qofrules as plain files (never as a zip), so a shipped file is a path under the
package's own directory. ``importlib.resources`` finds the same files, but importing it (with
tempfile, shutil and zipfile behind it) was some 5 ms of every cold ``qofrules check``.
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).parent


def shipped(package: str, *parts: str) -> Path:
    """The file ``parts`` of ``package`` (``qofrules`` or one of its subpackages): what
    ``importlib.resources.files(package).joinpath(*parts)`` names, as a path."""
    top, _, inner = package.partition(".")
    if top != "qofrules":
        raise ValueError(f"not a package of qofrules: {package}")
    return _PACKAGE_DIR.joinpath(*inner.split(".") if inner else (), *parts)
