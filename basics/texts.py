"""Bilingual text tables: the one lookup used by the dialogue's and the voice layer's sentences."""
from __future__ import annotations

from typing import Mapping

Table = Mapping[str, Mapping[str, str]]


def pick(table: Table, key: str, lang: str, **values: object) -> str:
    """The text for `key` in `lang` (Georgian for "ka", else English) with its placeholders filled."""
    return table[key]["ka" if lang == "ka" else "en"].format(**values)
