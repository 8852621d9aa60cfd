"""Application form fields: their schema and the one validator both the portal and the assistant use.

A value is validated and normalised the same way wherever it is typed or spoken, so the portal's
server-side check and the assistant's early check can never disagree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

FIELD_TYPES = (
    "text", "long_text", "address", "personal_number", "id_code", "date", "choice", "agency",
    "phone", "email", "number", "cadastral_code", "vehicle_plate", "yes_no",
)
_MAX_LENGTH = {"text": 300, "address": 300, "long_text": 10_000}
_YES = {"yes", "y", "true", "1", "კი", "დიახ", "ki", "diax", "diakh"}
_NO = {"no", "n", "false", "0", "არა", "ara"}
# How a numbered option is said or typed: digit, cardinal and ordinal, in English and Georgian.
_NUMBER_WORDS = {
    1: {"1", "one", "first", "ერთი", "პირველი"}, 2: {"2", "two", "second", "ორი", "მეორე"},
    3: {"3", "three", "third", "სამი", "მესამე"}, 4: {"4", "four", "fourth", "ოთხი", "მეოთხე"},
    5: {"5", "five", "fifth", "ხუთი", "მეხუთე"},
}
MAX_CHOICES = len(_NUMBER_WORDS)
# Codes made of a fixed number of digits: their length and what to say when one is wrong.
_DIGIT_CODES = {
    "personal_number": (11, "A personal number has 11 digits.", "პირადი ნომერი 11 ციფრისგან შედგება."),
    "id_code": (9, "A company identification code has 9 digits.", "საიდენტიფიკაციო კოდი 9 ციფრისგან შედგება."),
}


@dataclass(frozen=True)
class Choice:
    value: str
    label_ka: str
    label_en: str


@dataclass(frozen=True)
class FormField:
    """One question of an application, with a label for screens and a prompt for speech."""

    name: str
    type: str
    label_ka: str
    label_en: str
    prompt_ka: str
    prompt_en: str
    required: bool = True
    choices: tuple[Choice, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    date_range: str | None = None  # "past" or "future"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name, "type": self.type, "required": self.required,
            "label": {"ka": self.label_ka, "en": self.label_en},
            "prompt": {"ka": self.prompt_ka, "en": self.prompt_en},
        }
        if self.choices:
            data["choices"] = [{"value": c.value, "label": {"ka": c.label_ka, "en": c.label_en}} for c in self.choices]
        if self.min_value is not None or self.max_value is not None:
            data["range"] = {"min": self.min_value, "max": self.max_value}
        if self.date_range:
            data["date_range"] = self.date_range
        if self.type in _MAX_LENGTH:
            data["max_length"] = _MAX_LENGTH[self.type]
        return data


@dataclass
class FieldError(ValueError):
    """Why a value was refused, said in both languages."""

    code: str
    message_en: str
    message_ka: str
    field: str = ""

    def __str__(self) -> str:
        return self.message_en


def _error(code: str, en: str, ka: str) -> FieldError:
    return FieldError(code=code, message_en=en, message_ka=ka)


def _digits(text: str) -> str:
    return re.sub(r"[\s\-.()/]", "", text)


# Month names as they are said or typed: Georgian stems (any case ending), English names and abbreviations.
_MONTHS = {
    "იანვ": 1, "თებ": 2, "მარტ": 3, "აპრ": 4, "მაის": 5, "ივნ": 6, "ივლ": 7, "აგვ": 8, "სექტ": 9, "ოქტ": 10,
    "ნოემ": 11, "დეკ": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}


def _month(word: str) -> int | None:
    word = word.lower()
    return next((number for stem, number in _MONTHS.items() if word.startswith(stem)), None)


def _date_parts(text: str) -> tuple[int, int, int] | None:
    """Year, month and day from 2026-03-14, 14.03.2026, "14 March 2026", "March 14, 2026" or "2026 წლის 14 მარტი"."""
    numeric = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", text)
    if numeric:
        a, b, c = (int(p) for p in numeric.groups())
        return (a, b, c) if a > 31 else (c, b, a)
    numbers = [int(n) for n in re.findall(r"\d+", text) if len(n) <= 8]  # longer is no part of a date
    months = [m for m in map(_month, re.findall(r"[^\W\d_]+", text)) if m]
    years = [n for n in numbers if n > 31]
    days = [n for n in numbers if n <= 31]
    if len(months) == 1 and len(years) == 1 and len(days) == 1:
        return years[0], months[0], days[0]
    return None


def _parse_date(text: str) -> date:
    parts = _date_parts(text)
    if parts is not None:
        try:
            return date(*parts)
        except (ValueError, OverflowError):  # a month of 13, or a year of 20 digits
            pass
    raise _error("invalid_date", "Give a real date, for example 14 March 2026.",
                 "მიუთითეთ ნამდვილი თარიღი, მაგალითად 2026 წლის 14 მარტი.")


def validate_value(spec: FormField, raw: Any, agency_ids: frozenset[str] = frozenset(), today: date | None = None) -> str:
    """Return the normalised value, or raise FieldError saying what is wrong and how to fix it."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if spec.required:
            raise _error("required", "This answer is required.", "ეს პასუხი სავალდებულოა.")
        return ""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise _error("wrong_type", "Give the answer as text.", "პასუხი მიუთითეთ ტექსტად.")
    text = " ".join(str(raw).split())
    if any(ord(ch) < 32 for ch in str(raw) if ch not in "\n\r\t"):
        raise _error("control_characters", "The answer contains characters that cannot be stored.",
                     "პასუხი შეიცავს სიმბოლოებს, რომლებსაც ვერ შევინახავთ.")
    kind = spec.type
    if kind == "long_text":
        text = str(raw).strip()
    if kind in _MAX_LENGTH and len(text) > _MAX_LENGTH[kind]:
        limit = _MAX_LENGTH[kind]
        raise _error("too_long", f"The answer is too long: at most {limit} characters.",
                     f"პასუხი ძალიან გრძელია: მაქსიმუმ {limit} სიმბოლო.")
    if kind == "address" and len(text) < 5:
        raise _error("too_short", "Give the full address: city, street and number.",
                     "მიუთითეთ სრული მისამართი: ქალაქი, ქუჩა და ნომერი.")
    if kind in _DIGIT_CODES:
        length, en, ka = _DIGIT_CODES[kind]
        digits = _digits(text)
        if not re.fullmatch(rf"\d{{{length}}}", digits):
            raise _error(f"invalid_{kind}", en, ka)
        return digits
    if kind == "phone":
        digits = _digits(text).removeprefix("+").removeprefix("00")
        digits = digits[3:] if digits.startswith("995") and len(digits) == 12 else digits
        if not re.fullmatch(r"[3-7]\d{8}", digits):
            raise _error("invalid_phone", "Give a Georgian phone number of 9 digits, for example 555 12 34 56.",
                         "მიუთითეთ 9-ნიშნა ტელეფონის ნომერი, მაგალითად 555 12 34 56.")
        return "+995" + digits
    if kind == "email":
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
            raise _error("invalid_email", "Give an e-mail address such as name@example.ge.",
                         "მიუთითეთ ელფოსტა, მაგალითად name@example.ge.")
        return text.lower()
    if kind == "date":
        value = _parse_date(text)
        today = today or date.today()
        if spec.date_range == "past" and value > today:
            raise _error("date_in_future", "This date cannot be in the future.", "ეს თარიღი მომავალში ვერ იქნება.")
        if spec.date_range == "future" and value < today:
            raise _error("date_in_past", "This date cannot be in the past.", "ეს თარიღი წარსულში ვერ იქნება.")
        return value.isoformat()
    if kind == "number":
        cleaned = re.sub(r"\s", "", text)
        # Eighteen digits are more than any answer needs, and far fewer than Python refuses to convert.
        if not re.fullmatch(r"-?\d{1,18}", cleaned):
            raise _error("invalid_number", "Give a whole number.", "მიუთითეთ მთელი რიცხვი.")
        number = int(cleaned)
        if (spec.min_value is not None and number < spec.min_value) or (spec.max_value is not None and number > spec.max_value):
            raise _error("out_of_range", f"Give a number from {spec.min_value} to {spec.max_value}.",
                         f"მიუთითეთ რიცხვი {spec.min_value}-დან {spec.max_value}-მდე.")
        return str(number)
    if kind == "cadastral_code":
        if not re.fullmatch(r"\d{2}\.\d{2}\.\d{2}\.\d{3}\.\d{3}(\.\d{2}\.\d{3})?", text):
            raise _error("invalid_cadastral_code", "A cadastral code looks like 01.10.14.004.018.",
                         "საკადასტრო კოდი ასე გამოიყურება: 01.10.14.004.018.")
        return text
    if kind == "vehicle_plate":
        plate = re.sub(r"[\s\-]", "", text).upper()
        if re.fullmatch(r"[A-Z]{2}\d{3}[A-Z]{2}", plate):
            return f"{plate[:2]}-{plate[2:5]}-{plate[5:]}"
        if re.fullmatch(r"[A-Z]{3}\d{3}", plate):  # the older format
            return f"{plate[:3]}-{plate[3:]}"
        raise _error("invalid_plate", "A plate number looks like AB-123-CD or ABC-123.",
                     "სანომრე ნიშანი ასე გამოიყურება: AB-123-CD ან ABC-123.")
    if kind == "yes_no":
        lowered = text.lower()
        if lowered in _YES:
            return "yes"
        if lowered in _NO:
            return "no"
        raise _error("invalid_yes_no", "Answer yes or no.", "უპასუხეთ კი ან არა.")
    if kind == "choice":
        lowered = text.lower().rstrip(".")
        for number, choice in enumerate(spec.choices, start=1):
            if lowered in {choice.value.lower(), choice.label_en.lower(), choice.label_ka.lower(), *_NUMBER_WORDS[number]}:
                return choice.value
        options = ", ".join(c.label_en for c in spec.choices)
        options_ka = ", ".join(c.label_ka for c in spec.choices)
        raise _error("invalid_choice", f"Choose one of: {options}.", f"აირჩიეთ ერთ-ერთი: {options_ka}.")
    if kind == "agency":
        if text not in agency_ids:
            raise _error("unknown_agency", "Choose an agency from the directory.", "აირჩიეთ უწყება ცნობარიდან.")
        return text
    return text


