"""The SDP offer/answer the gateway needs (RFC 4566/3264): one audio stream, G.711 mu-law or A-law,
and RFC 4733 (2833) telephone-events when the caller offers them."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

PCMU, PCMA = 0, 8
CODECS = {PCMU: "PCMU", PCMA: "PCMA"}


class SdpError(ValueError):
    """An offer we cannot answer (no audio, no G.711, no address)."""


@dataclass(frozen=True)
class Offer:
    address: str
    port: int
    payload: int  # the G.711 payload type we will use (the caller's first preference)
    dtmf_payload: int | None  # telephone-event payload type, if offered


def parse_offer(body: bytes, preferred: tuple[int, ...] = (PCMU, PCMA)) -> Offer:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise SdpError("SDP is not text") from None
    address, port, offered, dtmf = "", 0, [], None
    in_audio = False
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.strip()
        if line.startswith("c=") and (found := re.match(r"c=IN IP[46] (\S+)", line)):
            address = found.group(1).split("/")[0]
        elif line.startswith("m="):
            found = re.match(r"m=audio (\d+)(?:/\d+)? RTP/S?AVP((?: \d+)+)$", line)
            in_audio = bool(found) and not port
            if in_audio and found:
                port, offered = int(found.group(1)), [int(p) for p in found.group(2).split()]
        elif in_audio and (found := re.match(r"a=rtpmap:(\d+) telephone-event/8000", line, re.I)):
            dtmf = int(found.group(1))
        elif in_audio and (found := re.match(r"a=rtpmap:(\d+) (PCMU|PCMA)/8000", line, re.I)):
            static = PCMU if found.group(2).upper() == "PCMU" else PCMA
            offered = [static if p == int(found.group(1)) else p for p in offered]
    if not port or not 0 < port < 65536:
        raise SdpError("no usable audio stream")
    if not address:
        raise SdpError("no connection address")
    usable = [p for p in offered if p in preferred]
    if not usable:
        raise SdpError("no G.711 codec offered")
    return Offer(address, port, usable[0], dtmf if dtmf in offered else None)


def answer(offer: Offer, address: str, port: int, session_id: int | None = None) -> bytes:
    session_id = session_id or secrets.randbelow(2**31)
    payloads = [offer.payload] + ([offer.dtmf_payload] if offer.dtmf_payload is not None else [])
    lines = ["v=0", f"o=mygov {session_id} {session_id} IN IP4 {address}", "s=mygov-assistant",
             f"c=IN IP4 {address}", "t=0 0", f"m=audio {port} RTP/AVP {' '.join(map(str, payloads))}",
             f"a=rtpmap:{offer.payload} {CODECS[offer.payload]}/8000"]
    if offer.dtmf_payload is not None:
        lines += [f"a=rtpmap:{offer.dtmf_payload} telephone-event/8000", f"a=fmtp:{offer.dtmf_payload} 0-16"]
    lines += ["a=ptime:20", "a=sendrecv"]
    return ("\r\n".join(lines) + "\r\n").encode()
