"""Names for calls, callers and conversations in the phone line's logs and transcripts: the same input
always gets the same name, so an operator can follow one call, but a name reveals nothing. A plain
hash would not do: a caller's number or a Call-ID can be guessed and hashed by anyone; these are
keyed with the ``session_key`` secret, as every part names conversations (basics.keys), so a
transcript's ``conversation`` matches the name the other logs use."""
from __future__ import annotations

from basics.keys import keyed_hash
from basics.settings import Settings

LENGTH = 12  # as basics.keys.conversation_tag


class Pseudonyms:
    def __init__(self, settings: Settings) -> None:
        self._secret = settings.kept_secret("session_key")

    def __call__(self, value: str) -> str:
        return keyed_hash(self._secret, value)[:LENGTH]
