"""The application forms of the real catalogue: complete, speakable, short, and validated as a user would notice."""
from __future__ import annotations

import re
from datetime import date

import pytest

from catalog_index import get_catalogue
from catalog_index.forms import FieldError, FormField, validate_value

GEORGIAN = re.compile(r"[\u10D0-\u10FF]")
LATIN_WORD = re.compile(r"[A-Za-z]+")
# Latin a Georgian text may keep because Georgian documents write it so: driving-licence categories.
ALLOWED_LATIN_KA = {"A", "B", "C", "D"}
# The applicant is known from login; these would be redundant entry (WCAG 3.3.7).
APPLICANT_IDENTITY_NAMES = {
    "name", "first_name", "surname", "last_name", "full_name", "applicant_name", "applicant_surname",
    "personal_number", "applicant_personal_number", "id_number", "date_of_birth", "birth_date",
}
APPLICANT_IDENTITY_PROMPTS = re.compile(r"\byour (own )?(full )?(name|first name|surname|personal number|date of birth)\b", re.I)
UNSPEAKABLE = re.compile(r"[()\[\]/*_<>]|\b(click|tap|see below|below|above|e\.g|i\.e|etc)\b", re.I)
PRICE = re.compile(r"\bGEL\b|ლარ|₾|\blari\b", re.I)
TODAY = date(2025, 6, 1)

NAMED_FORMS = {
    "civil.address.registration": ["new_address", "registration_type", "owner_consent", "contact_phone"],
    "mygov.e-communication.letter": ["agency", "subject", "body"],
    "mygov.public-information.request": ["agency", "subject", "request_text", "delivery"],
    "cec.public-information.request": ["subject", "request_text", "delivery"],
}


@pytest.fixture(scope="module")
def catalogue():
    return get_catalogue()


def all_fields(catalogue):
    return [(service.id, spec) for service in catalogue.services for spec in service.form]


def field(catalogue, service_id: str, name: str) -> FormField:
    spec = catalogue.get(service_id).form_field(name)
    assert spec is not None, f"{service_id} has no field {name}"
    return spec


def refusal(spec: FormField, raw, **kwargs) -> FieldError:
    with pytest.raises(FieldError) as caught:
        validate_value(spec, raw, **kwargs)
    return caught.value


# --- which services have forms ---------------------------------------------------------------------

def test_every_functional_service_has_a_form(catalogue):
    functional = [s for s in catalogue.services if s.kind == "functional"]
    assert len(functional) == 50
    assert [s.id for s in functional if not s.form] == []


def test_no_informational_service_has_a_form(catalogue):
    assert [s.id for s in catalogue.services if s.kind == "informational" and s.form] == []


def test_forms_are_short_and_ask_required_questions_first(catalogue):
    for service in catalogue.services:
        if not service.form:
            continue
        assert 2 <= len(service.form) <= 6, service.id
        required = [spec.required for spec in service.form]
        assert required == sorted(required, reverse=True), f"{service.id}: an optional question comes before a required one"
        assert any(required), f"{service.id}: a form needs at least one required question"


@pytest.mark.parametrize("service_id", sorted(NAMED_FORMS))
def test_named_forms_have_exactly_the_agreed_fields(catalogue, service_id):
    assert [spec.name for spec in catalogue.get(service_id).form] == NAMED_FORMS[service_id]


def test_named_form_field_types(catalogue):
    address = catalogue.get("civil.address.registration")
    assert [(f.type, f.required) for f in address.form] == [
        ("address", True), ("choice", True), ("yes_no", True), ("phone", False)]
    assert [c.value for c in address.form_field("registration_type").choices] == ["permanent", "temporary"]
    letter = catalogue.get("mygov.e-communication.letter")
    assert [(f.type, f.required) for f in letter.form] == [("agency", True), ("text", True), ("long_text", True)]
    for service_id in ("mygov.public-information.request", "cec.public-information.request"):
        service = catalogue.get(service_id)
        assert service.form_field("subject").type == "text"
        assert service.form_field("request_text").type == "long_text"
        delivery = service.form_field("delivery")
        assert delivery.type == "choice" and delivery.required
        assert [c.value for c in delivery.choices] == ["electronic", "paper"]
    assert catalogue.get("mygov.public-information.request").form_field("agency").type == "agency"


