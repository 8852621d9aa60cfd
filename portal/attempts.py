"""Wrong secrets, counted so that no race wins and no stranger can lock a citizen out for ever.

Two layers guard every secret a person types.

The **lockout** of the target (one login method of a citizen, a citizen's signing PIN, a messenger
account redeeming link codes) counts each attempt with one conditional UPDATE *before* the secret is
checked, and reads the count back in the same transaction, on SQLite and PostgreSQL alike (SQLite
ignores SELECT ... FOR UPDATE, so nothing here reads, changes and writes back). Attempts are numbered
within a window of `minutes` from the first failure. One numbered beyond `attempts` is refused
unchecked; the one numbered `attempts` that fails locks the target for `minutes`; only a right secret
resets the count. However many requests arrive at once, at most
`attempts` secrets are checked. Unknown personal numbers are counted and locked the same way, so
nothing tells them apart from known ones.

The **throttle** of the source (the client's address; X-Forwarded-For only from a trusted proxy)
stands in front of the lockout on the login endpoints. Each attempt is taken from the source's count
before the check as well, and given back when the secret was right, so successful logins never count.
From its `after`-th failure on, a source must wait before its next attempt: 1 s, then 2, 4, 8 ... up
to `max_seconds`, counted from the failed answer; while it waits it is refused with 429 and
Retry-After, and its attempts never reach the citizen's counter. A source's count starts again a day after its first failure. So a stranger at
one address can lock a citizen a few times, but soon waits longer between guesses than a lockout
window lasts, and `attempts` failures never fit in one window again: the citizen gets back in. The
throttle also keeps one address from trying one PIN on many citizens. Addresses are stored only as
keyed hashes.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterator

from fastapi import Request
from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session

from basics.client_source import client_source
from portal.db import insert_missing
from portal.errors import ApiError
from portal.models import AttemptCount, utcnow

SOURCE_SCOPE = "source"
SOURCE_WINDOW = timedelta(days=1)


def _row(scope: str, key: str):  # type: ignore[no-untyped-def]
    return (AttemptCount.scope == scope) & (AttemptCount.key == key)


def _take(db: Session, scope: str, key: str, window: timedelta) -> tuple[int, datetime | None]:
    """Count one attempt unless locked, atomically; (its number in the current window, None) or (0, lock end).

    Leaves the transaction open (and the row locked) so the caller can add a lock before committing.
    """
    now = utcnow()
    insert_missing(db, AttemptCount, scope=scope, key=key, failures=0)
    fresh = AttemptCount.window_started > now - window
    counted = db.execute(
        update(AttemptCount)
        .where(_row(scope, key), or_(AttemptCount.locked_until.is_(None), AttemptCount.locked_until <= now))
        .values(failures=case((fresh, AttemptCount.failures + 1), else_=1),
                window_started=case((fresh, AttemptCount.window_started), else_=now), locked_until=None)
        .execution_options(synchronize_session=False)).rowcount
    failures, locked_until = db.execute(select(AttemptCount.failures, AttemptCount.locked_until).where(_row(scope, key))).one()
    return (failures, None) if counted else (0, locked_until)


def _set(db: Session, scope: str, key: str, **values: object) -> None:
    db.execute(update(AttemptCount).where(_row(scope, key)).values(**values).execution_options(synchronize_session=False))


class Lockout:
    """Counts wrong secrets per scope (a method) and key (who); after `attempts` the pair is locked for a while."""

    def __init__(self, attempts: int, minutes: int) -> None:
        self.attempts, self.minutes = attempts, minutes

    def verify(self, db: Session, scope: str, key: str, is_right: Callable[[], bool]) -> None:
        """Count the attempt, then check it; raise 401 (with attempts left) or 423 unless it is right.

        On success the count is reset in the open transaction, which the caller commits with its own changes.
        """
        number, locked_until = _take(db, scope, key, timedelta(minutes=self.minutes))
        db.commit()
        if locked_until is not None:
            raise self.locked_error(locked_until)
        if number > self.attempts:  # a parallel attempt holds the last check: refused unchecked
            raise self.locked_error(utcnow() + timedelta(minutes=self.minutes))
        if not is_right():
            raise self._failed(db, scope, key, number)
        _set(db, scope, key, failures=0, window_started=None, locked_until=None)

    def _failed(self, db: Session, scope: str, key: str, number: int) -> ApiError:
        left = self.attempts - number
        if left <= 0:
            until = utcnow() + timedelta(minutes=self.minutes)
            _set(db, scope, key, locked_until=until)
            db.commit()
            return self.locked_error(until)
        return ApiError(401, "wrong_secret", f"That is not correct. {left} attempts left before a {self.minutes}-minute lock.",
                        f"არასწორია. დარჩა {left} მცდელობა, შემდეგ {self.minutes} წუთით დაიბლოკება.",
                        {"attempts_left": left})

    @staticmethod
    def locked_error(until: datetime) -> ApiError:
        minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
        return ApiError(423, "locked", f"Too many wrong attempts. This method is locked for {minutes} more minutes.",
                        f"ძალიან ბევრი არასწორი მცდელობა. ეს მეთოდი დაბლოკილია კიდევ {minutes} წუთით.",
                        {"locked_until": until.isoformat() + "Z", "minutes": minutes})


@dataclass(frozen=True)
class _Ticket:
    """One attempt taken from a source's count, and the wait it imposed (from its `after`-th on)."""

    key: str
    wait: timedelta | None
    blocked_until: datetime | None


