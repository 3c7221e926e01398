"""Text for a terminal: ledger text shown, never obeyed.

A customer name or a header can carry escape sequences (clear the screen, write the clipboard
through OSC 52, retitle the window), carriage returns that overwrite a line, or bidirectional
overrides that show ``INV-123`` as something else. Everything the CLI prints for people goes
through :func:`printable`; data files (CSV, JSON, XLSX) keep the text as it is.
"""

from __future__ import annotations

__all__ = ["printable"]

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_UNSAFE = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *_BIDI]
_ESCAPES = {code: _NAMED.get(chr(code), f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") for code in _UNSAFE}
_KEEP_NEWLINES = {**_ESCAPES, ord("\n"): "\n"}


def printable(text, newlines: bool = False) -> str:
    """``text`` with control characters and bidi overrides written as visible escapes.

    C0 controls (ESC, CR, TAB, ...), DEL, C1 controls (U+0080-U+009F) and the bidirectional
    marks, embeddings, overrides and isolates (U+061C, U+200E-U+200F, U+202A-U+202E,
    U+2066-U+2069) become ``\\x1b``, ``\\r``, ``\\u202e``, ...; other text, accents and
    scripts included, is unchanged. ``newlines=True`` keeps line breaks, for a message of
    several lines; a table cell escapes them too, so that it stays on its row.

    Examples
    --------
    >>> printable("Acme\\x1b]52;c;ZXZpbA==\\x07 Ltd")
    'Acme\\\\x1b]52;c;ZXZpbA==\\\\x07 Ltd'
    >>> print(printable("Müller\\r\\u202eGmbH\\x9b"))
    Müller\\r\\u202eGmbH\\x9b
    >>> print(printable("line 1\\nline 2\\x1b[2J", newlines=True))
    line 1
    line 2\\x1b[2J
    """
    return str(text).translate(_KEEP_NEWLINES if newlines else _ESCAPES)
