"""Which language a message is in: the reply follows the user's last message.

Mkhedruli means Georgian. Latin letters may be English or Georgian typed in Latin; the words tell:
common words of each language (the catalogue's stopword lists, compared spelling-tolerantly for
Georgian) and Georgian word endings. Digits, PINs and single symbols say nothing.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from catalog_index.translit import skeleton, to_mkhedruli

_MKHEDRULI = re.compile(r"[\u10D0-\u10FF\u1C90-\u1CBF]")
_LATIN_WORD = re.compile(r"[A-Za-z']+")
_KA_ENDINGS = ("shi", "ze", "ebi", "ebis", "eba", "oba", "deba", "tvis", "dan", "ali", "uli", "eli", "ia", "da")
_KA_LETTER_GROUPS = re.compile(r"(gh|kh|ts|dz|zh|tch|q[^u]|x[aeiou]|[^aeiou ]{4})", re.IGNORECASE)
_EN_EXTRA = frozenset("i you me my is are the a an to of and please want need can how what do does yes no hello hi "
                      "thanks thank ok okay english speak repeat help back cancel slower faster next previous read "
                      "message messages tax debt company apply".split())
_KA_EXTRA = frozenset(skeleton(to_mkhedruli(w)) for w in
                      "ki diax ara gamarjoba madloba minda mchirdeba rogor ra sad ras gaimeore ukan daxmareba "
                      "shemdegi wina gaauqme kartulad inglisurad nela swrapad".split())


@lru_cache(maxsize=1)
def _stopwords() -> tuple[frozenset[str], frozenset[str]]:
    path = Path(__file__).resolve().parent / "data" / "stopwords.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    ka = frozenset(skeleton(w) for w in str(data["ka"]).split()) | _KA_EXTRA
    en = frozenset(str(data["en"]).lower().split()) | _EN_EXTRA
    return ka, en


def guess_language(text: str) -> str | None:
    """``"ka"``, ``"en"``, or None when the text gives no evidence (digits, symbols, empty)."""
    if _MKHEDRULI.search(text or ""):
        return "ka"
    words = [w.lower() for w in _LATIN_WORD.findall(text or "")]
    if not words:
        return None
    ka_words, en_words = _stopwords()
    en_score = sum(1.0 for w in words if w in en_words)
    ka_score = 0.0
    for word in words:
        if word in en_words:
            continue
        if skeleton(to_mkhedruli(word)) in ka_words:
            ka_score += 1.0
        elif word.endswith(_KA_ENDINGS) or _KA_LETTER_GROUPS.search(word):
            ka_score += 0.6
    if en_score == ka_score:
        return None
    return "ka" if ka_score > en_score else "en"
