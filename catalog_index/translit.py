"""Latin-typed Georgian to Mkhedruli, and a spelling-tolerant key for matching.

People type Georgian in Latin letters in several ways (field notes, section 4): ღ as g/gh/R, ხ as
x/kh, წ as w/ts/c, ქ as q/k, ჭ as ch/W and so on, plus the legacy case-sensitive keyboard layout
(T=თ S=შ Z=ძ C=ჩ W=ჭ R=ღ J=ჟ). ``to_mkhedruli`` picks the most common reading of each spelling;
because that choice is often ambiguous, the matcher compares words through ``skeleton``, which
merges the letters people confuse, so both sides of a comparison fold the same way.
"""
from __future__ import annotations

import re

# Longest spellings first; an apostrophe marks the ejective in the scholarly convention.
_DIGRAPHS = (
    ("tch", "ჭ"), ("ch'", "ჭ"), ("ts'", "წ"), ("t'", "ტ"), ("k'", "კ"), ("p'", "პ"), ("q'", "ყ"),
    ("sh", "შ"), ("ch", "ჩ"), ("kh", "ხ"), ("gh", "ღ"), ("ts", "ც"), ("dz", "ძ"), ("zh", "ჟ"),
    ("th", "თ"), ("ph", "ფ"),
)
_SINGLE = {
    "a": "ა", "b": "ბ", "g": "გ", "d": "დ", "e": "ე", "v": "ვ", "z": "ზ", "t": "თ", "i": "ი",
    "k": "კ", "l": "ლ", "m": "მ", "n": "ნ", "o": "ო", "p": "პ", "j": "ჯ", "r": "რ", "s": "ს",
    "u": "უ", "f": "ფ", "q": "ქ", "y": "ყ", "c": "ც", "w": "წ", "x": "ხ", "h": "ჰ",
}
# The legacy keyboard layout puts these letters on Shift.
_LEGACY_UPPER = {"T": "თ", "S": "შ", "Z": "ძ", "C": "ჩ", "W": "ჭ", "R": "ღ", "J": "ჟ"}

# Letters that Latin typists render the same way share one key letter.
_SKELETON = str.maketrans({
    "ა": "a", "ბ": "b", "გ": "g", "ღ": "g", "დ": "d", "ე": "e", "ვ": "v", "ზ": "z", "ჟ": "z",
    "თ": "t", "ტ": "t", "ი": "i", "კ": "k", "ქ": "k", "ყ": "k", "ლ": "l", "მ": "m", "ნ": "n",
    "ო": "o", "პ": "p", "ფ": "p", "რ": "r", "ს": "s", "შ": "s", "უ": "u", "ჩ": "c", "ჭ": "c",
    "ც": "c", "წ": "c", "ძ": "z", "ჯ": "j", "ხ": "x", "ჰ": "h",
})

_WORD = re.compile(r"[A-Za-z']+")


def _uses_legacy_layout(text: str) -> bool:
    """A Shift letter inside a lower-case word (``gadaSaxadi``) only happens on the legacy layout."""
    return any(
        ch in _LEGACY_UPPER and word[i - 1].islower()
        for word in _WORD.findall(text) for i, ch in enumerate(word) if i
    )


def _convert_word(word: str, legacy: bool) -> str:
    if not legacy or word.isupper():
        word = word.lower()
    out: list[str] = []
    i = 0
    while i < len(word):
        ch = word[i]
        if ch in _LEGACY_UPPER:
            out.append(_LEGACY_UPPER[ch])
            i += 1
            continue
        lower = word[i:i + 3].lower()
        for spelling, letter in _DIGRAPHS:
            if lower.startswith(spelling):
                out.append(letter)
                i += len(spelling)
                break
        else:
            out.append(_SINGLE.get(ch.lower(), "" if ch == "'" else ch))
            i += 1
    return "".join(out)


def to_mkhedruli(text: str) -> str:
    """Rewrite the Latin letters of ``text`` as Mkhedruli; other characters are kept."""
    legacy = _uses_legacy_layout(text)
    return _WORD.sub(lambda m: _convert_word(m.group(0), legacy), text)


def skeleton(word: str) -> str:
    """A Mkhedruli word folded so that its common Latin spellings collide (``ჭ``/``ჩ``/``ც``/``წ`` -> c)."""
    return word.translate(_SKELETON)
