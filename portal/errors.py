"""One JSON error shape for every failure: a code, a message in English and Georgian, per-field details."""
from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(self, status: int, code: str, en: str, ka: str, fields: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(en)
        self.status, self.code, self.en, self.ka, self.fields, self.headers = status, code, en, ka, fields, headers

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": {"en": self.en, "ka": self.ka}}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}


def not_found(what_en: str, what_ka: str) -> ApiError:
    return ApiError(404, "not_found", f"{what_en} was not found.", f"{what_ka} ვერ მოიძებნა.")


UNAUTHENTICATED = ApiError(401, "unauthenticated", "Log in first: the access token is missing, invalid or expired.",
                           "ჯერ გაიარეთ ავტორიზაცია: წვდომის ტოკენი არ არის, არასწორია ან ვადაგასულია.")


class UnsafeSettings(ValueError):
    """Settings the portal refuses to start with, said in one sentence for the operator."""
