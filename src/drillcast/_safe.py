"""Terminal safety, shared by every layer (standard library only): control and format characters
in user text (catalogue fields, paths) are shown as escapes instead of acting on the terminal."""

from __future__ import annotations

import unicodedata

__all__ = ["safe_text", "safe_lines"]


def safe_text(s) -> str:
    """``s`` as a string with control/format characters made visible."""
    s = "" if s is None else str(s)
    out = []
    for ch in s:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def safe_lines(s) -> str:
    """:func:`safe_text` line by line: newlines are kept, every other control character is shown."""
    s = "" if s is None else str(s)
    return "\n".join(safe_text(line) for line in s.split("\n"))