class SourceThrottle:
    """Growing waits for a source that keeps failing (see the module's docstring)."""

    def __init__(self, after: int, max_seconds: float, trusted_proxies: tuple[str, ...],
                 digest: Callable[[str], str]) -> None:
        self.after, self.max_seconds, self._digest = after, max_seconds, digest
        self._trusted = frozenset(trusted_proxies)

    def source(self, request: Request) -> str:
        return client_source(request.client.host if request.client else None,
                             request.headers.get("x-forwarded-for", ""), self._trusted)

    @contextlib.contextmanager
    def attempt(self, db: Session, request: Request) -> Iterator[None]:
        """One attempt from the request's source around the check in the block: refused with 429 while the source
        waits; given back when the block succeeds; when it fails (any ApiError), the wait runs from the answer."""
        ticket = self._take(db, request)
        try:
            yield
        except ApiError:
            db.rollback()
            if ticket.wait is not None:
                _set(db, SOURCE_SCOPE, ticket.key, locked_until=case(
                    (AttemptCount.locked_until == ticket.blocked_until, utcnow() + ticket.wait),
                    else_=AttemptCount.locked_until))  # unless a later attempt set a wait of its own
                db.commit()
            raise
        values: dict[str, object] = {"failures": case((AttemptCount.failures > 0, AttemptCount.failures - 1), else_=0)}
        if ticket.wait is not None:
            values["locked_until"] = case((AttemptCount.locked_until == ticket.blocked_until, None),
                                          else_=AttemptCount.locked_until)
        _set(db, SOURCE_SCOPE, ticket.key, **values)  # in the caller's transaction, committed with its changes

    def _take(self, db: Session, request: Request) -> _Ticket:
        key = self._digest(self.source(request))
        number, blocked_until = _take(db, SOURCE_SCOPE, key, SOURCE_WINDOW)
        if blocked_until is not None:
            db.commit()
            raise self._wait_error(blocked_until)
        wait = until = None
        if number >= self.after:  # the next attempt waits, from now until this one is answered, then from the answer
            wait = timedelta(seconds=min(2.0 ** min(number - self.after, 60), self.max_seconds))
            until = utcnow() + wait
            _set(db, SOURCE_SCOPE, key, locked_until=until)
        db.commit()
        return _Ticket(key, wait, until)

    @staticmethod
    def _wait_error(until: datetime) -> ApiError:
        seconds = max(1, math.ceil((until - utcnow()).total_seconds()))
        minutes = max(1, math.ceil(seconds / 60))
        return ApiError(429, "too_many_attempts",
                        f"Too many wrong attempts from here. Wait {seconds} seconds before trying again.",
                        f"აქედან ძალიან ბევრი არასწორი მცდელობაა. ხელახლა სცადეთ {seconds} წამის შემდეგ.",
                        {"retry_after_seconds": seconds, "minutes": minutes}, headers={"Retry-After": str(seconds)})