def test_property_extract_form_follows_its_kind(catalogue):
    """napr.property.extract is informational in the seed, so it may not have a form; if the seed ever
    makes it functional, its form is the cadastral code (plus `speed` only if the seed gains tiers)."""
    service = catalogue.get("napr.property.extract")
    if service.kind == "informational":
        assert service.form == ()
    else:
        names = [spec.name for spec in service.form]
        assert names[:1] == ["cadastral_code"] and set(names) <= {"cadastral_code", "speed"}
        assert service.form_field("cadastral_code").type == "cadastral_code"


def test_speed_is_asked_where_the_seed_has_tiers_and_never_priced(catalogue):
    tiered = {
        "civil.id-card.issue": ["standard", "5_days", "3_days", "2_days", "same_day"],
        "civil.passport.issue": ["standard", "5_days", "3_days", "same_day"],
        "civil.apostille": ["standard", "4_days", "2_days", "1_day"],
        "napr.property.ownership-registration": ["standard", "1_day", "same_day"],
    }
    for service_id, values in tiered.items():
        speed = field(catalogue, service_id, "speed")
        assert speed.type == "choice" and speed.required
        assert [c.value for c in speed.choices] == values
    for service in catalogue.services:
        speed = service.form_field("speed")
        if speed is not None:
            assert service.fee or service.processing_time, f"{service.id}: speed tiers without a source"
    for service_id, spec in all_fields(catalogue):
        texts = [spec.label_ka, spec.label_en, spec.prompt_ka, spec.prompt_en]
        texts += [t for c in spec.choices for t in (c.label_ka, c.label_en)]
        assert not any(PRICE.search(t) for t in texts), f"{service_id}.{spec.name} states a price"


# --- texts written to be heard ---------------------------------------------------------------------

def test_every_field_has_labels_and_prompts_in_both_languages(catalogue):
    for service_id, spec in all_fields(catalogue):
        where = f"{service_id}.{spec.name}"
        for text in (spec.label_ka, spec.label_en, spec.prompt_ka, spec.prompt_en):
            assert text.strip(), where
        assert 1 <= len(spec.label_ka.split()) <= 4, where
        assert 1 <= len(spec.label_en.split()) <= 4, where


def test_prompts_are_one_spoken_question(catalogue):
    for service_id, spec in all_fields(catalogue):
        where = f"{service_id}.{spec.name}"
        for prompt in (spec.prompt_ka, spec.prompt_en):
            assert prompt.endswith("?") and prompt.count("?") == 1, where
            assert not UNSPEAKABLE.search(prompt), f"{where}: {prompt!r} is hard to say aloud"
        assert len(spec.prompt_en.split()) <= 16, where


def test_georgian_texts_are_in_mkhedruli(catalogue):
    for service_id, spec in all_fields(catalogue):
        where = f"{service_id}.{spec.name}"
        assert GEORGIAN.search(spec.prompt_ka), where
        assert LATIN_WORD.findall(spec.prompt_ka) == [], f"{where}: Latin letters in {spec.prompt_ka!r}"
        for text in [spec.label_ka] + [c.label_ka for c in spec.choices]:
            assert GEORGIAN.search(text), f"{where}: {text!r}"
            assert set(LATIN_WORD.findall(text)) <= ALLOWED_LATIN_KA, f"{where}: Latin letters in {text!r}"
        for text in [spec.prompt_en, spec.label_en] + [c.label_en for c in spec.choices]:
            assert not GEORGIAN.search(text), f"{where}: Georgian letters in English text {text!r}"


def test_choice_fields_offer_two_to_five_distinct_options(catalogue):
    for service_id, spec in all_fields(catalogue):
        if spec.type != "choice":
            assert spec.choices == (), f"{service_id}.{spec.name}"
            continue
        where = f"{service_id}.{spec.name}"
        assert 2 <= len(spec.choices) <= 5, where
        for attribute in ("value", "label_ka", "label_en"):
            values = [getattr(c, attribute).lower() for c in spec.choices]
            assert len(set(values)) == len(values), f"{where}: two options share a {attribute}"
        assert all(1 <= len(c.label_en.split()) <= 4 for c in spec.choices), where


