"""What a listener hears: numbers, money, dates, codes and the last pass before the voice."""
from __future__ import annotations

import datetime as dt

import pytest

from basics.spoken import (
    cadastral_code,
    count_phrase,
    date,
    date_words,
    datetime_,
    digits,
    for_speech,
    money,
    money_words,
    number_words,
    options,
    ordinal_words,
    registration_number,
    spell,
    time_of_day,
)

NUMBERS = [
    (0, "ნული", "zero"),
    (1, "ერთი", "one"),
    (10, "ათი", "ten"),
    (11, "თერთმეტი", "eleven"),
    (19, "ცხრამეტი", "nineteen"),
    (20, "ოცი", "twenty"),
    (21, "ოცდაერთი", "twenty-one"),
    (30, "ოცდაათი", "thirty"),
    (39, "ოცდაცხრამეტი", "thirty-nine"),
    (40, "ორმოცი", "forty"),
    (50, "ორმოცდაათი", "fifty"),
    (55, "ორმოცდათხუთმეტი", "fifty-five"),
    (60, "სამოცი", "sixty"),
    (79, "სამოცდაცხრამეტი", "seventy-nine"),
    (80, "ოთხმოცი", "eighty"),
    (99, "ოთხმოცდაცხრამეტი", "ninety-nine"),
    (100, "ასი", "one hundred"),
    (101, "ას ერთი", "one hundred one"),
    (125, "ას ოცდახუთი", "one hundred twenty-five"),
    (200, "ორასი", "two hundred"),
    (800, "რვაასი", "eight hundred"),
    (999, "ცხრაას ოთხმოცდაცხრამეტი", "nine hundred ninety-nine"),
    (1000, "ათასი", "one thousand"),
    (1001, "ათას ერთი", "one thousand one"),
    (1999, "ათას ცხრაას ოთხმოცდაცხრამეტი", "one thousand nine hundred ninety-nine"),
    (2000, "ორი ათასი", "two thousand"),
    (2026, "ორი ათას ოცდაექვსი", "two thousand twenty-six"),
    (10000, "ათი ათასი", "ten thousand"),
    (125000, "ას ოცდახუთი ათასი", "one hundred twenty-five thousand"),
    (1000000, "მილიონი", "one million"),
    (2000000, "ორი მილიონი", "two million"),
    (1234567, "მილიონ ორას ოცდათოთხმეტი ათას ხუთას სამოცდაშვიდი",
     "one million two hundred thirty-four thousand five hundred sixty-seven"),
    (999999999, "ცხრაას ოთხმოცდაცხრამეტი მილიონ ცხრაას ოთხმოცდაცხრამეტი ათას ცხრაას ოთხმოცდაცხრამეტი",
     "nine hundred ninety-nine million nine hundred ninety-nine thousand nine hundred ninety-nine"),
    (-5, "მინუს ხუთი", "minus five"),
]


@pytest.mark.parametrize(("n", "ka", "en"), NUMBERS)
def test_number_words(n: int, ka: str, en: str) -> None:
    assert number_words(n, "ka") == ka
    assert number_words(n, "en") == en


@pytest.mark.parametrize(("n", "ka", "en"), [
    (1, "პირველი", "first"), (2, "მეორე", "second"), (8, "მერვე", "eighth"), (20, "მეოცე", "twentieth"),
    (21, "ოცდამეერთე", "twenty-first"), (40, "მეორმოცე", "fortieth"), (100, "მეასე", "one hundredth"),
    (101, "ას პირველი", "one hundred first"), (200, "ორასე", "two hundredth"),
    (2026, "ორი ათას ოცდამეექვსე", "two thousand twenty-sixth"),
])
def test_ordinal_words(n: int, ka: str, en: str) -> None:
    assert ordinal_words(n, "ka") == ka
    assert ordinal_words(n, "en") == en


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError):
        number_words(5, "ru")


@pytest.mark.parametrize(("tetri", "ka", "en"), [
    (12540, "125 ლარი და 40 თეთრი", "125 lari and 40 tetri"),
    (0, "0 ლარი", "0 lari"),
    (5, "5 თეთრი", "5 tetri"),
    (40, "40 თეთრი", "40 tetri"),
    (100, "1 ლარი", "1 lari"),
    (1000000, "10000 ლარი", "10000 lari"),
])
def test_money(tetri: int, ka: str, en: str) -> None:
    assert money(tetri, "ka") == ka
    assert money(tetri, "en") == en


