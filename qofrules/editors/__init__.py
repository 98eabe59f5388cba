"""Editor support: syntax highlighting for documentation tools (a Pygments lexer) and for VS Code-family
editors (a TextMate grammar), both built from the scheme grammar itself (:mod:`.vocabulary`), so
neither can fall behind it. The language server is :mod:`qofrules.lsp`. docs/editors.md says how
to set each one up.
"""
