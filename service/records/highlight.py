"""Which words of a listed name a query matched, for showing them highlighted.

The engine's explanation names the listed *tokens* that matched (normalised: lower case,
transliterated, "赵光宗" -> zhao, guang, zong). Here the listed name is cut into its words (each
Han, kana or Hangul character a word of its own, as the engine reads one syllable per
character) and a word is marked when one of its tokens is among them. The caller escapes
the text: these are plain strings, never markup.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from ..screening.normalize import tokenize

_SYLLABIC = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(rf"[{_SYLLABIC}]|[^\W_{_SYLLABIC}]+")
# Unicode character-name prefixes that are not the script's usual name.
SCRIPT_NAMES = {"CJK": "Han", "HANGUL": "Hangul", "HIRAGANA": "Kana", "KATAKANA": "Kana"}


def matched_tokens(explanation: dict[str, Any] | None) -> set[str]:
    """The listed tokens an explanation pairs with a query token."""
    pairs: Iterable[Any] = (explanation or {}).get("token_pairs") or ()
    return {str(pair[1]) for pair in pairs if len(pair) >= 2 and pair[1]}


def highlight(name: str, tokens: set[str]) -> list[tuple[str, bool]]:
    """``name`` as consecutive (text, matched) pieces that join back to it."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for found in _WORD.finditer(name):
        if found.start() > at:
            pieces.append((name[at:found.start()], False))
        word = found.group()
        pieces.append((word, bool(tokens) and any(t in tokens for t in tokenize(word))))
        at = found.end()
    if at < len(name):
        pieces.append((name[at:], False))
    # Neighbouring pieces of one kind as one ("赵光宗": one mark, not three).
    merged: list[tuple[str, bool]] = []
    for text, hit in pieces:
        if merged and merged[-1][1] == hit:
            merged[-1] = (merged[-1][0] + text, hit)
        else:
            merged.append((text, hit))
    return merged


def detect_script(text: str) -> str | None:
    """The writing system of a name's first letter outside Latin ("Han", "Cyrillic", "Arabic"),
    "Latin" when all its letters are Latin, None when it has no letters: for names a list gave
    without saying their script."""
    latin = False
    for char in text:
        if not char.isalpha():
            continue
        try:
            word = unicodedata.name(char).split()[0]
        except ValueError:
            continue
        if word != "LATIN":
            return SCRIPT_NAMES.get(word, word.title())
        latin = True
    return "Latin" if latin else None