def test_money_in_words_for_the_voice() -> None:
    assert money_words(12540, "ka") == "ას ოცდახუთი ლარი და ორმოცი თეთრი"
    assert money_words(12540, "en") == "one hundred twenty-five lari and forty tetri"
    assert money_words(100, "ka") == "ერთი ლარი"
    assert money_words(1000000, "ka") == "ათი ათასი ლარი"


def test_dates() -> None:
    assert date("2026-03-14", "en") == "14 March 2026"
    assert date("2026-03-14", "ka") == "2026 წლის 14 მარტი"
    assert date(dt.date(2026, 3, 21), "ka", on=True) == "2026 წლის 21 მარტს"
    assert date("2026-08-05", "ka", on=True) == "2026 წლის 5 აგვისტოს"
    assert date("2026-03-21", "en", on=True) == "on 21 March 2026"


def test_dates_in_words() -> None:
    assert date_words("2026-03-14", "ka") == "ორი ათას ოცდაექვსი წლის თოთხმეტი მარტი"
    assert date_words("2026-03-14", "ka", on=True) == "ორი ათას ოცდაექვსი წლის თოთხმეტ მარტს"
    assert date_words("2026-03-21", "ka") == "ორი ათას ოცდაექვსი წლის ოცდაერთი მარტი"
    assert date_words("2026-03-01", "ka") == "ორი ათას ოცდაექვსი წლის პირველი მარტი"
    assert date_words("2026-03-14", "en") == "the fourteenth of March, twenty twenty-six"
    assert date_words("2026-03-21", "en") == "the twenty-first of March, twenty twenty-six"
    assert date_words("1999-12-31", "en") == "the thirty-first of December, nineteen ninety-nine"
    assert date_words("2005-01-02", "en") == "the second of January, two thousand five"


def test_times_and_moments() -> None:
    assert time_of_day("14:30", "ka", at=True) == "14:30-ზე"
    assert time_of_day("14:30", "en", at=True) == "at 14:30"
    assert time_of_day("14:30", "ka", at=True, words=True) == "თოთხმეტ საათსა და ოცდაათ წუთზე"
    assert time_of_day("09:00", "ka", words=True) == "ცხრა საათი"
    assert time_of_day("09:05", "en", words=True) == "nine oh five"
    assert datetime_("2026-03-14T14:30", "ka") == "2026 წლის 14 მარტს, 14:30-ზე"
    assert datetime_("2026-03-14T14:30", "en") == "on 14 March 2026 at 14:30"


def test_personal_number_in_groups_of_three() -> None:
    assert digits("01001012345", "en") == "0 1 0, 0 1 0, 1 2 3, 4 5"
    assert digits("01001012345", "en", words=True) == "zero one zero, zero one zero, one two three, four five"
    assert digits("01001012345", "ka", words=True) == "ნული ერთი ნული, ნული ერთი ნული, ერთი ორი სამი, ოთხი ხუთი"
    assert digits("01001012345", "en", group=(2, 3, 3, 3)) == "0 1, 0 0 1, 0 1 2, 3 4 5"


@pytest.mark.parametrize(("code", "expected"), [
    ("123456", "1 2 3, 4 5 6"), ("1234567", "1 2 3, 4 5, 6 7"), ("1234", "1 2, 3 4"), ("12", "1 2"),
])
def test_no_digit_is_heard_alone(code: str, expected: str) -> None:
    assert digits(code, "en") == expected


def test_digits_refuse_what_is_not_a_code() -> None:
    with pytest.raises(ValueError):
        digits("12a4", "en")
    with pytest.raises(ValueError):
        digits("12345", "en", group=(2, 2))


def test_registration_number() -> None:
    assert registration_number("MG-2026-000042", "en") == "M G, 2026, 0 0 0, 0 4 2"
    assert registration_number("MG-2026-000042", "en", words=True) == \
        "em gee, twenty twenty-six, zero zero zero, zero four two"
    assert registration_number("MG-2026-000042", "ka", words=True) == \
        "ემ ჯი, ორი ათას ოცდაექვსი, ნული ნული ნული, ნული ოთხი ორი"


