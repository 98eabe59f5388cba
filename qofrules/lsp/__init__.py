"""``qofrules lsp``: a language server for scheme files (pygls, over standard input and output).

Diagnostics come from the same pipeline as ``qofrules check`` (:func:`qofrules.api.check_source`),
so an editor shows the same codes, places and hints; formatting is ``qofrules fmt``'s
(:func:`qofrules.formatter.format_source`). Hover and completion read the scheme's contract year,
the bodies vocabulary and the validation rules, and ask the grammar itself which words may come
next (:mod:`.context`). docs/editors.md says how to connect an editor.
"""