def test_no_form_asks_for_the_applicants_own_identity(catalogue):
    for service_id, spec in all_fields(catalogue):
        where = f"{service_id}.{spec.name}"
        assert spec.name not in APPLICANT_IDENTITY_NAMES, where
        assert not APPLICANT_IDENTITY_PROMPTS.search(spec.prompt_en), f"{where}: {spec.prompt_en!r}"
        if spec.type == "personal_number":
            # Only another person's number may be asked: the child's, the spouse's, the deceased's...
            assert spec.name != "personal_number" and not spec.name.startswith("applicant"), where
            assert "your personal number" not in spec.prompt_en.lower(), where


def test_attachments_are_not_form_fields(catalogue):
    for service_id, spec in all_fields(catalogue):
        text = f"{spec.name} {spec.label_en} {spec.prompt_en}".lower()
        assert not re.search(r"upload|attach|scan|photo|receipt file|signature", text), f"{service_id}.{spec.name}"


def test_date_and_number_fields_are_bounded(catalogue):
    for service_id, spec in all_fields(catalogue):
        if spec.type == "date":
            assert spec.date_range in ("past", "future"), f"{service_id}.{spec.name}"
        if spec.type == "number":
            assert spec.min_value is not None and spec.max_value is not None, f"{service_id}.{spec.name}"


# --- validation a user would notice on real fields ---------------------------------------------------

def test_a_good_address_is_accepted_and_normalised(catalogue):
    spec = field(catalogue, "civil.address.registration", "new_address")
    assert validate_value(spec, "  თბილისი,   ჭავჭავაძის გამზირი   12 ") == "თბილისი, ჭავჭავაძის გამზირი 12"
    error = refusal(spec, "თბ")
    assert error.code == "too_short" and GEORGIAN.search(error.message_ka)


def test_a_ten_digit_personal_number_is_refused_in_both_languages(catalogue):
    spec = field(catalogue, "civil.death.registration", "deceased_personal_number")
    error = refusal(spec, "0100112345")
    assert error.code == "invalid_personal_number"
    assert "11 digits" in error.message_en
    assert "11" in error.message_ka and GEORGIAN.search(error.message_ka)
    assert validate_value(spec, "010 011 23456") == "01001123456"


@pytest.mark.parametrize("answer", ["კი", "yes", "1", "Yes", "დიახ"])
def test_yes_no_understands_spoken_yes(catalogue, answer):
    spec = field(catalogue, "civil.address.registration", "owner_consent")
    assert validate_value(spec, answer) == "yes"


def test_yes_no_understands_no_and_refuses_anything_else(catalogue):
    spec = field(catalogue, "civil.address.registration", "owner_consent")
    assert validate_value(spec, "არა") == "no"
    assert validate_value(spec, "no") == "no"
    assert refusal(spec, "maybe").code == "invalid_yes_no"


@pytest.mark.parametrize("answer, expected", [
    ("1", "permanent"), ("2", "temporary"),
    ("Temporary", "temporary"), ("permanent", "permanent"),
    ("დროებითი", "temporary"), ("მუდმივი", "permanent"),
])
def test_choice_by_number_english_or_georgian_label(catalogue, answer, expected):
    spec = field(catalogue, "civil.address.registration", "registration_type")
    assert validate_value(spec, answer) == expected


def test_choice_out_of_range_lists_the_options_in_both_languages(catalogue):
    spec = field(catalogue, "mygov.public-information.request", "delivery")
    assert validate_value(spec, "ქაღალდის ასლი") == "paper"
    assert validate_value(spec, "Electronically") == "electronic"
    error = refusal(spec, "3")
    assert error.code == "invalid_choice"
    assert "Paper copy" in error.message_en and "ქაღალდის ასლი" in error.message_ka


def test_speed_choice_by_number(catalogue):
    spec = field(catalogue, "civil.id-card.issue", "speed")
    assert validate_value(spec, "5") == "same_day"
    assert validate_value(spec, "იმავე დღეს") == "same_day"


def test_a_future_date_is_refused_where_only_the_past_makes_sense(catalogue):
    spec = field(catalogue, "civil.death.registration", "death_date")
    assert spec.date_range == "past"
    error = refusal(spec, "2025-06-02", today=TODAY)
    assert error.code == "date_in_future" and GEORGIAN.search(error.message_ka)
    assert validate_value(spec, "31.05.2025", today=TODAY) == "2025-05-31"


