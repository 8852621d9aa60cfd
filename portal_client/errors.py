"""What can go wrong when calling the portal, as types the dialogue turns into one clear spoken sentence."""
from __future__ import annotations

from typing import Any


class PortalError(Exception):
    """A failed portal call; `spoken(lang)` is what the user hears."""

    def __init__(self, status: int, code: str, message_en: str, message_ka: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}")
        self.status, self.code, self.fields = status, code, fields or {}
        self.message = {"en": message_en, "ka": message_ka}

    def spoken(self, lang: str) -> str:
        return self.message["ka" if lang == "ka" else "en"]


class PortalUnavailable(PortalError):
    """The portal did not answer, or answered with a server error. Nothing the user did was lost."""

    def __init__(self, detail: str) -> None:
        super().__init__(503, "unavailable",
                         "The portal is not answering right now. Your answers so far are saved; try again in a few minutes.",
                         "პორტალი ახლა არ პასუხობს. აქამდე გაცემული პასუხები შენახულია; სცადეთ რამდენიმე წუთში.")
        self.detail = detail


class PortalAuthError(PortalError):
    """401: not logged in, session expired, or a wrong PIN (see `fields['attempts_left']`)."""


class PortalLocked(PortalError):
    """423: too many wrong PINs or codes, the method is locked for a while; or 429: too many wrong attempts from
    this address, which must wait (`fields['minutes']` in both cases, and `retry_after_seconds` for 429)."""


class PortalForbidden(PortalError):
    """403: for example acting for a company one does not represent."""


class PortalNotFound(PortalError):
    """404: no such thing, or it is not the user's."""


class PortalConflict(PortalError):
    """409: the state does not allow it (already sent, not signed, changed since signing)."""


class PortalInvalid(PortalError):
    """400/413/415/422: the request or an answer is not acceptable; `fields` names each problem."""

    def field_message(self, name: str, lang: str) -> str | None:
        problem = self.fields.get(name)
        message = problem.get("message") if isinstance(problem, dict) else None
        text = message.get("ka" if lang == "ka" else "en") if isinstance(message, dict) else None
        return text if isinstance(text, str) else None


_BY_STATUS: dict[int, type[PortalError]] = {401: PortalAuthError, 403: PortalForbidden, 404: PortalNotFound,
                                            409: PortalConflict, 423: PortalLocked, 429: PortalLocked}


def error_from_response(status: int, body: Any) -> PortalError:
    """Build the typed error from the portal's JSON error shape (see portal/errors.py)."""
    if status >= 500:
        return PortalUnavailable(f"HTTP {status}")
    error = _object(body.get("error") if isinstance(body, dict) else None)
    message = _object(error.get("message"))
    fields = error.get("fields")
    kind = _BY_STATUS.get(status, PortalInvalid)
    return kind(status, str(error.get("code", "error")), str(message.get("en", "The portal refused the request.")),
                str(message.get("ka", "პორტალმა მოთხოვნა არ მიიღო.")), fields if isinstance(fields, dict) else None)


def _object(value: object) -> dict[str, Any]:
    """A JSON object of an error answer, or {} when the portal sent something else there."""
    return value if isinstance(value, dict) else {}
