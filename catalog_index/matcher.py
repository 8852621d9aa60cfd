"""Rank catalogue services for a need said in Georgian (Mkhedruli or Latin-typed) or English.

Four signals are fused per service:
- BM25 over names, synonyms, descriptions and category names in both languages (lemma-aware keys);
- coverage: how much of the query's informative words (by IDF) the service explains;
- phrase match: how completely the query contains one of the service's names or synonyms;
- evidence: how much specific vocabulary matched at all, so one common word is not enough.
Words that match nothing exactly are mapped to near vocabulary keys with rapidfuzz, which absorbs
typos and inflections the lemmatiser misses. The fused score is the confidence in [0, 1]; bands
and the "nothing fits" cut-off are fixed thresholds on it.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from catalog_index.catalogue import Catalogue, Service, get_catalogue
from catalog_index.normalise import Term, clean, readings, terms

K1, B = 1.2, 0.5
FIELD_WEIGHTS = {"name": 3.0, "synonym": 2.0, "description": 0.6, "category": 0.5}
# How far a word found only in a field explains the query: descriptions hold generic wording.
FIELD_STRENGTH = {"name": 1.0, "synonym": 1.0, "description": 0.5, "category": 0.5}
FUZZY_CUTOFF = 85.0  # rapidfuzz ratio below which a word is not taken as a variant of a known key
FUZZY_MIN_LEN = 6  # shorter keys are too easily confused (ბინა / ბანკი, weather / whether)
# Fusion weights of the four signals; they sum to 1 so the fused score is a confidence in [0, 1].
WEIGHTS = {"coverage": 0.40, "phrase": 0.40, "evidence": 0.10, "bm25": 0.10}
ROOT_SIMILARITY = 0.6  # a shared Georgian verb root (``r.`` keys) is weaker evidence than a shared word
STRONG_EVIDENCE = 7.0  # matched IDF mass (about two specific words) that counts as full support
CANDIDATES = 30
ROUTE, CONFIRM, SUGGEST = 0.70, 0.55, 0.46
ROUTE_MARGIN = 0.12
CONFIRM_MARGIN = 0.05  # "Did you mean X?" only when X is a clear favourite; near ties are offered as options


@dataclass(frozen=True)
class Match:
    id: str
    score: float
    band: str  # "route", "confirm" or "suggest"
    name_ka: str
    name_en: str

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class _Phrase:
    """A name or synonym: its terms, each term's IDF weight, and all its keys for a quick skip."""
    terms: tuple[Term, ...]
    weights: tuple[float, ...]
    keys: frozenset[str]


@dataclass(frozen=True)
class _Doc:
    service: Service
    phrases: tuple[_Phrase, ...]


