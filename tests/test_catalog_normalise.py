"""Normalisation: script detection, Latin-typed Georgian, folding, stopwords, lemmas and numbers."""
from __future__ import annotations

import pytest

from catalog_index.normalise import clean, detect_script, readings, terms
from catalog_index.translit import skeleton, to_mkhedruli


@pytest.mark.parametrize("text, script", [
    ("პირადობის მოწმობა", "mkhedruli"),
    ("piradobis mowmoba", "latin"),
    ("паспорт нужен", "cyrillic"),
    ("ID ბარათი passport", "mixed"),
    ("😀 123 !!", "none"),
    ("", "none"),
])
def test_script_detection(text, script):
    assert detect_script(text) == script


@pytest.mark.parametrize("latin, mkhedruli", [
    ("shps-s gaxsna", "შპს-ს გახსნა"),
    ("khelshekruleba", "ხელშეკრულება"),
    ("gvaris shecvla", "გვარის შეცვლა"),
    ("dzveli nomrebi", "ძველი ნომრები"),
    ("zhurnali", "ჟურნალი"),
    ("qorwineba", "ქორწინება"),
    ("ts'ignis", "წიგნის"),
    ("daibada", "დაიბადა"),
    ("RA GIRS", "რა გირს"),
])
def test_common_latin_conventions(latin, mkhedruli):
    assert to_mkhedruli(latin) == mkhedruli


def test_legacy_keyboard_capitals_are_letters_not_case():
    # On the legacy layout Shift gives a different letter: T=თ S=შ Z=ძ C=ჩ W=ჭ R=ღ J=ჟ.
    assert to_mkhedruli("SeiZleba gadavixado") == "შეიძლება გადავიხადო"
    assert to_mkhedruli("mWirdeba") == "მჭირდება"
    assert to_mkhedruli("Tu aRar") == "თუ აღარ"


@pytest.mark.parametrize("typed, official", [
    ("mchirdeba", "მჭირდება"),  # ჭ typed as ch
    ("sazgvargaret", "საზღვარგარეთ"),  # ღ typed as g
    ("dakhmareba", "დახმარება"),  # ხ typed as kh
    ("cnoba", "ცნობა"),
    ("tsnoba", "ცნობა"),
    ("yadaga", "ყადაღა"),
])
def test_variant_spellings_fold_to_the_same_key(typed, official):
    assert skeleton(to_mkhedruli(typed)) == skeleton(official)


def test_clean_folds_control_characters_whitespace_and_mtavruli():
    assert clean("  პასპორტი\x00\x07\n\tმინდა\u200b ") == "პასპორტი მინდა"
    assert clean("ᲞᲘᲠᲐᲓᲝᲑᲐ") == "პირადობა"  # Mtavruli capitals
    assert len(clean("a" * 10_000)) <= 2000


def test_stopwords_and_question_shapes_leave_only_the_need():
    assert terms("როგორ ავიღო პასპორტი?", "ka") == terms("პასპორტი", "ka")
    assert terms("How do I get a passport?", "en") == terms("passport", "en")
    assert terms("rogor avigo pasporti", "ka") == terms("პასპორტი", "ka")


def test_inflected_georgian_forms_share_a_key():
    def keys(word: str) -> frozenset:
        return terms(word, "ka")[0]
    assert keys("პასპორტის") & keys("პასპორტი")
    assert keys("რეესტრიდან") & keys("რეესტრი")
    assert keys("ბინაში") & keys("ბინა")
    assert keys("ნომრები") & keys("ნომერი")


def test_numbers_in_words_and_digits_agree():
    assert terms("200", "ka") == terms("ორასი", "ka")
    assert terms("two", "en") == terms("2", "en")


def test_latin_text_is_read_by_its_function_words():
    assert readings("How do I get a passport", None) == ("en",)
    assert readings("rogor avigo pasporti", None) == ("ka",)
    assert readings("pasporti", None) == ("en", "ka")
    assert readings("პასპორტი", None) == ("ka",)