def test_cadastral_code() -> None:
    code = "01.10.14.004.018.01.500"
    assert cadastral_code(code, "en") == "0 1 dot 10 dot 14 dot 0 0 4 dot 0 18 dot 0 1 dot 500"
    assert cadastral_code(code, "ka", words=True) == (
        "ნული ერთი წერტილი ათი წერტილი თოთხმეტი წერტილი ნული ნული ოთხი წერტილი ნული თვრამეტი "
        "წერტილი ნული ერთი წერტილი ხუთასი")
    assert cadastral_code(code, "en", words=True).startswith("zero one dot ten dot fourteen dot zero zero four")


def test_options_are_numbered_and_end_with_the_question() -> None:
    assert options(["Pay a fine", "Check my debt", "Talk to a person"], "en") == (
        "1: Pay a fine. 2: Check my debt. 3: Talk to a person. Say or type the number.")
    assert options(["ჯარიმის გადახდა", "დავალიანების შემოწმება", "ოპერატორთან საუბარი"], "ka") == (
        "1: ჯარიმის გადახდა. 2: დავალიანების შემოწმება. 3: ოპერატორთან საუბარი. თქვით ან აკრიფეთ ნომერი.")
    assert options(["Yes?", "No"], "en", ask=False) == "1: Yes? 2: No."


def test_more_than_five_options_must_be_paginated() -> None:
    with pytest.raises(ValueError):
        options([f"item {i}" for i in range(6)], "en")
    with pytest.raises(ValueError):
        options([], "ka")


def test_count_phrase() -> None:
    assert count_phrase(1, "unread message", "en") == "1 unread message"
    assert count_phrase(2, "unread message", "en") == "2 unread messages"
    assert count_phrase(3, ("reply", "replies"), "en", words=True) == "three replies"
    assert count_phrase(2, "წაუკითხავი შეტყობინება", "ka") == "2 წაუკითხავი შეტყობინება"
    assert count_phrase(21, ("შეტყობინება", "შეტყობინებები"), "ka", words=True) == "ოცდაერთი შეტყობინება"


