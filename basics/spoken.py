"""Facts rendered for the ear, in Georgian ("ka", Mkhedruli) and English ("en").

Every reply of the assistant is both shown (screen readers, braille) and synthesised (espeak-ng),
so each renderer has two forms:

* the *text* form (default) keeps digits where a screen reader and espeak-ng read them well
  ("125 lari and 40 tetri", "2026 წლის 14 მარტი") and spaces out codes digit by digit;
* the *words* form (``words=True`` or the ``*_words`` functions) spells every number in words,
  with the Georgian case forms a native speaker uses ("თოთხმეტ მარტს", "ორმოც თეთრს"), for the
  TTS path only.

``for_speech`` is the last pass before synthesis: it rewrites whatever numbers, symbols, URLs and
abbreviations are left so that the voice never meets a character it cannot say.

Grouping of digit strings (``digits``): groups of three from the left, never a lone digit and never
more than three, because a listener holds three digits at once and checks them back group by group:
6 -> 3-3, 7 -> 3-2-2, 9 -> 3-3-3, 10 -> 3-3-2-2, 11 (personal number) -> 3-3-3-2.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Sequence

from basics import registration

LANGS = ("ka", "en")
MAX_OPTIONS = 5

# --- number words -----------------------------------------------------------------------------

_EN_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
            "fifteen sixteen seventeen eighteen nineteen").split()
_EN_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_EN_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_EN_ORDINAL_LAST = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                    "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}

_KA_ONES = ("ნული ერთი ორი სამი ოთხი ხუთი ექვსი შვიდი რვა ცხრა ათი თერთმეტი თორმეტი ცამეტი "
            "თოთხმეტი თხუთმეტი თექვსმეტი ჩვიდმეტი თვრამეტი ცხრამეტი").split()
_KA_TWENTIES = ("", "ოცი", "ორმოცი", "სამოცი", "ოთხმოცი")  # vigesimal: 20, 2x20, 3x20, 4x20
_KA_SCALES = ((10**9, "მილიარდი"), (10**6, "მილიონი"), (1000, "ათასი"))
_KA_VOWELS = set("აეიოუ")


def _lang(lang: str) -> str:
    """Fail loudly on a language we cannot speak rather than answer in the wrong one."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; use one of {LANGS}")
    return lang


def _drop_i(word: str) -> str:
    """The Georgian combining/truncated form: a numeral loses its final -ი (ოცი -> ოც, ასი -> ას)."""
    return word[:-1] if word.endswith("ი") else word


def _en_words(n: int) -> str:
    if n < 20:
        return _EN_ONES[n]
    if n < 100:
        tens, rest = divmod(n, 10)
        return _EN_TENS[tens] + (f"-{_EN_ONES[rest]}" if rest else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_EN_ONES[hundreds]} hundred" + (f" {_en_words(rest)}" if rest else "")
    for size, name in _EN_SCALES:
        if n >= size:
            head, rest = divmod(n, size)
            return f"{_en_words(head)} {name}" + (f" {_en_words(rest)}" if rest else "")
    raise AssertionError(n)


def _ka_below_100(n: int) -> str:
    """Vigesimal: ოცდაერთი (20+1), ორმოცდაათი (40+10), ოთხმოცდაცხრამეტი (80+19)."""
    if n < 20:
        return _KA_ONES[n]
    score, rest = divmod(n, 20)
    return _KA_TWENTIES[score] if not rest else _drop_i(_KA_TWENTIES[score]) + "და" + _KA_ONES[rest]


def _ka_hundreds(h: int) -> str:
    """ასი, ორასი, ... რვაასი, ცხრაასი (the multiplier loses its -ი, რვა/ცხრა keep their -ა)."""
    return "ასი" if h == 1 else _drop_i(_KA_ONES[h]) + "ასი"


def _ka_words(n: int) -> str:
    if n < 100:
        return _ka_below_100(n)
    if n < 1000:
        head, rest = divmod(n, 100)
        word = _ka_hundreds(head)
        return word if not rest else f"{_drop_i(word)} {_ka_below_100(rest)}"
    for size, name in _KA_SCALES:
        if n >= size:
            head, rest = divmod(n, size)
            word = name if head == 1 else f"{_ka_words(head)} {name}"  # ათასი, not ერთი ათასი
            return word if not rest else f"{_drop_i(word)} {_ka_words(rest)}"
    raise AssertionError(n)


def number_words(n: int, lang: str) -> str:
    """A whole number in words (to 999,999,999,999), e.g. 2026 -> "ორი ათას ოცდაექვსი"."""
    render = _ka_words if _lang(lang) == "ka" else _en_words
    if n < 0:
        return ("მინუს " if lang == "ka" else "minus ") + render(-n)
    if n >= 10**12:
        raise ValueError(f"{n} is too large to say as a number; read it digit by digit")
    return render(n)