def parse_field(name: str, data: Mapping[str, Any], where: str) -> FormField:
    """Build a FormField from its YAML mapping; `where` names the entry in error messages."""
    kind = data.get("type")
    if kind not in FIELD_TYPES:
        raise ValueError(f"{where}: field {name!r} has unknown type {kind!r}; use one of {', '.join(FIELD_TYPES)}")
    try:
        label, prompt = data["label"], data["prompt"]
        choices = tuple(Choice(str(c["value"]), c["label"]["ka"], c["label"]["en"]) for c in data.get("choices", ()))
        spec = FormField(
            name=name, type=kind, required=bool(data.get("required", True)),
            label_ka=label["ka"], label_en=label["en"], prompt_ka=prompt["ka"], prompt_en=prompt["en"],
            choices=choices, min_value=data.get("min"), max_value=data.get("max"), date_range=data.get("date_range"),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{where}: field {name!r} lacks {exc}: needs label and prompt in ka and en") from None
    if kind == "choice" and not 2 <= len(choices) <= MAX_CHOICES:
        raise ValueError(f"{where}: choice field {name!r} needs 2 to {MAX_CHOICES} choices, to be read out as numbered options")
    if kind != "choice" and choices:
        raise ValueError(f"{where}: field {name!r} has choices but is not a choice field")
    if len({c.value for c in choices}) != len(choices):
        raise ValueError(f"{where}: choice field {name!r} has two choices with the same value")
    if spec.date_range not in (None, "past", "future"):
        raise ValueError(f"{where}: field {name!r}: date_range must be past or future")
    if any(v is not None and not isinstance(v, int) for v in (spec.min_value, spec.max_value)):
        raise ValueError(f"{where}: field {name!r}: min and max must be whole numbers")
    if not all([spec.label_ka, spec.label_en, spec.prompt_ka, spec.prompt_en]):
        raise ValueError(f"{where}: field {name!r} has an empty label or prompt")
    return spec