def test_a_past_date_is_refused_for_a_wedding(catalogue):
    spec = field(catalogue, "civil.marriage.registration", "wedding_date")
    assert refusal(spec, "2025-05-31", today=TODAY).code == "date_in_past"
    assert validate_value(spec, "2025-07-01", today=TODAY) == "2025-07-01"


def test_an_invalid_cadastral_code_is_refused(catalogue):
    spec = field(catalogue, "napr.mortgage.registration", "cadastral_code")
    error = refusal(spec, "01.10.14.004")
    assert error.code == "invalid_cadastral_code"
    assert "01.10.14.004.018" in error.message_en and "01.10.14.004.018" in error.message_ka
    assert validate_value(spec, "01.10.14.004.018") == "01.10.14.004.018"


def test_an_empty_optional_field_is_accepted(catalogue):
    phone = field(catalogue, "civil.address.registration", "contact_phone")
    assert not phone.required
    assert validate_value(phone, "") == ""
    assert validate_value(phone, "   ") == ""
    assert validate_value(phone, None) == ""
    assert validate_value(phone, "555 12 34 56") == "+995555123456"
    cadastral = field(catalogue, "napr.property.ownership-registration", "cadastral_code")
    assert not cadastral.required and validate_value(cadastral, "") == ""


@pytest.mark.parametrize("service_id, name", [
    ("civil.address.registration", "new_address"),
    ("civil.address.registration", "owner_consent"),
    ("mygov.e-communication.letter", "body"),
    ("cec.public-information.request", "delivery"),
])
def test_an_empty_required_field_is_refused(catalogue, service_id, name):
    error = refusal(field(catalogue, service_id, name), "  ")
    assert error.code == "required"
    assert error.message_en and GEORGIAN.search(error.message_ka)


def test_agency_must_come_from_the_directory(catalogue):
    spec = field(catalogue, "mygov.e-communication.letter", "agency")
    assert validate_value(spec, "NAPR", agency_ids=frozenset({"NAPR", "PSDA"})) == "NAPR"
    assert refusal(spec, "Nowhere", agency_ids=frozenset({"NAPR"})).code == "unknown_agency"


def test_every_real_choice_field_accepts_each_option_by_number_and_both_labels(catalogue):
    for service_id, spec in all_fields(catalogue):
        for number, choice in enumerate(spec.choices, start=1):
            for answer in (str(number), choice.label_en, choice.label_ka, choice.value):
                assert validate_value(spec, answer) == choice.value, f"{service_id}.{spec.name}: {answer!r}"


def test_a_number_field_accepts_whole_numbers_in_range(catalogue):
    spec = field(catalogue, "eqe.education-document.apostille", "document_count")
    assert validate_value(spec, " 2 ") == "2"
    assert refusal(spec, "0").code == "out_of_range"
    assert refusal(spec, "two").code == "invalid_number"


def test_a_decimal_is_refused_not_silently_multiplied(catalogue):
    spec = field(catalogue, "napr.land.sporadic-registration", "land_area")
    assert refusal(spec, "1.5").code == "invalid_number"


@pytest.mark.parametrize("said", ["2026-03-14", "14.03.2026", "14 March 2026", "March 14, 2026", "2026 წლის 14 მარტი",
                                  "14 მარტს 2026", "14 marti 2026"])
def test_a_date_is_understood_as_people_say_it(said):
    spec = FormField(name="when", type="date", label_ka="თარიღი", label_en="Date", prompt_ka="როდის?", prompt_en="When?")
    assert validate_value(spec, said) == "2026-03-14"


@pytest.mark.parametrize("said", ["31 February 2026", "2026 წლის 31 თებერვალი", "soon", "14 2026"])
def test_an_impossible_or_incomplete_date_is_refused(said):
    spec = FormField(name="when", type="date", label_ka="თარიღი", label_en="Date", prompt_ka="როდის?", prompt_en="When?")
    with pytest.raises(FieldError) as refused:
        validate_value(spec, said)
    assert refused.value.code == "invalid_date" and refused.value.message_ka
