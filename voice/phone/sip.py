"""SIP messages (RFC 3261) as the gateway needs them: parse without trusting the bytes, build replies
and requests. Anything that is not a well-formed message raises SipError, which the gateway drops:
a malformed datagram must never reach the call logic."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field

MAX_MESSAGE_BYTES = 16384  # real SIP over UDP stays far below this; bigger datagrams are dropped
COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length",
           "c": "content-type", "k": "supported"}
REQUIRED = ("via", "from", "to", "call-id", "cseq")
_REQUEST_LINE = re.compile(r"^([A-Z]{3,12}) (\S+) SIP/2\.0$")
_STATUS_LINE = re.compile(r"^SIP/2\.0 (\d{3}) ?(.*)$")
_TAG = re.compile(r";\s*tag=([^;>\s,]+)", re.I)
_URI = re.compile(r"<([^>]+)>|(sips?:[^\s;,>]+)")
REASONS = {100: "Trying", 180: "Ringing", 200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           405: "Method Not Allowed", 415: "Unsupported Media Type", 481: "Call/Transaction Does Not Exist",
           486: "Busy Here", 487: "Request Terminated", 488: "Not Acceptable Here", 500: "Server Internal Error",
           501: "Not Implemented", 503: "Service Unavailable"}


class SipError(ValueError):
    """Not a SIP message we can act on."""


@dataclass
class SipMessage:
    method: str = ""  # requests
    uri: str = ""
    status: int = 0  # responses
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)  # (lower-case name, value), in order
    body: bytes = b""

    @property
    def is_request(self) -> bool:
        return bool(self.method)

    def get(self, name: str, default: str = "") -> str:
        for key, value in self.headers:
            if key == name:
                return value
        return default

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name]

    @property
    def call_id(self) -> str:
        return self.get("call-id")

    @property
    def cseq(self) -> tuple[int, str]:
        number, _, method = self.get("cseq").partition(" ")
        return int(number), method.strip().upper()

    @property
    def from_tag(self) -> str:
        return tag_of(self.get("from"))

    @property
    def to_tag(self) -> str:
        return tag_of(self.get("to"))


def tag_of(value: str) -> str:
    found = _TAG.search(value)
    return found.group(1) if found else ""


def uri_of(value: str) -> str:
    """The URI inside a From/To/Contact value ("Name" <sip:a@b>;tag=x -> sip:a@b)."""
    found = _URI.search(value)
    if not found:
        return ""
    return found.group(1) or found.group(2)


def parse(data: bytes) -> SipMessage:
    """A SIP request or response; SipError for anything else (binary junk, missing headers, bad numbers)."""
    if not data or len(data) > MAX_MESSAGE_BYTES:
        raise SipError("empty or oversized datagram")
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = data.partition(b"\n\n")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        raise SipError("headers are not UTF-8") from None
    lines = text.replace("\r\n", "\n").split("\n")
    message = SipMessage()
    first = lines[0].strip()
    if request := _REQUEST_LINE.match(first):
        message.method, message.uri = request.group(1), request.group(2)
    elif status := _STATUS_LINE.match(first):
        message.status, message.reason = int(status.group(1)), status.group(2)
        if not 100 <= message.status <= 699:
            raise SipError("status out of range")
    else:
        raise SipError("not a SIP start line")
    for line in lines[1:]:
        if not line.strip():
            continue
        if line[0] in " \t" and message.headers:  # folded continuation line
            name, value = message.headers[-1]
            message.headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or " " in name.strip():
            raise SipError("malformed header line")
        key = name.strip().lower()
        message.headers.append((COMPACT.get(key, key), value.strip()))
    for name in REQUIRED:
        if not message.get(name):
            raise SipError(f"missing {name}")
    try:
        number, method = message.cseq
    except ValueError:
        raise SipError("malformed CSeq") from None
    if number < 0 or number > 2**31 or not method or (message.is_request and method != message.method):
        raise SipError("CSeq does not fit the request")
    length = message.get("content-length")
    if length:
        if not length.isdigit():
            raise SipError("malformed Content-Length")
        body = body[: int(length)]
    message.body = body
    return message


def _serialise(first: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    lines = [first] + [f"{_canonical(name)}: {value}" for name, value in headers if name != "content-length"]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


def _canonical(name: str) -> str:
    return {"call-id": "Call-ID", "cseq": "CSeq", "www-authenticate": "WWW-Authenticate"}.get(
        name, "-".join(part.capitalize() for part in name.split("-")))


def response(request: SipMessage, status: int, to_tag: str = "", extra: list[tuple[str, str]] | None = None,
             body: bytes = b"") -> bytes:
    """A response that copies Via, From, To (adding our tag), Call-ID and CSeq from the request."""
    headers = [("via", v) for v in request.all("via")]
    to = request.get("to")
    if to_tag and not tag_of(to):
        to = f"{to};tag={to_tag}"
    headers += [("from", request.get("from")), ("to", to), ("call-id", request.call_id), ("cseq", request.get("cseq"))]
    headers += extra or []
    return _serialise(f"SIP/2.0 {status} {REASONS.get(status, 'Unknown')}", headers, body)


def request(method: str, uri: str, headers: list[tuple[str, str]], body: bytes = b"") -> bytes:
    return _serialise(f"{method} {uri} SIP/2.0", headers, body)


def new_tag() -> str:
    return secrets.token_hex(6)


def new_branch() -> str:
    return "z9hG4bK" + secrets.token_hex(8)


def via_address(message: SipMessage) -> tuple[str, int] | None:
    """Where the top Via asks responses to go (received/rport are the sender's address: used by the caller)."""
    via = message.get("via")
    found = re.match(r"SIP/2\.0/UDP\s+([^;:\s]+)(?::(\d+))?", via, re.I)
    if not found:
        return None
    return found.group(1), int(found.group(2) or 5060)


def digest_authorization(challenge: str, method: str, uri: str, username: str, password: str) -> str:
    """The Authorization value answering a WWW-Authenticate Digest challenge (RFC 2617, MD5, qop=auth)."""
    params = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge))
    realm, nonce, qop = params.get("realm", ""), params.get("nonce", ""), params.get("qop", "")

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - required by SIP digest

    ha1, ha2 = md5(f"{username}:{realm}:{password}"), md5(f"{method}:{uri}")
    value = f'Digest username="{username}", realm="{realm}", nonce="{nonce}", uri="{uri}", algorithm=MD5'
    if "auth" in qop.split(","):
        cnonce, nc = secrets.token_hex(8), "00000001"
        value += f', qop=auth, nc={nc}, cnonce="{cnonce}", response="{md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")}"'
    else:
        value += f', response="{md5(f"{ha1}:{nonce}:{ha2}")}"'
    if "opaque" in params:
        value += f', opaque="{params["opaque"]}"'
    return value
