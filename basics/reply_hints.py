"""What each reply tells a channel about the dialogue, so that no channel guesses it from the wording.

Every message the assistant sends carries ``custom: {"hint": {...}}`` (Rasa delivers it with the
message on socket.io, and as the next item on REST):

- ``lang``: the language of the message, "ka" or "en";
- ``rate``: the user's speech rate, words a minute;
- ``expects``: what the dialogue waits for next: "pin" (a secret: keypad only on a phone line,
  hidden on a screen), "digits" (a personal number), "yes_no", "choice" (a numbered option),
  "text" (the answer to a form question), or None (any new request);
- ``ends``: the conversation ends with this message;
- ``fixed``: the text is the same for everyone, so it holds no one's data and its audio may be kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Literal, Mapping, Optional, TypedDict

HINT = "hint"
Expects = Optional[Literal["pin", "digits", "yes_no", "choice", "text"]]


class ReplyHint(TypedDict):
    lang: str
    rate: float
    expects: Expects
    ends: bool
    fixed: bool


def hint_of(message: Mapping[str, Any]) -> ReplyHint | None:
    custom = message.get("custom")
    hint = custom.get(HINT) if isinstance(custom, Mapping) else None
    return hint if isinstance(hint, dict) else None  # type: ignore[return-value]


@dataclass(frozen=True)
class Reply:
    """One turn's answer as a channel uses it: the texts, the hint of the last message, and whether every
    text is the same for everyone (then its audio may be cached)."""

    texts: list[str]
    hint: ReplyHint | None = None
    fixed: bool = False


def reply_from(messages: Iterable[Mapping[str, Any]]) -> Reply:
    """The texts and the last hint of what a Rasa channel delivered for one user message."""
    texts: list[str] = []
    hints: list[ReplyHint] = []
    for message in messages:
        if message.get("text"):
            texts.append(str(message["text"]))
        hint = hint_of(message)
        if hint is not None:
            hints.append(hint)
    return Reply(texts, hints[-1] if hints else None, bool(hints) and all(h.get("fixed") for h in hints))
