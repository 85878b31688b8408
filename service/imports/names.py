"""Name helpers shared by the parsers."""

from __future__ import annotations

import unicodedata


def is_non_latin(name: str) -> bool:
    """True when most letters are outside the Latin script (Cyrillic, Arabic, Han ...).

    Used to mark names as kind "original_script" when a source does not say so itself.
    """
    letters = [ch for ch in name if ch.isalpha()]
    if not letters:
        return False
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return latin * 2 < len(letters)