def test_spell() -> None:
    assert spell("Nino 5", "en") == "en, eye, en, oh, space, five"
    assert spell("ნინო 5", "ka") == "ნ, ი, ნ, ო, ჰარი, ხუთი"
    assert spell("a.b@c", "ka") == "ეი, წერტილი, ბი, ეთ, სი"


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("თქვენი დავალიანებაა 125.40 ₾.", "ka", "თქვენი დავალიანებაა ას ოცდახუთი ლარი და ორმოცი თეთრი."),
    ("Your debt is ₾125.40.", "en", "Your debt is one hundred twenty-five lari and forty tetri."),
    ("Fee: 1,250 GEL.", "en", "Fee: one thousand two hundred fifty lari."),
    ("ეწვიეთ my.gov.ge-ს", "ka", "ეწვიეთ მაი დოტ გოვ დოტ გეს."),
    ("See https://my.gov.ge/services.", "en", "See my dot gov dot G E slash services."),
    ("მოგვწერეთ nino.beridze@example.ge", "ka", "მოგვწერეთ ნინო დოტ ბერიძე ეთ იგზამფლ დოტ გე."),
    ("შპს „ბერიძის საცხობი“", "ka", "შეზღუდული პასუხისმგებლობის საზოგადოება ბერიძის საცხობი."),
    ("ქ. თბილისი და ქ. ბათუმში", "ka", "ქალაქი თბილისი და ქალაქ ბათუმში."),
    ("ი/მ გიორგი, № 42", "ka", "ინდივიდუალური მეწარმე გიორგი, ნომერი ორმოცდაორი."),
    ("e.g. No. 5", "en", "for example number five."),
    ("პასუხი 10 დღეში, 14 მარტს 14:30-ზე", "ka",
     "პასუხი ათ დღეში, თოთხმეტ მარტს თოთხმეტ საათსა და ოცდაათ წუთზე."),
    ("2 წაუკითხავ შეტყობინებაზე", "ka", "ორ წაუკითხავ შეტყობინებაზე."),
    ("2 წაუკითხავი შეტყობინება", "ka", "ორი წაუკითხავი შეტყობინება."),
    ("ვადა 1 მარტამდე, 10-დან 18-მდე, 5%-ით", "ka",
     "ვადა პირველ მარტამდე, ათიდან თვრამეტამდე, ხუთი პროცენტით."),
    ("მე-5 სართული, 2-ე ოთახი", "ka", "მეხუთე სართული, მეორე ოთახი."),
    ("2,5 ლიტრი", "ka", "ორი მთელი ხუთი მეათედი ლიტრი."),
    ("Open 9–18, 3.5% fee.", "en", "Open nine to eighteen, three point five percent fee."),
    ("პირადი ნომერი 01001012345", "ka",
     "პირადი ნომერი ნული ერთი ნული, ნული ერთი ნული, ერთი ორი სამი, ოთხი ხუთი."),
    ("Application MG-2026-000042 received.", "en",
     "Application em gee, twenty twenty-six, zero zero zero, zero four two, received."),
    ("განცხადება MG-2026-000042 მიღებულია.", "ka",
     "განცხადება ემ ჯი, ორი ათას ოცდაექვსი, ნული ნული ნული, ნული ოთხი ორი, მიღებულია."),
    ("Call +995 555 12 34 56", "en", "Call plus nine nine five, five five five, one two, three four, five six."),
    ("ვადა: 2026-03-21", "ka", "ვადა: ორი ათას ოცდაექვსი წლის ოცდაერთი მარტი."),
    ("SMS-ით მიიღებთ PIN კოდს", "ka", "ეს ემ ესით მიიღებთ პინ კოდს."),
    ("• გადახდა\n• შემოწმება", "ka", "გადახდა. შემოწმება."),
    ("Ready — go!! 🎉", "en", "Ready, go!"),
    ("Don't worry (it's free).", "en", "Don't worry, it's free."),
])
def test_for_speech(text: str, lang: str, expected: str) -> None:
    assert for_speech(text, lang) == expected


NASTY = [
    ("ka", "🎉 გადაიხადეთ 1 250,40 ₾ (№ 42/7) ⇒ https://my.gov.ge/pay?id=77&x=1 ან nino_b+1@example.ge!! ★ 100% ✓"),
    ("en", "👩‍👩‍👧 Pay ₾12.5 via www.my.gov.ge/pay#top — ref № MG-2026-000042 ¶ 3×4=12 ~ ^ | \\ <b> {x} ‰ ©"),
    ("ka", "„შპს“ — ID: 01001012345; 2026-03-14 14:30; 01.10.14.004.018.01.500 …  ️ ტელ. +995 32 2 40 10 10"),
    ("en", "Email SUPPORT@MY.GOV.GE or call 032-2-40-10-10 at 9:05; 1st, 22nd, 103rd; -7 °C; 5 ½ ² ³ ٣"),
]


@pytest.mark.parametrize(("lang", "text"), NASTY)
def test_for_speech_leaves_only_what_the_voice_can_say(lang: str, text: str) -> None:
    said = for_speech(text, lang)
    unsayable = sorted({ch for ch in said if not (ch.isalpha() or ch in " .,?!:;-")})
    assert unsayable == [], said
    assert said and "  " not in said and not said.startswith((",", ".", " "))


def test_for_speech_keeps_georgian_text_untouched() -> None:
    sentence = "გამარჯობა! რით შემიძლია დაგეხმაროთ?"
    assert for_speech(sentence, "ka") == sentence


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_the_text_forms_sound_like_the_word_forms(lang: str) -> None:
    """Replies carry the text form; the voice gets it through for_speech and must hear the words form."""
    assert for_speech(money(12540, lang), lang) == money_words(12540, lang) + "."
    assert for_speech(date("2026-03-14", lang), lang) == date_words("2026-03-14", lang) + "."
    assert for_speech(digits("01001012345", lang), lang) == digits("01001012345", lang, words=True) + "."
    code = "01.10.14.004.018.01.500"
    assert for_speech(cadastral_code(code, lang), lang) == cadastral_code(code, lang, words=True) + "."