class Index:
    """An in-memory index over a catalogue; build once, query many times."""

    def __init__(self, services: Sequence[Service], category_names: dict[str, tuple[str, str]]):
        memo: dict[tuple[str, str], list[Term]] = {}

        def analysed(text: str, reading: str) -> list[Term]:
            if (text, reading) not in memo:
                memo[text, reading] = terms(clean(text), reading)
            return memo[text, reading]

        doc_phrases: list[list[tuple[Term, ...]]] = []
        tfs: list[dict[str, float]] = []
        strengths: list[dict[str, float]] = []
        for service in services:
            tf: dict[str, float] = {}
            strength: dict[str, float] = {}
            phrases: list[tuple[Term, ...]] = []
            fields = [("name", service.name_ka, "ka"), ("name", service.name_en, "en")]
            fields += [("synonym", s, "ka") for s in service.synonyms("ka")]
            fields += [("synonym", s, "en") for s in service.synonyms("en")]
            fields += [("description", service.description("ka"), "ka"), ("description", service.description("en"), "en")]
            fields += [("category", name, lang) for name, lang in zip(category_names[service.category], ("ka", "en"))]
            for field, text, reading in fields:
                found = analysed(text, reading)
                if field in ("name", "synonym") and found:
                    phrases.append(tuple(found))
                for term in found:
                    for key in term:
                        tf[key] = tf.get(key, 0.0) + FIELD_WEIGHTS[field]
                        strength[key] = max(strength.get(key, 0.0), FIELD_STRENGTH[field])
            doc_phrases.append(phrases)
            tfs.append(tf)
            strengths.append(strength)
        self._build_postings(tfs, strengths)
        self._docs = [
            _Doc(service, tuple(self._phrase(p) for p in phrases))
            for service, phrases in zip(services, doc_phrases)
        ]

    def _phrase(self, phrase_terms: tuple[Term, ...]) -> _Phrase:
        weights = tuple(max(self.idf[k] for k in term) for term in phrase_terms)
        return _Phrase(phrase_terms, weights, frozenset().union(*phrase_terms))

    def _build_postings(self, tfs: list[dict[str, float]], strengths: list[dict[str, float]]) -> None:
        n = len(tfs)
        lengths = np.array([sum(tf.values()) for tf in tfs]) if n else np.zeros(0)
        avg = float(lengths.mean()) if n else 1.0
        postings: dict[str, tuple[list[int], list[float], list[float]]] = {}
        for doc, tf in enumerate(tfs):
            norm = K1 * (1 - B + B * lengths[doc] / avg)
            for key, freq in tf.items():
                ids, weights, strength = postings.setdefault(key, ([], [], []))
                ids.append(doc)
                weights.append(freq * (K1 + 1) / (freq + norm))
                strength.append(strengths[doc][key])
        self.size = n
        self.idf: dict[str, float] = {}
        self._postings: dict[str, tuple[npt.NDArray[np.int32], npt.NDArray[np.float64], npt.NDArray[np.float64]]] = {}
        for key, (ids, weights, strength) in postings.items():
            idf = math.log(1 + (n - len(ids) + 0.5) / (len(ids) + 0.5))
            self.idf[key] = idf
            self._postings[key] = (np.array(ids, dtype=np.int32), np.array(weights) * idf, np.array(strength))
        self._unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        by_space: dict[str, list[str]] = {}
        for key in postings:
            if len(key) - 2 >= FUZZY_MIN_LEN:
                by_space.setdefault(key[:2], []).append(key)
        self._fuzzy_vocab = by_space
        self._variant_cache: dict[Term, tuple[tuple[str, float], ...]] = {}

    def _variants(self, term: Term) -> tuple[tuple[str, float], ...]:
        """Known keys for one query term with a similarity in (0, 1]: exact keys, else near keys."""
        if term not in self._variant_cache:
            if len(self._variant_cache) > 50_000:  # bounded: queries are open-ended
                self._variant_cache.clear()
            self._variant_cache[term] = self._find_variants(term)
        return self._variant_cache[term]

    def _find_variants(self, term: Term) -> tuple[tuple[str, float], ...]:
        exact = tuple((key, ROOT_SIMILARITY if key.startswith("r.") else 1.0) for key in term if key in self._postings)
        if any(sim == 1.0 for _, sim in exact):
            return exact
        near: dict[str, float] = {}
        for key in term:
            vocab = self._fuzzy_vocab.get(key[:2], ())
            if len(key) - 2 < FUZZY_MIN_LEN or not vocab:
                continue
            for found, score, _ in process.extract(key, vocab, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3):
                # 85 -> 0.5, 100 -> 1: a near word is weaker evidence than the word itself.
                near[found] = max(near.get(found, 0.0), 1 - (100 - score) / 30)
        return exact + tuple(near.items())

    def _score(self, query_terms: list[Term]) -> tuple[npt.NDArray[np.float64], list[int]]:
        """Fused scores for all services and the candidate order, best first."""
        n = self.size
        bm25 = np.zeros(n)
        covered = np.zeros(n)
        total_idf = 0.0
        matched_keys: dict[str, float] = {}
        for term in query_terms:
            variants = self._variants(term)
            term_idf = max((self.idf[k] for k, _ in variants), default=self._unknown_idf)
            total_idf += term_idf
            best_weight = np.zeros(n)
            best_match = np.zeros(n)
            for key, sim in variants:
                ids, weights, strength = self._postings[key]
                np.maximum.at(best_weight, ids, weights * sim)
                np.maximum.at(best_match, ids, strength * sim)
                matched_keys[key] = max(matched_keys.get(key, 0.0), sim)
            bm25 += best_weight
            covered += best_match * term_idf
        if not total_idf or not bm25.any():
            return np.zeros(n), []
        coverage = covered / total_idf
        top_bm25 = bm25.max()
        order = np.argsort(-(bm25 / top_bm25 + coverage))[:CANDIDATES]
        fused = np.zeros(n)
        for doc in order:
            phrase = self._phrase_score(self._docs[doc].phrases, matched_keys)
            evidence = min(1.0, covered[doc] / STRONG_EVIDENCE)
            # A name found in a query that is mostly about something else is weak evidence.
            phrase *= 0.5 + 0.5 * coverage[doc]
            fused[doc] = (WEIGHTS["coverage"] * coverage[doc] + WEIGHTS["phrase"] * phrase
                          + WEIGHTS["evidence"] * evidence + WEIGHTS["bm25"] * bm25[doc] / top_bm25)
        ranked = sorted((int(d) for d in order if fused[d] > 0), key=lambda d: -fused[d])
        return fused, ranked

    @staticmethod
    def _phrase_score(phrases: tuple[_Phrase, ...], matched: dict[str, float]) -> float:
        """How completely the best name or synonym of a service appears in the query."""
        best = 0.0
        for phrase in phrases:
            if phrase.keys.isdisjoint(matched):
                continue
            found = sum(w * max(matched.get(k, 0.0) for k in term) for term, w in zip(phrase.terms, phrase.weights))
            # A phrase of specific words matched in full is stronger evidence than one common word.
            best = max(best, found / sum(phrase.weights) * min(1.0, found / STRONG_EVIDENCE + 0.4))
        return best

    def search(self, text: str, lang: str | None = None, top: int = 5) -> list[Match]:
        """Best services for ``text``, best first; an empty list when nothing fits."""
        text = clean(text if isinstance(text, str) else str(text))
        # Latin text may be English or Latin-typed Georgian: keep the reading that explains it best.
        best: dict[int, float] = {}
        for reading in readings(text, lang):
            fused, ranked = self._score(terms(text, reading))
            if ranked and (not best or fused[ranked[0]] > max(best.values())):
                best = {doc: float(fused[doc]) for doc in ranked}
        ranked = sorted(best, key=lambda d: -best[d])
        if not ranked or best[ranked[0]] < SUGGEST:
            return []
        runner_up = best[ranked[1]] if len(ranked) > 1 else 0.0
        matches = []
        for position, doc in enumerate(ranked[: max(0, top)]):
            score = round(min(1.0, best[doc]), 3)
            if score < SUGGEST:
                break
            service = self._docs[doc].service
            matches.append(Match(service.id, score, _band(score, best[doc] - runner_up if position == 0 else 0.0),
                                 service.name_ka, service.name_en))
        return matches


def _band(score: float, margin: float) -> str:
    if score >= ROUTE and margin >= ROUTE_MARGIN:
        return "route"
    return "confirm" if score >= CONFIRM and margin >= CONFIRM_MARGIN else "suggest"


def build_index(catalogue: Catalogue) -> Index:
    return Index(catalogue.services, {c.id: (c.name_ka, c.name_en) for c in catalogue.categories})


@lru_cache(maxsize=1)
def default_index() -> Index:
    """The index over the packaged catalogue, built on first use."""
    return build_index(get_catalogue())


def search(text: str, lang: str | None = None, top: int = 5) -> list[Match]:
    """Rank services for a need; see ``Index.search``."""
    return default_index().search(text, lang=lang, top=top)
