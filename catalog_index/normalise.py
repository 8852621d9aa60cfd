"""Turn free text into matching terms: clean, detect the script, fold, lemmatise, drop stopwords.

A *term* is the set of keys one content word can match on. Georgian words (typed in Mkhedruli or
in Latin letters) become spelling-tolerant keys (``translit.skeleton``) of both the simplemma lemma
and the word with its case ending cut, because simplemma misses many forms and a Latin-typed word
may come back from transliteration with the wrong letter. English words become the lemma and a
crude stem. Numbers, in digits or in words, become one shared key so "200" matches "ორასი".
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TypeAlias

import simplemma
import yaml

from catalog_index.translit import skeleton, to_mkhedruli

MAX_CHARS = 2000  # longer text is cut: a need is stated well before this, and speed stays flat
MAX_TERMS = 60

Term: TypeAlias = frozenset[str]  # the keys of one content word

_MKHEDRULI = re.compile(r"[\u10D0-\u10FF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_WORD = re.compile(r"[\w']+")
_MTAVRULI_OFFSET = 0x1C90 - 0x10D0  # Mtavruli capitals sit at a fixed distance from Mkhedruli

_KA_SUFFIXES = tuple(sorted(
    ("ebisatvis", "ebistvis", "isatvis", "istvis", "ebidan", "ebsi", "ebze", "ebit", "ebis", "ebma",
     "ebs", "ebi", "idan", "tvis", "dan", "is", "it", "ze", "si", "ad", "ma", "ta", "s"),
    key=len, reverse=True,
))
# Georgian verbs and verbal nouns put a preverb, a person marker and a version vowel before the root
# (და-ვ-ა-მოწმო "I certify", და-მოწმება "certification"); cutting them gives a shared root key.
_KA_PREVERBS = ("gadmo", "gada", "camo", "semo", "gamo", "amo", "mimo", "uku", "mo", "se", "ca", "ga", "da", "mi", "a")
ROOT_LEN = 4
_EN_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ers", "er", "ies", "ied", "ed", "es", "s", "ly")
_NUMBER_WORDS = {
    "ერთი": 1, "ორი": 2, "სამი": 3, "ოთხი": 4, "ხუთი": 5, "ექვსი": 6, "შვიდი": 7, "რვა": 8,
    "ცხრა": 9, "ათი": 10, "თოთხმეტი": 14, "თვრამეტი": 18, "ოცი": 20, "ორმოცი": 40,
    "სამოცი": 60, "სამოცდახუთი": 65, "ასი": 100, "ორასი": 200,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "fourteen": 14, "eighteen": 18, "twenty": 20, "forty": 40, "sixty": 60,
    "hundred": 100,
}


def clean(text: str) -> str:
    """Unicode-normalise, fold Mtavruli to Mkhedruli, turn control characters into spaces, cut length."""
    text = unicodedata.normalize("NFC", str(text)[:MAX_CHARS])
    out = []
    for ch in text:
        code = ord(ch)
        if 0x1C90 <= code <= 0x1CBF:
            ch = chr(code - _MTAVRULI_OFFSET)
        elif unicodedata.category(ch)[0] in "CZ":
            ch = " "
        out.append(ch)
    return " ".join("".join(out).split())


def detect_script(text: str) -> str:
    """``mkhedruli``, ``latin``, ``cyrillic``, ``mixed`` (several, none dominant) or ``none`` (no letters)."""
    counts = {
        "mkhedruli": len(_MKHEDRULI.findall(text)),
        "latin": len(_LATIN.findall(text)),
        "cyrillic": len(_CYRILLIC.findall(text)),
    }
    total = sum(counts.values())
    if not total:
        return "none"
    script, top = max(counts.items(), key=lambda kv: kv[1])
    return script if top >= 0.8 * total else "mixed"


@lru_cache(maxsize=1)
def _stopwords() -> tuple[frozenset[str], frozenset[str]]:
    data = yaml.safe_load((Path(__file__).parent / "data" / "stopwords.yaml").read_text(encoding="utf-8"))
    return frozenset(skeleton(w) for w in data["ka"].split()), frozenset(data["en"].split())


def _cut(word: str, suffixes: tuple[str, ...], keep: int) -> str:
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            return word[: -len(suffix)]
    return word


def _ka_stem(key: str) -> str:
    key = _cut(key, _KA_SUFFIXES, 3)
    return key[:-1] if len(key) > 3 and key[-1] in "aeiou" else key


def _ka_root(key: str) -> str | None:
    """The first letters of a word after its preverb, person marker and version vowel, if long enough."""
    for preverb in _KA_PREVERBS:
        if key.startswith(preverb):
            key = key[len(preverb):]
            break
    else:
        return None
    vowels = "aeiou"
    if len(key) > ROOT_LEN + 1 and (key[0] == "v" or (key[0] in "gm" and key[1] not in vowels)):
        key = key[1:]  # person marker: ვ always; გ, მ only before a consonant, else they start the root
    if len(key) > ROOT_LEN + 1 and key[0] in "aieu":
        key = key[1:]  # version vowel
    return key[:ROOT_LEN] if len(key) > ROOT_LEN else None


@lru_cache(maxsize=65536)
def georgian_term(word: str) -> Term | None:
    """Keys for one Mkhedruli word, or None for a stopword."""
    key = skeleton(word)
    if key in _stopwords()[0] or len(key) < 2:
        return None
    if word in _NUMBER_WORDS:
        return Term({f"n.{_NUMBER_WORDS[word]}"})
    lemma = skeleton(simplemma.lemmatize(word, lang="ka"))
    root = _ka_root(key)
    return Term({f"k.{_ka_stem(key)}", f"k.{_ka_stem(lemma)}", *([f"r.{root}"] if root else [])})


@lru_cache(maxsize=65536)
def english_term(word: str) -> Term | None:
    """Keys for one lower-case English word, or None for a stopword."""
    if word in _stopwords()[1] or len(word) < 2:
        return None
    if word in _NUMBER_WORDS:
        return Term({f"n.{_NUMBER_WORDS[word]}"})
    lemma = simplemma.lemmatize(word, lang="en").lower()
    return Term({f"e.{lemma}", f"e.{_cut(lemma, _EN_SUFFIXES, 4)}", f"e.{_cut(word, _EN_SUFFIXES, 4)}"})


def _words(text: str) -> list[str]:
    return [w.strip("'") for w in _WORD.findall(text) if w.strip("'_")]


def terms(text: str, reading: str) -> list[Term]:
    """The content terms of cleaned ``text`` read as Georgian (``ka``) or English (``en``).

    For a Georgian reading, Latin letters are first transliterated to Mkhedruli.
    """
    if reading == "ka":
        text = to_mkhedruli(text)
    out: list[Term] = []
    for word in _words(text):
        term: Term | None
        if word.isascii() and word.isdigit():
            term = Term({f"n.{int(word[:9])}"})
        elif _MKHEDRULI.match(word):
            term = georgian_term(word)
        elif reading == "en" and _LATIN.match(word):
            term = english_term(word.lower())
        else:
            term = Term({f"x.{word.lower()}"})  # another script: counts as unexplained
        if term is not None:
            out.append(term)
    return out[:MAX_TERMS]


def readings(text: str, lang: str | None) -> tuple[str, ...]:
    """Which readings to try: Mkhedruli text is Georgian; Latin text may be English or Latin-typed Georgian."""
    if lang in ("ka", "ka-Latn"):
        return ("ka",)
    if lang == "en":
        return ("en",)
    script = detect_script(text)
    if script == "mkhedruli":
        return ("ka",)
    # Latin text: its function words usually tell English from Latin-typed Georgian.
    ka_stop, en_stop = _stopwords()
    words = [w.lower() for w in _words(text) if _LATIN.match(w)]
    en_votes = sum(w in en_stop for w in words)
    ka_votes = sum(skeleton(to_mkhedruli(w)) in ka_stop for w in words)
    if en_votes != ka_votes:
        return ("en",) if en_votes > ka_votes else ("ka",)
    return ("en", "ka")