def _ka_ordinal_below_100(n: int) -> str:
    """მე- ... -ე on the last element: მეორე, მეოცე, ოცდამეერთე; 1 alone is პირველი."""
    if n == 1:
        return "პირველი"
    if n < 20 or n % 20 == 0:
        return "მე" + _ka_below_100(n)[:-1] + "ე"
    score, rest = divmod(n, 20)
    return _drop_i(_KA_TWENTIES[score]) + "და" + "მე" + _KA_ONES[rest][:-1] + "ე"


def _ka_ordinal(n: int) -> str:
    rest = n % 100
    if n < 100:
        return _ka_ordinal_below_100(n)
    if rest:  # ას პირველი, ათას ცხრაას ოთხმოცდამეცხრამეტე
        return f"{_drop_i(_ka_words(n - rest))} {_ka_ordinal_below_100(rest)}"
    if n in (100, 1000, 10**6, 10**9):
        return "მე" + _ka_words(n)[:-1] + "ე"  # მეასე, მეათასე, მემილიონე
    hundreds = n % 1000
    if hundreds:  # ორასე, ათას მეასე
        head = f"{_drop_i(_ka_words(n - hundreds))} " if n > hundreds else ""
        return head + ("მეასე" if hundreds == 100 else _drop_i(_KA_ONES[hundreds // 100]) + "ასე")
    return _ka_words(n)[:-1] + "ე"  # ორი ათასე (uncertain: also written ორიათასე)


def ordinal_words(n: int, lang: str) -> str:
    """An ordinal in words: 21 -> "twenty-first" / "ოცდამეერთე"; 200 -> "ორასე"."""
    if n < 1:
        raise ValueError("ordinals start at 1")
    if _lang(lang) == "ka":
        return _ka_ordinal(n)
    words = _en_words(n)
    head, sep, last = words.rpartition("-") if "-" in words.split(" ")[-1] else words.rpartition(" ")
    if last in _EN_ORDINAL_LAST:
        last = _EN_ORDINAL_LAST[last]
    else:
        last = last[:-1] + "ieth" if last.endswith("y") else last + "th"
    return head + sep + last


def _num(n: int, lang: str, words: bool) -> str:
    return number_words(n, lang) if words else str(n)


# --- money ------------------------------------------------------------------------------------

def money(tetri: int, lang: str, words: bool = False) -> str:
    """An amount given in tetri: 12540 -> "125 lari and 40 tetri" / "125 ლარი და 40 თეთრი".

    Zero is "0 lari"; whether to say "no debt" instead is the caller's choice.
    """
    _lang(lang)
    sign = "" if tetri >= 0 else ("მინუს " if lang == "ka" else "minus ")
    lari, rest = divmod(abs(tetri), 100)
    parts = []
    if lari or not rest:
        parts.append(f"{_num(lari, lang, words)} {'ლარი' if lang == 'ka' else 'lari'}")
    if rest:
        parts.append(f"{_num(rest, lang, words)} {'თეთრი' if lang == 'ka' else 'tetri'}")
    return sign + (" და " if lang == "ka" else " and ").join(parts)


def money_words(tetri: int, lang: str) -> str:
    """The TTS form of ``money``: "ას ოცდახუთი ლარი და ორმოცი თეთრი"."""
    return money(tetri, lang, words=True)


# --- dates and times --------------------------------------------------------------------------

_KA_MONTHS = ("იანვარი თებერვალი მარტი აპრილი მაისი ივნისი ივლისი აგვისტო სექტემბერი ოქტომბერი "
              "ნოემბერი დეკემბერი").split()
_EN_MONTHS = ("January February March April May June July August September October November "
              "December").split()


def _as_date(value: str | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])


def _ka_dative(word: str) -> str:
    """Dative of a noun in the nominative: მარტი -> მარტს, აგვისტო -> აგვისტოს."""
    return _drop_i(word) + "ს"


def _en_year_words(year: int) -> str:
    """Years as English speakers say them: nineteen ninety-nine, twenty twenty-six, two thousand five."""
    high, low = divmod(year, 100)
    if not 1100 <= year <= 9999 or year % 1000 < 10:
        return _en_words(year)
    if low == 0:
        return f"{_en_words(high)} hundred"
    return f"{_en_words(high)} {'oh ' if low < 10 else ''}{_en_words(low)}"


def date(value: str | dt.date, lang: str, on: bool = False) -> str:
    """"14 March 2026" / "2026 წლის 14 მარტი"; ``on=True`` for "on ..." (ka dative: "14 მარტს")."""
    d = _as_date(value)
    if _lang(lang) == "ka":
        month = _KA_MONTHS[d.month - 1]
        return f"{d.year} წლის {d.day} {_ka_dative(month) if on else month}"
    return ("on " if on else "") + f"{d.day} {_EN_MONTHS[d.month - 1]} {d.year}"


def date_words(value: str | dt.date, lang: str, on: bool = False) -> str:
    """TTS form: "the fourteenth of March, twenty twenty-six" / "ორი ათას ოცდაექვსი წლის თოთხმეტი მარტი".

    Georgian says the day as a cardinal except the first (პირველი მარტი), and truncates it in the
    dative (თოთხმეტ მარტს). The year is a cardinal in the genitive (ორი ათას ოცდაექვსი წლის).
    """
    d = _as_date(value)
    if _lang(lang) == "ka":
        day = "პირველი" if d.day == 1 else _ka_words(d.day)
        month = _KA_MONTHS[d.month - 1]
        said = f"{_drop_i(day)} {_ka_dative(month)}" if on else f"{day} {month}"
        return f"{_ka_words(d.year)} წლის {said}"
    return ("on " if on else "") + (f"the {ordinal_words(d.day, 'en')} of {_EN_MONTHS[d.month - 1]}, "
                                    f"{_en_year_words(d.year)}")


def _as_time(value: str | dt.time | dt.datetime) -> dt.time:
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value
    return dt.time.fromisoformat(value)


def _time_words(t: dt.time, lang: str, at: bool) -> str:
    if lang == "ka":
        hours, minutes = _ka_words(t.hour), _ka_words(t.minute)
        if not at:
            return f"{hours} საათი" + (f" და {minutes} წუთი" if t.minute else "")
        if not t.minute:
            return f"{_drop_i(hours)} საათზე"
        return f"{_drop_i(hours)} საათსა და {_drop_i(minutes)} წუთზე"
    if t.minute == 0:
        said = f"{_en_words(t.hour)} hundred"
    else:
        said = f"{_en_words(t.hour)} {'oh ' if t.minute < 10 else ''}{_en_words(t.minute)}"
    return ("at " if at else "") + said


def time_of_day(value: str | dt.time | dt.datetime, lang: str, at: bool = False, words: bool = False) -> str:
    """24-hour clock as Georgia uses it: "14:30"; ``at=True``: "at 14:30" / "14:30-ზე"."""
    t = _as_time(value)
    if words:
        return _time_words(t, _lang(lang), at)
    clock = f"{t.hour:02d}:{t.minute:02d}"
    if not at:
        return clock
    return f"{clock}-ზე" if _lang(lang) == "ka" else f"at {clock}"


def datetime_(value: str | dt.datetime, lang: str, words: bool = False) -> str:
    """When something happens: "on 14 March 2026 at 14:30" / "2026 წლის 14 მარტს, 14:30-ზე"."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    day = (date_words if words else date)(moment, lang, on=True)
    clock = time_of_day(moment, lang, at=True, words=words)
    return f"{day}, {clock}" if lang == "ka" or words else f"{day} {clock}"


# --- codes, read piece by piece ---------------------------------------------------------------

_DIGIT_NAMES = {"en": _EN_ONES[:10], "ka": _KA_ONES[:10]}
_LATIN_NAMES = {
    "en": ("ay bee see dee ee ef gee aitch eye jay kay el em en oh pee cue ar ess tee you vee double-u ex "
           "why zed").split(),
    # English letter names in Mkhedruli, as Georgians say abbreviations (USB -> იუ ეს ბი).
    "ka": ("ეი ბი სი დი ი ეფ ჯი ეიჩ აი ჯეი კეი ელ ემ ენ ოუ პი ქიუ არ ეს ტი იუ ვი დაბლიუ ექს უაი "
           "ზედ").split(),
}


def _groups(length: int) -> tuple[int, ...]:
    """Threes from the left; a tail of 1 or 2 becomes 2 or 2+2 so no digit is heard alone."""
    if length <= 3:
        return (length,)
    threes, tail = divmod(length, 3)
    if tail == 0:
        return (3,) * threes
    if tail == 2:
        return (3,) * threes + (2,)
    return (3,) * (threes - 1) + (2, 2)


def digits(text: str, lang: str, group: Sequence[int] | None = None, words: bool = False) -> str:
    """A code read digit by digit in groups with pauses: "01001012345" -> "0 1 0, 0 1 0, 1 2 3, 4 5".

    ``group`` overrides the grouping (its sizes must add up to the number of digits).
    """
    _lang(lang)
    clean = re.sub(r"[\s\-]", "", text)
    if not clean.isdigit() or not clean.isascii():
        raise ValueError(f"{text!r} is not a string of digits")
    sizes = tuple(group) if group else _groups(len(clean))
    if sum(sizes) != len(clean) or min(sizes) < 1:
        raise ValueError(f"grouping {sizes} does not fit {len(clean)} digits")
    say = (lambda ch: _DIGIT_NAMES[lang][int(ch)]) if words else (lambda ch: ch)
    out, start = [], 0
    for size in sizes:
        out.append(" ".join(say(ch) for ch in clean[start:start + size]))
        start += size
    return ", ".join(out)


def _letters(text: str, lang: str, words: bool) -> str:
    return " ".join(_LATIN_NAMES[lang][ord(ch.upper()) - 65] if words else ch.upper() for ch in text)


def registration_number(text: str, lang: str, words: bool = False) -> str:
    """"MG-2026-000042" -> "M G, 2026, 0 0 0, 0 4 2" (words: "ემ ჯი, ორი ათას ოცდაექვსი, ნული ...").

    Letters are spelled, a year-like second part is said as a number, the sequence digit by digit
    (its leading zeros matter when the user types it back).
    """
    _lang(lang)
    parts = [p for p in re.split(r"[\s\-/]+", text.strip()) if p]
    if not parts:
        raise ValueError("empty registration number")
    said = []
    for i, part in enumerate(parts):
        if part.isascii() and part.isalpha():
            said.append(_letters(part, lang, words))
        elif part.isdigit() and i > 0 and len(part) == 4 and 1900 <= int(part) <= 2100:
            year = int(part)
            said.append((_en_year_words(year) if lang == "en" else _ka_words(year)) if words else part)
        elif part.isdigit():
            said.append(digits(part, lang, words=words))
        else:
            said.append(spell(part, lang))
    return ", ".join(said)


def _code_group(group: str, lang: str, words: bool) -> str:
    """Leading zeros one by one, then the rest as a number: "004" -> "0 0 4", "018" -> "0 18"."""
    body = group.lstrip("0")
    zeros = [_num(0, lang, words)] * (len(group) - len(body))
    return " ".join(zeros + ([_num(int(body), lang, words)] if body else []))


def cadastral_code(code: str, lang: str, words: bool = False) -> str:
    """"01.10.14.004.018.01.500" read group by group with "dot" / "წერტილი" between groups."""
    groups = code.strip().split(".")
    if not all(g.isdigit() and g.isascii() for g in groups):
        raise ValueError(f"{code!r} is not a cadastral code")
    dot = " წერტილი " if _lang(lang) == "ka" else " dot "
    return dot.join(_code_group(g, lang, words) for g in groups)


# --- lists, counts and spelling ---------------------------------------------------------------

def options(items: Sequence[str], lang: str, ask: bool = True) -> str:
    """Numbered choices a listener can hold: "1: X. 2: Y. Say or type the number."

    More than five cannot be remembered by ear, so the caller must paginate (ValueError).
    """
    _lang(lang)
    if not items:
        raise ValueError("no options to offer")
    if len(items) > MAX_OPTIONS:
        raise ValueError(f"{len(items)} options; say at most {MAX_OPTIONS} at a time and paginate")
    said = []
    for number, item in enumerate(items, 1):
        item = item.strip()
        said.append(f"{number}: {item}" + ("" if item[-1:] in ".?!" else "."))
    if ask:
        said.append("თქვით ან აკრიფეთ ნომერი." if lang == "ka" else "Say or type the number.")
    return " ".join(said)


def count_phrase(n: int, noun: str | Sequence[str], lang: str, words: bool = False) -> str:
    """Number and noun: "2 unread messages"; Georgian keeps the singular: "2 წაუკითხავი შეტყობინება".

    ``noun`` is a string or (singular, plural); an English plural defaults to singular + "s".
    """
    forms = (noun,) if isinstance(noun, str) else tuple(noun)
    if _lang(lang) == "ka" or n == 1:
        said = forms[0]
    else:
        said = forms[1] if len(forms) > 1 else forms[0] + "s"
    return f"{_num(n, lang, words)} {said}"


_SYMBOL_NAMES = {
    "en": {" ": "space", ".": "dot", "@": "at", "-": "dash", "_": "underscore", "/": "slash",
           ",": "comma", "+": "plus", ":": "colon", "'": "apostrophe"},
    "ka": {" ": "ჰარი", ".": "წერტილი", "@": "ეთ", "-": "ტირე", "_": "ქვედა ტირე", "/": "დახრილი ხაზი",
           ",": "მძიმე", "+": "პლუსი", ":": "ორწერტილი", "'": "აპოსტროფი"},
}


def _spell_char(ch: str, lang: str) -> str:
    if "ა" <= ch <= "ჰ":
        return ch
    if ch.isascii() and ch.isalpha():
        return _LATIN_NAMES[lang][ord(ch.upper()) - 65]
    if ch.isascii() and ch.isdigit():
        return _DIGIT_NAMES[lang][int(ch)]
    if ch in _SYMBOL_NAMES[lang]:
        return _SYMBOL_NAMES[lang][ch]
    if ch.isalpha():
        return ch
    return "სიმბოლო" if lang == "ka" else "symbol"


def spell(word: str, lang: str) -> str:
    """Letter by letter for the "spell" command: "Nino 5" -> "en, eye, en, oh, space, five"."""
    _lang(lang)
    return ", ".join(_spell_char(ch, lang) for ch in word)


# --- the last pass before synthesis -----------------------------------------------------------

_KA_MONTH_PREFIXES = tuple(m[:4] for m in _KA_MONTHS)  # სექტემბრის drops a vowel: compare 4 letters
_KA_NOT_NOUNS = {"და", "ან", "თუ", "კი", "რომ", "არ", "ვერ", "რაც", "მაგრამ", "რადგან", "ხოლო", "ისე"}
_KA_FULL_ENDINGS = ("ის", "ით", "დან", "გან")  # genitive, instrumental, ablative: numeral stays whole
_KA_TRUNCATING_ENDINGS = ("ს", "ში", "ზე", "თან", "მდე", "ად")  # dative and adverbial families
_KA_FRACTIONS = {1: "მეათედი", 2: "მეასედი", 3: "მეათასედი"}

_ADDRESS_WORDS = {  # how a Georgian voice should say common address parts
    "my": "მაი", "gov": "გოვ", "ge": "გე", "www": "ვე ვე ვე", "com": "კომ", "org": "ორგ",
    "net": "ნეტ", "gmail": "ჯიმეილ", "mail": "მეილ", "example": "იგზამფლ", "info": "ინფო",
    "service": "სერვის", "services": "სერვისიზ", "portal": "პორტალ", "public": "პაბლიკ",
}
_EN_SPELLED_LABELS = {"ge", "eu", "io", "uk", "us", "de"}  # country codes are said letter by letter
_KA_ACRONYMS = {"PIN": "პინ", "ID": "აიდი"}
_LATIN_DIGRAPHS = (("sh", "შ"), ("ch", "ჩ"), ("kh", "ხ"), ("gh", "ღ"), ("ts", "ც"), ("dz", "ძ"),
                   ("zh", "ჟ"), ("th", "თ"), ("ph", "ფ"), ("ee", "ი"), ("oo", "უ"))
_LATIN_LETTERS = dict(zip("abcdefghijklmnopqrstuvwxyz",
                          "ა ბ კ დ ე ფ გ ჰ ი ჯ კ ლ მ ნ ო პ ქ რ ს ტ უ ვ ვ ქს ი ზ".split()))
_ADDRESS_SYMBOLS = {
    "en": {".": "dot", "@": "at", "-": "dash", "_": "underscore", "/": "slash", "+": "plus"},
    "ka": {".": "დოტ", "@": "ეთ", "-": "ტირე", "_": "ქვედა ტირე", "/": "დახრილი ხაზი", "+": "პლუს"},
}
_SYMBOL_WORDS = {
    "en": {"&": " and ", "+": " plus ", "=": " equals ", "×": " times ", "@": " at ", "#": " number ",
           "°": " degrees ", "/": " "},
    "ka": {"&": " და ", "+": " პლუს ", "=": " უდრის ", "×": " გამრავლებული ", "@": " ეთ ", "#": " ნომერი ",
           "°": " გრადუსი ", "/": " "},
}

_SUFFIX = r"(?:-(?P<suffix>[ა-ჰ]+))?"
_EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+" + _SUFFIX)
_URL = re.compile(r"(?:(?:https?://|www\.)[^\sა-ჰ]+|\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:ge|com|org|net|gov|eu|info|io)"
                  r"\b(?:/[^\sა-ჰ]*)?)" + _SUFFIX, re.IGNORECASE)
_CADASTRAL = re.compile(r"(?<![\d.])\d{2}(?:\.\d{2,3}){3,}(?![\d.]*\d)")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DOTTED_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_EN_DATE = re.compile(r"\b(\d{1,2}) (" + "|".join(_EN_MONTHS) + r") (\d{4})\b")
_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])(-ზე)?")
_MONEY = re.compile(r"(\d{1,3}(?: \d{3})+|\d+)(?:[.,](\d{1,2}))?\s?(₾|GEL\b|lari\b|ლარ[ა-ჰ]*)")
_PHONE = re.compile(r"\+(\d[\d -]{5,}\d)")
_HYPHENATED_DIGITS = re.compile(r"(?<![\w-])\d+(?:-\d+){2,}(?![\w-])")  # 032-2-40-10-10
_NUMBER = re.compile(r"(?<!\w)(?P<neg>[-−](?=\d))?(?P<int>\d+)(?:[.,](?P<frac>\d+))?"
                     r"(?:\s?[-–—]\s?(?P<to>\d+))?(?:-(?P<suffix>[ა-ჰ]+))?")


def _ka_truncates(text: str, at: int) -> bool:
    """Does the word after position ``at`` make a preceding Georgian numeral drop its -ი?

    Before a noun in the dative or adverbial family (მარტს, დღეში, საათზე, ლარამდე) it does:
    "თოთხმეტ მარტს"; before the nominative, genitive or instrumental it does not. An adjective in
    between (წაუკითხავ შეტყობინებაზე) is skipped over to its noun.
    """
    following = re.findall(r"[ა-ჰ]+|\S+", text[at:at + 80])[:2]
    for word in following:
        if not re.fullmatch(r"[ა-ჰ]+", word) or word in _KA_NOT_NOUNS:
            return False
        if word.endswith(_KA_FULL_ENDINGS):
            return False
        if word.endswith(_KA_TRUNCATING_ENDINGS):
            return True
        if word[-1] in _KA_VOWELS:  # a nominative noun or adjective
            return False
    return False


def _ka_with_suffix(words: str, suffix: str) -> str:
    """A case ending written after a hyphen ("10-დან", "5-ზე") joined the way it is said."""
    if suffix.startswith("დან"):
        suffix = "ი" + suffix  # ablative builds on the instrumental: ათიდან, რვიდან
    elif suffix.startswith("მდე"):
        suffix = "ა" + suffix  # terminative builds on the adverbial: ათამდე, რვამდე
    if suffix[0] in "ია":
        return (words[:-1] if words[-1] in "ია" else words) + suffix
    return _drop_i(words) + suffix


def _decimal_words(whole: int, fraction: str, lang: str) -> str:
    if lang == "en":
        return f"{_en_words(whole)} point {' '.join(_EN_ONES[int(d)] for d in fraction)}"
    if len(fraction) in _KA_FRACTIONS:  # 2,5 -> ორი მთელი ხუთი მეათედი
        return f"{_ka_words(whole)} მთელი {_ka_words(int(fraction))} {_KA_FRACTIONS[len(fraction)]}"
    return f"{_ka_words(whole)} მთელი {' '.join(_KA_ONES[int(d)] for d in fraction)}"


def _say_number(m: re.Match[str], lang: str) -> str:
    raw, fraction, to, suffix = m["int"], m["frac"], m["to"], m["suffix"]
    if not fraction and not to and ((len(raw) > 1 and raw[0] == "0") or len(raw) >= 9):
        return digits(raw, lang, words=True) + ","  # codes and phone numbers: digit by digit
    if fraction:
        said = _decimal_words(int(raw), fraction, lang)
    elif lang == "ka" and suffix == "ე":
        return _ka_ordinal(int(raw))
    elif lang == "ka" and (suffix == "ლი" or (raw == "1" and not to and
                                                 m.string[m.end():].lstrip().startswith(_KA_MONTH_PREFIXES))):
        said, suffix = "პირველი", None
    else:
        said = number_words(int(raw), lang)
    if m["neg"]:
        said = ("მინუს " if lang == "ka" else "minus ") + said
    if to:
        said += (" to " if lang == "en" else "-") + number_words(int(to), lang)
    if lang == "ka" and suffix:
        return _ka_with_suffix(said, suffix)
    if lang == "ka" and _ka_truncates(m.string, m.end()):
        return _drop_i(said)
    return said + (f"-{suffix}" if suffix else "")


def _latin_word_ka(word: str) -> str:
    """A Latin word said by a Georgian voice: known words, acronyms by letter, else phonetically."""
    if word.lower() in _ADDRESS_WORDS:
        return _ADDRESS_WORDS[word.lower()]
    if word in _KA_ACRONYMS:
        return _KA_ACRONYMS[word]
    if (word.isupper() and len(word) <= 5) or len(word) <= 2 or not re.search(r"[aeiouy]", word, re.I):
        return _letters(word, "ka", words=True)
    out, i, lower = [], 0, word.lower()
    while i < len(lower):
        pair = next((g for d, g in _LATIN_DIGRAPHS if lower.startswith(d, i)), None)
        soft_c = lower[i] == "c" and lower[i + 1:i + 2] in ("e", "i", "y")
        out.append(pair or ("ს" if soft_c else _LATIN_LETTERS[lower[i]]))
        i += 2 if pair else 1
    return "".join(out)


def _say_address(address: str, lang: str) -> str:
    """"my.gov.ge" -> "my dot gov dot G E" / "მაი დოტ გოვ დოტ გე"; the scheme is not said."""
    address = re.sub(r"^https?://", "", address, flags=re.I).rstrip("/")
    said = []
    for token in re.findall(r"[A-Za-z]+|\d+|[^A-Za-z\d]", address):
        if token.isdigit():
            said.append(" ".join(_DIGIT_NAMES[lang][int(d)] for d in token))
        elif token.isascii() and token.isalpha():
            if lang == "ka":
                said.append(_latin_word_ka(token))
            else:
                spelled = token.lower() in _EN_SPELLED_LABELS or not re.search(r"[aeiouy]", token, re.I)
                said.append(_letters(token, "en", words=False) if spelled else token.lower())
        elif token in _ADDRESS_SYMBOLS[lang]:
            said.append(_ADDRESS_SYMBOLS[lang][token])
    return " ".join(said)


def _sub_address(m: re.Match[str], lang: str) -> str:
    """An address in running text; sentence punctuation after it stays, "-ზე" joins the last word."""
    suffix = m["suffix"]
    address = m.group(0)[:m.start("suffix") - 1 - m.start()] if suffix else m.group(0)
    trailing = re.search(r"[.,;:!?)\]]+$", address)
    cut = trailing.start() if trailing else len(address)
    return _join_suffix(_say_address(address[:cut], lang), suffix) + address[cut:]


def _sub_money(m: re.Match[str], lang: str) -> str:
    """125.40 ₾ -> "125 ლარი და 40 თეთრი"; a case ending on ლარ- carries over to თეთრ-."""
    lari, tetri, unit = m[1].replace(" ", ""), int((m[2] or "0").ljust(2, "0")), m[3]
    if lang == "en":
        return f"{lari} lari" + (f" and {tetri} tetri" if tetri else "")
    ending = unit[3:] if unit.startswith("ლარ") else "ი"
    return f"{lari} ლარ{ending}" + (f" და {tetri} თეთრ{ending}" if tetri else "")


def _ka_abbreviations(text: str) -> str:
    text = re.sub(r"\bშპს\b", "შეზღუდული პასუხისმგებლობის საზოგადოება", text)
    text = re.sub(r"\bსს\b", "სააქციო საზოგადოება", text)
    text = re.sub(r"(?<!\w)ი/მ(?!\w)", "ინდივიდუალური მეწარმე", text)
    text = re.sub(r"(?<!\w)ა\.შ\.", "ასე შემდეგ", text)
    text = re.sub(r"(?<!\w)ე\.წ\.", "ეგრეთ წოდებული", text)
    text = re.sub(r"(?<!\w)ა\.წ\.", "ამა წლის", text)
    text = re.sub(r"(?<!\w)გვ\.", "გვერდი", text)
    text = re.sub(r"(?<!\w)წ\.(?=\s*\d)", "წლის", text)
    text = re.sub(r"(?<!\w)წ\.", "წელი", text)
    # ქ. თბილისი -> ქალაქი თბილისი; in apposition any other case truncates: ქალაქ თბილისში.
    text = re.sub(r"(?<!\w)ქ\.\s*(?=([ა-ჰ]+))",
                  lambda m: "ქალაქი " if m[1][-1] in _KA_VOWELS and not m[1].endswith(("ში", "ზე", "მდე"))
                  else "ქალაქ ", text)
    # "ID ბარათი", "ID-ის" keep the letters (said აიდი later); a bare "ID" is the ID card itself.
    text = re.sub(r"\bID\b(?!-|\s*ბარათ)", "პირადობის მოწმობა", text)
    return text.replace("№", " ნომერი ")


def _en_abbreviations(text: str) -> str:
    for pattern, said in ((r"\be\.g\.", "for example"), (r"\bi\.e\.", "that is"), (r"\betc\.", "and so on"),
                          (r"\bNo\.\s*(?=\d)", "number "), (r"\bMr\.", "Mister"), (r"\bMrs\.", "Missus"),
                          (r"\bDr\.", "Doctor"), (r"\bID\b", "I D"), (r"\bLLC\b", "L L C")):
        text = re.sub(pattern, said, text)
    return text.replace("№", " number ")


def _keep(ch: str, before: str, after: str) -> str:
    """Only letters, spaces and sentence punctuation reach the voice; an apostrophe only in a word."""
    if ch.isalpha() or ch in " .,?!:;-":
        return ch
    if ch == "'" and before.isalpha() and after.isalpha():
        return ch
    return " "


def _tidy(text: str) -> str:
    text = "".join(_keep(ch, text[i - 1] if i else "", text[i + 1:i + 2]) for i, ch in enumerate(text))
    text = re.sub(r"\s+-+\s+|\s+-+(?=[,.;:?!])|(?<![\w])-+(?=\s|$)", ", ", f" {text} ")
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.;:?!])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"[,;:]\s*([.?!])", r"\1", text)
    text = re.sub(r"([.?!])(?:\s*[.,;:?!])+", r"\1", text)
    return re.sub(r"^[\s,.;:!?-]+", "", text).strip()


def _lines_to_sentences(text: str) -> str:
    """Each line (a list item, a heading) becomes a sentence so the voice pauses between them."""
    lines = [re.sub(r"^\s*[-*•–—·]\s+", "", line).strip() for line in text.splitlines()]
    return " ".join(line if line[-1] in ".?!:;," else line + "." for line in lines if line)


def for_speech(text: str, lang: str) -> str:
    """Last pass before TTS: numbers, money, dates, times, codes, URLs, e-mail addresses and
    abbreviations become words; quotes, emoji and symbols go; only letters, spaces and
    . , ? ! : ; - remain (and an apostrophe inside a word, as in "don't")."""
    _lang(lang)
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\u00a0\u2007\u202f\t]", " ", text).replace("…", ".").replace("’", "'")
    text = re.sub(r"[„“”«»\"‘‚`]|(?<![A-Za-z])'|'(?![A-Za-z])", "", text)
    text = _lines_to_sentences(text)
    text = _EMAIL.sub(lambda m: _sub_address(m, lang), text)
    text = _URL.sub(lambda m: _sub_address(m, lang), text)
    # A code is followed by a pause (", ") so that the next word is not heard as part of it.
    text = registration.PATTERN.sub(lambda m: registration_number(m.group(0), lang, words=True) + ", ", text)
    text = _CADASTRAL.sub(lambda m: cadastral_code(m.group(0), lang, words=True) + ", ", text)
    text = _ISO_DATE.sub(lambda m: _date_or_same(m, lang, m[1], m[2], m[3]), text)
    text = _DOTTED_DATE.sub(lambda m: _date_or_same(m, lang, m[3], m[2], m[1]), text)
    if lang == "en":
        text = _EN_DATE.sub(lambda m: date_words(f"{m[3]}-{_EN_MONTHS.index(m[2]) + 1:02d}-{int(m[1]):02d}", "en"),
                            text)
    text = _TIME.sub(lambda m: _time_words(dt.time(int(m[1]), int(m[2])), lang, at=bool(m[3])), text)
    if lang == "en":
        text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = _PHONE.sub(lambda m: (" plus " if lang == "en" else " პლუს ") + _say_groups(m[1], lang), text)
    text = _HYPHENATED_DIGITS.sub(lambda m: _say_groups(m.group(0), lang), text)
    text = re.sub(r"°\s?C\b", " degrees Celsius" if lang == "en" else " გრადუსი ცელსიუსით", text)
    text = re.sub(r"(₾|GEL)\s?(\d+(?:[.,]\d{1,2})?)", r"\2 \1", text)
    text = _MONEY.sub(lambda m: _sub_money(m, lang), text)
    text = (_ka_abbreviations if lang == "ka" else _en_abbreviations)(text)
    if lang == "ka":
        text = re.sub(r"%(?:-([ა-ჰ]+))?", lambda m: " პროცენტ" + (m[1] or "ი"), text)
        text = re.sub(r"\bმე-(\d+)(?:-ე)?", lambda m: _ka_ordinal(int(m[1])), text)
    else:
        text = text.replace("%", " percent")
        text = re.sub(r"\b(\d+)(st|nd|rd|th)\b", lambda m: ordinal_words(int(m[1]), "en"), text)
    text = _NUMBER.sub(lambda m: " " + _say_number(m, lang) + " ", text)
    text = re.sub(r"[–—―]", ", ", text)
    text = re.sub(r"[()\[\]{}]", ", ", text)
    for symbol, said in _SYMBOL_WORDS[lang].items():
        text = text.replace(symbol, said)
    if lang == "ka":
        text = re.sub(r"([A-Za-z]+)(?:-([ა-ჰ]+))?", lambda m: _ka_latin_with_suffix(m[1], m[2]), text)
    return _tidy(text)


def _ka_latin_with_suffix(word: str, suffix: str | None) -> str:
    """"SMS-ით" -> "ეს ემ ესით", "ID-ის" -> "აიდის": the case ending joins the spoken word."""
    return _join_suffix(_latin_word_ka(word), suffix)


def _join_suffix(said: str, suffix: str | None) -> str:
    """A Georgian case ending on a spoken loanword: ეს ემ ეს + ით -> ეს ემ ესით, აიდი + ის -> აიდის."""
    if not suffix:
        return said
    return (said[:-1] if said.endswith("ი") and suffix.startswith("ი") else said) + suffix


def _say_groups(number: str, lang: str) -> str:
    """A phone number as written ("555 12 34 56", "032-2-40-10-10"): each group digit by digit."""
    groups = [g for g in re.split(r"[ -]+", number) if g]
    return ", ".join(" ".join(_DIGIT_NAMES[lang][int(d)] for d in g) for g in groups) + ", "


def _date_or_same(m: re.Match[str], lang: str, year: str, month: str, day: str) -> str:
    """A date written as digits, said in words; an impossible date is left for the number pass."""
    try:
        return date_words(dt.date(int(year), int(month), int(day)), lang)
    except ValueError:
        return m.group(0)
