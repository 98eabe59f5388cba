"""qofrules: local variations of QOF as data.

Write a local scheme as a small text file, check it, compile it against a national contract
year, and evaluate it over practice data. The public, stable entry points live in
:mod:`qofrules.api`; the CLI (:mod:`qofrules.cli`) is a thin layer over them.
"""

__version__ = "0.1.0"
