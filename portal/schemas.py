"""Request bodies. Strict types, so a number where text belongs is a clear 422, not a silent cast."""
from __future__ import annotations

import re
from typing import Any, Dict, Optional, Union

from pydantic import BaseModel, StrictInt, StrictStr, conint, constr, root_validator

from basics.speech_rate import MAX_RATE, MIN_RATE

PersonalNumber = constr(strict=True, regex=r"^\d{11}$")
Pin = constr(strict=True, regex=r"^\d{4,6}$")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(value: Any) -> bool:
    """Text no database keeps: NUL (PostgreSQL refuses it) and half a UTF-16 pair, which JSON may escape ("\\ud800")
    but UTF-8 cannot encode. Refused as a 422 instead of failing in the database or in the reply."""
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(item) for item in value)
    return False


class Strict(BaseModel):
    class Config:
        extra = "forbid"

    @root_validator(pre=True)
    def _storable(cls, values: Dict[str, Any]) -> Dict[str, Any]:  # noqa: N805 (pydantic passes the class)
        if _unstorable(values):
            raise ValueError("Text cannot hold NUL or a lone surrogate escape (\\ud800 to \\udfff).")
        return values


class PasswordLogin(Strict):
    personal_number: PersonalNumber  # type: ignore[valid-type]
    password: constr(strict=True, min_length=1, max_length=200)  # type: ignore[valid-type]


class OtpLogin(Strict):
    challenge_id: constr(strict=True, max_length=36)  # type: ignore[valid-type]
    code: constr(strict=True, regex=r"^\d{6}$")  # type: ignore[valid-type]


class PinLogin(Strict):
    personal_number: PersonalNumber  # type: ignore[valid-type]
    pin: Pin  # type: ignore[valid-type]


class PinApproval(Strict):
    pin: Pin  # type: ignore[valid-type]


class NewApplication(Strict):
    service_id: constr(strict=True, min_length=1, max_length=100)  # type: ignore[valid-type]


class FieldUpdate(Strict):
    fields: Dict[StrictStr, Optional[Union[StrictStr, StrictInt]]]


class CallbackBody(Strict):
    topic: constr(strict=True, min_length=1, max_length=300)  # type: ignore[valid-type]
    phone: Optional[constr(strict=True, max_length=20)] = None  # type: ignore[valid-type]
    language: constr(strict=True, regex=r"^(ka|en)$") = "ka"  # type: ignore[valid-type]


class Preferences(Strict):
    speech_rate: Optional[conint(strict=True, ge=MIN_RATE, le=MAX_RATE)] = None  # type: ignore[valid-type]
    preferred_language: Optional[constr(strict=True, regex=r"^(ka|en)$")] = None  # type: ignore[valid-type]


class AgencyAdvance(Strict):
    status: constr(strict=True, regex=r"^(in_review|completed|rejected)$") = "completed"  # type: ignore[valid-type]
    reply_subject: Optional[constr(strict=True, max_length=300)] = None  # type: ignore[valid-type]
    reply_body: Optional[constr(strict=True, max_length=20000)] = None  # type: ignore[valid-type]


class RepresentationBody(Strict):
    role: constr(strict=True, min_length=1, max_length=50) = "representative"  # type: ignore[valid-type]


Json = Dict[str, Any]
