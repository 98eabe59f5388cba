"""``qofrules lsp``: the language server, for editors (docs/editors.md)."""
from __future__ import annotations

import click


@click.command()
@click.option("--stdio", is_flag=True, help="Talk over standard input and output (the default and only way; "
              "accepted because many editors pass it).")
def lsp(stdio: bool) -> None:
    """Run the qofrules language server over standard input and output: diagnostics as you type (those
    of 'qofrules check'), hover on codes, groups, rules and bodies, completion, and formatting (fmt).
    An editor starts it; docs/editors.md says how to set one up."""
    from ..lsp.server import serve  # pygls is imported only when the server runs
    serve()


COMMANDS = [lsp]
